// browser-home.test.js: in Chromium, a unit's _home (on the default IndexedDB store)
// survives a real page reload: nested tables, number types, and a closure whose upvalue
// counts on across the reload; once with js/index.js, once with the browser bundle (dist/cu.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPage } from './browser/serve.js';

for (const [entry, query] of [['js/index.js', ''], ['the browser bundle, dist/cu.js', '?bundle']]) {
  test(`_home survives a page reload in Chromium (IndexedDB by default), Cu from ${entry}`, { timeout: 120000 }, async () => {
    await withPage(async (page, { url }) => {
      await page.goto(`${url}/test/browser/home-page.html${query}`);
      const first = await page.evaluate(() => window.result);
      assert.equal(first.error, undefined, first.error);
      assert.equal(first.visits, 1);
      assert.equal(first.greeting, 'hello world (1)');
      await page.reload();
      const second = await page.evaluate(() => window.result);
      assert.equal(second.error, undefined, second.error);
      assert.equal(second.visits, 2, 'the first visit\'s commit was found after the reload');
      assert.deepEqual(second.seen, { name: 'Ada', langs: ['lua', 'c'], nested: { deep: { value: 2.5 } } });
      assert.equal(second.types, 'float');
      assert.equal(second.greeting, 'hello world (2)', 'the upvalue was captured and restored');
    }, { userDataDir: mkdtempSync(join(tmpdir(), 'cu-chromium-')) });
  });
}
