// show.test.js: showLua, results written back in Lua's notation (the REPL and the
// playground print with it), checked on values that came out of a real unit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Cu, CuWorker, LuaOpaque, showLua } from '../js/index.js';
import { luaNumber } from '../js/show.js';

test('values from a unit read as Lua: constructors, array part first, quoted strings', async () => {
  const cu = await Cu.create();
  try {
    const [arr, mixed, sparse, odd, fn, s, nums, bytes] = (await cu.run(
      'return {1, "two", nil == nil, false}, {10, 20, n = 2}, {[1] = "a", [3] = "c"}, ' +
      '{["not id"] = 1}, print, "top", {0/0, 1/0, -1/0, -0.0, math.maxinteger}, "\\0\\255A\\n"')).values;
    assert.equal(showLua(arr), '{1, "two", true, false}');
    assert.equal(showLua(mixed), '{10, 20, n = 2}');
    assert.equal(showLua(sparse), '{"a", [3] = "c"}');
    assert.equal(showLua(odd), '{["not id"] = 1}');
    assert.match(showLua(fn), /^function: 0x[0-9a-f]+$/);
    assert.equal(showLua(s), '"top"');
    assert.equal(showLua(s, { bareString: true }), 'top');
    assert.equal(showLua(nums), '{nan, inf, -inf, -0.0, 9223372036854775807}');
    assert.equal(showLua(bytes), '"\\000\\255A\\n"');
    assert.equal(showLua({ end: 1, ok: 2 }), '{["end"] = 1, ok = 2}', 'keywords are not bare names');
  } finally {
    await cu.close();
  }
});

test('cycles, depth and length are bounded', async () => {
  const cu = await Cu.create();
  try {
    const t = await cu.compute('local t = {} t.self = t return {t}');
    assert.equal(showLua(t), '{{self = <cycle>}}');
    const shared = await cu.compute('local s = {1} return {s, s}');
    assert.equal(showLua(shared), '{{1}, {1}}', 'a table seen twice but not inside itself is shown twice');
  } finally {
    await cu.close();
  }
  assert.equal(showLua({ deep: [[[[[[[[1]]]]]]]] }, { maxDepth: 7 }), '{deep = {{{{{{{…}}}}}}}}');
  assert.equal(showLua('x'.repeat(50), { maxLength: 10 }), '"xxxxxxxxx…');
});

test('LuaOpaque is recognised across two copies of the runtime (a bundle and the page\'s runtime)', async () => {
  const other = await import('../js/codec.js?another-copy');
  const f = new other.LuaOpaque('function', 'function: 0x1');
  assert.ok(f instanceof LuaOpaque);
  assert.equal(showLua({ f }), '{f = function: 0x1}');
  assert.ok(!({ type: 'function', description: 'x' } instanceof LuaOpaque), 'a look-alike table is not opaque');
  assert.equal(showLua({ type: 'function' }), '{type = "function"}');
});

test('numbers read as Lua writes them: floats as %.14g, 4.0 marked by run()\'s floats', async () => {
  const cu = await Cu.create({ memory: 16 * 1024 * 1024 });
  try {
    // Lua's own tostring of edge cases and 20,000 random floats over every magnitude
    const { values: [xs, texts] } = await cu.run(`
      local xs = {4.0, -4.0, 1/3, 0.1, 1e15, 1e14, 1e13, 123456789012345.6, 1e-5, 0.0001, 2.0^53,
        2.0^63, -2.5, 1e100, 5e-324, 1.7976931348623157e308, 3.14159, 100.0, 0.5, 99999999999999.5}
      math.randomseed(7)
      for i = 1, 20000 do
        xs[#xs + 1] = (math.random() - 0.5) * 10.0 ^ math.random(-320, 300)
      end
      local texts = {}
      for i, x in ipairs(xs) do texts[i] = tostring(x) end
      return xs, texts`);
    assert.equal(xs.length, 20020);
    for (let i = 0; i < xs.length; i++) {
      if (luaNumber(xs[i], true) !== texts[i]) assert.fail(`${xs[i]}: Lua writes ${texts[i]}, showLua ${luaNumber(xs[i], true)}`);
    }
    const r = await cu.run('return 2^2, 3, 1/3, {1.5, 2.0}, 7 // 2, 7 / 1');
    assert.deepEqual(r.floats, [0, 2, 5]);
    assert.deepEqual(r.values.map((v, i) => showLua(v, { isFloat: r.floats.includes(i) })), ['4.0', '3', '0.33333333333333', '{1.5, 2}', '3', '7.0']);
    assert.deepEqual(r.values.map((v, i) => showLua(v, { isFloat: r.floats.includes(i), innerFloats: r.innerFloats })), ['4.0', '3', '0.33333333333333', '{1.5, 2.0}', '3', '7.0']);
  } finally {
    await cu.close();
  }
});

// run()'s innerFloats: where a table held an integral float, which a JS number forgets
const showAll = (r) => r.values.map((v, i) => showLua(v, { isFloat: r.floats.includes(i), innerFloats: r.innerFloats }));

test('integral floats inside tables keep their .0: arrays, records, maps, nesting, shared tables', async () => {
  const cu = await Cu.create({ store: 'memory' });
  try {
    const r = await cu.run(`
      local shared = {3.0, 3}
      return {4.0, 4, -0.0, 2^53}, {x = 1.0}, {y = 1}, {[true] = 5.0}, {[2.5] = 6.0}, {{{7.0}}}, {shared, shared}, {8.0, n = 9.0}`);
    assert.deepEqual(showAll(r), ['{4.0, 4, -0.0, 9.007199254741e+15}', '{x = 1.0}', '{y = 1}', '{[true] = 5.0}', '{[2.5] = 6.0}',
      '{{{7.0}}}', '{{3.0, 3}, {3.0, 3}}', '{8.0, n = 9.0}']);
    // the marks are the floats' places: keys and integers are never marked
    assert.deepEqual([...r.innerFloats.get(r.values[0])], [0, 2, 3]);
    assert.equal(r.innerFloats.has(r.values[2]), false);
    assert.equal(r.innerFloats.has(r.values[4]), true);
    assert.equal([...r.innerFloats.values()].reduce((n, keys) => n + keys.size, 0), 10);
    // a table kept in _home comes back by reference, floats still marked
    await cu.compute('_home.t = {1.0, 2, deep = {3.0}} _home.m = {[true] = 4.0}');
    assert.deepEqual(showAll(await cu.run('return _home.t, _home.m, _home.t.deep')), ['{1.0, 2, deep = {3.0}}', '{[true] = 4.0}', '{3.0}']);
    // each run has its own marks
    assert.equal((await cu.run('return {1, 2}')).innerFloats.size, 0);
  } finally {
    await cu.close();
  }
});

test('innerFloats survive the copy out of a worker, and the cu command prints them', async () => {
  const w = await CuWorker.create();
  try {
    assert.deepEqual(showAll(await w.run('return {4.0, {x = 2.0}}')), ['{4.0, {x = 2.0}}']);
    // under a function key too: the key in the table and in innerFloats stay one object
    const [keyed] = showAll(await w.run('return {[print] = 1.0}'));
    assert.match(keyed, /^\{\[function: 0x[0-9a-f]+\] = 1\.0\}$/);
  } finally {
    await w.close();
  }
  const bin = new URL('../bin/cu.js', import.meta.url).pathname;
  const out = spawnSync(process.execPath, [bin, '--no-home', 'eval', 'return 4.0, {4.0, 4, t = {0.5, 1e15}}'], { encoding: 'utf8' });
  assert.equal(out.stderr, '');
  assert.equal(out.stdout, '4.0\t{4.0, 4, t = {0.5, 1e+15}}\n');
});

test('any depth is written, and a long text stops being written at maxLength', () => {
  let value = 'end';
  for (let i = 0; i < 300000; i++) value = [value];
  const text = showLua(value);
  assert.equal(text.length, 300000 * 2 + 5);
  assert.ok(text.startsWith('{{{') && text.includes('{"end"}') && text.endsWith('}}}'));
  assert.equal(showLua(value, { maxLength: 8 }), '{{{{{{{{…');
  assert.equal(showLua(value, { maxDepth: 2 }), '{{{…}}}');
});

test("innerFloats covers run()'s ioOutput too, in a unit and across a worker", async () => {
  for (const make of [() => Cu.create({ store: 'none' }), () => CuWorker.create({ store: 'none' })]) {
    const u = await make();
    try {
      const r = await u.run('_io.output = {4.0, 4, x = {2.0}} return 1.0');
      assert.equal(showLua(r.ioOutput, { innerFloats: r.innerFloats }), '{4.0, 4, x = {2.0}}');
      assert.equal(showLua(r.values[0], { isFloat: r.floats.includes(0) }), '1.0');
      assert.equal(r.ioOutputFloat, false);
      // _io.output itself a float: 4.0, which as a JS number reads as the integer 4
      const shown = [];
      for (const code of ['_io.output = 4.0', '_io.output = 4', '_io.output = 0.5', '_io.output = 1/0', '_io.output = "4.0"']) {
        const f = await u.run(code);
        shown.push(showLua(f.ioOutput, { isFloat: f.ioOutputFloat }));
      }
      assert.deepEqual(shown, ['4.0', '4', '0.5', 'inf', '"4.0"']);  // as Lua's tostring writes them
    } finally {
      await u.close();
    }
  }
});
