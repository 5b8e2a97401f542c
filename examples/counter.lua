-- counter.lua: the smallest persistent program. _home outlives the process, so every run
-- continues where the last one stopped. Run it twice: cu run examples/counter.lua
_home.runs = (_home.runs or 0) + 1
_home.last = os.date("!%Y-%m-%d %H:%M:%S UTC")

print(("this unit has run the counter %d time%s"):format(_home.runs, _home.runs == 1 and "" or "s"))
if _home.runs == 1 then
  print("run it again: the count is kept in _home, in ./.cu")
end
return _home.runs
