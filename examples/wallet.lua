-- wallet.lua: exact token balances with bigint. Amounts are kept in wei (10^18 per
-- token), far beyond 64-bit integers, and never touch a float.
--   cu run examples/wallet.lua                       (show balances)
--   cu run examples/wallet.lua mint alice 1000.5
--   cu run examples/wallet.lua send alice bob 0.000000000000000001
local WEI = bigint(10) ^ 18

local function parse(amount)
  local whole, frac = tostring(amount):match("^(%d+)%.?(%d*)$")
  if not whole or #frac > 18 then error("not an amount with at most 18 decimals: " .. tostring(amount), 0) end
  return bigint(whole) * WEI + bigint(frac .. string.rep("0", 18 - #frac))
end

local function format(wei)
  local whole, frac = bigint.divmod(wei, WEI)
  local digits = frac:tostring():gsub("^", string.rep("0", 18 - #frac:tostring()))
  digits = digits:gsub("0+$", "")
  return whole:tostring() .. (digits ~= "" and "." .. digits or "")
end

local wallet = _home.wallet
if wallet == nil then
  _home.wallet = { balances = {}, supply = bigint(0), transfers = 0 }
  wallet = _home.wallet
end

local command = arg[1]
if command == "mint" then
  local who, amount = assert(arg[2], "mint WHO AMOUNT"), parse(assert(arg[3], "mint WHO AMOUNT"))
  wallet.balances[who] = (wallet.balances[who] or bigint(0)) + amount
  wallet.supply = wallet.supply + amount
  print(("minted %s to %s"):format(format(amount), who))
elseif command == "send" then
  local from, to = assert(arg[2], "send FROM TO AMOUNT"), assert(arg[3], "send FROM TO AMOUNT")
  local amount = parse(assert(arg[4], "send FROM TO AMOUNT"))
  local have = wallet.balances[from] or bigint(0)
  if have < amount then error(("%s has %s, cannot send %s"):format(from, format(have), format(amount)), 0) end
  wallet.balances[from] = have - amount
  wallet.balances[to] = (wallet.balances[to] or bigint(0)) + amount
  wallet.transfers = wallet.transfers + 1
  print(("sent %s from %s to %s"):format(format(amount), from, to))
elseif command ~= nil then
  error("unknown command '" .. command .. "' (use mint or send)", 0)
end

local names = {}
for name in pairs(wallet.balances) do names[#names + 1] = name end
table.sort(names)
for _, name in ipairs(names) do
  print(("%-8s %s"):format(name, format(wallet.balances[name])))
end
print(("supply   %s (%d transfer%s)"):format(format(wallet.supply), wallet.transfers, wallet.transfers == 1 and "" or "s"))
return wallet.supply
