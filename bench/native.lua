-- native.lua: the benchmark driver for the native reference interpreter
-- (build/bench/lua). Usage: lua native.lua WORKLOAD.lua N REPS
-- With a fourth argument "hook", a count hook runs every 1000 instructions, as Cu's
-- limits do (src/limits.c), to show what that costs natively.
-- Loads the workload, runs bench(N) REPS times with two full collections before each
-- run, and prints one JSON object: the time of each run in ms (os.clock, CPU time, the
-- only sub-second clock plain Lua has) and the checksum. Mode "boundary" instead times
-- load("return 1")(), f(i) and load("return f(" .. i .. ")")(), the native counterparts of
-- compute(), a call with an argument, and a compute of new source; and the ns per read of
-- a Lua table in the loop the hosts run over a JS array (bench/measure.js, READS_LUA).
local file, n, reps = arg[1], tonumber(arg[2]), tonumber(arg[3])
local function q(s) return '"' .. tostring(s):gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"' end
if file == "boundary" then
  function f(x) return x + 1 end
  local out = {}
  local cases = {
    { "return 1", function() load("return 1")() end },
    { "stored f", function(i) f(i) end },
    { "stored f, new chunk", function(i) load("return f(" .. i .. ")")() end },
  }
  for _, case in ipairs(cases) do
    local times = {}
    for r = 1, reps do
      local t = os.clock()
      for i = 1, n do case[2](i) end
      times[r] = (os.clock() - t) * 1e6 / n
    end
    out[#out + 1] = q(case[1]) .. ":[" .. table.concat(times, ",") .. "]"
  end
  -- what the hosts' "Lua reads JS" loop does with no host: read a Lua table (ns per read)
  local t, times, want = {}, {}, 0
  for i = 1, 1000000 do t[i] = (i - 1) % 7; want = want + t[i] end
  for r = 1, reps do
    local t0, s = os.clock(), 0
    for i = 1, #t do s = s + t[i] end
    assert(s == want)
    times[r] = (os.clock() - t0) * 1e9 / #t
  end
  out[#out + 1] = q("lua reads js") .. ":[" .. table.concat(times, ",") .. "]"
  print("{" .. table.concat(out, ",") .. "}")
  return
end
dofile(file)
if arg[4] == "hook" then debug.sethook(function() end, "", 1000) end
local times, sum = {}, nil
for r = 1, reps do
  collectgarbage("collect"); collectgarbage("collect")
  local t = os.clock()
  sum = bench(n)
  times[r] = (os.clock() - t) * 1000
end
print('{"times":[' .. table.concat(times, ",") .. '],"checksum":' .. q(sum) .. '}')
