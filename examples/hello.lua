-- hello.lua: what a compute unit is, in a few lines.
print("Hello from Lua inside a " .. _VERSION .. " compute unit")

-- Errors are values you can catch; the unit keeps going.
local ok, err = pcall(error, { code = 42 })
print("caught an error object with code", err.code)

-- Integers are 64-bit, floats are doubles, both exact on the way out.
print("max integer:", math.maxinteger, "  2^53 + 1 =", (1 << 53) + 1)

-- A little work: the first primes.
local primes, n = {}, 2
while #primes < 10 do
  local prime = true
  for _, p in ipairs(primes) do
    if n % p == 0 then prime = false break end
  end
  if prime then primes[#primes + 1] = n end
  n = n + 1
end
print("primes:", table.concat(primes, " "))

return #primes, primes[#primes]
