// store-checks.js: what test/store-browser.test.js runs in Chromium, on the main thread
// (store-page.html) and in a module Worker (store-worker.js): the store conformance
// suite against the IndexedDB store, and the two halves of the page-reload check.
import { openStore } from '../../js/store.js';
import { storeCases, b, s } from '../fixtures/store-conformance.js';

/** Runs every conformance case; returns [{ name, error? }]. */
export async function conformance(where) {
  const env = { tag: `${where}-${Date.now()}`, persistent: true, holds: false, open: () => openStore('indexeddb:cu-conformance') };
  const results = [];
  for (const c of storeCases(env)) {
    try {
      await c.fn();
      results.push({ name: c.name });
    } catch (e) {
      results.push({ name: c.name, error: String(e && e.stack ? e.stack : e) });
    }
  }
  return results;
}

/** Spec errors and the layout check, which only a browser can show. */
export async function extras() {
  const out = {};
  try { await openStore('lmdb:/tmp/x'); out.lmdb = 'opened'; } catch (e) { out.lmdb = e.message; }
  // A database created by a later layout (a higher IndexedDB version) must be refused.
  await new Promise((resolve, reject) => {
    const req = indexedDB.open('cu-newer', 99);
    req.onupgradeneeded = () => req.result.createObjectStore('records');
    req.onsuccess = () => { req.result.close(); resolve(); };
    req.onerror = () => reject(req.error);
  });
  try { await openStore('indexeddb:cu-newer'); out.newer = 'opened'; } catch (e) { out.newer = e.message; }
  const store = await openStore('indexeddb');
  out.defaultName = (await store.units()) !== undefined ? 'ok' : 'no units';
  await store.close();
  out.dbs = (await indexedDB.databases()).map((d) => d.name).sort();
  return out;
}

/**
 * The reload check: the first load commits (and, in the same unit, deletes and
 * overwrites); the load after the reload reads what is there.
 */
export async function reloadPhase() {
  const store = await openStore('indexeddb:cu-reload');
  try {
    const u = await store.openUnit('reload');
    if (u.get(s('written')) === undefined) {
      await u.commit([[s('a'), s('first')], [s('b'), b(1, 2, 3)], [s('gone'), s('x')], [s('big'), new Uint8Array(50000).fill(7)]]);
      await u.commit([[s('a'), s('second')], [s('gone'), undefined], [s('written'), b(1)]], { key: s('written'), expect: undefined });
      return { phase: 'written' };
    }
    return {
      phase: 'read',
      units: await store.units(),
      records: [...u.range(b())].map(([k, v]) => [new TextDecoder().decode(k), v.length > 16 ? `${v.length} bytes, sum ${v.reduce((x, y) => x + y, 0)}` : Array.from(v)]),
    };
  } finally {
    await store.close();
  }
}
