// store-browser.test.js: the IndexedDB store (js/stores/indexeddb.js) in real Chromium
// (Debian's, driven by playwright-core): the store conformance suite on the main thread
// and in a Worker, and data committed before a real page reload read back after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage } from './browser/serve.js';

test('IndexedDB store in Chromium: conformance (main thread and Worker) and a page reload', { timeout: 120000 }, async (t) => {
  await withPage(async (page, { url, errors }) => {

    await page.goto(`${url}/test/browser/store-page.html?phase=conformance`);
    const { main, worker, extras } = await page.evaluate(() => window.results);
    for (const [where, results] of [['main thread', main], ['worker', worker]]) {
      assert.ok(results.length >= 10, `${where}: the suite ran (${results.length} cases)`);
      for (const r of results) assert.equal(r.error, undefined, `${where}: ${r.name}: ${r.error}`);
      t.diagnostic(`${where}: ${results.length} conformance cases passed`);
    }
    assert.equal(extras.error, undefined, extras.error);
    assert.match(extras.lmdb, /LMDB stores work only in Node/);
    assert.match(extras.newer, /newer layout than this version of Cu/);
    assert.equal(extras.defaultName, 'ok');
    assert.ok(extras.dbs.includes('cu'), `'indexeddb' uses the database "cu": ${extras.dbs}`);

    await page.goto(`${url}/test/browser/store-page.html?phase=reload`);
    assert.deepEqual(await page.evaluate(() => window.results), { phase: 'written' });
    await page.reload();
    const after = await page.evaluate(() => window.results);
    assert.equal(after.error, undefined, after.error);
    assert.equal(after.phase, 'read', 'the reloaded page finds what the first load committed');
    assert.deepEqual(after.units, ['reload']);
    assert.deepEqual(after.records, [
      ['a', [...Buffer.from('second')]],
      ['b', [1, 2, 3]],
      ['big', '50000 bytes, sum 350000'],
      ['written', [1]],
    ]);
    assert.deepEqual(errors, []);
  });
});
