// tabs-checks.js: what test/browser-tabs.test.js runs in Chromium pages: units of one
// IndexedDB unit in two tabs, or on one connection, and the notices that tell a unit of
// the others' commits (js/stores/indexeddb.js, changed()). Each check returns plain data.
import { Cu } from '../../js/index.js';
import { openStore } from '../../js/store.js';
import { idbChannelName } from '../../js/stores/indexeddb.js';

const fail = (e) => ({ kind: e?.kind, message: String(e?.message ?? e) });

/** Runs fn and gives its value, or its error as { kind, message }. */
export async function outcome(fn) {
  try { return { value: await fn() }; } catch (e) { return { error: fail(e) }; }
}

/** A unit on its own connection to database db: lazy where JSPI is, or eager (an adapter
    that drops the lazy option, as in engines without JSPI). */
export async function openUnit(db, name, { eager = false } = {}) {
  const store = await openStore(`indexeddb:${db}`);
  const adapter = eager ? { openUnit: (n) => store.openUnit(n), units: () => store.units(), close: () => store.close() } : store;
  return Cu.create({ store: adapter, name });
}

/** Resolves once `times` commits to unit name are announced to database db's
    connections (from here on). A channel made after a store's hears after it: messages
    reach the channels of a page in the order they were made, so by then the store has
    heard too. */
export function heard(db, name, times = 1) {
  const channel = new BroadcastChannel(idbChannelName(db));
  return new Promise((resolve) => {
    channel.onmessage = (e) => {
      if (e.data?.unit !== name || --times > 0) return;
      channel.close();
      resolve(true);
    };
  });
}

/** Two lazy units on one connection: each has its own reads, so one's commit must reach
    the other without a message. */
export async function oneConnection(db) {
  const store = await openStore(`indexeddb:${db}`);
  const a = await Cu.create({ store, name: 'u' });
  const b = await Cu.create({ store, name: 'u' });
  const r = {};
  r.setup = await outcome(() => a.compute('_home.n = 1 _home.t = { v = 1 } return _home.n'));
  r.bReads = await outcome(() => b.compute('heldT = _home.t return { _home.n, heldT.v }'));
  r.aWrites = await outcome(() => a.compute('_home.n = 5 _home.t.v = 6'));
  const before = store.recordsRead;
  r.bSees = await outcome(() => b.compute('return { _home.n, heldT.v, rawequal(heldT, _home.t) }'));
  r.bRead = store.recordsRead - before;
  r.bWrites = await outcome(() => b.compute('_home.n = _home.n + 1 return _home.n'));
  r.aSees = await outcome(() => a.compute('return _home.n'));
  const quiet = store.recordsRead;
  r.again = await outcome(() => a.compute('return _home.n'));
  r.quietRead = store.recordsRead - quiet;
  await a.close();
  await b.close();
  await store.close();
  return r;
}

/** The adapter alone: changed() after another connection's or unit's commit, never after
    the unit's own, and refresh() clearing it. */
export async function adapterChecks(db) {
  const one = await openStore(`indexeddb:${db}`);
  const two = await openStore(`indexeddb:${db}`);
  const k = (...bytes) => Uint8Array.from(bytes);
  const r = {};
  const writer = await one.openUnit('u');
  const eager = await two.openUnit('u');
  const lazy = await two.openUnit('u', { lazy: true });
  const sibling = await one.openUnit('u', { lazy: true });
  const other = await two.openUnit('v');
  r.atOpen = [writer.changed(), eager.changed(), lazy.changed(), sibling.changed()];
  const first = heard(db, 'u');
  await writer.commit([[k(1), k(10)]], { key: k(0), expect: undefined });
  r.writerAfter = writer.changed();
  r.siblingAfter = sibling.changed();  // the same connection: at once
  await first;
  r.heard = [eager.changed(), lazy.changed(), other.changed()];
  await eager.refresh();
  await lazy.refresh();
  r.afterRefresh = [eager.changed(), lazy.changed()];
  r.value = [...eager.get(k(1))];
  const second = heard(db, 'u');
  await eager.commit([[k(2), k(20)]]);
  r.ownCommit = eager.changed();
  await second;
  r.siblingHeard = sibling.changed();
  await sibling.refresh();
  r.siblingRefreshed = sibling.changed();
  await one.close();
  await two.close();
  return r;
}

/** Tab A's end of browser-tabs.test.js: the writer. */
export async function tabA(db, step) {
  window.unitA ??= await openUnit(db, 'u');
  return outcome(() => window.unitA.compute(step));
}

/** Tab B's end: a lazy unit and an eager one, each on its own connection. */
export async function tabB(db) {
  window.lazyB = await openUnit(db, 'u');
  window.eagerB = await openUnit(db, 'u', { eager: true });
  const read = 'heldLog = _home.log return { _home.n, heldLog[1] == nil }';
  return [await outcome(() => window.lazyB.compute(read)), await outcome(() => window.eagerB.compute(read))];
}

/** A CuWorker's unit (its own connection, in a worker) hears of the tab's commits too.
    Messages to another agent come in no order a page can wait on, so this polls: a unit
    that never hears reads its old value every time (nothing it reads is missing). */
export async function workerHears(db) {
  const { CuWorker } = await import('../../js/index.js');
  const w = await CuWorker.create({ store: `indexeddb:${db}`, name: 'u' });
  const r = { before: await outcome(() => w.compute('return _home.n')) };
  r.write = await outcome(() => window.unitA.compute('_home.n = _home.n + 1 return _home.n'));
  r.tries = 0;
  do {
    r.tries++;
    r.after = await outcome(() => w.compute('return _home.n'));
    if (r.after.value === r.write.value) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  } while (r.tries < 300);
  await w.close();
  return r;
}

/** Tab B's units with onStoreChange: one of unit u and one of unit v on one connection,
    and a CuWorker's of unit u. window.changes counts the calls; changeOf(k) resolves at
    the next call of k's listener. */
export async function watchB(db) {
  const { CuWorker } = await import('../../js/index.js');
  window.changes = { unit: 0, other: 0, worker: 0 };
  window.waiting = {};
  const count = (k) => () => {
    window.changes[k]++;
    window.waiting[k]?.(window.changes[k]);
  };
  const store = await openStore(`indexeddb:${db}`);
  window.watchU = await Cu.create({ store, name: 'u', onStoreChange: count('unit') });
  window.watchV = await Cu.create({ store, name: 'v', onStoreChange: count('other') });
  window.watchW = await CuWorker.create({ store: `indexeddb:${db}`, name: 'u', onStoreChange: count('worker') });
}

export function changeOf(k) {
  return new Promise((resolve) => { window.waiting[k] = resolve; });
}
