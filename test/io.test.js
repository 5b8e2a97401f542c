// io.test.js: _io: input read lazily from JS values without copying, output given back
// with the lossless mapping, and the rules for when each is reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

const values = async (cu, code, options) => (await cu.run(code, options)).values;

test('input is a lazy proxy: primitives directly, objects and arrays as proxies', async () => {
  const cu = await Cu.create();
  cu.setInput({ name: 'Ada', age: 36, ratio: 0.5, ok: true, none: null, tags: ['x', 'y', 'z'], nested: { deep: { v: 7 } } });
  assert.deepEqual(await values(cu, `local i = _io.input
    return i.name, i.age, math.type(i.age), i.ratio, i.ok, i.none, #i.tags, i.tags[1], i.tags[3], i.tags[0], i.tags[4], i.nested.deep.v, type(i.tags)`),
  ['Ada', 36, 'integer', 0.5, true, null, 3, 'x', 'z', null, null, 7, 'table']);
  assert.deepEqual(await values(cu, 'local t = {} for i, v in ipairs(_io.input.tags) do t[i] = v end return table.concat(t)'), ['xyz']);
  assert.deepEqual(await values(cu, 'local k = {} for key in pairs(_io.input) do k[#k + 1] = key end table.sort(k) return table.concat(k, ",")'), ['age,name,nested,ok,ratio,tags']);
  assert.deepEqual(await values(cu, 'return rawequal(_io.input.nested, _io.input.nested), rawequal(_io.input.tags, _io.input.tags)'), [true, true]);
});

test('typed arrays are read element by element', async () => {
  const cu = await Cu.create();
  cu.setInput({ f64: new Float64Array([1.5, 2, -0]), i32: new Int32Array([-1, 2]), u8: new Uint8Array([65, 0, 255]), big: new BigInt64Array([2n ** 62n]), f32: new Float32Array([0.5]) });
  assert.deepEqual(await values(cu, `local i = _io.input
    return #i.f64, i.f64[1], math.type(i.f64[2]), 1 / i.f64[3], i.i32[1], math.type(i.i32[2]), i.u8[3], #i.u8, i.big[1], i.f32[1]`),
  [3, 1.5, 'float', -Infinity, -1, 'integer', 255, 3, 2n ** 62n, 0.5]);
  assert.deepEqual(await cu.compute('return ext.bytes(_io.input.u8)'), new Uint8Array([65, 0, 255]));
  assert.equal(await cu.compute('return #ext.bytes(_io.input.f64)'), 24);
  await assert.rejects(cu.compute('return ext.bytes(_io.input)'), /not a typed array/);
});

test('summing 1e6 Float64Array elements leaves the wasm memory at 2 MiB', async () => {
  const cu = await Cu.create({ limits: { instructions: Infinity } });
  const data = new Float64Array(1e6);
  for (let i = 0; i < data.length; i++) data[i] = i * 0.5;
  cu.setInput(data);
  const sum = await cu.compute('local a, s = _io.input, 0 for i = 1, #a do s = s + a[i] end return s');
  assert.equal(sum, data.reduce((a, b) => a + b, 0));
  assert.equal(cu.getMemoryStats().wasmBytes, 2 * 1024 * 1024);
  assert.ok(cu.getMemoryStats().peak < 200000, `Lua memory peak ${cu.getMemoryStats().peak}`);
});

test('BigInt becomes an integer when it fits, a bigint when it does not; strings become UTF-8', async () => {
  const cu = await Cu.create();
  cu.setInput({ small: 7n, max: 2n ** 63n - 1n, huge: 2n ** 100n, neg: -(2n ** 70n), text: 'héllo €', emoji: '😀' });
  assert.deepEqual(await values(cu, `local i = _io.input
    return math.type(i.small), i.max == math.maxinteger, bigint.isbigint(i.huge), i.huge, i.neg, #i.text, i.text, #i.emoji`),
  ['integer', true, true, 2n ** 100n, -(2n ** 70n), 10, 'héllo €', 4]);
});

test('a Map in input works with its keys', async () => {
  const cu = await Cu.create();
  cu.setInput(new Map([['a', 1], [2, 'two'], [true, 'yes']]));
  assert.deepEqual(await values(cu, 'local i = _io.input return i.a, i[2], i[true]'), [1, 'two', 'yes']);
});

test('input is read-only, and nothing is copied into the unit', async () => {
  const cu = await Cu.create();
  const input = { list: Array.from({ length: 100000 }, (_, i) => ({ id: i, label: `item ${i}` })) };
  cu.setInput(input);
  const before = cu.gc().used;
  assert.equal(await cu.compute('local n = 0 for _, item in ipairs(_io.input.list) do n = n + item.id end return n'), 4999950000);
  assert.ok(cu.getMemoryStats().peak < before + 400000, 'items are not held in Lua');
  await assert.rejects(cu.compute('_io.input.list[1].id = 5'), { message: /read-only/ });
  assert.equal(input.list[0].id, 0);
});

test('proxies Lua drops are released on the host', async () => {
  const cu = await Cu.create({ limits: { instructions: Infinity } });
  cu.setInput({ list: Array.from({ length: 20000 }, (_, i) => ({ i })) });
  await cu.compute('for _, item in ipairs(_io.input.list) do local x = item.i end');
  await cu.compute('collectgarbage() collectgarbage()');
  assert.ok(cu.extStats.views < 100, `views alive: ${cu.extStats.views}`);
});

test('a stale input handle is a clear error, never another object', async () => {
  const cu = await Cu.create();
  cu.setInput({ a: { v: 'old' } });
  await cu.compute('held = _io.input.a');
  assert.equal(await cu.compute('return held.v'), 'old');
  cu.setInput({ a: { v: 'new' } });
  await assert.rejects(cu.compute('return held.v'), { kind: 'runtime', message: /no longer exists .*input was replaced/ });
  assert.equal(await cu.compute('return _io.input.a.v'), 'new');
  cu.clearIo();
  assert.equal(await cu.compute('return _io.input'), null);
});

test('_io.output gives a JS value with the lossless mapping', async () => {
  const cu = await Cu.create();
  await cu.compute('_io.output = {n = 1, f = 2.5, big = math.maxinteger, list = {1, 2}, bytes = "\\xff", b = bigint(2)^80, empty = {}}');
  assert.deepEqual(cu.getOutput(), { n: 1, f: 2.5, big: 2n ** 63n - 1n, list: [1, 2], bytes: new Uint8Array([255]), b: 2n ** 80n, empty: {} });
  assert.equal(cu.getOutputField('n'), 1);
  assert.deepEqual(cu.getOutputField('list'), [1, 2]);
  await cu.compute('_io.output = 42');
  assert.equal(cu.getOutput(), 42);
  assert.equal(cu.getOutputField('n'), null);
});

test('_io.output is reset when each compute starts, and a failed compute leaves none', async () => {
  const cu = await Cu.create();
  await cu.compute('_io.output = "first"');
  assert.equal(cu.getOutput(), 'first');
  await cu.compute('return 1');
  assert.equal(cu.getOutput(), null);
  await cu.compute('_io.output = "partial" error("x")').catch(() => {});
  assert.equal(cu.getOutput(), null);
});

test('run({ input }) returns ioOutput alongside the values', async () => {
  const cu = await Cu.create();
  const r = await cu.run('_io.output = {sum = _io.input.a + _io.input.b} return "done"', { input: { a: 2, b: 3 } });
  assert.deepEqual(r.values, ['done']);
  assert.deepEqual(r.ioOutput, { sum: 5 });
  assert.equal((await cu.run('return 1')).ioOutput, null);
});

test('setInputField, setMetadata and clearIo', async () => {
  const cu = await Cu.create();
  const mine = { keep: 1 };
  cu.setInput(mine);
  cu.setInputField('extra', [1, 2]);
  assert.deepEqual(await values(cu, 'return _io.input.keep, #_io.input.extra'), [1, 2]);
  assert.deepEqual(mine, { keep: 1 }, 'the caller\'s object is not changed');
  cu.setMetadata({ requestId: 'r-1' });
  assert.equal(await cu.compute('return _io.meta.requestId'), 'r-1');
  cu.clearIo();
  assert.deepEqual(await values(cu, 'return _io.input, _io.meta, _io.output'), [null, null, null]);
  cu.setInputField('only', true);
  assert.equal(await cu.compute('return _io.input.only'), true);
});

test('copying input into _home makes a durable copy', async () => {
  const cu = await Cu.create();
  cu.setInput({ user: { name: 'Ada', langs: ['lua', 'c'] } });
  await cu.compute('_home.user = _io.input.user');
  cu.clearIo();
  assert.deepEqual(await cu.compute('return _home.user'), { name: 'Ada', langs: ['lua', 'c'] });
  assert.equal(await cu.compute('_home.user.name = "Grace" return _home.user.name'), 'Grace');
});
