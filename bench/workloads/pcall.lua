-- pcall.lua: benchmark workload, protected calls where every second call raises an
-- error (a string with position, and a table value, alternately). bench(n) makes n
-- pcalls and returns the count of successes, errors and a checksum (the string errors
-- carry the chunk's name, which differs between engines, so only their number counts).
local function work(i)
  if i % 2 == 0 then
    if i % 4 == 0 then error("even " .. i) end
    error({ code = i })
  end
  return i
end

function bench(n)
  local ok, failed, acc = 0, 0, 0
  for i = 1, n do
    local good, r = pcall(work, i)
    if good then
      ok = ok + 1
      acc = (acc + r) % 1000003
    else
      failed = failed + 1
      if type(r) == "table" then acc = (acc + r.code) % 1000003 else acc = (acc + tonumber(r:match("(%d+)$"))) % 1000003 end
    end
  end
  return string.format("%d %d %d", ok, failed, acc)
end
