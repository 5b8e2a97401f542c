-- fib.lua: benchmark workload, recursive Fibonacci (function calls and integer adds).
-- bench(n) returns fib(n) as a string; fib(32) = 2178309.
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end

function bench(n)
  return string.format("%d", fib(n))
end
