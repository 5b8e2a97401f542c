// worker.test.js: CuWorker runs a unit in a worker_threads Worker behind the same async
// API; interrupt() stops a running compute from the calling thread within milliseconds,
// rolls its writes back, and the unit, and its store, go on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CuWorker, CuError, LuaOpaque } from '../js/index.js';

test('a worker unit computes, reports errors with their kind, and forwards output', async () => {
  const out = [];
  const w = await CuWorker.create({ onOutput: (text) => out.push(text) });
  try {
    assert.equal(await w.compute('print("hi") return 6 * 7'), 42);
    assert.deepEqual((await w.run('return 1, {2}, math.maxinteger')).values, [1, [2], 9223372036854775807n]);
    const err = await w.compute('error({code = 1})').catch((e) => e);
    assert.ok(err instanceof CuError);
    assert.equal(err.kind, 'runtime');
    assert.deepEqual(err.value, { code: 1 });
    assert.equal((await w.compute('return print')).type, 'function');
    // opaque values at any depth come back as LuaOpaque, also as Map keys and in error values
    const [t, lookalike] = (await w.run('return {f = print, list = {print}, [print] = 1}, {type = "function", description = "x"}')).values;
    assert.ok(t.get('f') instanceof LuaOpaque && t.get('list')[0] instanceof LuaOpaque);
    assert.ok([...t.keys()].some((k) => k instanceof LuaOpaque && k.type === 'function'));
    assert.deepEqual(lookalike, { type: 'function', description: 'x' });
    assert.ok(!(lookalike instanceof LuaOpaque));
    const nested = await w.compute('error({handler = print})').catch((e) => e);
    assert.ok(nested.value.handler instanceof LuaOpaque);
    assert.deepEqual(out, ['hi\n']);
    assert.equal((await w.getMemoryStats()).wasmBytes, 2 * 1024 * 1024);
  } finally {
    await w.close();
  }
});

// A structured clone recurses and gave up (RangeError) a few thousand levels down; Cu
// itself returns any depth, so a worker must too (js/wire.js), both ways.
test('values nested 200,000 levels deep cross the worker both ways; sharing and cycles survive', { timeout: 60000 }, async () => {
  const w = await CuWorker.create({ memory: 64 * 1024 * 1024, store: 'none' });
  try {
    let list = await w.compute('local head = nil for i = 200000, 1, -1 do head = {i, head} end return head');
    let n = 0;
    for (; list !== undefined && list !== null; list = list[1]) n += list[0] === n + 1 ? 1 : 0;
    assert.equal(n, 200000, 'every node came back, in order');

    let input = {};
    for (let i = 0, t = input; i < 200000; i++) t = t.next = {};
    await w.setInput({ list: input });
    assert.equal(await w.compute('local n, t = 0, _io.input.list while t.next do n = n + 1 t = t.next end return n'), 200000);

    const [t, again] = (await w.run('local s = {1.5} local t = {a = s, b = s} t.self = t return t, s')).values;
    assert.equal(t.a, t.b, 'a table referred to twice is one object');
    assert.equal(t.self, t, 'a cycle is kept');
    assert.equal(again, t.a, 'shared across return values too');
  } finally {
    await w.close();
  }
});

test('interrupt() stops an unlimited runaway loop within milliseconds; the unit stays usable', async () => {
  const w = await CuWorker.create({ limits: { instructions: Infinity, timeMs: Infinity } });
  try {
    assert.equal(w.sharedInterrupt, true);
    assert.equal(w.interrupt(), false, 'nothing is running');
    await w.compute('x = 1');
    const running = w.compute('while true do end');
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    assert.equal(w.interrupt(), true);
    const err = await running.catch((e) => e);
    const ms = performance.now() - t0;
    assert.equal(err.kind, 'limit');
    assert.match(err.message, /interrupted/);
    assert.ok(ms < 500, `stopped ${ms.toFixed(0)} ms after interrupt()`);
    assert.equal(await w.compute('return x + 1'), 2, 'globals are intact');
    assert.equal(await w.compute('local n = 0 for i = 1, 1e6 do n = n + 1 end return n'), 1e6, 'the next compute is not interrupted');
  } finally {
    await w.close();
  }
});

test('interrupt() stops the compute even when other calls are ahead of it in the queue', { timeout: 20000 }, async () => {
  const w = await CuWorker.create({ limits: { instructions: Infinity, timeMs: Infinity } });
  try {
    // getMemoryStats is still queued or being handled when interrupt() runs: the
    // interrupt must go to the compute behind it, not to the stats call.
    const stats = w.getMemoryStats();
    const running = w.compute('while true do end');
    assert.equal(w.interrupt(), true);
    assert.equal((await stats).wasmBytes, 2 * 1024 * 1024);
    await assert.rejects(running, { kind: 'limit', message: /interrupted/ });
    assert.equal(w.interrupt(), false, 'nothing is running now');
    assert.equal(await w.compute('return 1'), 1);
  } finally {
    await w.close();
  }
});

test('an interrupted compute writes nothing; the store restores in a new worker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-worker-'));
  const opts = { store: `lmdb:${dir}`, name: 'job', limits: { instructions: Infinity, timeMs: Infinity } };
  const a = await CuWorker.create(opts);
  await a.compute('_home.done = 1 local n = 0 function _home.tick() n = n + 1 return n end _home.tick()');
  const running = a.compute('_home.done = 2 _home.partial = true while true do end');
  await new Promise((r) => setTimeout(r, 100));
  a.interrupt();
  await assert.rejects(running, { kind: 'limit' });
  assert.deepEqual((await a.run('return _home.done, _home.partial')).values, [1, null]);
  await a.close();
  const b = await CuWorker.create(opts);
  try {
    assert.deepEqual((await b.run('return _home.done, _home.partial, _home.tick()')).values, [1, null, 2]);
  } finally {
    await b.close();
  }
});
