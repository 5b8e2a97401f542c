// lmdb.js: the Node store on a directory ('lmdb:DIR'), built on the lmdb npm package.
// One LMDB environment per directory (shared by every store opened on it in this
// process), all units' records in one named database under a per-unit key prefix.
// Reads are synchronous memory-mapped lookups; each commit is one LMDB write transaction
// that checks its guard under LMDB's writer lock and is fsync'd before it resolves.
// Commits are announced to the process's other openers of the directory (news.js), not
// to other processes: those are checked for at each compute's start (holds).
// See docs/stores.md for the layout and the durability settings.

import { checkWrites, conflictError, copyBytes, sameBytes } from './memory.js';
import { StoreNews } from './news.js';

/** The BroadcastChannel on which a process's openers of directory dir (an absolute path)
    tell each other of their commits: its other stores and worker threads. */
export const lmdbChannelName = (dir) => `cu:lmdb:${dir}`;

/** The version of the layout below; a directory written with another one is refused. */
export const LMDB_LAYOUT = 1;

// The options every opener of a directory uses. LMDB's own defaults are durable; the
// lmdb package adds overlappingSync, on by default on Linux, which lets a commit's promise
// resolve before its fsync (the flush happens after the writer lock is released). It is
// turned off, so a commit resolves only after mdb_txn_commit has synced the data pages
// (fdatasync) and written the meta page through the O_DSYNC descriptor.
export const LMDB_OPTIONS = Object.freeze({
  maxDbs: 4,
  overlappingSync: false, // resolve after the durable commit, not before the flush
  noSync: false,          // fsync every commit
  noMetaSync: false,      // sync the meta page too
  mapAsync: false,        // MS_SYNC, not MS_ASYNC
  useWritemap: false,     // pages written with pwrite, never a stray pointer into the map
  compression: false,     // values are opaque bytes, stored as given
  cache: false,           // no JS-side cache: reads always go to the map
});

const RECORD_DB = 'records';   // unit prefix + key -> value
const UNIT_DB = 'units';       // unit name (UTF-8) -> unit prefix
const META_DB = 'meta';        // 'layout' -> LMDB_LAYOUT as text
const DB_OPTIONS = { encoding: 'binary', keyEncoding: 'binary' };
// LMDB's largest key with the page size lmdb uses by default (lmdb-js limits keys to 1978 bytes).
const MAX_KEY = 1978;

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();

/** @type {Map<string, Env>} one environment per directory in this process */
const envs = new Map();
/** @type {Map<string, Promise<void>>} environments being closed: reopening waits for them */
const closing = new Map();

class Env {
  constructor(dir, lmdb) {
    this.dir = dir;
    this.refs = 0;
    this.root = lmdb.open({ path: dir, ...LMDB_OPTIONS });
    this.records = this.root.openDB({ name: RECORD_DB, ...DB_OPTIONS });
    this.unitDb = this.root.openDB({ name: UNIT_DB, ...DB_OPTIONS });
    this.meta = this.root.openDB({ name: META_DB, ...DB_OPTIONS });
    this.news = new StoreNews(lmdbChannelName(dir));
    this.ready = this.checkLayout();
  }

  async checkLayout() {
    const key = utf8.encode('layout');
    const want = utf8.encode(String(LMDB_LAYOUT));
    let found = this.meta.get(key);
    if (found === undefined) {
      await this.meta.childTransaction(() => {
        found = this.meta.get(key);
        if (found === undefined) this.meta.put(key, want);
      });
    }
    if (found !== undefined && !sameBytes(new Uint8Array(found), want)) {
      throw new Error(`store "lmdb:${this.dir}": it has storage layout ${JSON.stringify(utf8d.decode(found))}, which this version of Cu (layout ${LMDB_LAYOUT}) cannot read`);
    }
  }
}

/** node:fs and node:path, loaded by the first open rather than imported at the top: the
    browser bundle (dist/cu.js) carries this file, and a static import of a Node built-in
    there would stop the whole bundle from loading in a browser. */
const nodeModules = () => Promise.all([import('node:fs'), import('node:path')]);

async function acquireEnv(dir, fs, path) {
  let env = envs.get(dir);
  while (!env && closing.has(dir)) {
    // LMDB must not have one environment open twice in a process: let the close finish.
    await closing.get(dir).catch(() => {});
    env = envs.get(dir);
  }
  if (!env) {
    let lmdb;
    try {
      lmdb = await import('lmdb');
    } catch (e) {
      throw new Error(`store "lmdb:${dir}": the lmdb package could not be loaded (npm install lmdb): ${e.message}`, { cause: e });
    }
    env = envs.get(dir); // another open may have finished first while we awaited the import
    while (!env && closing.has(dir)) {
      await closing.get(dir).catch(() => {});
      env = envs.get(dir);
    }
    if (!env) {
      try {
        makeDirectory(dir, fs, path);
      } catch (e) {
        throw new Error(`store "lmdb:${dir}": cannot create the directory (${e.code ?? e.message})`, { cause: e });
      }
      env = new Env(dir, lmdb);
      envs.set(dir, env);
    }
  }
  env.refs++;
  try {
    await env.ready;
  } catch (e) {
    await releaseEnv(env);
    throw e;
  }
  return env;
}

async function releaseEnv(env) {
  if (--env.refs > 0) return;
  if (envs.get(env.dir) === env) envs.delete(env.dir);
  env.news.close();
  const done = env.root.close();
  closing.set(env.dir, done);
  try {
    await done;
  } finally {
    if (closing.get(env.dir) === done) closing.delete(env.dir);
  }
}

/** The unit's key prefix: the name's UTF-8 length as a LEB128 varint, then the name. */
function unitPrefix(name) {
  const bytes = utf8.encode(name);
  const head = [];
  let n = bytes.length;
  do {
    head.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  const out = new Uint8Array(head.length + bytes.length);
  out.set(head);
  out.set(bytes, head.length);
  return out;
}

function concat(a, b) {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The smallest key greater than every key starting with p, or undefined if there is none. */
function prefixEnd(p) {
  let n = p.length;
  while (n > 0 && p[n - 1] === 0xff) n--;
  if (n === 0) return undefined;
  const out = p.slice(0, n);
  out[n - 1]++;
  return out;
}

/** A plain Uint8Array over the bytes lmdb returned (a fresh Buffer that nobody else holds). */
const plain = (b) => new Uint8Array(b.buffer, b.byteOffset, b.length);

class LmdbUnit {
  constructor(store, name) {
    this.store = store;
    this.name = name;
    this.prefix = unitPrefix(name);
    this.records = store.env.records;
  }

  fullKey(key) {
    const k = concat(this.prefix, key);
    if (k.length > MAX_KEY) throw new RangeError(`unit "${this.name}": a key of ${key.length} bytes is too long for LMDB (at most ${MAX_KEY - this.prefix.length} bytes in this unit)`);
    return k;
  }

  get(key) {
    this.store.check();
    const v = this.records.get(this.fullKey(key));
    return v === undefined ? undefined : plain(v);
  }

  holds(key, bytes) {
    this.store.check();
    // lmdb's fast read reuses one buffer, valid until its next read: compared at once, not kept
    const v = this.records.getBinaryFast(this.fullKey(key));
    return sameBytes(v, bytes);
  }

  *range(prefix) {
    this.store.check();
    const start = concat(this.prefix, prefix);
    const end = prefixEnd(start);
    const n = this.prefix.length;
    for (const { key, value } of this.records.getRange(end === undefined ? { start } : { start, end })) {
      yield [copyBytes(key.subarray(n)), plain(value)];
    }
  }

  async commit(writes, guard) {
    this.store.check();
    checkWrites(writes, guard);
    // Keys and values are copied now: the transaction runs later, on LMDB's schedule.
    const ops = writes.map(([k, v]) => [this.fullKey(k), v === undefined ? undefined : copyBytes(v)]);
    const guardKey = guard ? this.fullKey(guard.key) : undefined;
    const expect = guard && guard.expect !== undefined ? copyBytes(guard.expect) : undefined;
    const db = this.records;
    // A child transaction: if anything in it throws, all of its writes are rolled back.
    // The guard is read inside the write transaction, under LMDB's writer lock, which
    // every process writing to this directory takes, so the check and the writes are atomic.
    await db.childTransaction(() => {
      if (guard) {
        const cur = db.get(guardKey);
        if (!sameBytes(cur === undefined ? undefined : plain(cur), expect)) throw conflictError(this.name);
      }
      for (const [k, v] of ops) {
        if (v === undefined) db.remove(k);
        else db.put(k, v);
      }
    });
    this.store.env.news.announce(this.name, this);
  }

  /** Calls listener after each commit to the unit by another unit object of this process
      (docs/stores.md, "watch()"). */
  watch(listener) {
    return this.store.env.news.watch(this, listener);
  }

  async refresh() {
    // Nothing to reload: reads go to the shared map. lmdb keeps one read snapshot per
    // event turn; dropping it now makes the next get/range see every commit made so far,
    // by any process.
    this.store.check();
    this.records.resetReadTxn();
  }

  async clear() {
    this.store.check();
    const db = this.records;
    const start = this.prefix;
    const end = prefixEnd(start);
    await db.childTransaction(() => {
      const keys = [...db.getKeys(end === undefined ? { start } : { start, end })];
      for (const key of keys) db.remove(key);
    });
    this.store.env.news.announce(this.name, this);
  }
}

/** @implements {import('../store.js').KvStore} */
class LmdbStore {
  constructor(env) {
    this.env = env;
    this.closed = false;
    /** @type {Map<string, LmdbUnit>} */
    this.open = new Map();
  }

  check() {
    if (this.closed) throw new Error(`store "lmdb:${this.env.dir}" is closed`);
  }

  async openUnit(name) {
    this.check();
    if (typeof name !== 'string') throw new TypeError('openUnit: the unit name must be a string');
    let unit = this.open.get(name);
    if (unit) return unit;
    unit = new LmdbUnit(this, name);
    const nameKey = utf8.encode(name);
    if (nameKey.length > MAX_KEY) throw new RangeError(`openUnit: the unit name is too long (${nameKey.length} bytes of UTF-8)`);
    if (this.env.unitDb.get(nameKey) === undefined) {
      const db = this.env.unitDb;
      await db.childTransaction(() => {
        if (db.get(nameKey) === undefined) db.put(nameKey, unit.prefix);
      });
    }
    this.open.set(name, unit);
    return unit;
  }

  async units() {
    this.check();
    const names = [];
    for (const key of this.env.unitDb.getKeys({})) names.push(utf8d.decode(key));
    return names;
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await releaseEnv(this.env);
  }
}

/**
 * Creates dir and its missing parents, one level at a time. Node's own recursive mkdir
 * never returns where a parent exists but cannot hold children (a path under /proc, a
 * dangling symlink): it reads the child's ENOENT as a missing parent and tries again.
 */
function makeDirectory(dir, fs, path) {
  const parent = path.dirname(dir);
  if (parent !== dir && !fs.existsSync(parent)) makeDirectory(parent, fs, path);
  try {
    fs.mkdirSync(dir);
  } catch (e) {
    if (e.code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw e;
  }
}

/**
 * Opens (creating if needed) the LMDB store in dir.
 * @param {string} dir
 */
export async function openLmdbStore(dir) {
  const [fs, path] = await nodeModules();
  const env = await acquireEnv(path.resolve(dir), fs, path);
  return new LmdbStore(env);
}
