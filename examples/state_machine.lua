-- state_machine.lua: an order's life as a state machine whose state, history and
-- transition rules all live in _home. The guard functions are stored too, so a later
-- run (a later process) checks events with the same code.
--   cu run examples/state_machine.lua pay 40
--   cu run examples/state_machine.lua ship
local machine = _home.order
if machine == nil then
  _home.order = {
    state = "created",
    total = 40,
    history = {},
    -- transitions[state][event] = { to = next state, guard = function or nil }
    transitions = {
      created   = { pay = { to = "paid", guard = function(m, amount) return tonumber(amount) == m.total, "amount must equal the total" end },
                    cancel = { to = "cancelled" } },
      paid      = { ship = { to = "shipped" }, refund = { to = "refunded" } },
      shipped   = { deliver = { to = "delivered" } },
      delivered = {},
      cancelled = {},
      refunded  = {},
    },
  }
  machine = _home.order
  print("new order, total " .. machine.total)
end

local event = arg[1]
if event ~= nil then
  local rule = machine.transitions[machine.state][event]
  if rule == nil then
    error(("event '%s' is not allowed in state '%s'"):format(event, machine.state), 0)
  end
  if rule.guard then
    local ok, why = rule.guard(machine, arg[2])
    if not ok then error(("event '%s' refused: %s"):format(event, why), 0) end
  end
  machine.history[#machine.history + 1] = machine.state .. " -" .. event .. "-> " .. rule.to
  machine.state = rule.to
end

print("state: " .. machine.state)
for i, step in ipairs(machine.history) do print(("  %d. %s"):format(i, step)) end
local events = {}
for name in pairs(machine.transitions[machine.state]) do events[#events + 1] = name end
table.sort(events)
print("next events: " .. (#events > 0 and table.concat(events, ", ") or "(none: final state)"))
return machine.state
