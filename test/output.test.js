// output.test.js: print is captured with no size limit, streamed to the callback as it
// happens and collected into the result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

test('print is captured and streamed in order', async () => {
  const seen = [];
  const cu = await Cu.create({ onOutput: (text, stream) => seen.push([stream, text]) });
  const r = await cu.run('print("a", 1, nil, true, 2.5) print() print("x\\0y")');
  assert.equal(r.output, 'a\t1\tnil\ttrue\t2.5\n\nx\0y\n');
  assert.deepEqual(seen.map(([s]) => s), ['stdout', 'stdout', 'stdout']);
  assert.equal(seen.map(([, t]) => t).join(''), r.output);
});

test('output streams while the compute runs, not only at the end', async () => {
  const seen = [];
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  await cu.compute('print("before") while true do end', { onOutput: (t) => seen.push(t) }).catch((e) => assert.equal(e.kind, 'limit'));
  assert.deepEqual(seen, ['before\n']);
});

test('there is no 64 KB limit on output', async () => {
  const cu = await Cu.create({ memory: 8 * 1024 * 1024 });
  const r = await cu.run('for i = 1, 20000 do print(string.format("line %05d %s", i, string.rep("x", 50))) end');
  assert.equal(r.output.length, 20000 * 62);
  assert.ok(r.output.endsWith('line 20000 ' + 'x'.repeat(50) + '\n'));
  const big = await cu.run('print(string.rep("y", 3000000))');
  assert.equal(big.output.length, 3000001);
});

test('print uses __tostring and __name', async () => {
  const cu = await Cu.create();
  const r = await cu.run('print(setmetatable({}, {__tostring = function() return "custom" end}), setmetatable({}, {__name = "Thing"}))');
  assert.match(r.output, /^custom\tThing: 0x[0-9a-f]+\n$/);
  assert.equal((await cu.run('print(1e100, 2^63, -0.0, 1/0, 10 // 3, 7.0)')).output, '1e+100\t9.2233720368548e+18\t-0.0\tinf\t3\t7.0\n');
});

test('multi-byte characters split across writes are decoded whole', async () => {
  const cu = await Cu.create({ stdlib: 'full' });
  const r = await cu.run('io.write("\\xe2") io.write("\\x82") io.write("\\xac") print()');
  assert.equal(r.output, '€\n');
});

test('output is per compute', async () => {
  const cu = await Cu.create();
  assert.equal((await cu.run('print("one")')).output, 'one\n');
  assert.equal((await cu.run('return 1')).output, '');
  const err = await cu.run('print("partial") error("x")').catch((e) => e);
  assert.equal(err.kind, 'runtime');
  assert.equal((await cu.run('print("two")')).output, 'two\n');
});

test('run reports stats', async () => {
  const cu = await Cu.create();
  const r = await cu.run('local t = {} for i = 1, 1000 do t[i] = i end return #t');
  assert.deepEqual(Object.keys(r.stats).sort(), ['instructions', 'memoryPeak', 'ms']);
  // two instructions an iteration, plus a step per 32 bytes the allocator hands out (the
  // array part grows to 1,024 slots, 16 KB, and the chunk is compiled: about 550) and the
  // collector's marking of what the unit holds (a cycle over its libraries: about 1,000)
  assert.ok(r.stats.instructions >= 2000 && r.stats.instructions < 4500, `${r.stats.instructions}`);
  assert.ok(r.stats.memoryPeak > 16000, `${r.stats.memoryPeak}`);
  assert.ok(r.stats.ms >= 0 && r.stats.ms < 1000);
});
