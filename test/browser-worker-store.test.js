// browser-worker-store.test.js: in Chromium, the IndexedDB store works from inside a
// CuWorker: a worker commits and is closed, a new worker restores the value and a stored
// closure, and after a page reload a third one finds both again.
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
