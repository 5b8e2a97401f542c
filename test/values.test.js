// values.test.js: Lua values reach JS without loss (the mapping in docs/api.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu, LuaOpaque } from '../js/index.js';

const cu = await Cu.create({ memory: 16 * 1024 * 1024 });
const values = async (code) => (await cu.run(code)).values;

test('all return values are kept, nil becomes null', async () => {
  assert.deepEqual(await values('return 1, nil, 3, nil'), [1, null, 3, null]);
  assert.deepEqual(await values('return'), []);
  assert.equal(await cu.compute('return'), undefined);
  assert.equal(await cu.compute('return nil'), null);
  assert.deepEqual(await values('return table.unpack({}, 1, 200)'), new Array(200).fill(null));
  assert.deepEqual(await values('return true, false'), [true, false]);
});

test('integers: safe ones are numbers, the rest BigInt', async () => {
  assert.deepEqual(await values('return 0, -1, 2^53 // 1, -(2^53 // 1), math.maxinteger, math.mininteger, (1 << 53) + 1, -(1 << 53) - 1'),
    [0, -1, 2 ** 53, -(2 ** 53), 9223372036854775807n, -9223372036854775808n, 9007199254740993n, -9007199254740993n]);
  assert.equal(typeof (await cu.compute('return 1 << 53')), 'number');
  assert.equal(typeof (await cu.compute('return (1 << 53) + 1')), 'bigint');
});

test('integers turn into text exactly as stock Lua writes them (src/fmt.c)', async () => {
  const MIN = -(2n ** 63n), MAX = 2n ** 63n - 1n;
  const ints = [0n, 1n, -1n, 9n, 10n, -10n, 99n, 100n, 12345n, -99999n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, 2n ** 53n + 1n, MAX, MAX - 1n, MIN, MIN + 1n];
  let x = 0x9e3779b97f4a7c15n;  // a fixed walk over the whole 64-bit range
  for (let i = 0; i < 200; i++) {
    x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
    ints.push(BigInt.asIntN(64, x >> BigInt(i % 60)));
  }
  const literal = (n) => (n === MIN ? 'math.mininteger' : n < 0n ? `-${-n}` : `${n}`);
  const code = `local out = {}
    for _, n in ipairs({${ints.map(literal).join(', ')}}) do
      out[#out + 1] = table.concat({tostring(n), n .. '', string.format('%d', n), string.format('[%5d]', n), string.format('%-22d|', n), ('%d'):rep(2, ','):format(n, n)}, ' ')
    end
    return table.concat(out, '\\n')`;
  const expected = ints.map((n) => {
    const t = n.toString();
    return [t, t, t, `[${t.padStart(5)}]`, `${t.padEnd(22)}|`, `${t},${t}`].join(' ');
  });
  assert.deepEqual((await cu.compute(code)).split('\n'), expected);
  // floats are unchanged: still %.14g, and integral floats keep their ".0"
  assert.equal(await cu.compute("return tostring(2^53) .. ' ' .. 1.5 .. ' ' .. 3.0 .. ' ' .. -0.0 .. ' ' .. math.pi"), '9.007199254741e+15 1.5 3.0 -0.0 3.1415926535898');
});

test('floats keep NaN, infinities and -0', async () => {
  const [nan, inf, ninf, nzero, pi, big, tiny] = await values('return 0/0, math.huge, -math.huge, -0.0, math.pi, 1e308, 5e-324');
  assert.ok(Number.isNaN(nan));
  assert.equal(inf, Infinity);
  assert.equal(ninf, -Infinity);
  assert.ok(Object.is(nzero, -0));
  assert.equal(pi, Math.PI);
  assert.equal(big, 1e308);
  assert.equal(tiny, 5e-324);
  assert.equal(await cu.compute('return 2^63'), 2 ** 63);
  assert.equal(await cu.compute('return 0.1 + 0.2'), 0.1 + 0.2);
});

test('strings: UTF-8 becomes a string, anything else bytes', async () => {
  assert.equal(await cu.compute('return "hello"'), 'hello');
  assert.equal(await cu.compute('return "h\\u{e9}llo \\u{20ac} \\u{1F600}"'), 'héllo € 😀');
  assert.equal(await cu.compute('return ""'), '');
  assert.equal(await cu.compute('return "a\\0b"'), 'a\0b');
  assert.deepEqual(await cu.compute('return "\\xff\\xfe\\x00"'), new Uint8Array([0xff, 0xfe, 0]));
  assert.deepEqual(await cu.compute('return "\\xed\\xa0\\x80"'), new Uint8Array([0xed, 0xa0, 0x80]), 'a surrogate is not UTF-8');
  assert.deepEqual(await cu.compute('return "\\xc0\\x80"'), new Uint8Array([0xc0, 0x80]), 'overlong forms are not UTF-8');
  const long = await cu.compute('return string.rep("ab\\u{e9}", 100000)');
  assert.equal(long.length, 300000);
  const bytes = await cu.compute('local t = {} for i = 0, 255 do t[#t + 1] = string.char(i) end return table.concat(t)');
  assert.deepEqual(bytes, new Uint8Array(Array.from({ length: 256 }, (_, i) => i)));
});

test('tables: arrays, objects and maps', async () => {
  assert.deepEqual(await cu.compute('return {10, 20, 30}'), [10, 20, 30]);
  assert.deepEqual(await cu.compute('return {a = 1, b = "x"}'), { a: 1, b: 'x' });
  assert.deepEqual(await cu.compute('return {}'), {});
  assert.deepEqual(await cu.compute('return {{1, 2}, {x = {y = {z = true}}}}'), [[1, 2], { x: { y: { z: true } } }]);
  assert.deepEqual(await cu.compute('return {1, nil, 3}'), new Map([[1, 1], [3, 3]]), 'holes make a map');
  assert.deepEqual(await cu.compute('return {[0] = "zero", "one"}'), new Map([[0, 'zero'], [1, 'one']]));
  assert.deepEqual(await cu.compute('return {1, 2, x = 3}'), new Map([[1, 1], [2, 2], ['x', 3]]));
  assert.deepEqual(await cu.compute('return {[1.5] = "f", [true] = "t"}'), new Map([[1.5, 'f'], [true, 't']]));
  assert.deepEqual(await cu.compute('return {["1"] = "string key"}'), { 1: 'string key' });
  assert.deepEqual(await cu.compute('return {[2^53] = 1}'), new Map([[2 ** 53, 1]]));
  const m = await cu.compute('return {["\\xff"] = 1}');
  assert.ok(m instanceof Map);
  assert.deepEqual([...m.keys()][0], new Uint8Array([0xff]));
  const big = await cu.compute('local t = {} for i = 1, 100000 do t[i] = i * 2 end return t');
  assert.equal(big.length, 100000);
  assert.equal(big[99999], 200000);
});

test('an object key __proto__ is an own property, not a prototype', async () => {
  const o = await cu.compute('return {__proto__ = {polluted = true}, ok = 1}');
  assert.equal(Object.getPrototypeOf(o), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(o, '__proto__').value, { polluted: true });
  assert.equal({}.polluted, undefined);
});

test('cycles and shared tables keep their shape', async () => {
  const t = await cu.compute('local t = {name = "root"} t.self = t return t');
  assert.equal(t.self, t);
  const [a, b] = await values('local shared = {1} return {shared, shared}, shared');
  assert.equal(a[0], a[1]);
  assert.equal(a[0], b, 'shared across return values too');
  const m = await cu.compute('local k = {} local t = {[k] = k} return t');
  const [[key, value]] = [...m];
  assert.equal(key, value);
  const ring = await cu.compute('local a, b = {}, {} a.next = b b.next = a return a');
  assert.equal(ring.next.next, ring);
});

test('metatables are not consulted: the raw contents are converted', async () => {
  const t = await cu.compute('return setmetatable({x = 1}, {__index = function() return 99 end, __pairs = function() error("no") end})');
  assert.deepEqual(t, { x: 1 });
});

test('deep nesting is bounded by memory, not by the C stack', async () => {
  const deep = await cu.compute('local t = {} local c = t for i = 1, 10000 do c.n = {} c = c.n end return t');
  let depth = 0;
  for (let c = deep; c.n; c = c.n) depth++;
  assert.equal(depth, 10000);
  const small = await Cu.create();
  await assert.rejects(small.compute('local t = {} local c = t for i = 1, 1e6 do c[1] = {} c = c[1] end return t'), (e) => e.kind === 'memory' || /nested too deeply|stack overflow/.test(e.message));
  assert.equal(await small.compute('return 1'), 1);
});

test('functions, userdata and threads have a non-throwing representation', async () => {
  const [f, c, co, ud] = await values('return function() end, print, coroutine.create(print), io and io.stdout or setmetatable({}, {})');
  assert.ok(f instanceof LuaOpaque);
  assert.equal(f.type, 'function');
  assert.match(f.description, /^function: 0x[0-9a-f]+$/);
  assert.equal(c.type, 'function');
  assert.equal(co.type, 'thread');
  assert.match(String(co), /^thread: 0x/);
  assert.ok(ud !== undefined);
  const full = await Cu.create({ stdlib: 'full' });
  const file = await full.compute('return io.stdout');
  assert.equal(file.type, 'userdata');
  assert.match(file.description, /^FILE\*: 0x/);
});
