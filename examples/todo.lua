-- todo.lua: a todo list kept in _home.
--   cu run examples/todo.lua add "buy milk"
--   cu run examples/todo.lua done 1
--   cu run examples/todo.lua list        (also with no arguments)
--   cu run examples/todo.lua clear
local todo = _home.todo
if todo == nil then
  _home.todo = { items = {}, next_id = 1 }
  todo = _home.todo
end

local command = arg[1] or "list"

local function find(id)
  for i, item in ipairs(todo.items) do
    if item.id == id then return item, i end
  end
  error(("no item %s (see: cu run examples/todo.lua list)"):format(tostring(id)), 0)
end

if command == "add" then
  local text = table.concat(arg, " ", 2)
  assert(text ~= "", "add needs a text, e.g. add \"buy milk\"")
  local id = todo.next_id
  todo.items[#todo.items + 1] = { id = id, text = text, done = false }
  todo.next_id = id + 1
  print(("added #%d: %s"):format(id, text))
elseif command == "done" then
  local item = find(math.tointeger(tonumber(arg[2])))
  item.done = true
  print(("done #%d: %s"):format(item.id, item.text))
elseif command == "remove" then
  local item, i = find(math.tointeger(tonumber(arg[2])))
  table.remove(todo.items, i)
  print(("removed #%d: %s"):format(item.id, item.text))
elseif command == "clear" then
  _home.todo = nil
  print("cleared")
  return 0
elseif command ~= "list" then
  error("unknown command '" .. command .. "' (use add, done, remove, list or clear)", 0)
end

local open = 0
for _, item in ipairs(todo.items) do
  print(("[%s] #%d %s"):format(item.done and "x" or " ", item.id, item.text))
  if not item.done then open = open + 1 end
end
print(("%d item(s), %d open"):format(#todo.items, open))
return open
