// browser-worker-store.test.js: in Chromium, the IndexedDB store works from inside a
// CuWorker: a worker commits and is closed, a new worker restores the value and a stored
// closure, and after a page reload a third one finds both again; and an interrupt that
// arrives while a lazy compute waits on IndexedDB stops it and undoes its writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPage, ISOLATION } from './browser/serve.js';

test('CuWorker on IndexedDB: commit, close, restore in a new worker and after a reload', { timeout: 120000 }, async () => {
  await withPage(async (page, { url, errors }) => {
    await page.goto(`${url}/test/browser/worker-store-page.html`);
    const first = await page.evaluate(() => window.result);
    assert.equal(first.failed, undefined, first.failed);
    assert.deepEqual(first.before, [null, null], 'a fresh store');
    assert.deepEqual(first.after, [1, 1], 'the second worker restored the value and the closure');
    assert.ok(first.units.includes('w'), 'the unit is in IndexedDB');
    await page.reload();
    const second = await page.evaluate(() => window.result);
    assert.equal(second.failed, undefined, second.failed);
    assert.deepEqual(second.before, [1, 2], 'after the reload: the value, and the upvalue counted on');
    assert.deepEqual(second.after, [2, 3]);
    assert.deepEqual(errors, []);
  }, { headers: ISOLATION, userDataDir: mkdtempSync(join(tmpdir(), 'cu-chromium-')) });
});

// A lazy unit waits on IndexedDB with its compute suspended (JSPI); an interrupt that
// arrives then must still stop that compute once the read returns, and undo its writes.
test('interrupt() during a lazy compute that waits on IndexedDB: interrupted, writes undone, the unit goes on', { timeout: 120000 }, async () => {
  await withPage(async (page, { url, errors }) => {
    await page.goto(`${url}/test/browser/blank.html`);
    const r = await page.evaluate(async () => {
      const { CuWorker } = await import('/js/index.js');
      const options = { store: 'indexeddb:interrupt-lazy', name: 'u', limits: { instructions: Infinity, timeMs: Infinity } };
      const fill = await CuWorker.create(options);
      await fill.compute('for i = 1, 3000 do _home["k" .. i] = i end');
      await fill.close();
      const printed = [];
      const w = await CuWorker.create({ ...options, onOutput: (text) => printed.push(text) });
      // every key is a miss: nearly all of this compute's time is spent suspended on a read
      const job = w.compute('_home.touched = true local s = 0 for i = 1, 3000 do s = s + _home["k" .. i] if i % 10 == 0 then print(i) end end return s');
      while (printed.length === 0) await new Promise((res) => setTimeout(res, 5));
      const t0 = performance.now();
      const asked = w.interrupt();
      const error = await job.then(() => null, (e) => ({ kind: e.kind, message: e.message }));
      const ms = performance.now() - t0;
      const lastPrinted = Number(printed.join('').trim().split('\n').pop());
      const touched = await w.compute('return _home.touched');
      const sum = await w.compute('local s = 0 for i = 1, 3000 do s = s + _home["k" .. i] end return s');
      await w.close();
      return { asked, error, ms, lastPrinted, touched, sum, shared: w.sharedInterrupt };
    });
    assert.equal(r.shared, true);
    assert.equal(r.asked, true);
    assert.deepEqual(r.error, { kind: 'limit', message: 'interrupted by the host' });
    assert.ok(r.lastPrinted < 3000, `stopped inside the reading loop (last printed ${r.lastPrinted})`);
    assert.ok(r.ms < 1000, `stopped ${r.ms} ms after interrupt()`);
    assert.equal(r.touched, null, 'the interrupted compute wrote nothing');
    assert.equal(r.sum, 3000 * 3001 / 2, 'the unit goes on, reading the store');
    assert.deepEqual(errors, []);
  }, { headers: ISOLATION });
});
