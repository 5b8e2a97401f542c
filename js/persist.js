// persist.js: how a unit's external tables are laid out as records in a store
// (js/store.js): one record per key of a table, so a compute that changes one key writes
// one record. Every value carries a CRC-32, so a flipped byte is detected and reported
// with the key it belongs to instead of being misread.
//
// Record keys (bytes):
//   "m"                         the unit's meta record: format, commit version, next id,
//                               and what decides when the next collection is due
//   "h" id                      a table's header: how many stored references it has
//   "t" id key                  one entry of table id
//   "s" name 0x00 <record key>  the same records inside the snapshot called name
// id is 8 bytes big-endian (a whole number below 2^53): the table's number in the store,
// which js/ext.js calls its key (its id there is the process's own).

import { StoreMiss, Watchers } from './store.js';
import { sameBytes } from './stores/memory.js';

export const FORMAT = 1;

/** A float whose value is integral, kept apart from the integer of the same value. */
export class LuaFloat {
  constructor(value) { this.value = value; }
}

/** A Lua bigint. */
export class LuaBigInt {
  constructor(value) { this.value = value; }
}
const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });
const BYTE_KEY = '\uD800';

export class StoreError extends Error {
  constructor(message) { super(message); this.name = 'StoreError'; }
}

// --- CRC-32 (IEEE), table-driven ------------------------------------------------------------
const CRC_TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  CRC_TABLE[n] = c >>> 0;
}
export function crc32(bytes, end = bytes.length) {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// --- a small growable writer -----------------------------------------------------------------
class Writer {
  constructor() { this.buf = new Uint8Array(64); this.view = new DataView(this.buf.buffer); this.n = 0; }
  room(k) {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(b) { this.room(1); this.buf[this.n++] = b; }
  bytes(b) { this.room(b.length); this.buf.set(b, this.n); this.n += b.length; }
  f64(x) { this.room(8); this.view.setFloat64(this.n, x); this.n += 8; }
  i64(x) { this.room(8); this.view.setBigInt64(this.n, BigInt(x)); this.n += 8; }
  u32(x) { this.room(4); this.view.setUint32(this.n, x); this.n += 4; }
  id(x) { this.room(8); this.view.setUint32(this.n, Math.floor(x / 2 ** 32)); this.view.setUint32(this.n + 4, x >>> 0); this.n += 8; }
  done() { return this.buf.slice(0, this.n); }
}

const readId = (b, at) => {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return v.getUint32(at) * 2 ** 32 + v.getUint32(at + 4);
};

// --- record keys -----------------------------------------------------------------------------
export const META_KEY = Uint8Array.of(0x6d);  // "m"
const HEADER_PREFIX = Uint8Array.of(0x68);     // "h"
const ENTRY_PREFIX = Uint8Array.of(0x74);      // "t"
export function headerKey(id) { const w = new Writer(); w.bytes(HEADER_PREFIX); w.id(id); return w.done(); }
export function tablePrefix(id) { const w = new Writer(); w.bytes(ENTRY_PREFIX); w.id(id); return w.done(); }
export function entryKey(id, key) { const w = new Writer(); w.bytes(ENTRY_PREFIX); w.id(id); writeKey(w, key); return w.done(); }
export const SNAPSHOT_PREFIX = Uint8Array.of(0x73);  // "s"
export function snapshotPrefix(name) {
  const w = new Writer();
  w.byte(0x73);
  w.bytes(utf8.encode(name));
  w.byte(0);
  return w.done();
}
export function concat(a, b) { const out = new Uint8Array(a.length + b.length); out.set(a); out.set(b, a.length); return out; }
export function startsWith(bytes, prefix) {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

// --- keys: a stored key (js/ext.js) as bytes and back --------------------------------------
// 'i' int64 | 'f' float | 's' UTF-8 | 'b' bytes | 'T' | 'F'
function writeKey(w, k) {
  switch (typeof k) {
    case 'number':
      if (Number.isInteger(k) && Math.abs(k) <= 2 ** 53) { w.byte(0x69); w.i64(k); } else { w.byte(0x66); w.f64(k); }
      return;
    case 'bigint': w.byte(0x69); w.i64(k); return;
    case 'boolean': w.byte(k ? 0x54 : 0x46); return;
    case 'string':
      if (k[0] === BYTE_KEY) { w.byte(0x62); for (let i = 1; i < k.length; i++) w.byte(k.charCodeAt(i)); } else { w.byte(0x73); w.bytes(utf8.encode(k)); }
      return;
    default: throw new StoreError(`cannot store a key of type ${typeof k}`);
  }
}

export function decodeKey(b, at) {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  switch (b[at]) {
    case 0x69: { const i = v.getBigInt64(at + 1); return i >= -(2n ** 53n) && i <= 2n ** 53n ? Number(i) : i; }
    case 0x66: return v.getFloat64(at + 1);
    case 0x54: return true;
    case 0x46: return false;
    case 0x73: return utf8d.decode(b.subarray(at + 1));
    case 0x62: { let s = BYTE_KEY; for (let i = at + 1; i < b.length; i++) s += String.fromCharCode(b[i]); return s; }
    default: throw new StoreError(`unknown key type ${b[at]}`);
  }
}

/** A key for messages: "name", 3, true. */
export function describeKey(k) {
  if (typeof k === 'string') return k[0] === BYTE_KEY ? `<${k.length - 1} bytes>` : JSON.stringify(k);
  return String(k);
}

// --- values: a stored value as bytes and back, with a CRC-32 at the end ----------------------
// 'i' int64 | 'f' float | 's' UTF-8 | 'b' bytes | 'T' | 'F' | 'r' table id | 'n' bigint (hex)
// | 'c' C function by name | 'l' Lua function (see encodeFunction in ext.js)
/** `refId(v)` gives the id when v is a reference to a table, else undefined. */
export function encodeValue(v, refId, extra) {
  const w = new Writer();
  if (typeof v === 'number') {
    if (Number.isInteger(v) && Math.abs(v) <= 2 ** 53 && !Object.is(v, -0)) { w.byte(0x69); w.i64(v); } else { w.byte(0x66); w.f64(v); }
  } else if (typeof v === 'bigint') { w.byte(0x69); w.i64(v); }
  else if (typeof v === 'boolean') w.byte(v ? 0x54 : 0x46);
  else if (typeof v === 'string') { w.byte(0x73); w.bytes(utf8.encode(v)); }
  else if (v instanceof Uint8Array) { w.byte(0x62); w.bytes(v); }
  else if (v instanceof LuaFloat) { w.byte(0x66); w.f64(v.value); }
  else if (refId(v) !== undefined) { w.byte(0x72); w.id(refId(v)); }
  else if (v instanceof LuaBigInt) { w.byte(0x6e); w.bytes(utf8.encode(v.value.toString(16))); }
  else if (extra) extra(w, v);
  else throw new StoreError(`cannot store a ${v?.constructor?.name ?? typeof v}`);
  w.u32(crc32(w.buf, w.n));
  return w.done();
}

/** The stored value in bytes b; `table(id)` gives the HostTable for a reference. Throws StoreError when the CRC does not match. */
export function decodeValue(b, table, extra) {
  if (b.length < 5) throw new StoreError('a record is truncated');
  const end = b.length - 4;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (crc32(b, end) !== v.getUint32(end)) throw new StoreError('a record is corrupt (checksum mismatch)');
  switch (b[0]) {
    case 0x69: { const i = v.getBigInt64(1); return i >= -(2n ** 53n) && i <= 2n ** 53n ? Number(i) : i; }
    case 0x66: { const x = v.getFloat64(1); return Number.isInteger(x) && Math.abs(x) <= 2 ** 53 && !Object.is(x, -0) ? new LuaFloat(x) : x; }
    case 0x54: return true;
    case 0x46: return false;
    case 0x73: return utf8d.decode(b.subarray(1, end));
    case 0x62: return b.slice(1, end);
    case 0x72: return table(readId(b, 1));
    case 0x6e: {
      const hex = new TextDecoder().decode(b.subarray(1, end));
      return new LuaBigInt(hex[0] === '-' ? -BigInt('0x' + hex.slice(1)) : BigInt('0x' + hex));
    }
    default:
      if (extra) return extra(b, v, end);
      throw new StoreError(`a record has an unknown type ${b[0]}`);
  }
}

// --- meta and headers ----------------------------------------------------------------------
export function encodeMeta(meta) {
  const { format, version, nextId, suspects, records } = meta;
  const body = utf8.encode(JSON.stringify({ format, version, nextId, suspects, records }));
  const w = new Writer();
  w.bytes(body);
  w.u32(crc32(body));
  return w.done();
}

export function decodeMeta(b) {
  if (b === undefined) return undefined;
  const end = b.length - 4;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let meta;
  try {
    if (end < 2 || crc32(b, end) !== v.getUint32(end)) throw new Error('checksum');
    meta = JSON.parse(new TextDecoder().decode(b.subarray(0, end)));
  } catch {
    throw new StoreError('the unit\'s meta record is corrupt');
  }
  if (meta.format !== FORMAT) {
    throw new StoreError(`the stored unit has format ${meta.format}; this version of cu reads format ${FORMAT} only`);
  }
  return meta;
}

export function encodeHeader(refs) { const w = new Writer(); w.f64(refs); w.u32(crc32(w.buf, w.n)); return w.done(); }
export function decodeHeader(b) {
  if (b === undefined) return 0;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length !== 12 || crc32(b, 8) !== v.getUint32(8)) throw new StoreError('a table header is corrupt');
  return v.getFloat64(0);
}

// --- a unit's records in a store -------------------------------------------------------------

/** Runs each read; the misses of a lazy unit are thrown together, to be read in one go. */
function gather(...reads) {
  let miss = null;
  const out = reads.map((read) => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof StoreMiss)) throw err;
      miss = miss === null ? err : miss.with(err);
      return undefined;
    }
  });
  if (miss !== null) throw miss;
  return out;
}

/** The watchers (UnitStore.watch) of each KvUnit object. Units given one store object and
    one name share its unit object, whose adapter cannot tell their commits apart, so they
    tell each other. */
const watching = new WeakMap();

/** The records of one unit in a KvUnit (js/store.js): loading tables, committing, snapshots. */
export class UnitStore {
  /** @param {import('./store.js').KvUnit} kv */
  static async open(kv) {
    const s = new UnitStore(kv);
    await s.#readMeta();
    return s;
  }

  /** @param {import('./store.js').KvUnit} kv  (use UnitStore.open) */
  constructor(kv) {
    this.kv = kv;
    this.metaBytes = undefined;
    this.meta = null;
  }

  /** Calls listener after each commit to the unit by another writer that this process
      hears of (KvUnit.watch, and the units sharing this unit object); returns the
      function that stops it. */
  watch(listener) {
    let set = watching.get(this.kv);
    if (set === undefined) watching.set(this.kv, set = new Watchers());
    const remove = set.add(this, listener);
    const stop = this.kv.watch?.(listener);
    return () => {
      remove();
      stop?.();
    };
  }

  /** Every write to the unit goes through here, so that the units sharing its object hear. */
  async #write(writes, guard) {
    await this.kv.commit(writes, guard);
    watching.get(this.kv)?.tell(this);
  }

  /** Re-reads the meta record (after another process committed). */
  async refresh() {
    await this.kv.refresh();
    await this.#readMeta();
  }

  #checked = false;  // this turn's reads are of the version in meta

  /** A store read synchronously (memory, LMDB) serves its latest version, which may be
      newer than the one this unit has in memory: a compute that read both would see part
      of another process's commit, and count references against records it never saw. So
      a compute starts here: when another process or tab has committed since, the unit
      takes up the newer version and returns true (the caller then forgets what it holds
      of the older one). LMDB keeps one read snapshot for at least the rest of the turn,
      so everything the compute reads, being synchronous, is of that version. */
  catchUp() {
    if (this.kv.lazy === true) return false;  // a lazy unit checks in fetch
    const newer = !this.#holdsMeta();
    if (newer) this.#takeMeta(this.kv.get(META_KEY));  // throws on a record it cannot read, keeping the old version
    this.#check();
    return newer;
  }

  /** Whether the store has told of a commit by another connection (a tab, a worker) that
      this unit may not have read: a store read asynchronously (IndexedDB) cannot be
      checked at each compute's start as catchUp does, so it says so instead
      (KvUnit.changed, docs/stores.md). */
  changed() {
    return this.kv.changed?.() === true;
  }

  /** Takes up the version changed() told of; true if it is newer than the unit's (the
      news may be of a commit the unit has read since, after a conflict). */
  async catchUpChanged() {
    const before = this.metaBytes;
    await this.refresh();
    return !sameBytes(before, this.metaBytes);
  }

  /** Whether the store's meta record is the one this unit read (a store that can compare
      it where it lies saves copying it, at every compute). */
  #holdsMeta() {
    return this.kv.holds ? this.kv.holds(META_KEY, this.metaBytes) : sameBytes(this.kv.get(META_KEY), this.metaBytes);
  }

  #check() {
    this.#checked = true;
    queueMicrotask(this.#unchecked);
  }

  #unchecked = () => { this.#checked = false; };

  /** Reads outside a compute (a collection after a commit, a snapshot, getOutput) check
      the same way, and fail as a conflict instead: they cannot start over. */
  #current() {
    if (this.#checked || this.meta === null || this.kv.lazy === true) return;
    if (!this.#holdsMeta()) {
      const err = new StoreError('another process or tab committed to this unit since it last read the store; run a compute to read it again');
      err.conflict = true;
      throw err;
    }
    this.#check();
  }

  async #readMeta() {
    this.meta = null;  // fetch() has no version to check while the meta record itself is read
    this.#takeMeta(await this.settle(() => this.kv.get(META_KEY)));
  }

  #takeMeta(bytes) {
    const meta = decodeMeta(bytes) ?? { format: FORMAT, version: 0, nextId: 3 };
    // a unit written before collections existed counts from nothing
    meta.suspects ??= 0;
    meta.records ??= 0;
    this.meta = meta;
    this.metaBytes = bytes;
  }

  /** Runs fn, reading whatever it misses on a lazy unit and running it again; fn must be
      safe to run again (a miss may stop it halfway). Its result, or a promise of it once
      something had to be read. */
  settle(fn) {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof StoreMiss)) throw err;
      return this.#settleAfter(err, fn);
    }
  }

  async #settleAfter(miss, fn) {
    for (;;) {
      await this.fetch(miss);
      try {
        return fn();
      } catch (err) {
        if (!(err instanceof StoreMiss)) throw err;
        miss = err;
      }
    }
  }

  /** Reads what a lazy unit missed, checking that the unit is still at the version of the
      meta record this unit read: a mismatch rejects with a conflict error (js/store.js). */
  fetch(miss) {
    return this.kv.fetch(miss, this.meta === null ? undefined : { key: META_KEY, expect: this.metaBytes });
  }

  /** A miss for the whole of table id (a stored function is read at once). */
  tableMiss(id) {
    return new StoreMiss([headerKey(id)], [tablePrefix(id)]);
  }

  /** Table id's stored entries and reference count. A record that does not decode is
      returned in `corrupt` (key -> StoreError naming it), so the rest stays readable. */
  loadTable(id, table, extra) {
    this.#current();
    const prefix = tablePrefix(id);
    const entries = [];
    const corrupt = new Map();
    const [records, header] = gather(() => this.kv.range(prefix), () => this.kv.get(headerKey(id)));
    for (const [k, v] of records) {
      let key;
      try {
        key = decodeKey(k, prefix.length);
      } catch {
        throw new StoreError(`a key of external table ${id} is corrupt`);
      }
      try {
        entries.push([key, decodeValue(v, table, extra)]);
      } catch (err) {
        corrupt.set(key, new StoreError(`the stored value of key ${describeKey(key)} (external table ${id}) is corrupt: ${err.message}`));
      }
    }
    return { entries, corrupt, refs: decodeHeader(header) };
  }

  /** One entry of table id, read alone (undefined if absent). Throws StoreError naming the key if corrupt. */
  getEntry(id, key, table, extra) {
    this.#current();
    const bytes = this.kv.get(entryKey(id, key));
    if (bytes === undefined) return undefined;
    try {
      return decodeValue(bytes, table, extra);
    } catch (err) {
      throw new StoreError(`the stored value of key ${describeKey(key)} (external table ${id}) is corrupt: ${err.message}`);
    }
  }

  /** Table id's stored reference count, from its header alone. */
  refs(id) {
    this.#current();
    return decodeHeader(this.kv.get(headerKey(id)));
  }

  /** Record keys of table id, for deleting it. */
  tableKeys(id) {
    this.#current();
    const keys = [headerKey(id)];
    for (const [k] of this.kv.range(tablePrefix(id))) keys.push(k);
    return keys;
  }

  /** Writes atomically, guarded by the meta record: another process's commit in between
      is a conflict. suspects: the tables this commit left with fewer references but not
      none (ext.js, plan); collected: the records a collection read (it resets the count). */
  async commit(writes, nextId, { suspects = 0, collected } = {}) {
    const meta = {
      format: FORMAT, version: this.meta.version + 1, nextId,
      suspects: collected === undefined ? this.meta.suspects + suspects : 0,
      records: collected ?? this.meta.records,
    };
    const metaBytes = encodeMeta(meta);
    writes.push([META_KEY, metaBytes]);
    await this.#write(writes, { key: META_KEY, expect: this.metaBytes });
    this.meta = meta;
    this.metaBytes = metaBytes;
  }

  // --- collection: cycles that reference counting cannot delete ------------------------------

  /** A collection reads every record, so it waits until the suspects (tables that lost a
      reference but kept others) are a 32nd of the records the last one read: its reads
      then cost at most 32 per suspect. In a small unit every suspect is collected at once. */
  collectDue() {
    return this.meta.suspects >= Math.max(1, this.meta.records / 32);
  }

  /** What a collection changes: the tables and functions that root no longer reaches
      (cycles dropped whole: nothing outside them refers to them) are deleted, and the
      others' headers get their true reference counts, which no longer count references
      from the deleted ones. referenceIn(bytes) gives the id a value refers to. When a
      record does not decode, what it refers to is unknown: nothing is deleted on a guess.
      Returns { writes, garbage: ids, refs: id -> count, records: how many were read }. */
  collect(root, referenceIn) {
    this.#current();
    const [headers, entries] = gather(() => [...this.kv.range(HEADER_PREFIX)], () => [...this.kv.range(ENTRY_PREFIX)]);
    const records = headers.length + entries.length;
    const keys = new Map();  // id -> its record keys
    const headerRefs = new Map();
    const out = new Map();   // id -> the ids its entries refer to, once per entry
    const add = (map, id, x) => { const xs = map.get(id); if (xs === undefined) map.set(id, [x]); else xs.push(x); };
    try {
      for (const [k, v] of headers) {
        const id = readId(k, 1);
        add(keys, id, k);
        headerRefs.set(id, decodeHeader(v));
      }
      for (const [k, v] of entries) {
        const id = readId(k, 1);
        add(keys, id, k);
        const to = referenceIn(v);
        if (to !== undefined) add(out, id, to);
      }
    } catch {  // a bad checksum, an unknown type, a record too short for its type
      return { writes: [], garbage: [], refs: new Map(), records };
    }
    const refs = new Map([[root, 0]]);
    for (const stack = [root]; stack.length > 0;) {
      for (const to of out.get(stack.pop()) ?? []) {
        const n = refs.get(to);
        if (n === undefined) stack.push(to);
        refs.set(to, (n ?? 0) + 1);
      }
    }
    const writes = [];
    const garbage = [];
    for (const [id, ks] of keys) {
      if (!refs.has(id)) {
        garbage.push(id);
        for (const k of ks) writes.push([k, undefined]);
      } else if ((headerRefs.get(id) ?? 0) !== refs.get(id)) {
        writes.push([headerKey(id), encodeHeader(refs.get(id))]);
      }
    }
    return { writes, garbage, refs, records };
  }

  // --- snapshots: the unit's records copied under "s" name 0 ----------------------------------

  #live() {
    this.#current();
    const [headers, entries] = gather(() => this.kv.range(HEADER_PREFIX), () => this.kv.range(ENTRY_PREFIX));
    return [[META_KEY, this.metaBytes], ...headers, ...entries];
  }

  async saveState(name, nextId) {
    if (this.metaBytes === undefined) await this.commit([], nextId);  // a unit never committed: make its meta
    const prefix = snapshotPrefix(name);
    const writes = await this.settle(() => {
      const w = [];
      for (const [k] of this.kv.range(prefix)) w.push([k, undefined]);
      for (const [k, v] of this.#live()) w.push([concat(prefix, k), v]);
      return w;
    });
    await this.#write(writes, { key: META_KEY, expect: this.metaBytes });
  }

  async loadState(name) {
    const prefix = snapshotPrefix(name);
    const isMeta = (k) => k.length === 1 && k[0] === META_KEY[0];
    const [saved, live] = await this.settle(() => gather(
      () => [...this.kv.range(prefix)].map(([k, v]) => [k.slice(prefix.length), v]),
      () => this.#live()));
    const savedMeta = saved.find(([k]) => isMeta(k));
    if (savedMeta === undefined) throw new StoreError(`there is no saved state called ${JSON.stringify(name)}`);
    const old = decodeMeta(savedMeta[1]);
    const writes = [];
    for (const [k] of live) if (!isMeta(k)) writes.push([k, undefined]);
    for (const [k, v] of saved) if (!isMeta(k)) writes.push([k, v]);
    await this.commit(writes, Math.max(old.nextId, this.meta.nextId));
  }

  async listStates() {
    const names = new Set();
    for (const [k] of await this.settle(() => this.kv.range(SNAPSHOT_PREFIX))) {
      const end = k.indexOf(0, 1);
      if (end > 0) names.add(new TextDecoder().decode(k.subarray(1, end)));
    }
    return [...names].sort();
  }

  async deleteState(name) {
    const writes = await this.settle(() => [...this.kv.range(snapshotPrefix(name))].map(([k]) => [k, undefined]));
    if (writes.length === 0) return false;
    await this.#write(writes, { key: META_KEY, expect: this.metaBytes });
    return true;
  }
}
