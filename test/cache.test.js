// cache.test.js: running the same code again reuses its compiled chunk, and behaves
// exactly as a fresh load would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

test('a repeated chunk runs like a fresh one', async () => {
  const cu = await Cu.create();
  const code = 'n = (n or 0) + 1 local t = {} return n, t';
  const [n1, t1] = (await cu.run(code)).values;
  const [n2, t2] = (await cu.run(code)).values;
  assert.deepEqual([n1, n2], [1, 2]);
  assert.notEqual(t1, t2);
});

test('assigning _ENV in a chunk does not leak into its next run', async () => {
  const cu = await Cu.create();
  const code = 'local seen = x _ENV = {x = "replaced"} return seen';
  await cu.compute('x = "global"');
  assert.equal(await cu.compute(code), 'global');
  assert.equal(await cu.compute(code), 'global');
});

test('the same code under another name reports that name', async () => {
  const cu = await Cu.create();
  const code = 'error("where")';
  await assert.rejects(cu.compute(code, { name: 'a.lua' }), { message: 'a.lua:1: where' });
  await assert.rejects(cu.compute(code, { name: 'b.lua' }), { message: 'b.lua:1: where' });
  await assert.rejects(cu.compute(code, { name: 'a.lua' }), { message: 'a.lua:1: where' });
});

test('the cache does not grow without bound: the collector empties it', async () => {
  const cu = await Cu.create();
  const base = cu.gc().used;
  for (let i = 0; i < 2000; i++) await cu.compute(`return ${i} + 1`);
  const first = cu.gc().used;
  for (let i = 2000; i < 10000; i++) await cu.compute(`return ${i} + 1`);
  const second = cu.gc().used;
  assert.ok(first - base < 16384, `after 2,000 distinct chunks: ${base} -> ${first}`);
  assert.ok(second - first < 2048, `after 8,000 more: ${first} -> ${second}`);
});

test('syntax errors are not cached', async () => {
  const cu = await Cu.create();
  for (let i = 0; i < 3; i++) await assert.rejects(cu.compute('return +'), { kind: 'syntax' });
});

test('running the same code again after other code, large code and other names', async () => {
  const cu = await Cu.create();
  const small = 'n = (n or 0) + 1 return n';
  assert.equal(await cu.compute(small), 1);
  assert.equal(await cu.compute(small), 2);
  const big = '-- ' + 'x'.repeat(40000) + '\nreturn "big"';
  assert.equal(await cu.compute(big), 'big');  // its buffer is given back after loading
  assert.equal(await cu.compute(small), 3);
  assert.equal(await cu.compute(small, { name: 'other' }), 4);
  assert.equal(await cu.compute(new TextEncoder().encode(small)), 5);
  assert.equal(await cu.compute(small), 6);
  await assert.rejects(cu.compute('-- ' + 'y'.repeat(3 * 1024 * 1024)), { kind: 'memory' });
  assert.equal(await cu.compute(small), 7);
});
