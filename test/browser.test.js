// browser.test.js: the same host runs in real Chromium (Debian's, driven by
// playwright-core), on the main thread and in a Web Worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage } from './browser/serve.js';

test('Cu runs in Chromium on the main thread and in a Worker', { timeout: 120000 }, async () => {
  await withPage(async (page, { url, errors }) => {
    await page.goto(`${url}/test/browser/page.html`);
    const [main, worker] = await page.evaluate(() => window.results);
    assert.deepEqual(errors, []);
    for (const [where, r] of [['main thread', main], ['worker', worker]]) {
      assert.equal(r.error, undefined, `${where}: ${r.error}`);
      assert.equal(r.sum, 2, where);
      assert.deepEqual(r.values, ['9223372036854776000', '9223372036854775807', '1,[object Object]', '255'], where);
      assert.equal(r.output, 'hello\t42\n', where);
      assert.match(r.runtime, /^runtime: input:1: boom$/, where);
      assert.match(r.syntax, /^syntax: /, where);
      assert.equal(r.memory, 'memory: not enough memory', where);
      assert.match(r.stack, /^runtime: .*stack overflow/, where);
      assert.match(r.cstack, /^runtime: .*C stack overflow/, where);
      assert.equal(r.limit, 'limit', where);
      assert.equal(r.after, 'alive', where);
      assert.equal(r.bigint, String(2n ** 100n), where);
      assert.equal(r.wasmBytes, 2 * 1024 * 1024, where);
    }
  });
});
