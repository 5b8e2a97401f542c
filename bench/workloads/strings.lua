-- strings.lua: benchmark workload, string handling: string.format, concatenation
-- (.. and table.concat), gsub with a pattern and with a function, find (plain and
-- pattern). bench(n) does n rounds and returns a checksum of lengths and positions.
function bench(n)
  local acc = 0
  local parts = {}
  local s = ""
  for i = 1, n do
    local line = string.format("%d:%s:%5.2f;", i, "item", i / 7)
    parts[#parts + 1] = line
    local g, c = line:gsub("%d", "#")
    acc = (acc + #g + c) % 1000003
    local up = line:gsub("(%a+)", function(w) return w:upper() end)
    local a = up:find("ITEM", 1, true) or 0
    local b = line:find("(%d+)%.(%d+)") or 0
    acc = (acc * 7 + a + b) % 1000003
    s = s .. line:sub(1, 3)
    if #s > 1000 then acc = (acc + #s) % 1000003; s = "" end
  end
  local all = table.concat(parts)
  local count = 0
  for _ in all:gmatch("item") do count = count + 1 end
  return string.format("%d %d %d", acc, #all % 1000003, count)
end
