// browser-lazy.test.js: lazy restore on IndexedDB in real Chromium (JSPI): a unit opens
// after reading one record, values and stored functions load on first use and are
// correct, misses inside pcall, coroutines and C calls resume, a compute that misses and
// then fails keeps none of its writes, another tab's commit is a conflict (on a read that
// misses and on a commit), a damaged record is a store error naming its key, and the eager
// fallback still reads everything; the lazy unit's own misses, prefix bounds and guard; and
// a lazy unit's collection of a dropped cycle.
// The checks run in the page (test/browser/lazy-checks.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage } from './browser/serve.js';

test('IndexedDB restores lazily in Chromium (main thread and Worker)', { timeout: 180000 }, async () => {
  await withPage(async (page, { url, errors }) => {
    await page.goto(`${url}/test/browser/lazy-page.html`);
    const { unit: u, main: r, collect: c, worker: w } = await page.evaluate(() => window.results);
    assert.equal(u.error, undefined, u.error);
    assert.deepEqual(u, {
      lazy: true,
      getMiss: { keys: 1, prefixes: 0 },
      rangeMiss: { keys: 0, prefixes: 1 },
      got: [[20], null],
      range: [[[1, 255], [11]], [[1, 255, 255], [12]]],  // not [1] before it, nor [2] after it
      covered: 1,
      stillMiss: { keys: 1, prefixes: 0 },
      guard: true,
      afterGuard: { keys: 1, prefixes: 0 },
      afterCommit: [null, [40]],
    });

    assert.equal(r.error, undefined, r.error);
    assert.equal(r.jspi, true, 'this Chromium has JSPI');
    assert.deepEqual(r.fill, { value: 1 });

    // opening reads the meta record only; one key reads that key and the version record
    assert.equal(r.atOpen, 1, 'records read by Cu.create');
    assert.deepEqual(r.one, { value: 2999 });
    assert.ok(r.oneRead <= 3, `one key read ${r.oneRead} records`);

    assert.deepEqual(r.fn, { value: 8 }, 'a stored closure, restored with its upvalue');
    assert.deepEqual(r.next, { value: 2 }, 'a counter closure counts on');
    assert.deepEqual(r.pair, { value: 2 }, 'two functions still share their upvalue');
    assert.deepEqual(r.deep, { value: { a: { b: { c: [1, 2.5, 'three'] } } } });
    assert.deepEqual(r.fnsLen, { value: 50 });
    assert.deepEqual(r.nested, { value: 50 }, 'misses in pcall, a coroutine, gsub and before an error');

    assert.equal(r.failed.error?.kind, 'runtime');
    assert.match(r.failed.error.message, /boom 20/);
    assert.deepEqual(r.afterFailed, { value: [1, true] }, 'the failed compute\'s writes are undone');
    assert.equal(r.limited.error?.kind, 'limit');
    assert.deepEqual(r.afterLimit, { value: 21 });

    assert.equal(r.gcWhileWaiting.error?.kind, 'host');
    assert.match(r.gcWhileWaiting.error.message, /waits for its store/);
    assert.deepEqual(r.waited, { value: 22 });

    assert.deepEqual(r.write, { value: 3 });
    assert.deepEqual(r.seenByNew, { value: ['two', 1, 4] }, 'a new unit sees the commit, not the failed compute');

    assert.equal(r.otherCommit.error, undefined);
    assert.equal(r.staleRead.error?.kind, 'conflict', 'a read that misses after another unit committed');
    assert.deepEqual(r.afterConflict, { value: 'from b' });
    assert.equal(r.staleCommit.error?.kind, 'conflict', 'a commit from a stale cache');
    assert.deepEqual(r.afterStaleCommit, { value: 'b again' });
    assert.equal(r.heldConflict.error?.kind, 'conflict');
    assert.deepEqual(r.heldAfterConflict, { value: [3, true] }, 'a table Lua held reads the version the conflict re-read');
    assert.deepEqual(r.count, { value: 3006 }, 'pairs reads the whole table');

    assert.deepEqual(r.saved, { value: ['s1'] });
    assert.deepEqual(r.loaded, { value: 6 }, 'loadState brought back the saved value');

    assert.equal(r.corrupt.error?.kind, 'store');
    assert.match(r.corrupt.error.message, /key "bad" \(external table 1\) is corrupt/);
    assert.deepEqual(r.afterCorrupt, { value: 8 });

    assert.ok(r.eagerAtOpen > 3000, `the eager fallback read ${r.eagerAtOpen} records`);
    assert.deepEqual(r.eagerValue, { value: 13 });

    // a lazy unit's collection (docs/persistence.md, "Cycles")
    assert.equal(c.error, undefined, c.error);
    assert.equal(c.before, 2, 'cfg and the ring have headers');
    assert.deepEqual(c.held, { value: 7 });
    assert.deepEqual(c.drop, { value: undefined });
    assert.ok(c.collectRead > 200, `the collection read the whole unit (${c.collectRead} records)`);
    assert.equal(c.after, 1, 'the ring is deleted, cfg stays');
    assert.deepEqual(c.stillHeld, { value: 207 }, 'a table Lua held across the collection');
    assert.deepEqual(c.next, { value: 100 });
    assert.ok(c.readAgain >= 1, 'what the collection read was forgotten and is read again');

    assert.equal(w.error, undefined, w.error);
    assert.equal(w.jspi, true);
    assert.equal(w.atOpen, 1);
    assert.deepEqual(w.value, { value: 511 });
    assert.ok(w.read <= 12, `the worker read ${w.read} records`);
    assert.deepEqual(errors, []);
  });
});
