// store.js: the storage adapter interface that a unit's records are kept in, and
// openStore(), which turns a store spec ('memory', 'indexeddb[:DB]', 'lmdb:DIR' or an
// adapter object) into a KvStore, and Watchers, the listeners of units that watch
// (KvUnit.watch). The built-in adapters are in js/stores/; the LMDB and
// IndexedDB ones are loaded only when asked for, so a browser never loads the Node one.
// docs/stores.md describes the interface, the guarantees and the on-disk layouts.

/**
 * One write of a commit: a key and its new value, or undefined to delete the key.
 * @typedef {[Uint8Array, Uint8Array | undefined]} Write
 */

/**
 * The optimistic-concurrency check of a commit: the commit applies only if the record
 * `key` holds exactly `expect` (bytewise; undefined means "must be absent").
 * @typedef {{ key: Uint8Array, expect: Uint8Array | undefined }} Guard
 */

/**
 * A unit's records. Keys and values are bytes; keys compare bytewise (unsigned,
 * lexicographic, a proper prefix sorts first).
 * @typedef {object} KvUnit
 * @property {(key: Uint8Array) => Uint8Array | undefined} get
 *   Synchronous: the value of key, as a fresh copy, or undefined.
 * @property {(key: Uint8Array, bytes: Uint8Array | undefined) => boolean} [holds]
 *   Optional, synchronous: whether key's value is exactly bytes (undefined: absent), as get
 *   and a comparison would say, without copying it (the version check of every compute).
 * @property {() => boolean} [changed]
 *   Optional, synchronous and cheap: whether another writer has committed to the unit since
 *   it was opened or refreshed, as far as the adapter has been told (never for the unit's
 *   own commits); Cu then calls refresh before the next compute. For adapters read
 *   asynchronously, which cannot check the version record at each compute's start.
 * @property {(prefix: Uint8Array) => Iterable<[Uint8Array, Uint8Array]>} range
 *   Synchronous: the records whose key starts with prefix, ascending by key (fresh copies).
 * @property {(writes: Write[], guard?: Guard) => Promise<void>} commit
 *   Applies every write atomically and durably, in order (a later write to the same key
 *   wins). With a guard, a mismatch writes nothing and rejects with an Error whose
 *   `conflict` property is true. Resolves only once the data is durable.
 * @property {() => Promise<void>} refresh
 *   Makes get/range see what other processes or tabs have committed.
 * @property {() => Promise<void>} clear
 *   Deletes every record of this unit, atomically.
 * @property {(listener: () => void) => () => void} [watch]
 *   Optional: calls listener after each commit to the unit made through another unit
 *   object (another connection, tab, worker or thread, or another openUnit of the same
 *   name that gives a new object), as soon as the adapter hears of it; returns the
 *   function that stops it. Cu's onStoreChange.
 */

/**
 * A store: many units, each identified by a name.
 * @typedef {object} KvStore
 * @property {(name: string, options?: { lazy?: boolean }) => Promise<KvUnit>} openUnit
 *   Opens the unit (creating it if absent); resolves once get/range can be served
 *   synchronously. With `{ lazy: true }` a store whose reads are asynchronous may instead
 *   give a lazy unit (below); other stores ignore the option.
 * @property {() => Promise<string[]>} units
 *   The names of the units in this store.
 * @property {() => Promise<void>} close
 */

/**
 * A lazy unit is a KvUnit with `lazy: true` whose get and range serve only what it has
 * read so far, and throw a StoreMiss for the rest; `fetch(miss, guard?)` reads what the
 * miss names (in one read transaction, which also reads guard.key and rejects like a
 * commit's guard on a mismatch, caching nothing), after which the same calls succeed.
 * docs/stores.md, "Lazy units".
 */
export class StoreMiss extends Error {
  /** @param {Uint8Array[]} keys  records to read @param {Uint8Array[]} prefixes  ranges to read whole */
  constructor(keys, prefixes) {
    super('the store has not read these records yet (a lazy unit)');
    this.name = 'StoreMiss';
    this.keys = keys;
    this.prefixes = prefixes;
  }

  /** This miss and another, to be read in one go. */
  with(other) {
    return new StoreMiss([...this.keys, ...other.keys], [...this.prefixes, ...other.prefixes]);
  }
}

/** Listeners, each added by the object it watches for; tell(from) calls all but from's.
    A listener that throws is reported as an uncaught error, as an event handler's would
    be, and the others still run. */
export class Watchers {
  #all = new Set();

  get size() { return this.#all.size; }

  /** Returns the function that removes it. */
  add(from, listener) {
    const w = { from, listener };
    this.#all.add(w);
    return () => this.#all.delete(w);
  }

  tell(from) {
    for (const w of [...this.#all]) {
      if (w.from === from) continue;
      try {
        w.listener();
      } catch (err) {
        queueMicrotask(() => { throw err; });
      }
    }
  }
}

/** @typedef {'memory' | 'indexeddb' | `indexeddb:${string}` | `lmdb:${string}` | KvStore} StoreSpec */

const SPECS = "'memory', 'indexeddb', 'indexeddb:DBNAME', 'lmdb:DIR' or an adapter object with openUnit, units and close";

const isNode = () => typeof process !== 'undefined' && process.versions != null && typeof process.versions.node === 'string';

/**
 * Opens a store from its spec.
 * @param {StoreSpec} spec
 * @returns {Promise<KvStore>}
 */
export async function openStore(spec) {
  if (spec !== null && typeof spec === 'object') {
    for (const m of ['openUnit', 'units', 'close']) {
      if (typeof spec[m] !== 'function') throw new TypeError(`store adapter: the object has no ${m}() method (expected ${SPECS})`);
    }
    return spec;
  }
  if (typeof spec !== 'string') throw new TypeError(`store: expected ${SPECS}, got ${spec === null ? 'null' : typeof spec}`);
  if (spec === 'memory') {
    const { MemoryStore } = await import('./stores/memory.js');
    return new MemoryStore();
  }
  if (spec === 'indexeddb' || spec.startsWith('indexeddb:')) {
    const dbName = spec === 'indexeddb' ? 'cu' : spec.slice('indexeddb:'.length);
    if (dbName === '') throw new Error(`store "${spec}": the IndexedDB database name is empty`);
    if (typeof indexedDB === 'undefined') throw new Error(`store "${spec}": IndexedDB is not available here (it is a browser store; in Node use 'lmdb:DIR' or 'memory')`);
    const { openIndexedDbStore } = await import('./stores/indexeddb.js');
    return openIndexedDbStore(dbName);
  }
  if (spec.startsWith('lmdb:')) {
    const dir = spec.slice('lmdb:'.length);
    if (dir === '') throw new Error(`store "${spec}": the LMDB directory is empty (use 'lmdb:/path/to/dir')`);
    if (!isNode()) throw new Error(`store "${spec}": LMDB stores work only in Node (in a browser use 'indexeddb' or 'memory')`);
    const { openLmdbStore } = await import('./stores/lmdb.js');
    return openLmdbStore(dir);
  }
  throw new Error(`unknown store "${spec}": expected ${SPECS}`);
}
