// store-change.test.js: onStoreChange in Node. A unit hears of another writer's commits
// to its records: another unit on the same store object (memory), another LMDB store of
// the directory in this process, and a CuWorker's unit in a worker thread (a
// BroadcastChannel); never its own commits, nor other units' names; not after close().
// A listener that throws is reported as an uncaught error and the others still hear.
// The browser side (tabs, workers, the playground) is in browser-tabs.test.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu, CuWorker } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';

/** A unit whose onStoreChange calls are counted; next() resolves at the next call. */
async function counted(options) {
  const heard = { n: 0, waiters: [] };
  const cu = await Cu.create({
    ...options,
    onStoreChange: () => {
      heard.n++;
      for (const resolve of heard.waiters.splice(0)) resolve(heard.n);
    },
  });
  heard.next = () => new Promise((resolve) => heard.waiters.push(resolve));
  return { cu, heard };
}

test('units on one store object hear each other\'s commits and snapshots, not their own', async () => {
  const store = new MemoryStore();
  const a = await counted({ store, name: 'u' });
  const b = await counted({ store, name: 'u' });
  const other = await counted({ store, name: 'v' });
  await a.cu.compute('_home.n = 1');
  assert.deepEqual([a.heard.n, b.heard.n, other.heard.n], [0, 1, 0]);
  assert.equal(await b.cu.compute('return _home.n'), 1);
  await a.cu.compute('return _home.n');  // writes nothing: no commit, nothing to hear
  assert.equal(b.heard.n, 1);
  await b.cu.compute('_home.n = 2');
  assert.deepEqual([a.heard.n, b.heard.n], [1, 1]);
  await a.cu.saveState('s');
  assert.equal(b.heard.n, 2, 'a saved snapshot is a change too');
  await b.cu.close();
  await a.cu.compute('_home.n = 3');
  assert.equal(b.heard.n, 2, 'a closed unit hears nothing');
  await a.cu.close();
  await other.cu.close();
});

test('LMDB: another store of the directory in this process, and a worker thread\'s unit, are heard', { timeout: 60000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-change-'));
  try {
    const a = await counted({ store: `lmdb:${dir}`, name: 'u' });
    const b = await counted({ store: `lmdb:${dir}`, name: 'u' });
    const v = await counted({ store: `lmdb:${dir}`, name: 'v' });
    await a.cu.compute('_home.n = 1');
    assert.deepEqual([a.heard.n, b.heard.n, v.heard.n], [0, 1, 0], 'b hears at once: same process, another store object');

    let workerHeard = 0;
    let wake = null;
    const w = await CuWorker.create({
      store: `lmdb:${dir}`, name: 'u',
      onStoreChange: () => { workerHeard++; wake?.(); },
    });
    assert.equal(await w.compute('return _home.n'), 1);
    const workerNews = new Promise((resolve) => { wake = resolve; });
    await a.cu.compute('_home.n = 2');
    await workerNews;  // the test times out if the worker's unit never hears
    assert.equal(workerHeard, 1);
    assert.equal(await w.compute('return _home.n'), 2);

    const aNews = a.heard.next();
    await w.compute('_home.n = 3');
    assert.equal(await aNews, 1, 'a hears the worker\'s commit');
    assert.equal(await a.cu.compute('return _home.n'), 3);
    assert.equal(workerHeard, 1, 'the worker\'s own commit is no news to it');
    await w.close();
    for (const u of [a, b, v]) await u.cu.close();
    assert.equal(v.heard.n, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('onStoreChange must be a function; a listener that throws is an uncaught error, and the others still hear', async () => {
  await assert.rejects(Cu.create({ store: new MemoryStore(), onStoreChange: 1 }), { name: 'TypeError', message: /onStoreChange must be a function/ });
  await assert.rejects(CuWorker.create({ onStoreChange: 'x' }), { name: 'TypeError', message: /onStoreChange must be a function/ });
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    const { Cu } = await import(${JSON.stringify(new URL('../js/index.js', import.meta.url).href)});
    const { MemoryStore } = await import(${JSON.stringify(new URL('../js/stores/memory.js', import.meta.url).href)});
    const caught = [];
    process.on('uncaughtException', (e) => caught.push(e.message));
    const store = new MemoryStore();
    let heard = 0;
    const a = await Cu.create({ store, name: 'u' });
    await Cu.create({ store, name: 'u', onStoreChange: () => { throw new Error('listener broke'); } });
    await Cu.create({ store, name: 'u', onStoreChange: () => { heard++; } });
    await a.compute('_home.n = 1');
    await new Promise((r) => setTimeout(r, 10));
    console.log(JSON.stringify({ caught, heard, n: await a.compute('return _home.n') }));
    process.exit(0);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), { caught: ['listener broke'], heard: 1, n: 1 });
});
