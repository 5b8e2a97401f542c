-- raise.lua: errors caught by pcall, and the cases around them, whose results must be
-- the same in cu.wasm as in stock Lua 5.4.7 (test/raise.test.js). error() and assert()
-- under pcall return to pcall's catch instead of throwing when src/raise.c finds that
-- they can; everything here is what a throw would have given. Each case is its own
-- chunk named "case", so positions in messages read the same in both; addresses and the
-- script's own chunk name are never printed.

local function plain(v)
  local t = type(v)
  if t == "table" or t == "function" or t == "thread" or t == "userdata" then return t end
  return tostring(v)
end

local function show(label, ...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = plain(t[i]) end
  print(label .. ": " .. table.concat(t, " | "))
end

local function case(label, src, ...)
  show(label, assert(load(src, "=case"))(...))
end

print("== error objects")
case("string", [[return pcall(function() error("x") end)]])
case("nil", [[return pcall(function() error() end)]])
case("number", [[return pcall(function() error(42) end)]])
case("float", [[return pcall(function() error(4.0) end)]])
case("boolean", [[return pcall(function() error(false) end)]])
case("same table", [[local e = {} local ok, r = pcall(function() error(e) end) return ok, r == e]])
case("__tostring", [[
  local ok, r = pcall(function() error(setmetatable({}, {__tostring = function() return "shown" end})) end)
  return ok, tostring(r)]])
case("level 0", [[return pcall(function() error("l0", 0) end)]])
case("level 2", [[
  local function f() error("l2", 2) end
  return pcall(function()
    f()
  end)]])
case("level 3", [[
  local function f() error("l3", 3) end
  local function g() f() end
  return pcall(function()
    g()
  end)]])
case("level past the stack", [[return pcall(function() error("far", 50) end)]])
case("bad level", [[return pcall(function() error("x", "no") end)]])
case("memory message", [[return pcall(function() error("not enough memory") end)]])
case("select count", [[return select("#", pcall(function() error("x") end))]])

print("== how the call asked for results")
case("statement", [[return pcall(function() error("s") end)]])
case("one", [[return pcall(function() local a = error("one") return "after", a end)]])
case("three", [[return pcall(function() local a, b, c = error("three") return a, b, c end)]])
case("all, in a table", [[return pcall(function() local t = {error("all")} return #t end)]])
case("argument", [[return pcall(function() print(error("arg")) end)]])
case("parenthesized", [[return pcall(function() return (error("paren")) end)]])
case("tail call", [[return pcall(function() return error("tail") end)]])
case("tail call, level 2", [[
  local function f() return error("t2", 2) end
  return pcall(function()
    return f()
  end)]])
case("method", [[
  local o = {fail = function(self, m) error(m) end}
  return pcall(function() o:fail("method") end)]])
case("assert", [[return pcall(function() assert(false) end)]])
case("assert message", [[return pcall(function() assert(nil, "msg") end)]])
case("assert table", [[local e = {} local ok, r = pcall(function() assert(false, e) end) return ok, r == e]])
case("assert passes", [[return pcall(function() return assert(1, 2, 3) end)]])
case("assert, no argument", [[return pcall(function() assert() end)]])
case("assert, tail call", [[return pcall(function() return assert(false, "tail") end)]])

print("== frames between the error and pcall")
case("nested Lua calls", [[
  local function h() error("deep") end
  local function g() h() return 1 end
  local function f() local x = g() return x end
  return pcall(f)]])
case("recursion", [[
  local function r(n) if n == 0 then error("bottom") end return r(n - 1) + 1 end
  return pcall(r, 1000)]])
case("vararg callee", [[return pcall(function(...) error("va" .. select("#", ...)) end, 1, 2, 3)]])
case("vararg between", [[
  local function v(...) local a, b = ... error("v" .. a .. b) end
  return pcall(function(...) v(...) end, 1, 2)]])
case("vararg tail call", [[return pcall(function(a, ...) return error("vt" .. a .. select("#", ...)) end, 1, 2, 3)]])
case("vararg, no extra", [[return pcall(function(a, ...) error("a=" .. a) end, 7)]])
case("big frames", [[
  local function big(n)
    local a1, a2, a3, a4, a5, a6, a7, a8, a9, a10 = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
    if n == 0 then error("big " .. a10) end
    return big(n - 1) + a1
  end
  return pcall(big, 200)]])
case("pcall of pcall", [[return pcall(pcall, function() error("inner") end)]])
case("pcall in pcall", [[
  return pcall(function()
    local ok, e = pcall(function() error("inner") end)
    error("outer after " .. tostring(ok))
  end)]])
case("rethrow", [[
  return pcall(function()
    local ok, e = pcall(function() error({code = 7}) end)
    error(e)
  end)]])
case("error after pcall returned", [[
  local ok = pcall(function() return 1 end)
  return pcall(function() error("later " .. tostring(ok)) end)]])
case("many", [[
  local failed, sum = 0, 0
  for i = 1, 10000 do
    local ok, e = pcall(function() if i % 2 == 0 then error({i}) end return i end)
    if ok then sum = sum + e else failed = failed + 1; sum = sum + e[1] end
  end
  return failed, sum]])

print("== values left behind")
case("upvalue of a lost frame", [[
  local get
  local ok = pcall(function()
    local v = 1
    get = function() return v end
    v = 2
    error("u")
  end)
  return ok, get()]])
case("upvalues through levels", [[
  local fs = {}
  local function f(n)
    local x = n * 10
    fs[#fs + 1] = function() x = x + 1 return x end
    if n == 0 then error("z") end
    f(n - 1)
  end
  pcall(f, 3)
  return fs[1](), fs[2](), fs[4](), fs[4]()]])
case("to-be-closed", [[
  local seen = {}
  local function closer(name)
    return setmetatable({}, {__close = function(_, e) seen[#seen + 1] = name .. ":" .. tostring(e) end})
  end
  local ok, e = pcall(function()
    local a <close> = closer("a")
    local function inner()
      local b <close> = closer("b")
      error("boom")
    end
    inner()
  end)
  return ok, e, table.concat(seen, ",")]])
case("__close raises", [[
  local ok, e = pcall(function()
    local a <close> = setmetatable({}, {__close = function(_, e) error("from close: " .. e, 0) end})
    error("first", 0)
  end)
  return ok, e]])
case("__close sees the stack", [[
  local where
  pcall(function()
    local a <close> = setmetatable({}, {__close = function() where = debug.traceback("tb", 1) end})
    error("x")
  end)
  return (where:gsub("\n[^\n]*raise%.lua[^\n]*", ""):gsub("\n%s*%[C%]: in %?", ""))]])
case("stack after", [[
  local before = select("#", 1, 2, 3)
  for i = 1, 100 do pcall(function() local a, b, c = 1, 2, 3 error("x") end) end
  return before, collectgarbage("count") > 0]])

print("== not from OP_CALL")
case("pcall(error)", [[return pcall(error, "direct")]])
case("pcall(assert)", [[return pcall(assert, false, "direct")]])
case("__index = error", [[return pcall(function() return setmetatable({}, {__index = error}).x end)]])
case("__index = error, a number key", [[local t = setmetatable({}, {__index = error}) local ok, e = pcall(function() return t[1] end) return ok, e == t]])
case("__concat = error", [[local t = setmetatable({}, {__concat = error}) local ok, e = pcall(function() return t .. 1 end) return ok, e == t]])
case("__close = error", [[
  local x = setmetatable({}, {__close = error})
  local ok, e = pcall(function() do local c <close> = x end return "not reached" end)
  return ok, e == x]])
case("error as an iterator", [[local s = {} local ok, e = pcall(function() for k in error, s do end end) return ok, e == s]])
case("__index function", [[return pcall(function() return setmetatable({}, {__index = function(t, k) error("no " .. k) end}).x end)]])
case("__add", [[return pcall(function() return setmetatable({}, {__add = function() error("add") end}) + 1 end)]])
case("__call = error", [[local t = setmetatable({}, {__call = error}) local ok, e = pcall(function() t() end) return ok, e == t]])
case("__call function", [[return pcall(function() setmetatable({}, {__call = function(self, m) error(m) end})("called") end)]])
case("for iterator", [[return pcall(function() for x in function() error("iter") end do end end)]])
case("sort comparator", [[return pcall(function() table.sort({3, 2, 1}, function(a, b) error("cmp") end) end)]])
case("gsub callback", [[return pcall(function() return string.gsub("abc", "b", function() error("g") end) end)]])
case("load reader", [[return pcall(function() return load(function() error("reader") end) end)]])
case("tostring metamethod", [[return pcall(function() return tostring(setmetatable({}, {__tostring = function() error("ts") end})) end)]])
case("__gc", [[
  setmetatable({}, {__gc = function() error("in gc") end})
  collectgarbage()
  return pcall(function() error("after gc") end)]])

print("== other protected calls")
case("xpcall", [[return xpcall(function() error("x") end, function(m) return "handled " .. m end)]])
case("xpcall traceback", [[
  local ok, tb = xpcall(function() error("x") end, debug.traceback)
  return ok, (tb:gsub("\n[^\n]*raise%.lua[^\n]*", ""):gsub("\n%s*%[C%]: in %?", ""))]])
case("pcall inside xpcall", [[
  return xpcall(function()
    local ok, e = pcall(function() error("in") end)
    error("out " .. e)
  end, function(m) return "h: " .. m end)]])
case("handler raises", [[return xpcall(function() error("x") end, function(m) error("again") end)]])
case("xpcall, assert", [[return xpcall(function() assert(false, "a") end, function(m) return "h " .. m end)]])
case("xpcall, assert without a message", [[return xpcall(function() assert(nil) end, function(m) return "h " .. m end)]])
case("xpcall, a table", [[
  local e = {}
  local ok, got = xpcall(function() error(e) end, function(m) return {m} end)
  return ok, type(got), got[1] == e]])
case("xpcall, level 2", [[
  local function g() error("two", 2) end
  return xpcall(function() g() end, function(m) return m end)]])
case("xpcall, tail call", [[return xpcall(function() return error("tail") end, function(m) return "h " .. m end)]])
case("xpcall, arguments", [[return xpcall(function(a, b) error(a .. b) end, function(m) return m end, "p", "q")]])
case("xpcall, handler returns nothing", [[return xpcall(function() error("x") end, function() end)]])
case("xpcall, handler returns several", [[return xpcall(function() error("x") end, function(m) return 1, 2, 3 end)]])
case("xpcall, C handler", [[return xpcall(function() error("x") end, tostring)]])
case("xpcall, through Lua frames", [[
  local function c() error("deep") end
  local function b() c() end
  return xpcall(function() b() return "not here" end, function(m) return "h " .. m end)]])
case("xpcall in xpcall", [[
  return xpcall(function()
    local ok, e = xpcall(function() error("in") end, function(m) return "inner " .. m end)
    error("out " .. tostring(ok) .. " " .. e)
  end, function(m) return "outer " .. m end)]])
case("pcall in a handler", [[
  return xpcall(function() error("x") end, function(m)
    local ok, e = pcall(function() error("y") end)
    return m .. " + " .. e
  end)]])
case("xpcall in pcall", [[
  return pcall(function()
    local ok, e = xpcall(function() error("x") end, function(m) return "h " .. m end)
    error(e .. " again")
  end)]])
case("handler raises a table", [[
  local ok, e = xpcall(function() error("x") end, function(m) error({}) end)
  return ok, type(e)]])
case("handler fails once", [[
  local n = 0
  return xpcall(function() error("x") end, function(m) n = n + 1 if n == 1 then error("first") end return n .. " " .. m end)]])
case("handler sets a hook", [[
  local seen = 0
  local ok, e = xpcall(function() error("x") end, function(m)
    debug.sethook(function() seen = seen + 1 end, "r")
    return "h " .. m
  end)
  debug.sethook()
  return ok, e, seen]])
case("many xpcalls", [[
  local n = 0
  for i = 1, 5000 do
    local ok, e = xpcall(function() error(i) end, function(m) return m * 2 end)
    if not ok then n = n + e end
  end
  return n]])
case("coroutine body", [[
  local co = coroutine.create(function() error("in co") end)
  return coroutine.resume(co)]])
case("coroutine traceback", [[
  local co = coroutine.create(function() local function f() error("in co") end f() end)
  coroutine.resume(co)
  return debug.traceback(co)]])
case("pcall in a coroutine", [[
  return coroutine.wrap(function() return pcall(function() error("yieldable") end) end)()]])
case("yield across pcall", [[
  local co = coroutine.wrap(function()
    local ok, e = pcall(function() coroutine.yield(1) error("after yield") end)
    return ok, e
  end)
  return co(), co()]])
case("wrap propagates", [[return pcall(function() coroutine.wrap(function() error("from wrap") end)() end)]])
case("wrap propagates a table", [[
  local e = {}
  local ok, r = pcall(function() coroutine.wrap(function() error(e) end)() end)
  return ok, r == e]])
case("wrap of a dead coroutine", [[
  local f = coroutine.wrap(function() return 1 end)
  f()
  return pcall(f)]])
case("resume of a dead coroutine", [[
  local co = coroutine.create(function() return 1 end)
  coroutine.resume(co)
  return coroutine.resume(co)]])
case("pcall in a metamethod", [[
  local t = setmetatable({}, {__index = function(t, k)
    local ok, e = pcall(function() error("mm " .. k) end)
    return e
  end})
  return pcall(function() return t.key end)]])
case("runtime errors", [[
  local r = {}
  for _, f in ipairs({
    function() return nil + 1 end,
    function() local t = nil; return t.x end,
    function() return ("x")() end,
    function() return #nil end,
    function() return 1 < {} end,
  }) do r[#r + 1] = select(2, pcall(f)) end
  return table.unpack(r)]])
case("stack overflow, then error", [[
  local function r() return 1 + r() end
  local ok, e = pcall(r)
  return ok, (tostring(e):match("stack overflow")), pcall(function() error("still") end)]])

print("== hooks")
case("call and return hooks", [[
  local calls, returns = 0, 0
  debug.sethook(function(ev) if ev == "return" then returns = returns + 1 else calls = calls + 1 end end, "cr")
  pcall(function() local function f() error("hooked") end f() end)
  debug.sethook()
  return calls, returns]])
case("line hook", [[
  local lines = {}
  debug.sethook(function(_, l) lines[#lines + 1] = l end, "l")
  pcall(function()
    local a = 1
    error("x")
  end)
  debug.sethook()
  return table.concat(lines, ",")]])
case("count hook", [[
  local n = 0
  debug.sethook(function() n = n + 1 end, "", 1)
  local ok, e = pcall(function() local a = 1 error("counted") end)
  debug.sethook()
  return ok, e, n]])
case("count hook, tail call", [[
  local n = 0
  debug.sethook(function() n = n + 1 end, "", 1)
  local ok, e = pcall(function() return error("counted") end)
  debug.sethook()
  return ok, e, n]])
case("error in a count hook", [[
  local ok, e = pcall(function()
    debug.sethook(function() debug.sethook() error("from hook") end, "", 3)
    local a = 1
    a = a + 1
    a = a + 1
    return a
  end)
  debug.sethook()
  return ok, e]])
