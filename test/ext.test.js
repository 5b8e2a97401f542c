// ext.test.js: external tables (_home, ext.table()) behave like Lua tables, keep every
// value exactly, and each compute is atomic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

const values = async (cu, code) => (await cu.run(code)).values;

test('get, set, and delete by assigning nil', async () => {
  const cu = await Cu.create();
  assert.deepEqual(await values(cu, '_home.a = 1 local t = ext.table() t.x = "y" _home.t = t return _home.a, _home.t.x, _home.none'), [1, 'y', null]);
  assert.deepEqual(await values(cu, '_home.a = nil local n = 0 for _ in pairs(_home) do n = n + 1 end return _home.a, n'), [null, 1]);
  assert.equal(await cu.compute('return type(_home), type(ext.table()), ext.isexternal(_home), ext.isexternal({})'), 'table');
});

test('keys: 1 and "1" differ, 2.0 is 2, floats, booleans and bytes work; nil and NaN do not', async () => {
  const cu = await Cu.create();
  assert.deepEqual(await values(cu, `
    local t = ext.table()
    t[1] = "int" t["1"] = "str" t[2.0] = "two" t[2.5] = "float" t[true] = "yes" t[false] = "no" t["\\xff\\0"] = "bytes"
    t[math.maxinteger] = "max" t[-0.0] = "zero" t[1e300] = "huge"
    return t[1], t["1"], t[2], math.type(next({[2.0] = 1})), t[2.5], t[true], t[false], t["\\xff\\0"], t[math.maxinteger], t[0], t[1e300]`),
  ['int', 'str', 'two', 'integer', 'float', 'yes', 'no', 'bytes', 'max', 'zero', 'huge']);
  await assert.rejects(cu.compute('_home[nil] = 1'), { kind: 'runtime', message: 'input:1: table index is nil' });
  await assert.rejects(cu.compute('_home[0/0] = 1'), { kind: 'runtime', message: 'input:1: table index is NaN' });
  await assert.rejects(cu.compute('_home[{}] = 1'), { message: /take only string, number and boolean keys/ });
  assert.equal(await cu.compute('return _home[nil]'), null, 'reading a nil key is nil, as for a table');
});

test('values keep their exact type and bits', async () => {
  const cu = await Cu.create();
  await cu.compute(`_home.v = {i = 42, big = math.maxinteger, min = math.mininteger, f = 2.0, nz = -0.0, inf = 1/0,
    nan = 0/0, pi = math.pi, tiny = 5e-324, s = "a\\0b\\xff", b = false, u = "\\u{20AC}"}`);
  assert.deepEqual(await values(cu, `local v = _home.v
    return math.type(v.i), v.i, v.big, v.min, math.type(v.f), 1/v.nz, v.inf, v.nan ~= v.nan, v.pi == math.pi, v.tiny, #v.s, v.s:byte(2), v.b, v.u`),
  ['integer', 42, 9223372036854775807n, -9223372036854775808n, 'float', -Infinity, Infinity, true, true, 5e-324, 4, 0, false, '€']);
});

test('strings of any size, through no fixed buffer', async () => {
  const cu = await Cu.create({ memory: 64 * 1024 * 1024 });
  assert.equal(await cu.compute('_home.big = string.rep("0123456789", 1e6) return #_home.big'), 1e7);
  assert.equal(await cu.compute('local s = _home.big return #s, s:sub(-3)'), 1e7);
  assert.equal(await cu.compute('return _home.big:sub(9999995, 10000000)'), '456789');
  assert.equal((await cu.run('return #_home.big, _home.big == string.rep("0123456789", 1e6)')).values[1], true);
});

test('a plain table is copied deeply, with its cycles and shared parts', async () => {
  const cu = await Cu.create();
  assert.deepEqual(await values(cu, `
    local shared = {n = 1}
    local t = {a = shared, b = shared, list = {1, 2, 3}}
    t.self = t
    _home.t = t
    t.a.n = 99                       -- a copy: the plain table is not linked
    local h = _home.t
    return rawequal(h.a, h.b), rawequal(h.self, h), h.a.n, #h.list, h.list[3]`), [true, true, 1, 3, 3]);
  const t = await cu.compute('return _home.t');
  assert.equal(t.self, t);
  assert.equal(t.a, t.b);
});

test('reading gives a proxy that writes through, the same proxy every time', async () => {
  const cu = await Cu.create();
  await cu.compute('_home.users = {alice = {age = 30}}');
  await cu.compute('_home.users.alice.age = 31');
  assert.equal(await cu.compute('return _home.users.alice.age'), 31);
  assert.deepEqual(await values(cu, 'local a, b = _home.users, _home.users return rawequal(a, b), a == b, rawequal(_home.users.alice, a.alice)'), [true, true, true]);
  assert.deepEqual(await values(cu, 'local t = ext.table() _home.ref = t t.x = 5 return _home.ref.x, rawequal(_home.ref, t)'), [5, true]);
});

test('nesting depth 10,000: bounded by memory, not by a stack', async () => {
  // 10,000 plain tables and the copy's bookkeeping need more than the 2 MiB default
  const cu = await Cu.create({ memory: 16 * 1024 * 1024, limits: { instructions: Infinity } });
  assert.equal(await cu.compute(`
    local c = _home for i = 1, 10000 do c.next = {} c = c.next end c.leaf = "deep"
    local d, n = _home, 0 while d.next do d = d.next n = n + 1 end return n, d.leaf`), 10000);
  assert.equal(await cu.compute('local root = {} local c = root for i = 1, 10000 do c.n = {} c = c.n end c.leaf = true _home.copy = root local d = _home.copy for i = 1, 10000 do d = d.n end return d.leaf'), true);
  const js = await cu.compute('return _home.copy');
  let depth = 0;
  for (let c = js; c.n; c = c.n) depth++;
  assert.equal(depth, 10000);
});

test('coroutines, userdata and C functions outside the standard library are refused with a clear error', async () => {
  const cu = await Cu.create({ stdlib: 'full' });
  await assert.rejects(cu.compute('_home.w = coroutine.wrap(print)'), { message: /only the standard library's C functions \(key "w"\)/ });
  await assert.rejects(cu.compute('_home.c = coroutine.create(print)'), { message: /cannot hold a thread \(key "c"\)/ });
  await assert.rejects(cu.compute('_home.u = io.stdout'), { message: /cannot hold a userdata \(key "u"\)/ });
  await assert.rejects(cu.compute('_home.t = {inner = {co = coroutine.create(print)}}'), { message: /cannot hold a thread \(key "t"\)/ });
  await assert.rejects(cu.compute('_home.t = {[{}] = 1}'), { message: /take only string, number and boolean keys/ });
  assert.equal(await cu.compute('local n = 0 for _ in pairs(_home) do n = n + 1 end return n'), 0, 'nothing was stored');
});

test('bigints are stored and come back as bigints', async () => {
  const cu = await Cu.create();
  await cu.compute('_home.wei = bigint("123456789012345678901234567890") _home.small = bigint(5)');
  assert.deepEqual(await values(cu, 'return _home.wei + 1, bigint.isbigint(_home.small), _home.small'), [123456789012345678901234567891n, true, 5n]);
});

test('#, pairs over mixed keys, ipairs', async () => {
  const cu = await Cu.create();
  await cu.compute('_home.m = {10, 20, 30, x = "a", [2.5] = "f", [true] = "t", ["\\xff"] = "b"}');
  assert.equal(await cu.compute('return #_home.m'), 3);
  assert.deepEqual(await values(cu, `local seen = {}
    for k, v in pairs(_home.m) do seen[#seen + 1] = math.type(k) or type(k) end
    table.sort(seen) return table.concat(seen, ",")`), ['boolean,float,integer,integer,integer,string,string']);
  assert.equal(await cu.compute('local s = 0 for i, v in ipairs(_home.m) do s = s + v end return s'), 60);
  // assigning during a traversal, as Lua allows for existing fields
  assert.equal(await cu.compute('for k in pairs(_home.m) do _home.m[k] = nil end return next({}) == nil and #_home.m'), 0);
});

test('the table library works on external tables', async () => {
  const cu = await Cu.create();
  assert.deepEqual(await values(cu, `
    _home.a = {5, 2, 8, 1}
    local a = _home.a
    table.sort(a) local sorted = table.concat(a, " ")
    table.insert(a, 9) table.insert(a, 1, 0)
    local removed = table.remove(a) local first = table.remove(a, 1)
    table.sort(a, function(x, y) return x > y end)
    return sorted, table.concat(a, ","), removed, first, #a, table.unpack(a)`), ['1 2 5 8', '8,5,2,1', 9, 0, 4, 8, 5, 2, 1]);
  assert.deepEqual(await values(cu, 'local t = ext.table() for i = 1, 100 do t[i] = (i * 37) % 101 end table.sort(t) return t[1], t[50], t[100], #t'), [1, 50, 100, 100]);
});

test('1e6 writes and reads in one compute', async () => {
  const cu = await Cu.create({ limits: { instructions: Infinity } });
  assert.equal(await cu.compute('local h = _home for i = 1, 1e6 do h.x = i end return h.x'), 1e6);
  assert.equal(await cu.compute('local t = ext.table() for i = 1, 1e6 do t[i] = i end _home.list = t return #_home.list'), 1e6);
  assert.equal(await cu.compute('local t, s = _home.list, 0 for i = 1, #t do s = s + t[i] end return s'), 500000500000);
  assert.equal(cu.getMemoryStats().wasmBytes, 2 * 1024 * 1024);
});

test('a failed compute leaves no trace: error, out of memory, limit, syntax', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  await cu.compute('_home.n = 1 _home.keep = {a = 1}');
  const before = JSON.stringify(await cu.compute('return _home'));
  for (const code of [
    '_home.n = 2 _home.keep.a = 2 _home.new = {1} _home.keep.b = "x" error("after writes")',
    '_home.n = 3 _home.keep = nil local t = {} for i = 1, 1e7 do t[i] = i end',
    '_home.n = 4 for i = 1, 1e9 do _home.keep.a = i end',
    '_home.n = 5',  // then the syntax error below: nothing at all runs
  ]) {
    const bad = code.endsWith("'5'") ? code : code;
    await cu.compute(bad === '_home.n = 5' ? '_home.n = 5 return +' : bad).then(() => assert.fail(code), () => {});
    assert.equal(JSON.stringify(await cu.compute('return _home')), before, code);
  }
});

test('proxies of tables made by a failed compute are stale, with a clear error', async () => {
  const cu = await Cu.create();
  await cu.compute('held = nil').catch(() => {});
  await assert.rejects(cu.compute('held = ext.table() held.x = 1 _home.h = held error("fail")'));
  assert.equal(await cu.compute('return _home.h'), null);
  await assert.rejects(cu.compute('return held.x'), { message: /no longer exists \(it was made by a compute that was rolled back/ });
});

test('what Lua cannot see through a proxy: raw access, and the metatable is protected', async () => {
  const cu = await Cu.create();
  await cu.compute('_home.x = 1');
  assert.deepEqual(await values(cu, 'return rawget(_home, "x"), next(_home), rawlen(_home), getmetatable(_home)'), [null, null, 0, 'external table']);
  await assert.rejects(cu.compute('setmetatable(_home, nil)'), { message: /cannot change a protected metatable/ });
});

test('soak: 10,000 computes overwriting the same keys; host storage and memory stay flat', async () => {
  const cu = await Cu.create();
  const code = 'local i = _io.input.i _home.a = {i = i, sub = {1, 2}} _home.b = tostring(i) local t = ext.table() t.x = i _io.output = {i}';
  const sample = [];
  for (let i = 0; i < 10000; i++) {
    await cu.run(code, { input: { i } });
    if (i % 2000 === 1999) sample.push({ tables: cu.extStats.tables, views: cu.extStats.views, lua: cu.gc().used });
  }
  const early = sample[0];
  const late = sample[sample.length - 1];
  assert.ok(late.tables <= early.tables + 300, `host tables ${early.tables} -> ${late.tables}`);
  assert.ok(late.tables < 700, `host tables ${late.tables}`);
  assert.ok(late.views <= early.views + 2, `input views ${early.views} -> ${late.views}`);
  // weak caches' capacity moves by a few KB from one collection to the next: no trend
  const lua = sample.map((x) => x.lua);
  assert.ok(Math.max(...lua) - Math.min(...lua) < 8192, `Lua memory over the run: ${lua.join(', ')}`);
  assert.deepEqual(cu.getOutput(), [9999]);
  assert.equal(cu.getMemoryStats().wasmBytes, 2 * 1024 * 1024);
  assert.equal(await cu.compute('return _home.b'), '9999');
});

test('dropped tables are reclaimed on the host, cycles included', async () => {
  const cu = await Cu.create();
  const base = cu.extStats.tables;
  await cu.compute('_home.list = {} for i = 1, 1000 do _home.list[i] = {i} end local c = {} c.me = c _home.cycle = c');
  const full = cu.extStats.tables;
  assert.equal(full, base + 1002);
  await cu.compute('_home.list = nil _home.cycle = nil collectgarbage() collectgarbage()');
  for (let i = 0; i < 600; i++) await cu.compute('_home.tmp = {}');  // churn: each drops a table
  assert.ok(cu.extStats.tables < base + 10, `host tables ${base} -> ${full} -> ${cu.extStats.tables}`);
});

test('ext.table() ids never collide with input or output', async () => {
  const cu = await Cu.create();
  cu.setInput({ a: { x: 1 } });
  await cu.compute('local t = ext.table() t.own = true _io.output = {b = 2}');
  assert.deepEqual(cu.getOutput(), { b: 2 });
  assert.deepEqual(await values(cu, 'return _io.input.a.x, _io.input.a.b, _io.input.input'), [1, null, null]);
});

test('pairs yields nested tables as proxies, over host tables and input alike', async () => {
  const cu = await Cu.create();
  await cu.compute('_home.groups = {a = {1}, b = {2, 3}, c = {x = {y = 1}}}');
  assert.equal(await cu.compute('local n = 0 for k, v in pairs(_home.groups) do n = n + #v + (v.x and v.x.y or 0) end return n'), 4);
  cu.setInput({ p: { q: 1 }, r: [1, 2], s: { t: { u: 5 } } });
  assert.equal(await cu.compute('local n = 0 for k, v in pairs(_io.input) do n = n + (v.q or #v + (v.t and v.t.u or 0)) end return n'), 8);
});
