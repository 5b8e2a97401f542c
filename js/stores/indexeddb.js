// indexeddb.js: the browser store ('indexeddb' or 'indexeddb:DBNAME'), on IndexedDB
// directly, on the main thread or in a Worker. IndexedDB has no synchronous reads, so
// openUnit loads the unit's records into an in-memory cache that get/range serve; each
// commit is one readwrite transaction (strict durability) that checks its guard inside
// it, and updates the cache when the transaction completes. See docs/stores.md.

import { SortedRecords, bytesToKey, checkWrites, conflictError, copyBytes, sameBytes } from './memory.js';

/** The database version, which is also the version of the layout below. */
export const IDB_LAYOUT = 1;
const RECORDS = 'records'; // key [unitName, ArrayBuffer key] -> ArrayBuffer value
const UNITS = 'units';     // key unitName -> { name }
const STRICT = { durability: 'strict' };

const EMPTY = new ArrayBuffer(0);
/** Every record of a unit: [name, <any binary>] sorts below [name, []] (arrays sort after binary keys). */
const unitRange = (name) => IDBKeyRange.bound([name, EMPTY], [name, []], false, true);
const buf = (bytes) => copyBytes(bytes).buffer;

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
    for (const [k, v] of ops) this.cache.set(k, v);
  }

  async refresh() {
    this.store.check();
    await this.load();
  }

  async clear() {
    this.store.check();
    const tx = this.store.db.transaction([RECORDS], 'readwrite', STRICT);
    tx.objectStore(RECORDS).delete(unitRange(this.name));
    await finished(tx, () => undefined);
    this.cache.clear();
  }
}

/** @implements {import('../store.js').KvStore} */
class IdbStore {
  constructor(db, dbName) {
    this.db = db;
    this.dbName = dbName;
    this.closed = false;
    /** @type {Map<string, Promise<IdbUnit>>} */
    this.open = new Map();
    // Another connection wants to upgrade the database: let it (our later calls then fail clearly).
    db.onversionchange = () => { this.closed = true; db.close(); };
  }

  check() {
    if (this.closed) throw new Error(`store "indexeddb:${this.dbName}" is closed`);
  }

  openUnit(name) {
    try {
      this.check();
      if (typeof name !== 'string') throw new TypeError('openUnit: the unit name must be a string');
    } catch (e) {
      return Promise.reject(e);
    }
    let p = this.open.get(name);
    if (!p) {
      p = (async () => {
        const tx = this.db.transaction([UNITS], 'readwrite', STRICT);
        tx.objectStore(UNITS).put({ name }, name);
        await finished(tx, () => undefined);
        const unit = new IdbUnit(this, name);
        await unit.load();
        return unit;
      })();
      this.open.set(name, p);
      p.catch(() => this.open.delete(name));
    }
    return p;
  }

  async units() {
    this.check();
    const tx = this.db.transaction([UNITS], 'readonly');
    return (await request(tx.objectStore(UNITS).getAllKeys())).map(String);
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
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
