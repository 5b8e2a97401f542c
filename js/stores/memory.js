// memory.js: the 'memory' store (nothing survives the process), and SortedRecords, the
// in-memory ordered record set that this store and the IndexedDB store's read cache share.

/** @typedef {import('../store.js').KvStore} KvStore */
/** @typedef {import('../store.js').KvUnit} KvUnit */
/** @typedef {import('../store.js').Write} Write */
/** @typedef {import('../store.js').Guard} Guard */

// Keys are held as "binary strings": one char per byte (0..255). JS compares strings by
// UTF-16 code unit, so for such strings `<` is exactly the bytewise order of the keys.
const CHUNK = 0x2000;
/** @param {Uint8Array} bytes */
export function bytesToKey(bytes) {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes);
  let s = '';
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK));
  return s;
}
/** @param {string} s */
export function keyToBytes(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** Bytewise equality; `undefined` equals only `undefined`. */
export function sameBytes(a, b) {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A plain Uint8Array copy (never a Buffer, never a view of someone else's memory). */
export function copyBytes(bytes) {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/** Checks the arguments of commit(); throws a TypeError naming what is wrong. */
export function checkWrites(writes, guard) {
  if (!Array.isArray(writes)) throw new TypeError('commit: writes must be an array of [key, value] pairs');
  for (let i = 0; i < writes.length; i++) {
    const w = writes[i];
    if (!Array.isArray(w) || !(w[0] instanceof Uint8Array)) throw new TypeError(`commit: write ${i}: the key must be a Uint8Array`);
    if (w[1] !== undefined && !(w[1] instanceof Uint8Array)) throw new TypeError(`commit: write ${i}: the value must be a Uint8Array or undefined (delete)`);
  }
  if (guard !== undefined && guard !== null) {
    if (typeof guard !== 'object' || !(guard.key instanceof Uint8Array)) throw new TypeError('commit: guard.key must be a Uint8Array');
    if (guard.expect !== undefined && !(guard.expect instanceof Uint8Array)) throw new TypeError('commit: guard.expect must be a Uint8Array or undefined (absent)');
  }
}

/** The error a commit rejects with when its guard does not match. */
export function conflictError(unit) {
  const e = new Error(`commit conflict in unit "${unit}": its guard record was changed by another writer`);
  e.conflict = true;
  return e;
}

/**
 * An ordered set of records in memory. Values are stored as private copies; reads hand
 * out fresh copies, so nobody outside can change what is stored.
 */
export class SortedRecords {
  constructor() {
    /** @type {Map<string, Uint8Array>} */
    this.map = new Map();
    /** @type {string[] | null} the keys in order; rebuilt on demand after a write */
    this.sorted = null;
  }

  get size() { return this.map.size; }

  /** @param {Uint8Array} key */
  get(key) {
    const v = this.map.get(bytesToKey(key));
    return v === undefined ? undefined : copyBytes(v);
  }

  /** Sets (value copied) or, for undefined, deletes. */
  set(key, value) {
    const k = bytesToKey(key);
    if (value === undefined) {
      if (this.map.delete(k) && this.sorted) this.sorted = null;
    } else {
      if (!this.map.has(k)) this.sorted = null;
      this.map.set(k, copyBytes(value));
    }
  }

  /** Sets from a value this object may keep (no copy). */
  adopt(keyString, value) {
    if (!this.map.has(keyString)) this.sorted = null;
    this.map.set(keyString, value);
  }

  clear() { this.map.clear(); this.sorted = null; }

  /** The records whose key starts with prefix, ascending by key; fresh copies. */
  *range(prefix) {
    if (!this.sorted) this.sorted = [...this.map.keys()].sort();
    const keys = this.sorted;
    const p = bytesToKey(prefix);
    // first index whose key is >= p
    let lo = 0, hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < p) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < keys.length; i++) {
      const k = keys[i];
      if (!k.startsWith(p)) break;
      // The key list is never changed in place, so a write during the iteration cannot
      // derail it; a key deleted meanwhile is skipped.
      const v = this.map.get(k);
      if (v !== undefined) yield [keyToBytes(k), copyBytes(v)];
    }
  }
}

class MemoryUnit {
  constructor(name) {
    this.name = name;
    this.records = new SortedRecords();
  }
  get(key) { return this.records.get(key); }
  holds(key, bytes) { return sameBytes(this.records.map.get(bytesToKey(key)), bytes); }
  range(prefix) { return this.records.range(prefix); }
  async commit(writes, guard) {
    checkWrites(writes, guard);
    if (guard && !this.holds(guard.key, guard.expect)) throw conflictError(this.name);
    for (const [k, v] of writes) this.records.set(k, v);
  }
  async refresh() {}
  async clear() { this.records.clear(); }
}

/**
 * The 'memory' store: units live in this object only. Two openUnit calls with the same
 * name give the same unit; nothing is shared between two memory stores.
 * @implements {KvStore}
 */
export class MemoryStore {
  constructor() {
    /** @type {Map<string, MemoryUnit>} */
    this.unitMap = new Map();
    this.closed = false;
  }
  async openUnit(name) {
    if (this.closed) throw new Error('this memory store is closed');
    if (typeof name !== 'string') throw new TypeError('openUnit: the unit name must be a string');
    let u = this.unitMap.get(name);
    if (!u) this.unitMap.set(name, (u = new MemoryUnit(name)));
    return u;
  }
  async units() { return [...this.unitMap.keys()]; }
  async close() { this.closed = true; }
}
