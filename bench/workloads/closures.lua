-- closures.lua: benchmark workload, method calls through metatables (with a subclass
-- inheriting through __index), closure creation and calls, and upvalue updates.
-- bench(n) returns a checksum as a string.
local Counter = {}
Counter.__index = Counter
function Counter.new(start) return setmetatable({ value = start }, Counter) end
function Counter:inc(by) self.value = self.value + by; return self end
function Counter:get() return self.value end

local Stepper = setmetatable({}, { __index = Counter })
Stepper.__index = Stepper
function Stepper.new(start, step)
  local o = Counter.new(start)
  o.step = step
  return setmetatable(o, Stepper)
end
function Stepper:advance() return self:inc(self.step) end

local function adder(k)
  return function(x) return x + k end
end

local function makeCounter()
  local c = 0
  return function() c = c + 1; return c end
end

function bench(n)
  local c = Counter.new(0)
  for i = 1, n do c:inc(i % 3) end
  local s = Stepper.new(1, 2)
  for _ = 1, n do s:advance() end
  local acc = 0
  for i = 1, n // 5 do
    local f = adder(i % 10)
    acc = (acc + f(i)) % 1000003
  end
  local tick = makeCounter()
  for _ = 1, n do tick() end
  local objs = 0
  for i = 1, n // 5 do
    objs = (objs + Counter.new(i):inc(1):get()) % 1000003
  end
  return string.format("%d %d %d %d %d", c:get() % 1000003, s:get() % 1000003, acc, tick(), objs)
end
