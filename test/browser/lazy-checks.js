// lazy-checks.js: what test/browser-lazy.test.js runs in Chromium: a unit on IndexedDB
// restored lazily (JSPI), counted in records read from the database (IdbStore.recordsRead),
// on the main thread and (workerChecks) in a module Worker. Each check returns plain data
// for the test to assert on.
import { Cu } from '../../js/index.js';
import { openStore } from '../../js/store.js';
import { entryKey } from '../../js/persist.js';

const KEYS = 3000;
const FILL = `
  for i = 1, ${KEYS} do _home["k" .. i] = i end
  _home.fns = {}
  for i = 1, 50 do local base = i _home.fns[i] = function(x) return x + base end end
  local n = 0
  function _home.next() n = n + 1 return n end
  local count = 0
  _home.pair = { inc = function() count = count + 1 end, get = function() return count end }
  _home.deep = { a = { b = { c = { 1, 2.5, "three" } } } }
  _home.bad = "a value to damage"
  _home.other = { x = 1 }
  return _home.next()`;

const fail = (e) => ({ kind: e?.kind, message: String(e?.message ?? e) });

/** Runs fn and gives its value, or its error as { kind, message }. */
async function outcome(fn) {
  try { return { value: await fn() }; } catch (e) { return { error: fail(e) }; }
}

/** A fresh store connection and a lazy unit on it; `read()` is the records read since.
    A `silent` connection does not announce its commits (as when its message is still on
    its way), so that the others meet them as conflicts (test/browser-tabs.test.js checks
    what the announcements do). */
async function openLazy(db, name, { silent = false } = {}) {
  const store = await openStore(`indexeddb:${db}`);
  if (silent) {
    store.news.channel.close();
    store.news.channel = null;
  }
  const cu = await Cu.create({ store, name });
  const base = store.recordsRead;
  return { store, cu, atOpen: base, read: () => store.recordsRead - base };
}

/** Damages the stored value of _home[key] in place, as a flipped bit on disk would. */
async function damage(db, name, key) {
  const idb = await new Promise((resolve, reject) => {
    const req = indexedDB.open(db);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const k = [name, entryKey(1, key).buffer];
  const tx = idb.transaction(['records'], 'readwrite');
  const os = tx.objectStore('records');
  await new Promise((resolve, reject) => {
    const get = os.get(k);
    get.onsuccess = () => {
      const bytes = new Uint8Array(get.result);
      bytes[2] ^= 0x20;
      os.put(bytes.buffer, k);
    };
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
  idb.close();
}

export async function lazyChecks() {
  const db = `lazy-${Date.now()}`;
  const name = 'unit';
  const r = { jspi: typeof WebAssembly.Suspending === 'function' };

  const setup = await Cu.create({ store: `indexeddb:${db}`, name, limits: { instructions: Infinity, timeMs: Infinity } });
  r.fill = await outcome(() => setup.compute(FILL));
  await setup.close();

  // opened without reading the unit: only its meta record
  const a = await openLazy(db, name);
  r.atOpen = a.atOpen;
  r.one = await outcome(() => a.cu.compute(`return _home.k${KEYS - 1}`));
  r.oneRead = a.read();

  // stored functions and closures load when first used, upvalues and sharing intact
  r.fn = await outcome(() => a.cu.compute('return _home.fns[7](1)'));
  r.next = await outcome(() => a.cu.compute('return _home.next()'));
  r.pair = await outcome(() => a.cu.compute('local p = _home.pair p.inc() p.inc() return p.get()'));
  r.deep = await outcome(() => a.cu.compute('return _home.deep'));
  r.fnsLen = await outcome(() => a.cu.compute('return #_home.fns'));

  // misses inside pcall, a coroutine, a C function calling Lua, and an error after a miss
  r.nested = await outcome(() => a.cu.compute(`
    local ok, v = pcall(function() return _home.k11 end)
    local co = coroutine.wrap(function() coroutine.yield(_home.k12) end)
    local s = ("x"):gsub("x", function() return tostring(_home.k13) end)
    local caught = select(2, pcall(function() local v = _home.k14 error({code = v}) end))
    return v + co() + tonumber(s) + caught.code`));

  // a compute that misses and then fails keeps none of its writes
  r.failed = await outcome(() => a.cu.compute('_home.k1 = "changed" _home.newkey = {1} local v = _home.k20 error("boom " .. v)'));
  r.afterFailed = await outcome(() => a.cu.compute('return { _home.k1, _home.newkey == nil }'));
  r.limited = await outcome(() => a.cu.compute('local v = _home.k21 while true do end', { limits: { instructions: 1e6 } }));
  r.afterLimit = await outcome(() => a.cu.compute('return _home.k21'));

  // while a compute waits for the store, the unit refuses gc(); the compute then finishes
  const waiting = a.cu.compute('return _home.k22');
  r.gcWhileWaiting = await outcome(() => a.cu.gc());
  r.waited = await outcome(() => waiting);

  // a write that commits, seen by a new unit (and the counter went on from 2 to 3)
  r.write = await outcome(() => a.cu.compute('_home.k2 = "two" return _home.next()'));
  const b = await openLazy(db, name, { silent: true });
  r.seenByNew = await outcome(() => b.cu.compute('return { _home.k2, _home.k1, _home.next() }'));

  // another unit commits (b, silent: a does not hear of it): a's next read that misses
  // sees a changed version -> conflict, and afterwards a sees the other's writes; a's
  // stale commit is refused too
  r.otherCommit = await outcome(() => b.cu.compute('_home.k3 = "from b" _home.other.x = 2'));
  r.staleRead = await outcome(() => a.cu.compute('return _home.other.x'));
  r.afterConflict = await outcome(() => a.cu.compute('return _home.k3'));
  await a.cu.compute('return _home.k5');  // a is up to date and has k5 cached
  await b.cu.compute('_home.k5 = "b again"');
  r.staleCommit = await outcome(() => a.cu.compute('_home.k5 = _home.k5 .. "!"'));
  r.afterStaleCommit = await outcome(() => a.cu.compute('return _home.k5'));
  // a table Lua holds in a global follows the store when a conflict makes the unit re-read it
  await a.cu.compute('heldOther = _home.other');
  await b.cu.compute('_home.other.x = 3');
  r.heldConflict = await outcome(() => a.cu.compute('return heldOther.x'));
  r.heldAfterConflict = await outcome(() => a.cu.compute('return { heldOther.x, rawequal(heldOther, _home.other) }'));
  r.count = await outcome(() => a.cu.compute('local n = 0 for k in pairs(_home) do n = n + 1 end return n'));

  // snapshots on a lazy unit
  r.saved = await outcome(async () => { await a.cu.saveState('s1'); return a.cu.listStates(); });
  await a.cu.compute('_home.k6 = "after save"');
  r.loaded = await outcome(async () => { await a.cu.loadState('s1'); return a.cu.compute('return _home.k6'); });

  // a damaged record is a store error naming its key, read lazily; the rest stays usable
  await damage(db, name, 'bad');
  const c = await openLazy(db, name);
  r.corrupt = await outcome(() => c.cu.compute('return _home.bad'));
  r.afterCorrupt = await outcome(() => c.cu.compute('return _home.k8'));

  // the eager fallback (an adapter that drops the lazy option) reads the whole unit
  const plain = await openStore(`indexeddb:${db}`);
  const eager = await Cu.create({ store: { openUnit: (n) => plain.openUnit(n), units: () => plain.units(), close: async () => {} }, name });
  r.eagerAtOpen = plain.recordsRead;
  r.eagerValue = await outcome(() => eager.compute('return _home.fns[3](1) + _home.k9'));

  for (const u of [a, b, c]) { await u.cu.close(); await u.store.close(); }
  await eager.close();
  await plain.close();
  return r;
}

/** The lazy unit itself (js/stores/indexeddb.js): misses, fetch, prefix bounds, the guard. */
export async function unitChecks() {
  const store = await openStore(`indexeddb:lazy-unit-${Date.now()}`);
  const r = {};
  const writer = await store.openUnit('u');
  const k = (...bytes) => Uint8Array.from(bytes);
  await writer.commit([[k(1), k(10)], [k(1, 0xff), k(11)], [k(1, 0xff, 0xff), k(12)], [k(2), k(20)], [k(9), k(90)]]);
  const u = await store.openUnit('u', { lazy: true });
  const missOf = (fn) => { try { fn(); return 'no miss'; } catch (e) { return e.name === 'StoreMiss' ? { keys: e.keys.length, prefixes: e.prefixes.length } : String(e); } };
  r.lazy = u.lazy;
  r.getMiss = missOf(() => u.get(k(2)));
  r.rangeMiss = missOf(() => u.range(k(1, 0xff)));
  await u.fetch({ keys: [k(2), k(3)], prefixes: [k(1, 0xff)] });
  r.got = [u.get(k(2)), u.get(k(3))].map((v) => (v === undefined ? null : [...v]));
  r.range = [...u.range(k(1, 0xff))].map(([key, v]) => [[...key], [...v]]);
  r.covered = [...u.range(k(1, 0xff, 0xff))].length;
  r.stillMiss = missOf(() => u.get(k(1)));
  // a guard that does not match: a conflict, and nothing read is kept
  r.guard = await u.fetch({ keys: [k(9)], prefixes: [] }, { key: k(2), expect: k(99) }).then(() => 'fetched', (e) => e.conflict === true);
  r.afterGuard = missOf(() => u.get(k(9)));
  await u.commit([[k(9), undefined], [k(4), k(40)]]);
  r.afterCommit = [u.get(k(9)), u.get(k(4))].map((v) => (v === undefined ? null : [...v]));
  await store.close();
  return r;
}

/** A lazy unit drops a cycle: its collection reads the whole unit once, deletes the cycle,
    then forgets what it read (the next compute reads what it needs again), and the tables
    Lua holds stay usable. Records are counted through a separate eager unit. */
export async function collectChecks() {
  const db = `lazy-collect-${Date.now()}`;
  const setup = await Cu.create({ store: `indexeddb:${db}`, name: 'c' });
  await setup.compute('for i = 1, 200 do _home[i] = i end _home.cfg = {v = 7} _home.ring = {} _home.ring.me = _home.ring');
  await setup.close();
  const tables = async () => {
    const store = await openStore(`indexeddb:${db}`);
    const kv = await store.openUnit('c');
    const n = [...kv.range(Uint8Array.of(0x68))].length;
    await store.close();
    return n;
  };
  const r = { before: await tables() };
  const u = await openLazy(db, 'c');
  r.held = await outcome(() => u.cu.compute('held = _home.cfg return held.v'));
  const before = u.read();
  r.drop = await outcome(() => u.cu.compute('_home.ring = nil'));
  r.collectRead = u.read() - before;
  r.after = await tables();
  r.stillHeld = await outcome(() => u.cu.compute('return held.v + _home[200]'));
  const again = u.read();
  r.next = await outcome(() => u.cu.compute('return _home[100]'));
  r.readAgain = u.read() - again;
  await u.cu.close();
  await u.store.close();
  return r;
}

/** In a Worker: a unit written, then restored lazily by a second unit. */
export async function workerChecks() {
  const db = `lazy-worker-${Date.now()}`;
  const setup = await Cu.create({ store: `indexeddb:${db}`, name: 'w' });
  await setup.compute('for i = 1, 500 do _home[i] = i * 2 end local n = 10 function _home.f() n = n + 1 return n end');
  await setup.close();
  const u = await openLazy(db, 'w');
  const value = await outcome(() => u.cu.compute('return _home[250] + _home.f()'));
  const read = u.read();
  await u.cu.close();
  await u.store.close();
  return { jspi: typeof WebAssembly.Suspending === 'function', atOpen: u.atOpen, value, read };
}
