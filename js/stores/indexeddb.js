// indexeddb.js: the browser store ('indexeddb' or 'indexeddb:DBNAME'), on IndexedDB
// directly, on the main thread or in a Worker. IndexedDB has no synchronous reads, so
// openUnit loads the unit's records into an in-memory cache that get/range serve, or,
// asked for a lazy unit, reads nothing and lets the caller fetch what get/range miss
// (js/store.js, StoreMiss). Each commit is one readwrite transaction (strict durability)
// that checks its guard inside it, and updates the cache when the transaction completes,
// then tells the other connections (tabs, workers) on a BroadcastChannel (news.js), so
// that their units can take up the new version before their next compute (changed()).
// See docs/stores.md.

import { SortedRecords, bytesToKey, checkWrites, conflictError, copyBytes, sameBytes } from './memory.js';
import { StoreNews } from './news.js';
import { StoreMiss } from '../store.js';

/** The database version, which is also the version of the layout below. */
export const IDB_LAYOUT = 1;
/** The BroadcastChannel on which a connection to database dbName tells of its commits. */
export const idbChannelName = (dbName) => `cu:indexeddb:${dbName}`;
const RECORDS = 'records'; // key [unitName, ArrayBuffer key] -> ArrayBuffer value
const UNITS = 'units';     // key unitName -> { name }
const STRICT = { durability: 'strict' };

const EMPTY = new ArrayBuffer(0);
/** Every record of a unit: [name, <any binary>] sorts below [name, []] (arrays sort after binary keys). */
const unitRange = (name) => IDBKeyRange.bound([name, EMPTY], [name, []], false, true);
const buf = (bytes) => copyBytes(bytes).buffer;

/** The unit's records whose key starts with prefix: up to the prefix with its last byte
    below 0xff raised by one (none: to the end of the unit). */
function prefixRange(name, prefix) {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return IDBKeyRange.bound([name, buf(prefix)], [name, []], false, true);
  const upper = prefix.slice(0, end);
  upper[end - 1]++;
  return IDBKeyRange.bound([name, buf(prefix)], [name, upper.buffer], false, true);
}

const request = (req) => new Promise((resolve, reject) => {
  req.onsuccess = () => resolve(req.result);
  req.onerror = () => reject(req.error);
});

/** Resolves when tx completes (its data is on disk, for 'strict'); rejects if it aborts. */
const finished = (tx, abortError) => new Promise((resolve, reject) => {
  tx.oncomplete = () => resolve();
  tx.onabort = () => reject(abortError() ?? tx.error ?? new Error('IndexedDB transaction aborted'));
  // No onerror handler: a failed request must abort the whole transaction (preventing
  // its default would let the other writes commit without it).
});

class IdbUnit {
  constructor(store, name) {
    this.store = store;
    this.name = name;
    this.cache = new SortedRecords();
    this.own = 0;              // commits this unit made
    this.seen = this.#news();  // what #news() was when the unit was opened or last refreshed
  }

  /** How many commits to the unit by others (other connections, in other tabs and
      workers too, and other units of this connection) this connection has heard of. */
  #news() {
    return this.store.news.heardOf(this.name) - this.own;
  }

  /** Whether another has committed to the unit since it was loaded or refreshed
      (docs/stores.md, "changed()"). */
  changed() {
    return this.#news() !== this.seen;
  }

  /** After a commit: the others hear of it, and it is no news to this unit. */
  #committed() {
    this.own++;
    this.store.news.announce(this.name, this);
  }

  /** Calls listener after each commit to the unit by another (docs/stores.md, "watch()"). */
  watch(listener) {
    return this.store.news.watch(this, listener);
  }

  /** Replaces the cache with what the database holds now, read in one transaction. */
  async load() {
    const tx = this.store.db.transaction([RECORDS], 'readonly');
    const os = tx.objectStore(RECORDS);
    const range = unitRange(this.name);
    const [keys, values] = await Promise.all([request(os.getAllKeys(range)), request(os.getAll(range)), finished(tx, () => undefined)]);
    const cache = new SortedRecords();
    for (let i = 0; i < keys.length; i++) cache.adopt(bytesToKey(new Uint8Array(keys[i][1])), new Uint8Array(values[i]));
    this.cache = cache;
    this.store.recordsRead += keys.length;
  }

  get(key) { return this.cache.get(key); }
  range(prefix) { return this.cache.range(prefix); }

  async commit(writes, guard) {
    this.store.check();
    checkWrites(writes, guard);
    // Copied now, so the caller may reuse its arrays at once.
    const ops = writes.map(([k, v]) => [copyBytes(k), v === undefined ? undefined : copyBytes(v)]);
    const expect = guard && guard.expect !== undefined ? copyBytes(guard.expect) : undefined;
    const tx = this.store.db.transaction([RECORDS], 'readwrite', STRICT);
    const os = tx.objectStore(RECORDS);
    let conflict = false;
    const done = finished(tx, () => (conflict ? conflictError(this.name) : undefined));
    const writeAll = () => {
      for (const [k, v] of ops) {
        if (v === undefined) os.delete([this.name, k.buffer]);
        else os.put(v.buffer, [this.name, k.buffer]);
      }
    };
    if (guard) {
      // Read inside the readwrite transaction: IndexedDB runs readwrite transactions on the
      // same object store one at a time (across tabs and workers too), so nobody can write
      // between this read and the writes below.
      const req = os.get([this.name, buf(guard.key)]);
      req.onsuccess = () => {
        const cur = req.result === undefined ? undefined : new Uint8Array(req.result);
        if (sameBytes(cur, expect)) writeAll();
        else { conflict = true; tx.abort(); }
      };
    } else {
      writeAll();
    }
    await done;
    this.remember(ops);
    this.#committed();
  }

  /** What a commit wrote is now what the unit holds. */
  remember(ops) {
    for (const [k, v] of ops) this.cache.set(k, v);
  }

  async refresh() {
    this.store.check();
    const heard = this.#news();  // what it reads now is at least as new as what was heard
    await this.load();
    this.seen = heard;
  }

  async clear() {
    this.store.check();
    const tx = this.store.db.transaction([RECORDS], 'readwrite', STRICT);
    tx.objectStore(RECORDS).delete(unitRange(this.name));
    await finished(tx, () => undefined);
    this.cache.clear();
    this.#committed();
  }
}

/**
 * A lazy unit (docs/stores.md, "Lazy units"): it reads nothing when opened; get and range
 * serve the records read so far and throw a StoreMiss for the others, which fetch reads in
 * one readonly transaction together with the caller's guard record. Each lazy open has
 * its own cache, so what one unit reads is never mixed with another's commits.
 */
class LazyIdbUnit extends IdbUnit {
  constructor(store, name) {
    super(store, name);
    this.lazy = true;
    this.absent = new Set();    // keys (binary strings) read and found absent
    this.prefixes = new Set();  // prefixes read whole (binary strings)
    this.lengths = new Set();   // their lengths, so a key's covering prefix is found by slicing
  }

  /** Whether a prefix read whole covers k (a key, or a prefix being asked for). */
  #covered(k) {
    for (const n of this.lengths) if (k.length >= n && this.prefixes.has(k.slice(0, n))) return true;
    return false;
  }

  get(key) {
    const k = bytesToKey(key);
    const v = this.cache.map.get(k);
    if (v !== undefined) return copyBytes(v);
    if (this.absent.has(k) || this.#covered(k)) return undefined;
    throw new StoreMiss([copyBytes(key)], []);
  }

  range(prefix) {
    if (!this.#covered(bytesToKey(prefix))) throw new StoreMiss([], [copyBytes(prefix)]);
    return this.cache.range(prefix);
  }

  async fetch(miss, guard) {
    this.store.check();
    const tx = this.store.db.transaction([RECORDS], 'readonly');
    const os = tx.objectStore(RECORDS);
    const keys = miss.keys.map((key) => request(os.get([this.name, buf(key)])));
    const ranges = miss.prefixes.map((p) => {
      const r = prefixRange(this.name, p);
      return Promise.all([request(os.getAllKeys(r)), request(os.getAll(r))]);
    });
    const current = guard ? request(os.get([this.name, buf(guard.key)])) : undefined;
    const [values, lists, cur] = await Promise.all([Promise.all(keys), Promise.all(ranges), current, finished(tx, () => undefined)]);
    this.store.recordsRead += values.length + (guard ? 1 : 0) + lists.reduce((n, [ks]) => n + ks.length, 0);
    // The guard (the unit's version record) read in the same transaction: records read now
    // belong to the version everything cached so far belongs to, or to none of it.
    if (guard && !sameBytes(cur === undefined ? undefined : new Uint8Array(cur), guard.expect)) throw conflictError(this.name);
    miss.keys.forEach((key, i) => {
      if (values[i] === undefined) this.absent.add(bytesToKey(key));
      else this.cache.adopt(bytesToKey(key), new Uint8Array(values[i]));
    });
    miss.prefixes.forEach((p, i) => {
      const [ks, vs] = lists[i];
      for (let j = 0; j < ks.length; j++) this.cache.adopt(bytesToKey(new Uint8Array(ks[j][1])), new Uint8Array(vs[j]));
      this.prefixes.add(bytesToKey(p));
      this.lengths.add(p.length);
    });
  }

  remember(ops) {
    for (const [k, v] of ops) {
      this.cache.set(k, v);
      if (v === undefined) this.absent.add(bytesToKey(k));
      else this.absent.delete(bytesToKey(k));
    }
  }

  /** Forgets everything read: the next reads miss and fetch the current records. */
  async load() {
    this.cache = new SortedRecords();
    this.absent.clear();
    this.prefixes.clear();
    this.lengths.clear();
  }

  async clear() {
    await super.clear();
    await this.load();
    this.prefixes.add('');  // every key is known to be absent
    this.lengths.add(0);
  }
}

/** @implements {import('../store.js').KvStore} */
class IdbStore {
  constructor(db, dbName) {
    this.db = db;
    this.dbName = dbName;
    this.closed = false;
    this.recordsRead = 0;  // records read from IndexedDB, all units together (tests count them)
    /** @type {Map<string, Promise<IdbUnit>>} */
    this.open = new Map();
    /** @type {Map<string, Promise<void>>} units listed in the units object store */
    this.listed = new Map();
    // commits to this database by other connections, in other tabs and workers of the
    // origin too, and by this connection's other unit objects (IdbUnit.changed, watch)
    this.news = new StoreNews(idbChannelName(dbName));
    // Another connection wants to upgrade the database: let it (our later calls then fail clearly).
    db.onversionchange = () => { this.#shut(); };
  }

  #shut() {
    this.closed = true;
    this.news.close();
    this.db.close();
  }

  check() {
    if (this.closed) throw new Error(`store "indexeddb:${this.dbName}" is closed`);
  }

  openUnit(name, options) {
    try {
      this.check();
      if (typeof name !== 'string') throw new TypeError('openUnit: the unit name must be a string');
    } catch (e) {
      return Promise.reject(e);
    }
    if (options?.lazy) return this.#list(name).then(() => new LazyIdbUnit(this, name));
    let p = this.open.get(name);
    if (!p) {
      p = (async () => {
        await this.#list(name);
        const unit = new IdbUnit(this, name);
        await unit.load();
        return unit;
      })();
      this.open.set(name, p);
      p.catch(() => this.open.delete(name));
    }
    return p;
  }

  /** Puts name in the units object store, once per store (units() lists it). */
  #list(name) {
    let p = this.listed.get(name);
    if (!p) {
      p = (async () => {
        const read = this.db.transaction([UNITS], 'readonly');
        const known = await Promise.all([request(read.objectStore(UNITS).getKey(name)), finished(read, () => undefined)]);
        if (known[0] !== undefined) return;  // listed before: no write (and no disk flush) needed
        const tx = this.db.transaction([UNITS], 'readwrite', STRICT);
        tx.objectStore(UNITS).put({ name }, name);
        await finished(tx, () => undefined);
      })();
      this.listed.set(name, p);
      p.catch(() => this.listed.delete(name));
    }
    return p;
  }

  async units() {
    this.check();
    const tx = this.db.transaction([UNITS], 'readonly');
    return (await request(tx.objectStore(UNITS).getAllKeys())).map(String);
  }

  async close() {
    if (!this.closed) this.#shut();
  }
}

/**
 * Opens (creating if needed) the IndexedDB database dbName as a store.
 * @param {string} dbName
 */
export function openIndexedDbStore(dbName) {
  return new Promise((resolve, reject) => {
    let req;
    try {
      req = indexedDB.open(dbName, IDB_LAYOUT);
    } catch (e) {
      reject(new Error(`store "indexeddb:${dbName}": ${e.message}`, { cause: e }));
      return;
    }
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains(RECORDS)) db.createObjectStore(RECORDS);
      if (!db.objectStoreNames.contains(UNITS)) db.createObjectStore(UNITS);
    };
    req.onsuccess = () => resolve(new IdbStore(req.result, dbName));
    req.onerror = () => {
      const e = req.error;
      const msg = e && e.name === 'VersionError'
        ? `store "indexeddb:${dbName}": the database has a newer layout than this version of Cu (layout ${IDB_LAYOUT}) can read`
        : `store "indexeddb:${dbName}": cannot open the database: ${e ? `${e.name}: ${e.message}` : 'unknown error'}`;
      reject(new Error(msg, { cause: e }));
    };
    req.onblocked = () => {}; // waits until other connections close (they close on versionchange)
  });
}
