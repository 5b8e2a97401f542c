-- binarytrees.lua: benchmark workload, binary-trees (allocation and garbage collection
-- of many small tables). bench(n) builds trees up to depth n the usual way (a stretch
-- tree, one long-lived tree, many short-lived ones) and returns the sum of all node
-- counts, one line per depth, as a string.
local function make(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return { make(depth), make(depth) }
end

local function check(tree)
  local left = tree[1]
  if left == nil then return 1 end
  return 1 + check(left) + check(tree[2])
end

function bench(n)
  local mindepth = 4
  local maxdepth = n
  if maxdepth < mindepth + 2 then maxdepth = mindepth + 2 end
  local lines = {}
  lines[#lines + 1] = string.format("stretch %d %d", maxdepth + 1, check(make(maxdepth + 1)))
  local longlived = make(maxdepth)
  for depth = mindepth, maxdepth, 2 do
    local iters = 1 << (maxdepth - depth + mindepth)
    local sum = 0
    for _ = 1, iters do
      sum = sum + check(make(depth))
    end
    lines[#lines + 1] = string.format("%d %d %d", iters, depth, sum)
  end
  lines[#lines + 1] = string.format("long %d %d", maxdepth, check(longlived))
  return table.concat(lines, ";")
end
