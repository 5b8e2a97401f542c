// browser-worker.test.js: CuWorker in real Chromium. With cross-origin isolation the page
// stops a runaway compute through shared memory within milliseconds and the unit keeps its
// globals; without it, interrupt() restarts the worker (globals are gone, the store stays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage } from './browser/serve.js';

const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

function runPage(headers) {
  return withPage(async (page, { url }) => {
    await page.goto(`${url}/test/browser/worker-page.html`);
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
