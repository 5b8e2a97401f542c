// browser-worker.test.js: CuWorker in real Chromium. With cross-origin isolation the page
// stops a runaway compute through shared memory within milliseconds and the unit keeps its
// globals; without it, interrupt() restarts the worker (globals are gone, the store stays).
// The browser bundle (dist/cu.js, whose worker is dist/worker-host.js) is checked the same way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { withPage } from './browser/serve.js';

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function runPage(headers, query = '') {
  return withPage(async (page, { url }) => {
    await page.goto(`${url}/test/browser/worker-page.html${query}`);
    return page.evaluate(() => window.result);
  }, { headers });
}

test('CuWorker in Chromium: interrupt through shared memory, and the fallback without it', { timeout: 120000 }, async () => {
  const isolated = await runPage(ISOLATION);
  assert.equal(isolated.failed, undefined, isolated.failed);
  assert.equal(isolated.isolated, true);
  assert.equal(isolated.shared, true);
  assert.equal(isolated.before, 21);
  assert.equal(isolated.error.kind, 'limit');
  assert.match(isolated.error.message, /interrupted/);
  assert.ok(isolated.ms < 1000, `stopped after ${isolated.ms} ms`);
  assert.equal(isolated.after, 22, 'the same unit, globals intact');

  const plain = await runPage({});
  assert.equal(plain.failed, undefined, plain.failed);
  assert.equal(plain.shared, false);
  assert.equal(plain.error.kind, 'limit');
  assert.ok(plain.ms < 1000, `stopped after ${plain.ms} ms`);
  assert.equal(plain.after, 2, 'a restarted worker: a new unit');
});

test('CuWorker from the browser bundle: dist/cu.js starts dist/worker-host.js, and interrupt works', { timeout: 120000 }, async () => {
  const r = await runPage(ISOLATION, '?bundle');
  assert.equal(r.failed, undefined, r.failed);
  assert.equal(r.shared, true);
  assert.equal(r.before, 21);
  assert.equal(r.error.kind, 'limit');
  assert.match(r.error.message, /interrupted/);
  assert.equal(r.after, 22, 'the same unit, globals intact');
});

test('a browser worker whose script is missing fails with a message naming it', { timeout: 120000 }, async () => {
  // dist/cu.js alone in a directory of its own: no worker-host.js beside it
  const dir = new URL('../build/test-lone-bundle/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  copyFileSync(new URL('../dist/cu.js', import.meta.url), new URL('cu.js', dir));
  try {
    const message = await withPage(async (page, { url }) => {
      await page.goto(`${url}/test/browser/page.html`);
      return page.evaluate(async () => {
        const { CuWorker } = await import('/build/test-lone-bundle/cu.js');
        return CuWorker.create({ store: 'memory' }).then(() => 'created', (e) => `${e.kind}: ${e.message}`);
      });
    });
    assert.match(message, /^host: the worker failed: cannot load http:\/\/127\.0\.0\.1:\d+\/build\/test-lone-bundle\/worker-host\.js$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
