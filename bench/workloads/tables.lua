-- tables.lua: benchmark workload, tables as arrays (append, indexed sum, ipairs) and
-- as hashes (string and integer keys, insert, lookup, pairs, delete). bench(n) uses n
-- elements and returns the sums as a string.
function bench(n)
  local arr = {}
  for i = 1, n do arr[#arr + 1] = i % 1000 end
  local s1 = 0
  for i = 1, #arr do s1 = s1 + arr[i] end
  local s2 = 0
  for _, v in ipairs(arr) do s2 = s2 + v end

  local h = {}
  local m = n // 4
  for i = 1, m do h["k" .. i] = i % 977 end
  for i = 1, m do h[i * 7919] = i % 13 end
  local s3 = 0
  for i = 1, m do s3 = s3 + h["k" .. i] + h[i * 7919] end
  local s4, keys = 0, 0
  for k, v in pairs(h) do s4 = s4 + v; keys = keys + 1 end
  for i = 1, m, 2 do h["k" .. i] = nil end
  local left = 0
  for _ in pairs(h) do left = left + 1 end
  return string.format("%d %d %d %d %d %d", s1, s2, s3, s4, keys, left)
end
