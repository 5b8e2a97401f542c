-- oracle.lua: run by match-oracle (oracle.c). Compares string.find, match, gmatch and
-- gsub (src/match.c) with lstrlib.c's own (the global `lstrlib`) on CASES random
-- patterns and subjects, results and error messages alike, and stops at the first
-- difference. The patterns are built from every kind of item, including malformed
-- ones, so errors are compared too.
local ours, theirs = string, lstrlib
math.randomseed(SEED)
local R = math.random

local function pick(t) return t[R(#t)] end

local atoms = {
  "a", "b", "c", "x", "1", " ", ".", "%a", "%d", "%s", "%w", "%p", "%l", "%u", "%x",
  "%c", "%g", "%z", "%A", "%D", "%S", "%W", "%P", "%L", "%U", "%X", "%C", "%G", "%Z",
  "%%", "%.", "%(", "%]", "%-", "[abc]", "[^ab]", "[a-c]", "[%d_]", "[]a]", "[^]a]",
  "[a-]", "[%a-z]", "[%]]", "[-x]", "[c-a]", "[%W1]", "[^%s%d]", "\0", "[\0-\31]", "$", "^",
}
local quants = { "", "", "", "*", "+", "-", "?" }
local specials = {
  "%b()", "%bab", "%f[%w]", "%f[^%s]", "%f[%z]", "%f[a]", "%1", "%2", "%0", "()",
  -- malformed or out of range
  "%", "[", "[a", "[%", "%b", "%b(", "%f", "%fa", ")", "%9", "(", "[^",
}

local function pattern()
  local parts, open = {}, 0
  if R(5) == 1 then parts[#parts + 1] = "^" end
  for _ = 1, R(0, 6) do
    local k = R(12)
    if k <= 7 then parts[#parts + 1] = pick(atoms) .. pick(quants)
    elseif k == 8 then parts[#parts + 1] = pick(specials)
    elseif k <= 10 then parts[#parts + 1] = "("; open = open + 1
    elseif open > 0 then parts[#parts + 1] = ")"; open = open - 1 end
  end
  if R(3) > 1 then for _ = 1, open do parts[#parts + 1] = ")" end end
  if R(6) == 1 then parts[#parts + 1] = "$" end
  return table.concat(parts)
end

local alphabet = { "a", "b", "c", "x", "1", "2", " ", "(", ")", "_", "%", ".", "]", "-", "^", "\0", "\n", "A", "B" }
local function subject()
  local t = {}
  for i = 1, R(0, 24) do t[i] = pick(alphabet) end
  return table.concat(t)
end

local function show(ok, ...)
  local t = { tostring(ok) }
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    t[#t + 1] = type(v) .. ":" .. tostring(v)
  end
  return table.concat(t, " | ")
end

local function all(iter_ok, iter)
  if not iter_ok then return iter end
  local out, n = {}, 0
  while true do
    local r = table.pack(pcall(iter))
    if not r[1] then out[#out + 1] = "error " .. tostring(r[2]); break end
    if r.n == 1 or r[2] == nil then break end
    out[#out + 1] = show(table.unpack(r, 1, r.n))
    n = n + 1
    if n > 100 then break end
  end
  return table.concat(out, "\n")
end

local replacements = { "%0", "%1", "<%1>", "%%", "x", "%2", "%", "%a", "", "[%0|%1]", 7 }
local function repl_of(kind)
  if kind == 1 then return pick(replacements) end
  if kind == 2 then
    return function(a, b) if a == "a" then return nil elseif a == "b" then return false end return "<" .. tostring(a) .. tostring(b) .. ">" end
  end
  return { a = "A", b = false, ["1"] = 10, x = "X" }
end

local cases, checked = 0, 0
local function same(what, s, p, a, b)
  checked = checked + 1
  if a ~= b then
    error(string.format("%s differs for subject %q, pattern %q:\n  match.c:  %s\n  lstrlib: %s", what, s, p, a, b), 0)
  end
end

for _ = 1, CASES do
  local s, p = subject(), pattern()
  local init = R(4) == 1 and R(-30, 30) or nil
  cases = cases + 1
  same("find", s, p, show(pcall(ours.find, s, p, init)), show(pcall(theirs.find, s, p, init)))
  same("find plain", s, p, show(pcall(ours.find, s, p, init, true)), show(pcall(theirs.find, s, p, init, true)))
  same("match", s, p, show(pcall(ours.match, s, p, init)), show(pcall(theirs.match, s, p, init)))
  same("gmatch", s, p, all(pcall(ours.gmatch, s, p, init)), all(pcall(theirs.gmatch, s, p, init)))
  local kind = R(3)
  local repl = repl_of(kind)
  local max = R(4) == 1 and R(-1, 3) or nil
  same("gsub", s, p, show(pcall(ours.gsub, s, p, repl, max)), show(pcall(theirs.gsub, s, p, repl, max)))
end

-- Fixed cases: depth and capture limits, long subjects, bad arguments.
local fixed = {
  { string.rep("a", 300), string.rep("a?", 250) },
  { string.rep("a", 40), string.rep("(a)", 33) },
  { string.rep("a", 40), string.rep("(a)", 32) },
  { string.rep("ab", 5000), "(b)(a)%2%1" },
  { string.rep("x", 10000) .. "y", "x*y$" },
  { string.rep("(", 100) .. string.rep(")", 99), "%b()" },
  { "hello world from lua", "%f[%a]%a+" },
  { "key = value, other = 2", "(%w+)%s*=%s*(%w+)" },
}
for _, c in ipairs(fixed) do
  local s, p = c[1], c[2]
  same("find", s, p, show(pcall(ours.find, s, p)), show(pcall(theirs.find, s, p)))
  same("gmatch", s, p, all(pcall(ours.gmatch, s, p)), all(pcall(theirs.gmatch, s, p)))
  same("gsub", s, p, show(pcall(ours.gsub, s, p, "%0!")), show(pcall(theirs.gsub, s, p, "%0!")))
end
-- The name in "bad argument #1 to '...'" comes from where the function was found (ours
-- sits in package.loaded.string, theirs in no module), so it is left out.
local function unnamed(text) return (text:gsub("to '[^']*'", "to F")) end
for _, args in ipairs({ {}, { "a" }, { 1, 2 }, { "a", {} }, { "a", "b", "x" }, { "a", "a", nil, "y" } }) do
  for _, name in ipairs({ "find", "match", "gmatch", "gsub" }) do
    local run = function(f) return unnamed(show(pcall(f, table.unpack(args, 1, 4)))) end
    if name == "gmatch" then run = function(f) return unnamed(all(pcall(f, table.unpack(args, 1, 4)))) end end
    same(name .. " arguments", "", "", run(ours[name]), run(theirs[name]))
  end
end
same("gsub bad value", "", "", show(pcall(ours.gsub, "abc", "%w", function() return {} end)),
  show(pcall(theirs.gsub, "abc", "%w", function() return {} end)))
same("gsub bad repl", "", "", unnamed(show(pcall(ours.gsub, "abc", "%w", true))),
  unnamed(show(pcall(theirs.gsub, "abc", "%w", true))))
assert(ours.find ~= theirs.find and ("x"):find("x") == 1, "the string table holds match.c's functions")
print(string.format("match-oracle: %d cases, %d comparisons, all equal", cases, checked))
