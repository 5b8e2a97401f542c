-- closures.lua: functions and closures kept in _home, upvalues included. The first run
-- defines them; every later run (a new process) calls the same closures, whose private
-- state has moved on.
if _home.tick == nil then
  -- a counter whose count lives only in its upvalue
  local n = 0
  function _home.tick() n = n + 1 return n end

  -- two closures sharing one upvalue: a deposit changes what balance() sees
  local balance = 0
  _home.account = {
    deposit = function(amount) balance = balance + amount return balance end,
    balance = function() return balance end,
  }

  -- a plain function: its code and line numbers persist too
  function _home.greet(name) return "hello, " .. name .. "!" end
  print("defined tick, account and greet in _home")
end

print("tick " .. _home.tick())
print("balance after deposit: " .. _home.account.deposit(10))
print("balance seen by the other closure: " .. _home.account.balance())
print(_home.greet("cu"))
return _home.tick()
