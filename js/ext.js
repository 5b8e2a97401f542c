// ext.js: the host side of external tables (mirrors src/ext.c). Tables live here, in JS;
// Lua holds proxies and calls the js_ext_* imports. Every compute is one transaction:
// writes apply at once and are visible to the compute, and an undo log per table puts
// them back if it fails. Tables nothing refers to are swept (roots: _home, _io, and the
// tables live proxies in Lua hold).
//
// How Lua values are kept here (the "stored" form):
//   integer: number when |i| <= 2^53, else BigInt     float: number, or LuaFloat when it
//   string: string (valid UTF-8) or Uint8Array          would read back as an integer
//   boolean; HostTable; LuaBigInt (a Lua bigint)        nil: the key is absent
// Keys: the same, except that a byte string is '\uD800' + one char per byte (no string
// decoded from UTF-8 starts with a lone surrogate, so the two never collide).
//
// Two kinds of number name a table. Its id (a handle) is what Lua's proxies and the
// imports use: this process's own, never written to a store. Its key names its records
// in the store; a table gets one when it becomes stored, taken from the unit's committed
// sequence (meta.nextId) by the commit that stores it, and loses it when it is deleted.
// So a table this process made can never be taken for one another process (or a restored
// snapshot) stored under the same number. Upvalue cells have ids and keys the same way.

import { TAG, Builder, setProperty, LuaOpaque, asciiAt } from './codec.js';
import { LuaFloat, LuaBigInt, StoreError, entryKey, headerKey, encodeValue, decodeValue, encodeHeader } from './persist.js';
import { StoreMiss } from './store.js';

const SAFE = 2 ** 53;
const HOME = 1;  // _home's id, and its key
const IO = 2;
const BYTE_KEY = '\uD800';
const INLINE = 48;       // bytes of string an ExtSlot carries
const SLOT_SIZE = 64;    // sizeof(ExtSlot)
const encoder = new TextEncoder();
const utf8 = new TextDecoder();
const STATUS = { OK: 0, STALE: TAG.STALE, READONLY: TAG.READONLY };
const MISS_NUM = -3;     // HOST_MISS_NUM (src/host.h): a miss, from imports returning a number
const MISSES_BEFORE_WHOLE = 16;  // single-key misses of one table before it is read whole

export { LuaFloat, LuaBigInt };

/** Whether a stored number is a Lua integer (else a float). */
const isInt = (x) => Number.isInteger(x) && Math.abs(x) <= SAFE && !Object.is(x, -0);

export class HostTable {
  constructor(id) {
    this.id = id;
    this.key = undefined;   // its key in the store while it is stored (see the top)
    this.arr = [];          // keys 1..arr.length; holes are undefined; the last is never a hole
    this.hash = new Map();  // every other key
    this.undo = null;       // key -> value before this compute, while a compute runs
    this.fresh = false;     // made by the running compute: a rollback drops it whole
    this.loaded = true;     // false: a stored table not read whole yet (ExtHost.load reads it)
    this.known = null;      // while not loaded: keys read or written one by one, already in arr/hash
    this.stored = false;    // it has records in the store (it is reachable from _home)
    this.refs = 0;          // stored references to it, when stored
    this.corrupt = null;    // key -> StoreError, for records that did not decode
    this.misses = 0;        // keys read alone from a lazy store (ExtHost.entry)
    this.verify = false;    // reached through a version before: its first read checks it is still stored
  }

  get(key) {
    if (typeof key === 'number' && key >= 1 && key <= this.arr.length && Number.isInteger(key)) return this.arr[key - 1];
    return this.hash.get(key);
  }

  /** value undefined deletes. */
  set(key, value) {
    const arr = this.arr;
    if (typeof key === 'number' && key >= 1 && Number.isInteger(key) && key <= arr.length + 1) {
      if (key <= arr.length) {
        arr[key - 1] = value;
        if (value === undefined && key === arr.length) {
          while (arr.length > 0 && arr[arr.length - 1] === undefined) arr.pop();
        }
        return;
      }
      if (value !== undefined) {  // appending: take over the keys that follow from the hash
        arr.push(value);
        if (this.hash.size > 0) {
          for (let next = arr.length + 1; this.hash.has(next); next++) {
            arr.push(this.hash.get(next));
            this.hash.delete(next);
          }
        }
        return;
      }
    }
    if (value === undefined) this.hash.delete(key);
    else this.hash.set(key, value);
  }

  get border() { return this.arr.length; }

  /** [key, value] pairs, for pairs(). */
  *entries() {
    for (let i = 0; i < this.arr.length; i++) if (this.arr[i] !== undefined) yield [i + 1, this.arr[i]];
    yield* this.hash;
  }
}

/** A stored Lua function: a graph node like a table (so it is stored, counted and loaded
    the same way) whose entry 0 is its bytecode, entries 1..n its upvalues' values (ENV for
    the global environment) and entries -1..-n their cell ids (src/closure.c). */
export class HostFunction extends HostTable {}

/** A standard library C function, stored by name. */
export class LuaCFunction {
  constructor(name) { this.name = name; }
}

/** The global environment, as an upvalue value. */
export const LUA_ENV = Object.freeze({ env: true });

/** A JS value given as input, read lazily and never copied. Read-only. */
export class JsView {
  constructor(id, value, generation) {
    this.id = id;
    this.value = value;
    this.generation = generation;
    this.indexed = Array.isArray(value) || ArrayBuffer.isView(value);
    // element reads from float arrays are Lua floats, even when integral
    this.floats = value instanceof Float64Array || value instanceof Float32Array;
  }

  /** The JS value under a Lua key (already converted to a JS key), or undefined. */
  get(key) {
    const v = this.value;
    if (this.indexed) {
      return typeof key === 'number' && Number.isInteger(key) && key >= 1 && key <= v.length ? v[key - 1] : undefined;
    }
    if (v instanceof Map) return v.get(key);
    if (typeof key !== 'string' || key[0] === BYTE_KEY) return undefined;
    return Object.hasOwn(v, key) ? v[key] : undefined;
  }

  get border() { return this.indexed ? this.value.length : 0; }

  *entries() {
    const v = this.value;
    if (this.indexed) for (let i = 0; i < v.length; i++) yield [i + 1, v[i]];
    else if (v instanceof Map) yield* v;
    else for (const k of Object.keys(v)) yield [k, v[k]];
  }

}

export class ExtHost {
  /** @param {WebAssembly.Memory} memory @param {import('./codec.js').ValueReader} reader */
  constructor(memory, reader) {
    this.memory = memory;
    this.u8 = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
    this.reader = reader;
    this.slots = 0;                  // address of the unit's ExtSlots, set by setSlots
    this.objects = new Map();        // id -> HostTable | JsView
    this.pins = new Map();           // id -> live proxies in Lua
    this.nextId = 3;                 // the next id (tables, views, cells): this process's
    this.byKey = new Map();          // key -> the stored table or function, or its stub
    this.nextKey = 3;                // the next key, at least the store's meta.nextId
    this.cellKeys = new Map();       // cell id -> its key, once stored
    this.cellIds = new Map();        // cell key -> its id here
    this.cellsHeld = new Set();      // cell ids closure.c has noted and not yet released
    this.home = this.#table(HOME);
    this.home.key = HOME;
    this.io = this.#table(IO);
    this.iterators = new Map();
    this.nextIter = 1;
    this.pending = new Map();        // ticket -> bytes of a long string
    this.nextTicket = 1;
    this.txn = null;                 // the running compute's { touched, created }, else null
    this.txnLog = { touched: [], created: [] };  // reused by every compute
    this.garbage = 0;                // tables made or dropped since the last sweep
    this.generation = 0;             // input generation: views of older ones are stale
    this.viewsByValue = new Map();   // JS object -> JsView, this generation
    this.rootViews = new Set();      // views held by _io (input, meta): never released
    this.failure = null;             // what went wrong on this side, for CuError.cause
    this.lazy = false;               // the store is a lazy unit: reads may miss (see wait)
    this.canWait = false;            // a compute runs under WebAssembly.promising: misses can wait
    this.miss = null;                // the StoreMiss the next wait reads
    this.waitFailure = null;         // a wait's read failed: the compute fails, whatever Lua did
  }

  setSlots(address) { this.slots = address; }

  #table(id) {
    const t = new HostTable(id);
    this.objects.set(id, t);
    return t;
  }

  // --- persistence (js/persist.js) ---------------------------------------------------------

  /** Makes _home (and everything reachable from it) come from the unit's records. */
  attachStore(unitStore) {
    this.store = unitStore;
    this.lazy = unitStore.kv.lazy === true;
    this.reset();
  }

  // --- lazy restore: reads that miss wait for the store (docs/persistence.md) -------------

  /** An import's read missed: when the compute can wait, remember what to read and answer
      MISS (C then calls js_ext_wait and asks again); else it is a failure. */
  missed(miss) {
    if (!this.canWait) return false;
    this.miss = miss;
    return true;
  }

  /** The js_ext_wait import (a WebAssembly.Suspending on lazy units): reads what the last
      miss needs; 0, or 1 when the read failed (a conflict, or the store's error). */
  async wait() {
    const miss = this.miss;
    this.miss = null;
    try {
      if (miss === null) throw new StoreError('js_ext_wait was called without a miss');
      await this.store.fetch(miss);
      return 0;
    } catch (err) {
      this.waitFailure ??= err;
      this.failure ??= err;
      return 1;
    }
  }

  /** Reads every stored table reachable from value (not functions: they load when called).
      The misses of one level are read together, so a result n tables deep needs n reads. */
  loadReachable(value) {
    if (!(value instanceof HostTable)) return;
    const seen = new Set([value]);
    for (let level = [value]; level.length > 0;) {
      let miss = null;
      const next = [];
      for (const t of level) {
        try {
          this.load(t);
        } catch (err) {
          if (!(err instanceof StoreMiss)) throw err;
          miss = miss === null ? err : miss.with(err);
          continue;
        }
        for (const [, v] of t.entries()) {
          if (v instanceof HostTable && !(v instanceof HostFunction) && !seen.has(v)) { seen.add(v); next.push(v); }
        }
      }
      if (miss !== null) throw miss;
      level = next;
    }
  }

  /** Entry i of a stored function (its cells as ids here); a function is read whole. */
  fnEntry(f, i) {
    try {
      this.load(f);
      if (f.corrupt?.has(i)) throw f.corrupt.get(i);
      return f.get(i);
    } catch (err) {
      throw err instanceof StoreMiss ? this.store.tableMiss(f.key) : err;
    }
  }

  /** After the unit takes up another version of the store (another process or tab
      committed, or a snapshot was loaded): forgets every stored table's contents, to be
      read again on first use. A table a live proxy holds keeps its id, so Lua's proxy reads
      the new version (or, if that version no longer has it, fails naming why); the others
      are dropped. Stored functions are dropped too: a live closure's upvalues cannot follow
      the store, so one Lua holds runs on, no longer stored. Tables that are not stored keep
      their ids and contents: they have no key a store could reuse. */
  reset() {
    const forgotten = new Set();
    for (const o of this.byKey.values()) if (o instanceof HostFunction || !this.pins.has(o.id)) forgotten.add(o);
    for (const o of forgotten) {
      this.objects.delete(o.id);
      this.byKey.delete(o.key);
    }
    for (const t of this.byKey.values()) this.#unread(t, t.key !== HOME);
    // and the functions restored from now on get cells of their own: joined to a cell a
    // function of the version before still holds, they would take its value, not the store's
    this.cellIds.clear();
    this.cellKeys.clear();
    this.home = this.byKey.get(HOME) ?? this.#stub(HOME, HOME, false);
    this.nextKey = Math.max(this.nextKey, this.store.meta.nextId);
    // a kept table that refers to a stored one now refers to its new stub: the old object's
    // contents and count are of the version before, and storing it would write them
    for (const o of this.objects.values()) {
      if (!(o instanceof HostTable) || o.stored) continue;
      for (const [k, v] of o.entries()) {
        if (forgotten.has(v)) o.set(k, this.stub(v.key, v instanceof HostFunction, true));
      }
    }
  }

  /** The HostTable (or HostFunction) stored under key, unread until first use; verify: a
      new stub is reached through the version before (see #unread). */
  stub(key, isFunction = false, verify = false) {
    return this.byKey.get(key) ?? this.#stub(this.nextId++, key, isFunction, verify);
  }

  #stub(id, key, isFunction, verify = false) {
    const t = isFunction ? new HostFunction(id) : new HostTable(id);
    this.objects.set(id, t);
    this.byKey.set(key, t);
    t.key = key;
    return this.#unread(t, verify);
  }

  /** Makes t a stored table not read yet. verify: it was reached through the version
      before, and may be gone from this one (its records deleted by another process's
      commit); its first read checks that. */
  #unread(t, verify) {
    t.arr = [];
    t.hash = new Map();
    t.loaded = false;
    t.known = new Set();
    t.stored = true;
    t.refs = 0;
    t.corrupt = null;
    t.misses = 0;
    t.verify = verify;
    return t;
  }

  /** Reads again a table a loop began on before the unit re-read the store (a coroutine
      can hold the loop across computes), so the loop goes on over the new version. A lazy
      unit cannot wait for that read here. */
  #reload(t) {
    try {
      this.load(t);
    } catch (err) {
      if (!(err instanceof StoreMiss)) throw err;
      throw new StoreError('a loop over a stored table began before this unit read another tab\'s commit; begin the loop again');
    }
  }

  /** The stored reference count of t, which a table not read whole has in its header
      alone; a table reached through the version before fails here if it is gone. */
  storedRefs(t) {
    const refs = this.store.refs(t.key);
    if (t.verify) this.#verified(t, refs);
    return refs;
  }

  #verified(t, refs) {
    if (refs === 0) {
      const err = new StoreError(`a table this unit held is no longer in the store: another process or tab removed it (it was external table ${t.key}); read it from _home again`);
      err.gone = true;
      throw err;
    }
    t.verify = false;
  }

  /** The id here of a stored cell key: the live cell already joined to it, or a new one. */
  cellId(key) {
    let id = this.cellIds.get(key);
    if (id === undefined) {
      id = this.nextId++;
      this.cellIds.set(key, id);
      this.cellKeys.set(id, key);
    }
    return id;
  }

  /** Reads a stored table's records, once; what was already read or written one key at a
      time (t.known) is kept as it is in memory. A function's cells become ids here. */
  load(t) {
    if (t.loaded) return t;
    const { entries, corrupt, refs } = this.store.loadTable(t.key, (key) => this.stub(key), this.decodeExtra);
    if (t.verify) this.#verified(t, refs);
    for (const [k, v] of entries) if (!t.known.has(k)) t.set(k, isCell(t, k, v) ? this.cellId(v) : v);
    for (const k of t.known) corrupt.delete(k);
    t.refs = refs;
    t.corrupt = corrupt.size > 0 ? corrupt : null;
    t.loaded = true;
    t.known = null;
    return t;
  }

  /** t[key]: from memory, or for a table not read whole, that one record from the store. */
  entry(t, key) {
    if (t.loaded || t.known.has(key)) return t.get(key);
    if (t.verify) this.storedRefs(t);
    let v;
    try {
      v = this.store.getEntry(t.key, key, (k) => this.stub(k), this.decodeExtra);
    } catch (err) {
      // A lazy unit reads a missed key alone, but a table that keeps missing (a loop over
      // new keys) is read whole: one read instead of thousands.
      if (err instanceof StoreMiss && ++t.misses > MISSES_BEFORE_WHOLE) throw this.store.tableMiss(t.key);
      throw err;
    }
    t.known.add(key);
    if (v !== undefined) t.set(key, v);
    return v;
  }

  /** The records a successful compute changes, and what to apply once they are durable.
      Tables become stored when first referenced from a stored table, written whole, and
      are deleted whole when their last stored reference goes. _home is the root: it is
      never deleted, even when a reference to itself is dropped. A table that loses a
      reference but keeps others is a suspect (it may be in a cycle that nothing else
      reaches); collect() deletes such cycles once enough suspects pile up. */
  plan() {
    const txn = this.txn;
    if (txn.touched.length === 0) return NO_WRITES;  // most computes: nothing to plan
    const writes = [];
    const delta = new Map();
    const bump = (t, d) => delta.set(t, (delta.get(t) ?? 0) + d);
    const storedNow = (t) => t.stored || t === this.home;
    // keys for what this commit stores first, kept only once it is durable (applyPlan)
    const keys = new Map();   // table -> its new key
    const cells = new Map();  // cell id -> its new key
    let nextKey = this.nextKey;
    const keyOf = (t) => {
      let key = t.key ?? keys.get(t);
      if (key === undefined) keys.set(t, key = nextKey++);
      return key;
    };
    const cellKeyOf = (id) => {
      let key = this.cellKeys.get(id) ?? cells.get(id);
      if (key === undefined) cells.set(id, key = nextKey++);
      return key;
    };
    const entry = (t, k, v) => [entryKey(keyOf(t), k), v === undefined ? undefined : this.encode(isCell(t, k, v) ? cellKeyOf(v) : v, keyOf)];
    for (const t of txn.touched) {
      if (!storedNow(t)) continue;
      for (const [k, old] of t.undo) {
        const now = t.get(k);
        if (old === now) continue;
        writes.push(entry(t, k, now));
        if (old instanceof HostTable) bump(old, -1);
        if (now instanceof HostTable) bump(now, +1);
      }
    }
    const refs = new Map();  // table -> references after this commit
    const refsOf = (t) => refs.get(t) ?? (!t.stored ? 0 : t.loaded ? t.refs : this.storedRefs(t));
    // additions first, so a table moved within _home is never deleted on the way
    const up = [...delta].filter(([, d]) => d > 0);
    const down = [...delta].filter(([, d]) => d < 0);
    while (up.length > 0) {
      const [t, d] = up.pop();
      // the host empties _io after each compute, and every unit has its own
      if (t === this.io) throw new StoreError('_io cannot be stored (it is this compute\'s input and output); store a copy of what you need');
      const before = refsOf(t);
      refs.set(t, before + d);
      writes.push([headerKey(keyOf(t)), encodeHeader(before + d)]);
      if (before === 0 && !t.stored) {  // newly reachable: write it whole
        for (const [k, v] of t.entries()) {
          writes.push(entry(t, k, v));
          if (v instanceof HostTable) up.push([v, 1]);
        }
      }
    }
    let suspects = 0;
    const deleted = new Set();
    while (down.length > 0) {
      const [t, d] = down.pop();
      // deleted once already: a count that was too low (a damaged header) must not send
      // the walk round a cycle for ever
      if (deleted.has(t)) continue;
      const after = refsOf(t) + d;
      refs.set(t, after);
      if (after > 0 || t === this.home) {
        if (t !== this.home) suspects++;
        writes.push([headerKey(keyOf(t)), encodeHeader(after)]);
        continue;
      }
      deleted.add(t);
      for (const k of keys.has(t) ? writtenKeys(t, keys.get(t)) : this.deadKeys(t)) writes.push([k, undefined]);
      for (const [, v] of this.load(t).entries()) if (v instanceof HostTable) down.push([v, -1]);
    }
    return { writes, refs, suspects, keys, cells, nextKey };
  }

  /** After the plan's records are durable. */
  applyPlan({ refs, keys, cells, nextKey }) {
    this.nextKey = nextKey;
    for (const [t, key] of keys) {
      t.key = key;
      this.byKey.set(key, t);
    }
    for (const [id, key] of cells) {
      this.cellKeys.set(id, key);
      this.cellIds.set(key, id);
    }
    for (const [t, n] of refs) {
      t.refs = n;
      t.stored = n > 0 || t === this.home;
      if (!t.stored) this.#unstore(t);
    }
  }

  /** The record keys of a stored table that a commit deletes: those in the store, and the
      keys this compute added to it, which the same commit writes first. */
  deadKeys(t) {
    const dead = this.store.tableKeys(t.key);
    for (const [k, old] of t.undo ?? []) if (old === undefined && t.get(k) !== undefined) dead.push(entryKey(t.key, k));
    return dead;
  }

  /** A table whose records are deleted lives on in memory only, under no key. */
  #unstore(t) {
    if (!t.loaded) this.load(t);
    this.byKey.delete(t.key);
    t.key = undefined;
    t.stored = false;
    t.refs = 0;
  }

  /** The collection of the stored tables and functions that _home no longer reaches
      (persist.js, UnitStore.collect): their copies in memory are read whole first, since
      Lua may still hold them and they must keep their contents once unstored. */
  collect() {
    const plan = this.store.collect(HOME, referenceIn);
    const garbage = new Set(plan.garbage);
    const todo = plan.garbage.filter((key) => this.byKey.has(key)).map((key) => this.byKey.get(key));
    while (todo.length > 0) {
      for (const [, v] of this.load(todo.pop()).entries()) {
        if (v instanceof HostTable && garbage.has(v.key) && !v.loaded) todo.push(v);
      }
    }
    return plan;
  }

  /** After the collection's records are durable. */
  applyCollect({ garbage, refs }) {
    for (const key of garbage) {
      const t = this.byKey.get(key);
      if (t !== undefined) this.#unstore(t);
    }
    for (const [key, n] of refs) {
      const t = this.byKey.get(key);
      if (t !== undefined && t.loaded) t.refs = n;
    }
    this.garbage += garbage.length;
  }

  /** A value in stored form as record bytes; keyOf(t) gives a table's or function's key. */
  encode(v, keyOf) {
    return encodeValue(v, (x) => (x instanceof HostTable && !(x instanceof HostFunction) ? keyOf(x) : undefined),
      (w, x) => encodeExtra(w, x, keyOf));
  }

  decodeExtra = extraDecoder((id) => this.stub(id, true));

  newFunction(bytecode) {
    const f = new HostFunction(this.nextId++);
    this.objects.set(f.id, f);
    f.set(0, bytecode);
    this.garbage++;
    if (this.txn) {
      f.fresh = true;
      this.txn.created.push(f);
    }
    return f;
  }

  newTable() {
    const t = this.#table(this.nextId++);
    this.garbage++;
    if (this.txn) {
      t.fresh = true;
      this.txn.created.push(t);
    }
    return t;
  }

  // --- transactions --------------------------------------------------------------------

  begin() { this.txn = this.txnLog; }  // its lists are emptied by commit and rollback

  commit() {
    const txn = this.txn;
    this.txn = null;
    if (!txn) return;
    if (txn.touched.length > 0) {
      for (const t of txn.touched) t.undo = null;
      txn.touched.length = 0;
    }
    if (txn.created.length > 0) {
      for (const t of txn.created) t.fresh = false;
      txn.created.length = 0;
    }
    if (this.garbage > 256 && this.garbage > this.objects.size / 2) this.sweep();
  }

  rollback() {
    const txn = this.txn;
    this.txn = null;
    if (!txn) return;
    for (const t of txn.touched) {
      for (const [key, value] of t.undo) t.set(key, value);
      t.undo = null;
    }
    for (const t of txn.created) this.objects.delete(t.id);
    if (txn.touched.length > 0) txn.touched.length = 0;
    if (txn.created.length > 0) txn.created.length = 0;
  }

  /** Writes through the undo log. */
  write(t, key, value) {
    this.put(t, key, this.old(t, key), value);
  }

  /** t[key] before a write (read first: on a lazy unit this may miss). */
  old(t, key) {
    try {
      return this.entry(t, key);
    } catch (err) {
      if (!(err instanceof StoreError) || err.gone) throw err;
      t.known?.add(key);  // overwriting a corrupt record mends it
      return undefined;
    }
  }

  /** t[key] = value, where old is t[key] now. */
  put(t, key, old, value) {
    if (t.corrupt?.has(key)) t.corrupt.delete(key);
    if (old instanceof HostTable) this.garbage++;
    if (this.txn !== null && !t.fresh) {
      if (t.undo === null) {
        t.undo = new Map();
        this.txn.touched.push(t);
      }
      if (!t.undo.has(key)) t.undo.set(key, old);
    }
    t.set(key, value);
  }

  /** Frees the tables that nothing reaches: not _home, _io, a live proxy, or a table they
      refer to. Stored tables stay (the store's reference counts decide about them). */
  sweep() {
    const marked = new Set();
    const stack = [this.home, this.io];
    for (const id of this.pins.keys()) {
      const o = this.objects.get(id);
      if (o instanceof HostTable) stack.push(o);
    }
    while (stack.length > 0) {
      const t = stack.pop();
      if (marked.has(t)) continue;
      marked.add(t);
      for (const v of t.arr) if (v instanceof HostTable && !marked.has(v)) stack.push(v);
      for (const v of t.hash.values()) if (v instanceof HostTable && !marked.has(v)) stack.push(v);
    }
    for (const [id, o] of this.objects) if (o instanceof HostTable && !marked.has(o) && !o.stored) this.objects.delete(id);
    this.garbage = 0;
    this.#sweepCells();
  }

  /** Forgets the keys of cells that neither Lua (cellsHeld) nor a function here holds: a
      cell that nothing can store again needs no key, and in a long-lived unit that stores
      a new closure now and then, the maps would otherwise grow by one entry each time. */
  #sweepCells() {
    if (this.cellKeys.size === 0) return;
    const used = new Set();
    for (const o of this.objects.values()) {
      if (!(o instanceof HostFunction)) continue;
      for (const [k, v] of o.hash) if (isCell(o, k, v)) used.add(v);
    }
    for (const [id, key] of this.cellKeys) {
      if (this.cellsHeld.has(id) || used.has(id)) continue;
      this.cellKeys.delete(id);
      if (this.cellIds.get(key) === id) this.cellIds.delete(key);
    }
  }

  /** Host tables alive now (for tests and statistics). */
  get tableCount() {
    let n = 0;
    for (const o of this.objects.values()) if (o instanceof HostTable) n++;
    return n;
  }

  // --- input ---------------------------------------------------------------------------

  /** A view of a JS object, one per object per input generation (so proxies are identical). */
  viewOf(value) {
    let v = this.viewsByValue.get(value);
    if (v === undefined) {
      v = new JsView(this.nextId++, value, this.generation);
      this.viewsByValue.set(value, v);
      this.objects.set(v.id, v);
    }
    return v;
  }

  /** Ends every view of the current input: later use from Lua is a clear error. */
  retireInput() {
    if (this.viewsByValue.size > 0) {
      for (const v of this.viewsByValue.values()) this.objects.delete(v.id);
      this.viewsByValue = new Map();
    }
    this.generation++;
  }

  // --- conversions ---------------------------------------------------------------------

  key(tag, num, ptr, len) {
    switch (tag) {
      case TAG.INT: case TAG.FLOAT: return num;
      case TAG.INT64: return this.view.getBigInt64(ptr, true);
      case TAG.ASCII: return this.ascii(ptr, len);
      case TAG.UTF8: return utf8.decode(this.u8.subarray(ptr, ptr + len));
      case TAG.BYTES: return BYTE_KEY + this.ascii(ptr, len);
      case TAG.TRUE: return true;
      case TAG.FALSE: return false;
      default: throw new Error(`cu: bad key tag ${tag}`);
    }
  }

  ascii(ptr, len) { return asciiAt(this.u8, ptr, len); }

  /** A value Lua sent, in stored form. */
  value(tag, num, ptr, len) {
    switch (tag) {
      case TAG.INT: return num;
      case TAG.INT64: return this.view.getBigInt64(ptr, true);
      case TAG.FLOAT: return isInt(num) ? new LuaFloat(num) : num;
      case TAG.ASCII: return this.ascii(ptr, len);
      case TAG.UTF8: return utf8.decode(this.u8.subarray(ptr, ptr + len));
      case TAG.BYTES: return this.u8.slice(ptr, ptr + len);
      case TAG.TRUE: return true;
      case TAG.FALSE: return false;
      case TAG.BIGINT: return new LuaBigInt(hexToBigInt(this.ascii(ptr, len)));
      case TAG.EXTREF: return this.reference(num);
      case TAG.BUILT: return this.reader.takeBuilt();
      case TAG.FNREF: return this.objects.get(num);
      case TAG.CFUNC: return new LuaCFunction(this.ascii(ptr, len));
      case TAG.ENV: return LUA_ENV;
      default: throw new Error(`cu: bad value tag ${tag}`);
    }
  }

  /** Storing an external table stores a reference; storing an input view copies it. */
  reference(id) {
    const o = this.objects.get(id);
    if (o instanceof JsView) return this.fromJS(o.value, new Map());
    return o;
  }

  /** A JS value copied into stored form, tables into new host tables. */
  fromJS(value, memo) {
    switch (typeof value) {
      case 'number': return isInt(value) || !Number.isInteger(value) ? value : new LuaFloat(value);
      case 'string': case 'boolean': return value;
      case 'bigint': return BigInt.asIntN(64, value) === value ? (value >= -SAFE && value <= SAFE ? Number(value) : value) : new LuaBigInt(value);
      case 'undefined': return undefined;
      case 'object': {
        if (value === null) return undefined;
        if (value instanceof Uint8Array) return value.slice();
        if (memo.has(value)) return memo.get(value);
        const t = this.newTable();
        memo.set(value, t);
        const view = new JsView(0, value, 0);
        for (const [k, v] of view.entries()) {
          const stored = view.floats && isInt(v) ? new LuaFloat(v) : this.fromJS(v, memo);
          const key = this.keyFromJS(k);
          if (stored !== undefined && key !== undefined) t.set(key, stored);
        }
        return t;
      }
      default: throw new TypeError(`a ${typeof value} cannot be given to Lua`);
    }
  }

  /** A key given by JS (a Map's, an object's or an index) in stored form; undefined if Lua cannot have it. */
  keyFromJS(k) {
    switch (typeof k) {
      case 'string': case 'boolean': return k;
      case 'number': return Number.isNaN(k) ? undefined : Object.is(k, -0) ? 0 : k;
      case 'bigint': return BigInt.asIntN(64, k) === k ? (k >= -SAFE && k <= SAFE ? Number(k) : k) : undefined;
      default: return k instanceof Uint8Array ? BYTE_KEY + String.fromCharCode(...k) : undefined;
    }
  }

  /** A key sent inside a table being stored (a byte string arrives as bytes). */
  storedKey(k) {
    return k instanceof Uint8Array ? this.keyFromJS(k) : k;
  }

  /** A stored value (or input value) as a JS value: the lossless mapping of docs/api.md.
      Iterative, so nesting depth is not bounded by the JS stack. onFloat(container, key)
      hears where an integral Lua float became a plain number (codec.js, innerFloats). */
  toJS(value, memo = new Map(), onFloat = undefined) {
    if (value instanceof HostFunction) return new LuaOpaque('function', `function: stored #${value.id}`);
    if (!(value instanceof HostTable)) return scalarToJS(value);
    if (this.lazy) this.loadReachable(value);  // first, so a miss leaves nothing half-built
    if (value.corrupt) throw value.corrupt.values().next().value;
    const work = [];
    const convert = (v) => (v instanceof HostFunction ? this.toJS(v) : v instanceof HostTable ? memo.get(v) ?? shell(v) : scalarToJS(v));
    const shell = (t) => {
      this.load(t);
      let out;
      if (t.hash.size === 0 && t.arr.length > 0 && !t.arr.includes(undefined)) out = [];
      else if (t.arr.length === 0 && [...t.hash.keys()].every((k) => typeof k === 'string' && k[0] !== BYTE_KEY)) out = {};
      else out = new Map();
      memo.set(t, out);
      work.push([t, out]);
      return out;
    };
    // called only when someone listens for floats
    const note = onFloat && ((out, k, v) => { if (v instanceof LuaFloat) onFloat(out, k); });
    const root = shell(value);
    while (work.length > 0) {
      const [t, out] = work.pop();
      if (Array.isArray(out)) for (const v of t.arr) { note?.(out, out.length, v); out.push(convert(v)); }
      else if (out instanceof Map) for (const [k, v] of t.entries()) { const key = keyToJS(k); note?.(out, key, v); out.set(key, convert(v)); }
      else for (const [k, v] of t.hash) { note?.(out, k, v); setProperty(out, k, convert(v)); }
    }
    return root;
  }

  // --- slots -----------------------------------------------------------------------------

  /** Puts a stored value, or (input = true) a JS value read from an input view, in slot `which`. */
  toSlot(which, value, input = false, floats = false) {
    const base = this.slots + which * SLOT_SIZE;
    const v = this.view;
    let tag;
    switch (typeof value) {
      case 'undefined': tag = TAG.NIL; break;
      case 'boolean': tag = value ? TAG.TRUE : TAG.FALSE; break;
      case 'number':
        if (!floats && isInt(value)) { tag = TAG.INT; v.setFloat64(base + 8, value, true); }
        else { tag = TAG.FLOAT; v.setFloat64(base + 8, value, true); }
        break;
      case 'bigint':
        if (BigInt.asIntN(64, value) === value) { tag = TAG.INT64; v.setBigInt64(base + 16, value, true); }
        else return this.longSlot(which, TAG.BIGINT, encoder.encode(value.toString(16)));
        break;
      case 'string': return this.stringSlot(which, value);
      case 'object':
        if (value === null) { tag = TAG.NIL; break; }
        if (value instanceof LuaFloat) { tag = TAG.FLOAT; v.setFloat64(base + 8, value.value, true); break; }
        if (value instanceof LuaBigInt) return this.longSlot(which, TAG.BIGINT, encoder.encode(value.value.toString(16)));
        if (value instanceof Uint8Array && !input) return this.bytesSlot(which, TAG.BYTES, value);
        if (value instanceof HostFunction) { tag = TAG.LFUNC; v.setFloat64(base + 8, value.id, true); break; }
        if (value instanceof LuaCFunction) return this.bytesSlot(which, TAG.CFUNC, encoder.encode(value.name));
        if (value === LUA_ENV) { tag = TAG.ENV; break; }
        if (value instanceof HostTable || value instanceof JsView) { tag = TAG.EXTREF; v.setFloat64(base + 8, value.id, true); break; }
        if (!input) throw new Error(`cu: a stored value of unknown form`);
        tag = TAG.EXTREF;  // a JS object from input: a view of it
        v.setFloat64(base + 8, this.viewOf(value).id, true);
        break;
      default:
        throw new TypeError(`a JS ${typeof value} in input cannot be read from Lua`);
    }
    v.setInt32(base, tag, true);
    return tag;
  }

  stringSlot(which, s) {
    const base = this.slots + which * SLOT_SIZE;
    const n = s.length;
    if (n <= 16) {  // short ASCII, the common key and value: no encoder call
      const u8 = this.u8;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        u8[base + 16 + i] = c;
      }
      if (i === n) {
        this.view.setInt32(base, TAG.ASCII, true);
        this.view.setInt32(base + 4, n, true);
        return TAG.ASCII;
      }
    }
    if (n <= INLINE) {
      const { read, written } = encoder.encodeInto(s, this.u8.subarray(base + 16, base + 16 + INLINE));
      if (read === s.length) {
        this.view.setInt32(base, TAG.UTF8, true);
        this.view.setInt32(base + 4, written, true);
        return TAG.UTF8;
      }
    }
    return this.longSlot(which, TAG.UTF8, encoder.encode(s));
  }

  bytesSlot(which, tag, bytes) {
    if (bytes.length > INLINE) return this.longSlot(which, TAG.LONG, bytes);
    const base = this.slots + which * SLOT_SIZE;
    this.u8.set(bytes, base + 16);
    this.view.setInt32(base, tag, true);
    this.view.setInt32(base + 4, bytes.length, true);
    return tag;
  }

  /** A string that does not fit the slot: Lua makes room and fetches it by ticket. */
  longSlot(which, tag, bytes) {
    if (tag !== TAG.BIGINT && bytes.length <= INLINE) return this.bytesSlot(which, TAG.BYTES, bytes);
    const base = this.slots + which * SLOT_SIZE;
    const ticket = this.nextTicket++;
    this.pending.set(ticket, bytes);
    this.view.setInt32(base, tag === TAG.BIGINT ? TAG.BIGINT : TAG.LONG, true);
    this.view.setInt32(base + 4, bytes.length, true);
    this.view.setFloat64(base + 8, ticket, true);
    return tag;
  }

  /** Called at the end of every compute: tickets Lua never fetched (it failed first). */
  endCompute() { if (this.pending.size > 0) this.pending.clear(); }

  // --- the imports -------------------------------------------------------------------------

  imports() {
    const guard = (fn, onError, onMiss = onError) => (...args) => {
      try {
        return fn(...args);
      } catch (err) {
        if (err instanceof StoreMiss && this.missed(err)) return onMiss;
        this.failure ??= err;
        return onError;
      }
    };
    return {
      js_ext_table_get: guard((id, ktag, knum, kptr, klen) => {
        const o = this.objects.get(id);
        if (o === undefined) return STATUS.STALE;
        const key = this.key(ktag, knum, kptr, klen);
        if (o instanceof JsView) return this.toSlot(0, o.get(key), true, o.floats);
        if (o.corrupt?.has(key)) throw o.corrupt.get(key);
        return this.toSlot(0, this.entry(o, key));
      }, -1, TAG.MISS),
      js_ext_table_set: guard((id, ktag, knum, kptr, klen, vtag, vnum, vptr, vlen) => {
        const o = this.objects.get(id);
        if (vtag === TAG.BUILT && o === undefined) this.reader.takeBuilt();
        if (o === undefined) return STATUS.STALE;
        if (o instanceof JsView) return STATUS.READONLY;
        const key = this.key(ktag, knum, kptr, klen);
        const old = this.old(o, key);  // before the value: a miss must not take a BUILT one
        this.put(o, key, old, this.value(vtag, vnum, vptr, vlen));
        return STATUS.OK;
      }, -1, TAG.MISS),
      js_ext_table_delete: guard((id, ktag, knum, kptr, klen) => {
        const o = this.objects.get(id);
        if (o === undefined) return STATUS.STALE;
        if (o instanceof JsView) return STATUS.READONLY;
        this.write(o, this.key(ktag, knum, kptr, klen), undefined);
        return STATUS.OK;
      }, -1, TAG.MISS),
      js_ext_table_size: guard((id) => {
        const o = this.objects.get(id);
        if (o === undefined) return -1;
        return o instanceof HostTable ? this.load(o).border : o.border;
      }, -2, MISS_NUM),
      js_ext_table_keys: guard((id) => {
        const o = this.objects.get(id);
        if (o === undefined) return -1;
        if (o instanceof HostTable) this.load(o);
        // a snapshot of the keys, so assigning to fields during the loop is allowed
        const keys = [];
        for (const [k] of o.entries()) keys.push(k);
        const iter = this.nextIter++;
        this.iterators.set(iter, { o, keys, at: 0 });
        return iter;
      }, -1, MISS_NUM),
      js_ext_table_next: guard((iter) => {
        const it = this.iterators.get(iter);
        if (it === undefined) return 0;
        const input = it.o instanceof JsView;
        if (!input && !it.o.loaded) this.#reload(it.o);
        while (it.at < it.keys.length) {
          const k = it.keys[it.at++];
          if (!input && it.o.corrupt?.has(k)) throw it.o.corrupt.get(k);
          const value = it.o.get(k);
          const key = input ? this.keyFromJS(k) : k;
          if (value === undefined || value === null || key === undefined) continue;  // removed during the loop
          this.keyToSlot(0, key);
          this.toSlot(1, value, input, input && it.o.floats);
          return 1;
        }
        return 0;
      }, -1),
      js_ext_iter_release: (iter) => { this.iterators.delete(iter); },
      js_ext_fn_code: guard((id) => {
        const f = this.objects.get(id);
        if (!(f instanceof HostFunction)) return STATUS.STALE;
        return this.bytesSlot(0, TAG.BYTES, this.fnEntry(f, 0));
      }, -1, TAG.MISS),
      js_ext_fn_upvalue: guard((id, i) => {
        const f = this.objects.get(id);
        if (!(f instanceof HostFunction)) return STATUS.STALE;
        const value = this.fnEntry(f, i);
        const cell = this.fnEntry(f, -i) ?? 0;
        const tag = this.toSlot(0, value);
        if (cell > 0) this.cellsHeld.add(cell);  // closure.c notes it, or joins the live one
        this.view.setFloat64(this.slots + SLOT_SIZE + 8, cell, true);
        return tag;
      }, -1, TAG.MISS),
      js_ext_new_id: () => {  // closure.c's new cell
        this.cellsHeld.add(this.nextId);
        return this.nextId++;
      },
      js_ext_table_new: () => this.newTable().id,
      js_ext_table_bytes: guard((id) => {
        const o = this.objects.get(id);
        if (o === undefined) return STATUS.STALE;
        if (!(o instanceof JsView) || !ArrayBuffer.isView(o.value)) return TAG.NIL;
        const v = o.value;
        return this.longSlot(0, TAG.BYTES, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      }, -1),
      js_ext_read: (ticket, dst) => {
        const bytes = this.pending.get(ticket);
        this.pending.delete(ticket);
        this.u8.set(bytes, dst);
      },
      js_ext_retain: (id) => { this.pins.set(id, (this.pins.get(id) ?? 0) + 1); },
      js_ext_release: (id) => {  // a proxy collected, or a cell closure.c let go of
        this.cellsHeld.delete(id);
        const n = (this.pins.get(id) ?? 1) - 1;
        if (n > 0) { this.pins.set(id, n); return; }
        this.pins.delete(id);
        const o = this.objects.get(id);
        if (o instanceof JsView && !this.rootViews.has(o)) {
          this.objects.delete(id);
          this.viewsByValue.delete(o.value);
        } else if (o instanceof HostTable) this.garbage++;
      },
      js_ext_wait: () => 1,  // a lazy unit's host replaces it (js/cu.js); others never miss
      js_ext_build: (start) => {
        if (start) this.reader.beginBuild(new Builder(this, this.memory));
        else this.reader.abandonBuild();
      },
    };
  }

  keyToSlot(which, k) {
    if (typeof k === 'string' && k[0] === BYTE_KEY) return this.bytesSlot(which, TAG.BYTES, keyToJS(k));
    return this.toSlot(which, k);
  }
}

function scalarToJS(value) {
  if (value instanceof LuaFloat || value instanceof LuaBigInt) return value.value;
  if (value instanceof LuaCFunction) return new LuaOpaque('function', `function: builtin ${value.name}`);
  if (value instanceof Uint8Array) return value.slice();
  if (value instanceof JsView) return value.value;
  return value ?? null;
}

/** The plan of a compute that wrote to no table: nothing to commit or apply. */
const NO_WRITES = Object.freeze({ writes: Object.freeze([]), suspects: 0 });

/** Whether entry k of t holds an upvalue cell (a function's entries -1..-n, src/closure.c). */
const isCell = (t, k, v) => t instanceof HostFunction && k < 0 && typeof v === 'number';

/** Stored forms persist.js does not know, read through decodeValue's `extra`: functions;
    fn(id) gives what a stored Lua function is read as. */
function extraDecoder(fn) {
  return (b, view, end) => {
    switch (b[0]) {
      case 0x71: return fn(view.getUint32(1) * 2 ** 32 + view.getUint32(5));          // 'q'
      case 0x63: return new LuaCFunction(new TextDecoder().decode(b.subarray(1, end))); // 'c'
      case 0x65: return LUA_ENV;                                                      // 'e'
      default: throw new StoreError(`a record has an unknown type ${b[0]}`);
    }
  };
}

/** A stored reference to a table or function, as a collection reads it (no stub made). */
class Reference {
  constructor(id) { this.id = id; }
}
const referenceDecoder = extraDecoder((id) => new Reference(id));

/** The id a stored value refers to, else undefined; throws StoreError when the record
    does not decode. */
function referenceIn(bytes) {
  const v = decodeValue(bytes, (id) => new Reference(id), referenceDecoder);
  return v instanceof Reference ? v.id : undefined;
}

/** The record keys of a table that a commit stores first and then deletes again (a
    table it dropped referred to it): the store has none of them yet, only the commit. */
function writtenKeys(t, key) {
  return [headerKey(key), ...[...t.entries()].map(([k]) => entryKey(key, k))];
}

/** persist.js writes these through encodeValue's `extra`. */
function encodeExtra(w, v, keyOf) {
  if (v instanceof HostFunction) { w.byte(0x71); w.id(keyOf(v)); return; }     // 'q' key
  if (v instanceof LuaCFunction) { w.byte(0x63); w.bytes(encoder.encode(v.name)); return; }  // 'c' name
  if (v === LUA_ENV) { w.byte(0x65); return; }                                  // 'e'
  throw new StoreError(`cannot store a ${v?.constructor?.name ?? typeof v}`);
}

export function hexToBigInt(hex) {
  return hex[0] === '-' ? -BigInt('0x' + hex.slice(1)) : BigInt('0x' + hex);
}

/** A stored key as a JS value. */
export function keyToJS(k) {
  if (typeof k === 'string' && k[0] === BYTE_KEY) {
    const bytes = new Uint8Array(k.length - 1);
    for (let i = 1; i < k.length; i++) bytes[i - 1] = k.charCodeAt(i);
    return bytes;
  }
  return k;
}
