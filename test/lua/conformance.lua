-- conformance.lua: a script whose output must be byte-identical in the native gcc build
-- and in cu.wasm (test/differential.test.js). It prints, never returns, and avoids
-- anything that legitimately differs (addresses, timing, randomness).

local pending = {}
local function write(...) for _, v in ipairs({...}) do pending[#pending + 1] = tostring(v) end end
local function flush() print(table.concat(pending)) pending = {} end

local function show(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = tostring(t[i]) end
  print(table.concat(t, " | "))
end

print("== string.format")
show(string.format("%5.2f %g %e %.3f", 3.14159, 1e20, 12345.6789, -0.0005))
show(string.format("%q", "a\nb\0c\"d\\"))
show(string.format("%q %q %q", 1/3, math.mininteger, 2^63))
show(string.format("%a %a %A", 1.0, 0.1, -255.5))
show(string.format("%d %5d %-5d| %05d %+d %x %X %o", 42, 42, 42, 42, 42, 255, 255, 8))
show(string.format("%s %10s %-10s| %.2s", "str", "right", "left", "truncate"))
show(string.format("%c%c%c", 76, 117, 97))
show(string.format("%i %u", -7, 7))
show(string.format("%.14g %.17g %.0f %.20f", 0.1, 0.1, 2.5, 1/3))
show(string.format("%g %g %g %g", 1e-5, 123456789, 1e15, 1e16))
show(string.format("%10.4f|%-10.2e|", math.pi, math.pi))
show(pcall(string.format, "%d", 2^63))
show(pcall(string.format, "%d", 3.5))

print("== numbers")
show(1e100, -1e-100, 2^53, 2^63, -2^63, 1/0, -1/0, math.pi, -0.0)
show(math.maxinteger + 1 == math.mininteger, math.maxinteger * 2, math.mininteger // -1)
show(9223372036854775807 + 1, -9223372036854775808 - 1)
show(7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 // 2, -7.5 % 2, 2^-1, 10 / 4)
show(math.tointeger(2^53), math.tointeger(2^63), math.tointeger(3.5), math.tointeger("8"))
show(3 | 5, 3 & 5, 3 ~ 5, ~0, 1 << 62, 1 << 63, 1 << 64, -1 >> 1)
show(tonumber("0x10"), tonumber("1e2"), tonumber("  12  "), tonumber("0x1p4"), tonumber("z", 36), tonumber("ff", 16))
show(tonumber("10", 2), tonumber("8", 8), tonumber(""), tonumber("1e"), tonumber("0x"), tonumber("inf"))
show(math.floor(-3.5), math.ceil(-3.5), math.abs(math.mininteger), math.fmod(7, -3), math.fmod(-7, 3))
show(math.sqrt(2), math.exp(1), math.log(8, 2), math.log(100, 10), math.log(2.718281828459045))
show(math.sin(1), math.cos(1), math.atan(1, 2), math.ult(1, -1), math.type(1), math.type(1.0), math.type("1"))
show(string.format("%.17g", 0.1 + 0.2), 0.1 + 0.2 == 0.3, 100000000000000, 1e15, 123456789012)
show(8 // 0.0, -8 // 0.0, 0/0 ~= 0/0, pcall(function() return 1 // 0 end))
show(pcall(function() return 1 % 0 end))
show("10" + 5, "3.5" * 2, 10 .. 20, pcall(function() return "a" + 1 end))

print("== strings")
show(("hello world"):find("o w"), ("hello"):find("l+"), ("hello"):match("(h)(e)"), ("abc"):rep(3, "-"))
show(("hello world from lua"):gsub("o", "0"), ("abc"):gsub("", "-"), ("hello"):gsub("l", {l = "L"}))
show(("x = 1, y = 2"):gsub("(%w+) = (%w+)", "%2 = %1"), ("abc"):byte(1, -1), ("%d"):format(3))
show(("  trim  "):match("^%s*(.-)%s*$"), ("key=val"):match("(%w+)=(%w+)"), ("2024-01-15"):match("(%d+)-(%d+)-(%d+)"))
show(("THE (quick) fox"):find("%((%a+)%)"), ("f(a(b)c)"):match("%b()"), ("hello"):sub(2, -2), ("hello"):sub(-3))
show(#"\u{10FFFF}", "\65\066\x43", "tab\tend", ("a,b,,c"):gsub(",", ";"))
for w in ("one two  three"):gmatch("%a+") do write(w, ".") end flush()
show(("abc"):upper(), ("ÀB"):lower(), ("abc"):reverse(), ("abc"):len(), tostring(nil), tostring(true))
show(string.char(72, 105), pcall(string.char, 256), pcall(string.rep, "x", -1))
show(("%5s|%-5s|"):format("ab", "cd"), ("x"):rep(0), select("#", ("abc"):byte(10)))

print("== string.pack")
local packed = string.pack("<i4 d s1 j", -2, 1.5, "hi", math.mininteger)
show(#packed, string.unpack("<i4 d s1 j", packed))
show(string.pack(">I2 B", 258, 7):byte(1, -1))
show(string.packsize("i4 i8 d"), pcall(string.pack, "i17", 1), string.unpack("z", "abc\0def"))
show(string.unpack("<h", "\255\255"), string.unpack(">H", "\1\2"), string.unpack("<f", string.pack("<f", 0.5)))

print("== tables")
local t = {5, 2, 8, 1, 9, 3}
table.sort(t) show(table.concat(t, ","))
table.sort(t, function(a, b) return a > b end) show(table.concat(t, ","))
local words = {"banana", "Apple", "cherry", "apple"}
table.sort(words) show(table.concat(words, " "))
table.insert(t, 1, 0) table.insert(t, 100) show(table.concat(t, ","), table.remove(t), table.remove(t, 1), #t)
show(table.unpack({1, 2, 3})) show(select("#", table.unpack({}, 1, 3))) show(table.move({1, 2, 3}, 1, 3, 2)[3])
show(pcall(table.sort, {3, 1, 2}, function(a, b) error("cmp") end))
show(#{1, 2, 3, nil}, #"", next({}), rawlen({1, 2}), rawequal(t, t), select(-1, 1, 2, 3))
local big = {} for i = 1, 1000 do big[i] = (i * 7919) % 1000 end table.sort(big) show(big[1], big[500], big[1000])
local keys = {} for k in pairs({a = 1, b = 2, c = 3}) do keys[#keys + 1] = k end table.sort(keys) show(table.concat(keys))

print("== coroutines")
local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
show(coroutine.resume(co, 1, 2)) show(coroutine.resume(co, 10)) show(coroutine.resume(co, 3, 4))
show(coroutine.resume(co), coroutine.status(co))
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end return "end" end)
show(gen(), gen(), gen(), gen())
show(coroutine.isyieldable(), select(2, coroutine.running()))
local co2 = coroutine.create(function() error({code = 1}) end)
local ok, err = coroutine.resume(co2) show(ok, type(err), err.code, coroutine.status(co2))
local co3 = coroutine.create(function() local x <close> = setmetatable({}, {__close = function() print("closed") end}) coroutine.yield(1) end)
coroutine.resume(co3) show(coroutine.close(co3), coroutine.status(co3))
show(pcall(coroutine.wrap(function() return pcall(function() coroutine.yield(1) end) end)))

print("== utf8")
show(utf8.char(72, 228, 8364, 128512), utf8.charpattern, utf8.len("häll€"), utf8.len("\xff"))
for p, c in utf8.codes("aé€") do write(p, ":", c, " ") end flush()
show(utf8.codepoint("häll€", 1, -1)) show(utf8.offset("aé€x", 3), utf8.offset("aé€x", -1), pcall(utf8.codepoint, "\xff"))

print("== os and errors")
show(os.date("!%Y-%m-%d %H:%M:%S", 86400), os.date("!%A %B %j %p", 1700000000), os.time({year = 2000, month = 1, day = 1, hour = 12}))
local d = os.date("!*t", 1234567890) show(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
show(os.difftime(10, 4), type(os.clock()), os.date("!%c", 0), os.date("!%x %X", 0))
show(pcall(error, "msg", 0), pcall(error, "msg"), pcall(error, nil), pcall(error, setmetatable({}, {__tostring = function() return "T" end})))
show(select(2, pcall(function() local x = nil; return x.y end)))
show(select(2, pcall(function() return #nil end)), select(2, pcall(function() return {} < {} end)))
show(select(2, load("return +")), select(2, load("x = ")), select(2, load("for")))
show(xpcall(function() error("deep") end, function(m) return "handled: " .. m end))
show(string.format("%s", setmetatable({}, {__tostring = function() return "meta" end})), tostring(setmetatable({}, {__name = "N"})):match("^N: "))
local mt = {__add = function(a, b) return "added" end, __concat = function() return "cat" end, __len = function() return 42 end, __call = function(_, x) return x * 2 end}
local obj = setmetatable({}, mt) show(obj + 1, obj .. "x", #obj, obj(21))
local weak = setmetatable({}, {__mode = "k"}) weak[{}] = 1 collectgarbage() show(next(weak))
show(_VERSION, math.maxinteger, math.mininteger, math.huge, -math.huge)
