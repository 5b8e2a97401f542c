// examples.js: the playground's examples menu. Each is a short Lua program; `input`, when
// present, is handed to the unit as _io.input before it runs (the data example).

/** 48 sales rows, the same on every load (a small linear congruential generator). */
function salesData() {
  const regions = ['north', 'south', 'east', 'west'];
  const products = [['tea', 4.5], ['coffee', 7.25], ['cocoa', 5.0]];
  let seed = 7;
  const next = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const sales = [];
  for (let i = 0; i < 48; i++) {
    const [product, price] = products[next(products.length)];
    sales.push({ region: regions[next(regions.length)], product, units: 1 + next(20), price });
  }
  return { sales };
}

export const WELCOME = `-- Welcome to the Cu playground: Lua 5.4 in a fixed 2 MiB WebAssembly unit,
-- running in a Web Worker. Ctrl+Enter (Cmd+Enter) runs; Stop ends a runaway loop.
-- _home is stored in IndexedDB: it survives a reload, functions included.

function _home.greet(name)
  return "hi " .. name
end

print(_home.greet("there"))
return 6 * 7
`;

export const EXAMPLES = [
  {
    id: 'counter',
    title: 'Counter',
    code: `-- A counter kept in _home: run it again, or reload the page and run it again.
_home.count = (_home.count or 0) + 1
print("this program has run " .. _home.count .. " time(s)")

-- Functions are stored too, with their upvalues: try \`return _home.bump()\` later.
local step = 10
function _home.bump()
  _home.count = _home.count + step
  return _home.count
end

return _home.count
`,
  },
  {
    id: 'todo',
    title: 'Todo list',
    code: `-- A todo list in _home. Tables in _home are stored as you change them.
_home.todos = _home.todos or {}
local todos = _home.todos

local function add(text) todos[#todos + 1] = { text = text, done = false } end
local function complete(n) todos[n].done = true end

if #todos == 0 then
  add("try the playground")
  add("write some Lua")
  add("reload the page: the list is still here")
  complete(1)
end

local open = 0
for i, t in ipairs(todos) do
  print(string.format("%d. [%s] %s", i, t.done and "x" or " ", t.text))
  if not t.done then open = open + 1 end
end
return open .. " of " .. #todos .. " open"
`,
  },
  {
    id: 'data',
    title: 'Data over _io',
    input: salesData(),
    code: `-- Data processing over _io: the page passes 48 sales rows (a JS array) as
-- _io.input, read in place rather than copied into the unit; _io.output goes back to JS.
local sales = _io.input.sales
local byRegion, total = {}, 0
for i = 1, #sales do
  local s = sales[i]
  local amount = s.units * s.price
  byRegion[s.region] = (byRegion[s.region] or 0) + amount
  total = total + amount
end

local regions = {}
for region, amount in pairs(byRegion) do
  regions[#regions + 1] = { region = region, amount = amount }
end
table.sort(regions, function(a, b) return a.amount > b.amount end)

for _, r in ipairs(regions) do
  print(string.format("%-6s %9.2f  %5.1f%%", r.region, r.amount, 100 * r.amount / total))
end

_io.output = { total = total, top = regions[1].region }
return #sales .. " sales"
`,
  },
  {
    id: 'bigint',
    title: 'Big integers',
    code: `-- bigint: arbitrary-precision integers, in C inside the unit.
local function factorial(n)
  local r = bigint(1)
  for i = 2, n do r = r * i end
  return r
end

print("30! =", factorial(30))
print("2^128 =", bigint(2) ^ 128)

local a, b = bigint(0), bigint(1)
for _ = 1, 200 do a, b = b, a + b end
print("fib(200) =", a)

return factorial(50)   -- reaches JS as a BigInt
`,
  },
  {
    id: 'machine',
    title: 'State machine',
    code: `-- An order's state machine, kept in _home: each run fires the next event.
local transitions = {
  cart     = { checkout = "paying" },
  paying   = { paid = "shipping", cancel = "cancelled" },
  shipping = { delivered = "done" },
}
local events = { "checkout", "paid", "delivered" }

_home.order = _home.order or { state = "cart", step = 0, history = {} }
local order = _home.order

local function fire(event)
  local to = (transitions[order.state] or {})[event]
  if not to then error(("cannot %s an order that is %s"):format(event, order.state)) end
  order.history[#order.history + 1] = order.state .. " -" .. event .. "-> " .. to
  order.state = to
end

order.step = order.step + 1
local event = events[order.step]
if event then fire(event) else print("no more events (start over: _home.order = nil)") end

for _, h in ipairs(order.history) do print(h) end
return order.state
`,
  },
];
