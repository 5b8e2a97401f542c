-- orders.lua: data processing over _io. The orders come in as JSON through _io.input
-- (read in place from the host, never copied into the unit); the summary goes out through
-- _io.output; running totals across all runs are kept in _home.
--   cu run --input examples/orders.json --output json examples/orders.lua
-- (options go before the file: what follows the file is the script's, as with lua and node)
local orders = assert(_io.input and _io.input.orders, "expected --input with an orders array")

local by_customer, count, revenue = {}, 0, 0
for i = 1, #orders do
  local o = orders[i]
  local cents = 0
  for j = 1, #o.items do
    local item = o.items[j]
    cents = cents + item.qty * item.price_cents
  end
  by_customer[o.customer] = (by_customer[o.customer] or 0) + cents
  count, revenue = count + 1, revenue + cents
end

local stats = _home.stats or { batches = 0, orders = 0, revenue_cents = 0 }
stats.batches = stats.batches + 1
stats.orders = stats.orders + count
stats.revenue_cents = stats.revenue_cents + revenue
_home.stats = stats

local top, top_cents = nil, -1
for name, cents in pairs(by_customer) do
  if cents > top_cents or (cents == top_cents and name < top) then top, top_cents = name, cents end
end

_io.output = {
  orders = count,
  revenue_cents = revenue,
  by_customer = by_customer,
  top_customer = top,
  all_time = { batches = stats.batches, orders = stats.orders, revenue_cents = stats.revenue_cents },
}
print(("%d orders, revenue %d.%02d; %d batch(es) so far"):format(count, revenue // 100, revenue % 100, stats.batches))
