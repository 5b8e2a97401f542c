// browser-tabs.test.js: units of one IndexedDB unit in two tabs of real Chromium, and on
// one connection in a tab. A unit hears of the others' commits (a BroadcastChannel
// between connections) and takes up the newer version before its next compute: it reads
// what the other tab wrote, a table Lua holds follows, and its own writes commit without
// a conflict; a CuWorker's unit hears too; snapshots another tab saved are listed. A
// unit that heard nothing reads nothing more. onStoreChange is called in the other tab and
// its worker, not for a unit's own commits. The page side is test/browser/tabs-checks.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withPage } from './browser/serve.js';

/** Two tabs of one browser context, on a new database. fn gets them; inPage(p, body, arg),
    which runs `body` (a function's source, given the checks module m, the db and arg) in
    page p; and inA(step), which tab A's unit runs. An uncaught error in either page fails. */
function twoTabs(prefix, fn) {
  return withPage(async (pageA, { url, errors }) => {
    const pageB = await pageA.context().newPage();
    pageB.on('pageerror', (e) => errors.push(e.message));
    for (const p of [pageA, pageB]) await p.goto(`${url}/test/browser/blank.html`);
    const db = `${prefix}-${Date.now()}`;
    const mod = `${url}/test/browser/tabs-checks.js`;
    const inPage = (p, body, arg) => p.evaluate(async ([mod, db, body, arg]) => {
      const m = await import(mod);
      return new Function('m', 'db', 'arg', `return (${body})(m, db, arg)`)(m, db, arg);
    }, [mod, db, body, arg]);
    const inA = (step) => inPage(pageA, '(m, db, step) => m.tabA(db, step)', step);
    await fn({ pageA, pageB, inPage, inA });
    assert.deepEqual(errors, []);
  });
}

test('IndexedDB units in two tabs take up each other\'s commits before their next compute', { timeout: 120000 }, async () => {
  await twoTabs('tabs', async ({ pageA, pageB, inPage, inA }) => {
    const listen = (p, times = 1) => inPage(p, '(m, db, times) => { window.heard = m.heard(db, "u", times); }', times);
    const waitHeard = (p) => inPage(p, '() => window.heard');
    const inB = (which, code) => inPage(pageB, `(m, db, code) => m.outcome(() => window.${which}.compute(code))`, code);

    assert.equal(await pageA.evaluate(() => typeof WebAssembly.Suspending), 'function', 'this Chromium has JSPI: tab A\'s unit is lazy');
    assert.deepEqual(await inA('_home.n = 1 _home.log = {} return _home.n'), { value: 1 });
    assert.deepEqual(await inPage(pageB, '(m, db) => m.tabB(db)'), [{ value: [1, true] }, { value: [1, true] }],
      'tab B: a lazy unit and an eager one read n and hold _home.log');

    // tab A commits; once tab B has heard, both its units read the new version
    await listen(pageB);
    assert.equal((await inA('_home.n = _home.n + 1 _home.log[1] = "a"')).error, undefined);
    assert.equal(await waitHeard(pageB), true);
    const read = 'return { _home.n, heldLog[1], rawequal(heldLog, _home.log) }';
    assert.deepEqual(await inB('lazyB', read), { value: [2, 'a', true] }, 'the lazy unit reads tab A\'s commit');
    assert.deepEqual(await inB('eagerB', read), { value: [2, 'a', true] }, 'the eager unit reads tab A\'s commit');

    // writes after the news commit at once: no conflict to retry
    await listen(pageB);
    assert.equal((await inA('_home.n = _home.n + 1')).error, undefined);
    await waitHeard(pageB);
    await listen(pageB);     // the lazy unit's commit, which the eager one's connection hears
    await listen(pageA, 2);  // both of tab B's commits
    assert.deepEqual(await inB('lazyB', '_home.n = _home.n + 10 return _home.n'), { value: 13 });
    await waitHeard(pageB);
    assert.deepEqual(await inB('eagerB', '_home.n = _home.n + 100 return _home.n'), { value: 113 });
    await waitHeard(pageA);
    assert.deepEqual(await inA('return _home.n'), { value: 113 }, 'tab A reads tab B\'s commits');

    const w = await inPage(pageA, '(m, db) => m.workerHears(db)');
    assert.deepEqual([w.before, w.write], [{ value: 113 }, { value: 114 }]);
    assert.deepEqual(w.after, { value: 114 }, `a CuWorker's unit reads the tab's commit (after ${w.tries} computes)`);

    // a snapshot saved in tab A is listed in tab B (snapshot records are not versioned
    // data, so only the news tells the eager unit to read them again)
    await listen(pageB);
    await inPage(pageA, '() => window.unitA.saveState("fromA")');
    await waitHeard(pageB);
    assert.deepEqual(await inPage(pageB, '() => window.eagerB.listStates()'), ['fromA']);
    assert.deepEqual(await inPage(pageB, '() => window.lazyB.listStates()'), ['fromA']);

    // on one connection (two lazy units of one store object): the other's commit is news
    // at once; a unit that heard nothing reads nothing more
    const one = await inPage(pageA, '(m) => m.oneConnection(`one-${Date.now()}`)');
    assert.deepEqual(one.setup, { value: 1 });
    assert.deepEqual(one.bReads, { value: [1, 1] });
    assert.equal(one.aWrites.error, undefined);
    assert.deepEqual(one.bSees, { value: [5, 6, true] }, 'b reads a\'s commit, and the table it holds follows');
    assert.deepEqual(one.bWrites, { value: 6 });
    assert.deepEqual(one.aSees, { value: 6 });
    assert.deepEqual(one.again, { value: 6 });
    assert.equal(one.quietRead, 0, 'a compute with no news reads no record');

    // the adapter: changed() (js/stores/indexeddb.js)
    const a = await inPage(pageA, '(m) => m.adapterChecks(`adapter-${Date.now()}`)');
    assert.deepEqual(a, {
      atOpen: [false, false, false, false],
      writerAfter: false,          // a unit's own commit is no news to it
      siblingAfter: true,          // another unit of the connection: at once
      heard: [true, true, false],  // the other connection, once its message arrives; not unit v
      afterRefresh: [false, false],
      value: [10],
      ownCommit: false,
      siblingHeard: true,
      siblingRefreshed: false,
    });
  });
});

test('onStoreChange: a unit and a CuWorker\'s unit in another tab are told of a commit; not of their own, nor of another unit\'s', { timeout: 120000 }, async () => {
  await twoTabs('watch', async ({ pageB, inPage, inA }) => {
    const expect = (...ks) => inPage(pageB, '(m, db, ks) => { window.told = Promise.all(ks.map((k) => m.changeOf(k))); }', ks);
    const told = () => inPage(pageB, '() => window.told');
    const inB = (code) => inPage(pageB, '(m, db, code) => m.outcome(() => window.watchU.compute(code))', code);

    assert.deepEqual(await inA('_home.n = 1 return _home.n'), { value: 1 });
    await inPage(pageB, '(m, db) => m.watchB(db)');
    await expect('unit', 'worker');
    assert.equal((await inA('_home.n = 50')).error, undefined);
    assert.deepEqual(await told(), [1, 1], 'tab B\'s unit and its worker\'s are told (the test times out if not)');
    assert.deepEqual(await inB('return _home.n'), { value: 50 });

    // tab B's own commit is no news to it: the next call is tab A's next commit
    assert.equal((await inB('_home.n = 51')).error, undefined);
    await expect('unit');
    assert.equal((await inA('_home.n = _home.n + 1')).error, undefined);
    assert.deepEqual(await told(), [2], 'one call per other commit: none for its own');
    assert.deepEqual(await inB('return _home.n'), { value: 52 });
    assert.equal(await inPage(pageB, '() => window.changes.other'), 0, 'unit v heard nothing of unit u');
    await inPage(pageB, '() => Promise.all([window.watchU.close(), window.watchV.close(), window.watchW.close()])');
  });
});
