// cu.js: the Cu class, one compute unit: one instance of cu.wasm with its own fixed
// memory (mirrors src/cu.c). A compute writes the code into the unit's buffer, calls
// eval, and collects what codec.c and the output import send back during the call.

import { compileModule, optimizeCompiles, instantiate, takeMemory, giveMemory, keepImage, findImage, copyImage } from './module.js';
import { ValueReader, noteFloatKey } from './codec.js';
import { ExtHost } from './ext.js';
import { UnitStore, StoreError, LuaFloat } from './persist.js';
import { openStore } from './store.js';
import { CuError, STATUS_KIND } from './errors.js';
import { wasiImports, seededRandom, primeRandom } from './wasi.js';

const PAGE = 65536;
const MIN_MEMORY = 8 * PAGE;            // shadow stack, data and a little heap
const MAX_MEMORY = 65536 * PAGE - PAGE; // wasm32
export const DEFAULTS = Object.freeze({
  memory: 2 * 1024 * 1024,
  limits: Object.freeze({ instructions: 1e9, timeMs: 5000 }),
  stdlib: 'sandbox',
});
const PROFILES = { sandbox: 0, full: 1 };
/** In a browser units persist in IndexedDB unless told otherwise; elsewhere they live in memory. */
const defaultStore = () => (typeof indexedDB !== 'undefined' && typeof process === 'undefined' ? 'indexeddb' : 'none');
const STREAMS = { 1: 'stdout', 2: 'stderr', 3: 'warn' };
const encoder = new TextEncoder();
const DEFAULT_NAME = encoder.encode('=input');
const EMPTY = Object.freeze({});
/** JavaScript Promise Integration (Chromium 137+): with it a compute can wait for an
    asynchronous store's read, so a store like IndexedDB can restore a unit lazily. */
const JSPI = typeof WebAssembly.Suspending === 'function' && typeof WebAssembly.promising === 'function';

/** What one compute printed and warned; decoders are made on first use. */
class Collected {
  constructor(onOutput) {
    this.onOutput = onOutput;
    this.output = [];
    this.warnings = [];
    this.warn = '';
    this.decoders = null;
  }
  decoder(stream) {
    this.decoders ??= { 1: new TextDecoder(), 2: new TextDecoder(), 3: new TextDecoder() };
    return this.decoders[stream];
  }
  /** A warning: in run()'s result, and to onOutput as stream 'warn'. */
  warned(text) {
    this.warnings.push(text);
    this.onOutput?.(text + '\n', 'warn', encoder.encode(text + '\n'));
  }
  /** The end of any multi-byte sequence still pending in the stdout decoder. */
  finish() {
    const rest = this.decoders?.[1].decode();
    if (rest) this.output.push(rest);
  }
}

/** A misspelled option must not pass unseen: `{ sotre: 'lmdb:dir' }` would run without a store. */
function checkKeys(options, known, what) {
  for (const key in options) {
    if (!known.includes(key)) throw new TypeError(`${what}: unknown option ${JSON.stringify(key)} (expected ${known.join(', ')})`);
  }
}
// interrupt is CuWorker's, set by js/worker-host.js
const CREATE_OPTIONS = ['memory', 'limits', 'stdlib', 'onOutput', 'onStoreChange', 'module', 'store', 'name', 'tier', 'seed', 'interrupt'];
const COMPUTE_OPTIONS = ['limits', 'name', 'onOutput', 'input'];

/** @param {unknown} limits @param {object} base */
function checkLimits(limits, base, what) {
  if (limits === undefined) return base;
  if (limits === null || typeof limits !== 'object') throw new TypeError(`${what} must be an object`);
  checkKeys(limits, ['instructions', 'timeMs'], what);
  const out = { ...base };
  for (const name of ['instructions', 'timeMs']) {
    if (!(name in limits)) continue;
    const v = limits[name] ?? Infinity;
    if (typeof v !== 'number' || !(v > 0)) throw new RangeError(`${what}.${name} must be a positive number or Infinity (got ${String(v)})`);
    out[name] = v;
  }
  return out;
}

function checkMemory(memory) {
  if (memory === undefined) return DEFAULTS.memory;
  if (!Number.isInteger(memory) || memory < MIN_MEMORY || memory > MAX_MEMORY)
    throw new RangeError(`memory must be a whole number of bytes from ${MIN_MEMORY} to ${MAX_MEMORY} (got ${String(memory)})`);
  return Math.ceil(memory / PAGE) * PAGE;
}

const SEED_MAX = (1n << 64n) - 1n;
/** undefined (a fresh random source per unit), or the seed as a bigint. */
function checkSeed(seed) {
  if (seed === undefined) return undefined;
  const ok = (typeof seed === 'number' && Number.isSafeInteger(seed)) || typeof seed === 'bigint';
  if (!ok || seed < 0 || BigInt(seed) > SEED_MAX) throw new RangeError(`seed must be an integer from 0 to 2^64 - 1 (got ${String(seed)})`);
  return BigInt(seed);
}

/** A failed read of the store as the error a compute or snapshot call fails with. */
const readFailure = (err) => new CuError('store', err instanceof StoreError ? err.message : `the store failed to read: ${err?.message ?? err}`, { cause: err });

/**
 * Units dropped without close(): once the collector has taken one, its memory goes back to
 * the pool, its onStoreChange stops and a store opened for it is closed, as close() would
 * have done. The record (cu.#dropped) holds neither the unit nor its instance, whose
 * imports refer to the unit and would keep it alive; without the instance to ask how far
 * it wrote, the whole memory is cleared (module.js pools at most 16 MiB, so at most that
 * much).
 */
const dropped = new FinalizationRegistry((held) => {
  if (held.started && !held.broken) giveMemory(held.memory, held.memory.buffer.byteLength);
  held.unwatch?.();
  held.store?.close().catch(() => {});
});

export class Cu {
  #exports;
  #memory;
  #reader;
  #ext;
  #store = null;       // the unit's records (js/persist.js), or null: host memory only
  #dropped;            // what close() gives back, or the collector if the unit is never closed (see dropped):
                       // its memory, the store when this unit opened it from a spec, and what stops onStoreChange
  #interrupt = null;   // { flag, current }: stop the compute when flag[0] === current() (worker.js)
  #input = null;       // what setInput gave (becomes _io.input)
  #meta = null;        // what setMetadata gave (becomes _io.meta)
  #ownInput = false;   // #input is our copy (setInputField), not the caller's object
  #limits;
  #onOutput;
  #collect = null;     // the current compute's Collected
  #statsView = null;   // view of the stats get_memory_stats fills
  #hostFailure = null; // why the host's side of an import failed during this compute
  #broken = null;
  #closed = false;
  #closing = null;     // close()'s promise, which a second close() returns too
  #queue = Promise.resolve();
  #pending = 0;        // computes queued and not yet finished
  #evalLazy = null;    // eval under WebAssembly.promising, on a lazy unit (see #runLazy)
  #waiting = false;    // a compute on a lazy unit is running (it may be suspended)

  /**
   * @param {import('./index.js').CuOptions} [options]
   * @returns {Promise<Cu>}
   */
  static async create(options = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError('Cu.create options must be an object');
    checkKeys(options, CREATE_OPTIONS, 'Cu.create');
    const memoryBytes = checkMemory(options.memory);
    const limits = checkLimits(options.limits, DEFAULTS.limits, 'limits');
    const stdlib = options.stdlib ?? DEFAULTS.stdlib;
    if (!(stdlib in PROFILES)) throw new RangeError(`stdlib must be 'sandbox' or 'full' (got ${String(stdlib)})`);
    if (options.onOutput !== undefined && typeof options.onOutput !== 'function') throw new TypeError('onOutput must be a function');
    if (options.onStoreChange !== undefined && typeof options.onStoreChange !== 'function') throw new TypeError('onStoreChange must be a function');
    if (options.interrupt !== undefined && !(options.interrupt?.flag instanceof Int32Array && typeof options.interrupt.current === 'function'))
      throw new TypeError('interrupt must be { flag: Int32Array, current: () => number }');
    const name = options.name ?? 'default';
    if (typeof name !== 'string' || name === '' || name.includes('\0')) throw new TypeError('name must be a non-empty string without NUL');
    if (options.tier !== undefined && options.tier !== 'default' && options.tier !== 'optimized')
      throw new RangeError(`tier must be 'default' or 'optimized' (got ${String(options.tier)})`);
    const seed = checkSeed(options.seed);
    if (options.tier === 'optimized') await optimizeCompiles();
    const spec = options.store ?? defaultStore();
    const opening = spec === 'none' ? null : openStore(spec);
    try {
      return await Cu.#open(options, { spec, opening, memoryBytes, limits, stdlib, name, seed });
    } catch (err) {
      // a store opened here from its spec is closed by the unit; without one, here
      if (typeof spec === 'string' && opening !== null) await opening.then((store) => store.close(), () => {});
      throw err;
    }
  }

  /** create() once the options are checked and the store is being opened. */
  static async #open(options, { spec, opening, memoryBytes, limits, stdlib, name, seed }) {
    const [module, store] = await Promise.all([compileModule(options.module), opening, primeRandom()]);
    let unit = null;
    if (store !== null) {
      try {
        // a store that reads asynchronously restores lazily only where computes can wait
        unit = await UnitStore.open(await store.openUnit(name, JSPI ? { lazy: true } : undefined));
      } catch (err) {
        throw err instanceof StoreError ? new CuError('store', err.message, { cause: err }) : err;
      }
    }
    const cu = new Cu(memoryBytes, limits, options.onOutput);
    cu.#interrupt = options.interrupt ?? null;
    await cu.#start(module, PROFILES[stdlib], JSPI && unit?.kv.lazy === true, seed);
    if (store !== null) {
      if (typeof spec === 'string') cu.#dropped.store = store;  // opened here, so closed by close()
      cu.#store = unit;
      cu.#ext.attachStore(unit);
      // stopped by close(), or by the collector for a unit dropped without it (the
      // listener must not hold the unit)
      if (options.onStoreChange !== undefined) cu.#dropped.unwatch = unit.watch(options.onStoreChange);
    }
    return cu;
  }

  constructor(memoryBytes, limits, onOutput) {
    this.#memory = takeMemory(memoryBytes);
    this.#dropped = { memory: this.#memory, store: null, started: false, broken: false, unwatch: null };
    dropped.register(this, this.#dropped, this);
    this.#reader = new ValueReader(this.#memory);
    this.#ext = new ExtHost(this.#memory, this.#reader);
    this.#reader.host = this.#ext;
    this.#limits = limits;
    this.#onOutput = onOutput;
  }

  async #start(module, profile, lazy, seed) {
    const view = new DataView(this.#memory.buffer);
    const reader = this.#reader;
    const ext = this.#ext;
    const imports = {
      env: { memory: this.#memory },
      cu: {
        value: (tag, num, ptr, len) => reader.step(tag, num, ptr, len),
        output: (stream, ptr, len) => (this.#output(stream, new Uint8Array(this.#memory.buffer, ptr, len)) ? 0 : 1),
        now: () => performance.now(),
        interrupted: () => {
          const i = this.#interrupt;
          return i !== null && Atomics.load(i.flag, 0) === i.current() ? 1 : 0;
        },
        ...ext.imports(),
      },
      wasi_snapshot_preview1: wasiImports(() => view, (fd, bytes) => this.#output(fd, bytes), seed === undefined ? undefined : seededRandom(seed)),
    };
    if (lazy) imports.cu.js_ext_wait = new WebAssembly.Suspending(() => ext.wait());
    const instance = await instantiate(module, imports);
    this.#exports = instance.exports;
    this.#dropped.started = true;
    if (lazy) this.#evalLazy = WebAssembly.promising(instance.exports.eval);
    // Lua starts once per module, memory size and profile; later units copy that start
    // and draw their own seeds (src/image.c). A seeded unit starts itself, so that its
    // draws follow from its seed alone.
    const bytes = this.#memory.buffer.byteLength;
    const key = `${bytes} ${profile}`;
    const image = seed === undefined ? findImage(module, key) : undefined;
    let status;
    if (image !== undefined) {
      copyImage(image, this.#memory);
      for (const [id, n] of image.host.pins) ext.pins.set(id, n);
      status = this.#call(() => this.#exports.renew());
    } else {
      this.#call(() => this.#exports._initialize());
      status = this.#call(() => this.#exports.init(profile, 0));
    }
    if (status !== 0) throw new CuError('memory', `a unit of ${bytes} bytes has too little memory to start Lua`);
    this.#stats();
    if (image === undefined && seed === undefined)
      keepImage(module, key, this.#memory, this.#exports.__stack_pointer.value, this.#written(this.#exports), { pins: [...ext.pins] });
    this.#ext.setSlots(this.#exports.ext_slots());
    if (this.#interrupt !== null) this.#exports.set_interruptible(1);
  }

  /** Delivers output to the caller; false tells the C side that the host failed. */
  #output(stream, bytes) {
    const c = this.#collect;
    if (c === null) return true;  // outside a compute (a finalizer during gc())
    try {
      if (stream === 3) {  // warnings arrive in pieces; an empty piece ends one
        if (bytes.length > 0) { c.warn += c.decoder(3).decode(bytes, { stream: true }); return true; }
        const text = c.warn + c.decoder(3).decode();
        c.warn = '';
        c.warned(text);
        return true;
      }
      const text = c.decoder(stream).decode(bytes, { stream: true });
      if (stream === 1) c.output.push(text);
      c.onOutput?.(text, STREAMS[stream], bytes.slice());
      return true;
    } catch (err) {
      this.#hostFailure ??= err;
      return false;
    }
  }

  /** Calls into the instance; a trap or an exception escaping it breaks the unit for good. */
  #call(fn) {
    if (this.#closed) throw new CuError('host', 'the unit is closed');
    if (this.#broken) throw this.#brokenError();
    try {
      return fn();
    } catch (err) {
      throw this.#breaks(err);
    }
  }

  /** A trap or an exception out of the instance: the unit is broken for good. */
  #breaks(err) {
    this.#broken = err;
    this.#dropped.broken = true;
    return this.#brokenError();
  }

  #brokenError() {
    const why = this.#broken instanceof Error ? `${this.#broken.name}: ${this.#broken.message}` : String(this.#broken);
    return new CuError('host', `the unit is broken and cannot run again (${why}); create a new unit`, { cause: this.#broken });
  }

  /** Runs computes one after another, in call order; at once when none is waiting. A
      compute still committing to its store counts as running. */
  #serial(fn) {
    if (this.#pending === 0) {
      let result;
      try { result = fn(); } catch (err) { return Promise.reject(err); }
      if (!(result instanceof Promise)) return Promise.resolve(result);
      this.#pending++;
      const done = result.finally(() => this.#pending--);
      this.#queue = done.catch(() => {});
      return done;
    }
    this.#pending++;
    const result = this.#queue.then(fn).finally(() => this.#pending--);
    this.#queue = result.catch(() => {});
    return result;
  }

  /**
   * Runs a chunk and resolves to its first return value (undefined when it returns nothing).
   * @param {string|Uint8Array} code
   * @param {import('./index.js').ComputeOptions} [options]
   */
  compute(code, options = EMPTY) {
    return this.#serial(() => this.#run(code, options, false));
  }

  /**
   * Runs a chunk and resolves to all of its results, its output and figures.
   * @param {string|Uint8Array} code
   * @param {import('./index.js').ComputeOptions} [options]
   */
  run(code, options = EMPTY) {
    return this.#serial(() => this.#run(code, options, true));
  }

  /** One compute; `full` builds run()'s result, else only the first value (compute()).
      `heard`: the store's news of another connection's commit is taken up. */
  #run(code, options, full, heard = false) {
    if (typeof code !== 'string' && !(code instanceof Uint8Array)) throw new TypeError('code must be a string or a Uint8Array');
    if (options === null || typeof options !== 'object') throw new TypeError('compute options must be an object');
    if (options !== EMPTY) checkKeys(options, COMPUTE_OPTIONS, 'compute');
    const limits = checkLimits(options.limits, this.#limits, 'options.limits');
    const onOutput = options.onOutput ?? this.#onOutput;
    const name = options.name === undefined ? DEFAULT_NAME : encoder.encode(`=${options.name}`);
    if (!heard && this.#store?.changed()) return this.#call(() => this.#catchUpChanged()).then(() => this.#run(code, options, full, true));
    const started = full ? performance.now() : 0;
    const codeLen = this.#write(code, name);
    this.#catchUp();
    if ('input' in options) this.setInput(options.input);
    const collect = new Collected(onOutput);
    const ext = this.#ext;
    this.#collect = collect;
    this.#hostFailure = null;
    ext.failure = null;
    this.#reader.reset();
    if (ext.io.hash.has('output')) ext.io.set('output', undefined);  // _io.output belongs to one compute
    ext.begin();
    if (this.#evalLazy !== null) return this.#runLazy(codeLen, name.length, limits, collect, full, started);
    let status;
    try {
      status = this.#call(() => this.#exports.eval(codeLen, name.length, limits.instructions, limits.timeMs));
    } finally {
      this.#ended(status);
    }
    return this.#finish(status, collect, full, started, null);
  }

  /** When another process or tab has committed to the unit's store, takes up its version
      before a compute or snapshot call reads any of it. */
  #catchUp() {
    try {
      if (this.#store?.catchUp()) this.#ext.reset();
    } catch (err) {  // a meta record damaged or of a newer format, or the store failing
      throw readFailure(err);
    }
  }

  /** The same, for a store that tells of other connections' commits (IndexedDB) instead
      of being checked at every compute (UnitStore.changed). */
  async #catchUpChanged() {
    try {
      if (await this.#store.catchUpChanged()) this.#ext.reset();
    } catch (err) {
      throw readFailure(err);
    }
  }

  /** After eval: a failed compute's writes are undone at once. */
  #ended(status) {
    const ext = this.#ext;
    this.#collect = null;
    if (status !== 0) this.#rollback();
    else if (this.#store === null) ext.commit();
    ext.endCompute();
  }

  /** Undoes a failed compute: its writes to the host's tables, then what it left in the
      upvalues of stored functions alive in Lua (the revert export), so that the next
      compute neither sees nor captures them. */
  #rollback() {
    this.#ext.rollback();
    if (this.#broken === null && !this.#closed) this.#call(() => this.#exports.revert(this.#limits.instructions, this.#limits.timeMs));
  }

  /** The outcome of a compute whose eval returned status; plan: its commit plan, if made. */
  #finish(status, collect, full, started, plan) {
    const ext = this.#ext;
    collect.finish();
    const values = this.#reader.values;
    if (this.#reader.failure || status !== 0) {
      if (status === 0) this.#rollback();
      if (status !== 0) this.#fail(status, values);
      throw new CuError('host', `the results could not be converted: ${this.#reader.failure.message}`, { cause: this.#reader.failure });
    }
    if (this.#store !== null) {
      if (plan === null) {
        try {
          // what getOutput() reads, read now: later, the store may have a newer version
          ext.loadReachable(ext.io.get('output'));
          plan = ext.plan();  // may read records not read yet (reference counts), which may be damaged
        } catch (err) {
          this.#rollback();
          throw err instanceof StoreError ? new CuError('store', err.message, { cause: err }) : err;
        }
      }
      if (plan.writes.length > 0) return this.#commit(plan, collect, () => this.#result(full, values, collect, started));
      ext.commit();
    }
    return this.#result(full, values, collect, started);
  }

  /**
   * A compute on a lazily restored unit: eval runs under WebAssembly.promising, so a read
   * of a record the store has not read yet suspends it (js_ext_wait) until the read is
   * done. Every read checks the unit's version record, so a compute never mixes records
   * of two versions: if another tab or process committed meanwhile, the compute fails
   * with a conflict (running it again is not an option: Lua's globals are not rolled back).
   */
  async #runLazy(codeLen, nameLen, limits, collect, full, started) {
    const ext = this.#ext;
    let status, plan = null, failure = null;  // (#write has checked the unit is usable)
    ext.canWait = true;
    ext.waitFailure = null;
    this.#waiting = true;
    try {
      try {
        status = await this.#evalLazy(codeLen, nameLen, limits.instructions, limits.timeMs);
      } catch (err) {
        throw this.#breaks(err);
      }
      failure = ext.waitFailure;  // a failed read fails the compute, even if Lua caught the error
      if (status === 0 && failure === null && !this.#reader.failure) {
        try {  // what the commit plan and getOutput() read synchronously, read now
          plan = this.#store.settle(() => {
            ext.loadReachable(ext.io.get('output'));
            return ext.plan();
          });
          if (plan instanceof Promise) plan = await plan;
        } catch (err) {
          failure = err;
        }
      }
    } finally {
      ext.canWait = false;
      this.#waiting = false;
      this.#ended(failure === null ? status : undefined);
    }
    if (failure === null) return this.#finish(status, collect, full, started, plan);
    if (failure?.conflict) throw await this.#conflict(failure, 'another process or tab committed to this unit during this compute; its writes were not applied');
    throw readFailure(failure);
  }

  /** Makes the compute's writes durable before it resolves; if that fails, undoes them. */
  async #commit(plan, collect, result) {
    const ext = this.#ext;
    try {
      await this.#store.commit(plan.writes, plan.nextKey, { suspects: plan.suspects });
    } catch (err) {
      this.#rollback();
      if (err?.conflict) throw await this.#conflict(err, 'another process committed to this unit first; this compute\'s writes were not applied');
      throw new CuError('store', `the store failed to commit: ${err?.message ?? err}`, { cause: err });
    }
    ext.applyPlan(plan);
    ext.commit();
    if (plan.suspects > 0 && this.#store.collectDue()) await this.#collectHome(collect);
    return result();
  }

  /** After a conflict: the unit reads the store again, so its next compute sees the
      other's commits. */
  async #reread() {
    await this.#store.refresh();
    this.#ext.reset();
  }

  /** The error a compute or snapshot call that lost a race fails with, once the unit has
      read the store again. */
  async #conflict(cause, message) {
    await this.#reread();
    return new CuError('conflict', message, { cause });
  }

  /** Deletes the cycles that _home no longer reaches (docs/persistence.md, "Cycles"), in a
      commit of its own after the compute's. If it fails, the compute has still committed:
      the cycles stay, and the next commit that leaves a suspect tries again; a failure
      other than a lost race is the compute's warning, so that it is not lost. */
  async #collectHome(collect) {
    const ext = this.#ext;
    const store = this.#store;
    let plan;
    try {
      plan = await store.settle(() => ext.collect());
      await store.commit(plan.writes, ext.nextKey, { collected: plan.records });
    } catch (err) {
      // another process committed first: read the unit again (if that fails too, the
      // next compute's commit meets the same conflict and reports it)
      if (err?.conflict) await this.#reread().catch(() => {});
      else {
        try {
          collect.warned(`cu: the store's collection of tables _home no longer reaches failed (${err?.message ?? err}); this compute has committed, and a later commit tries again`);
        } catch {}  // onOutput failing: the compute has committed all the same
      }
      return;
    }
    ext.applyCollect(plan);
    // A lazy unit forgets the records the collection read (the tables in memory stay, at
    // the version just committed): it goes back to reading only what its computes use.
    if (ext.lazy) await store.kv.refresh().catch(() => {});
  }

  #result(full, values, collect, started) {
    if (!full) return values[0];
    const ms = performance.now() - started;
    const stats = this.#statsView;  // eval refreshed it
    const innerFloats = this.#reader.innerFloats ?? new Map();
    const io = this.#ext.io.get('output');
    return {
      values,
      floats: this.#reader.floats,
      innerFloats,  // the tables of ioOutput too
      output: collect.output.join(''),
      warnings: collect.warnings,
      ioOutput: io === undefined ? null : this.#ext.toJS(io, new Map(), (table, key) => noteFloatKey(innerFloats, table, key)),
      ioOutputFloat: io instanceof LuaFloat || (typeof io === 'number' && !Number.isInteger(io)),
      stats: { instructions: Number.isNaN(stats[4]) ? null : stats[4], memoryPeak: stats[3], ms },
    };
  }

  // --- snapshots: named copies of the whole stored unit ------------------------------------

  /** Keeps a consistent copy of the unit's stored state under name. */
  saveState(name = 'default') {
    return this.#serial(() => this.#snapshot(name, (s) => s.saveState(name, this.#ext.nextKey)));
  }

  /** Replaces the unit's stored state by the copy called name, atomically. */
  loadState(name = 'default') {
    return this.#serial(() => this.#snapshot(name, async (s) => {
      await s.loadState(name);
      this.#ext.reset();
    }));
  }

  /** The names of the saved states. */
  listStates() {
    return this.#serial(() => this.#snapshot('', (s) => s.listStates()));
  }

  /** Removes a saved state; resolves to whether there was one. */
  deleteState(name) {
    return this.#serial(() => this.#snapshot(name, (s) => s.deleteState(name)));
  }

  async #snapshot(name, fn) {
    if (typeof name !== 'string' || name.includes('\0')) throw new TypeError('a state name must be a string without NUL');
    if (this.#closed) throw new CuError('host', 'the unit is closed');
    if (this.#store === null) throw new CuError('store', 'this unit has no store (create it with a store option)');
    this.#catchUp();  // as a compute does: the newest version
    if (this.#store.changed()) await this.#catchUpChanged();
    try {
      return await fn(this.#store);
    } catch (err) {
      if (err instanceof CuError) throw err;
      if (err?.conflict) throw await this.#conflict(err, 'another process committed to this unit first');
      throw new CuError('store', err?.message ?? String(err), { cause: err });
    }
  }

  // --- _io: input and output that stay in JS -------------------------------------------

  /** _io.input for the next computes: read lazily from Lua, never copied. */
  setInput(value) {
    this.#input = value;
    this.#ownInput = false;
    this.#rebindIo();
  }

  /** Sets one field of _io.input (a table owned by the unit: your object is not changed). */
  setInputField(key, value) {
    if (!this.#ownInput) {
      const base = this.#input;
      this.#input = base !== null && typeof base === 'object' && !ArrayBuffer.isView(base) && !Array.isArray(base) ? { ...base } : {};
      this.#ownInput = true;
    }
    this.#input[key] = value;
    this.#rebindIo();
  }


  /** _io.meta for the next computes. */
  setMetadata(meta) {
    this.#meta = meta;
    this.#rebindIo();
  }

  /** What the last compute assigned to _io.output, as a JS value (null if nothing). */
  getOutput() {
    return this.#ext.toJS(this.#ext.io.get('output'));
  }

  /** One field of _io.output. */
  getOutputField(key) {
    const out = this.#ext.io.get('output');
    if (!(out && typeof out === 'object' && 'hash' in out)) return null;
    return this.#ext.toJS(out.get(this.#ext.keyFromJS(key)));
  }

  /** Forgets input, metadata and output; views of the old input become stale. */
  clearIo() {
    this.#input = null;
    this.#meta = null;
    this.#ownInput = false;
    this.#ext.io.set('output', undefined);
    this.#rebindIo();
  }

  #rebindIo() {
    const ext = this.#ext;
    ext.retireInput();
    ext.rootViews.clear();
    ext.io.set('input', this.#ioValue(this.#input));
    ext.io.set('meta', this.#ioValue(this.#meta));
  }

  /** A value given to _io, as _io holds it: an object as a view (read in place, nothing
      copied), anything else converted. Runs per compute that passes an input. */
  #ioValue(value) {
    const ext = this.#ext;
    if (value === null || typeof value !== 'object') return ext.fromJS(value ?? undefined, null);  // a scalar: no memo
    const view = ext.viewOf(value);
    ext.rootViews.add(view);
    return view;
  }

  /** Host-side figures: the external tables and input views alive now, and the upvalue
      cells whose store keys the host keeps. */
  get extStats() {
    const ext = this.#ext;
    return { tables: ext.tableCount, views: ext.objects.size - ext.tableCount, cells: ext.cellKeys.size };
  }

  /** Copies code and chunk name into the unit's buffer, unless they are still there from
      the last compute (the same small code, run again: the common case). */
  #write(code, name) {
    if (code === this.#lastCode && name === this.#lastName) return this.#lastLen;
    const len = this.#writeNew(code, name);
    // cu.c frees a buffer larger than 16 KiB after loading; a smaller one keeps the code
    const keep = typeof code === 'string' && this.#lastRoom <= 16384;
    this.#lastCode = keep ? code : null;
    this.#lastName = name;
    this.#lastLen = len;
    return len;
  }
  #lastCode = null;
  #lastName = null;
  #lastLen = 0;
  #lastRoom = 0;

  #writeNew(code, name) {
    const bytes = typeof code === 'string' && code.length > 65536 ? encoder.encode(code) : code;
    const room = (typeof bytes === 'string' ? bytes.length * 3 : bytes.length) + name.length;
    this.#lastRoom = room;
    let ptr = this.#call(() => this.#exports.buffer(room));
    if (ptr === 0) {  // garbage may hold the room
      this.#call(() => this.#exports.run_gc(this.#limits.instructions, this.#limits.timeMs));
      ptr = this.#call(() => this.#exports.buffer(room));
    }
    if (ptr === 0) throw new CuError('memory', `the code (${room - name.length} bytes) does not fit in the unit's memory`);
    const u8 = new Uint8Array(this.#memory.buffer);
    let codeLen;
    if (typeof bytes === 'string') codeLen = encoder.encodeInto(bytes, u8.subarray(ptr, ptr + room)).written;
    else { u8.set(bytes, ptr); codeLen = bytes.length; }
    u8.set(name, ptr + codeLen);
    return codeLen;
  }

  #fail(status, [value, message, traceback]) {
    let kind = STATUS_KIND[status] ?? 'host';
    if (kind === 'host' && this.#ext.failure instanceof StoreError) {
      kind = 'store';
      message = this.#ext.failure.message;
    }
    const details = { traceback: typeof traceback === 'string' ? traceback : '' };
    if (typeof value !== 'string') details.value = value;
    const cause = this.#hostFailure ?? this.#ext.failure ?? this.#reader.failure;
    if (kind === 'host' && cause) details.cause = cause;
    throw new CuError(kind, typeof message === 'string' ? message : String(message), details);
  }

  #stats() {
    const ptr = this.#call(() => this.#exports.get_memory_stats());
    if (this.#statsView?.byteOffset !== ptr) this.#statsView = new Float64Array(this.#memory.buffer, ptr, 6);
    return this.#statsView;
  }

  /** Lua's memory against its cap, and the fixed size of the wasm memory. */
  getMemoryStats() {
    const [used, peak, limit] = this.#stats();
    return { used, peak, limit, wasmBytes: this.#memory.buffer.byteLength };
  }

  /** A full garbage collection (finalizers run under the unit's limits); returns the memory statistics afterwards. */
  gc() {
    if (this.#waiting) throw new CuError('host', 'gc() cannot run while a compute waits for its store');
    this.#call(() => this.#exports.run_gc(this.#limits.instructions, this.#limits.timeMs));
    return this.getMemoryStats();
  }

  /** Frees the unit once its queued computes are done: the memory goes back, cleared, for
      the next unit of its size (js/module.js), and the store is closed if the unit opened
      it. Later calls fail with a CuError of kind host; a second close() is the first. */
  close() {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown() {
    this.#closed = true;
    this.#dropped.unwatch?.();
    dropped.unregister(this);
    const exports = this.#exports;
    this.#exports = null;
    const store = this.#dropped.store;
    this.#dropped.store = null;
    await this.#queue;
    // a broken instance may have stopped anywhere: its memory is not worth trusting
    if (exports !== null && this.#broken === null) giveMemory(this.#memory, this.#written(exports));
    await store?.close();
  }

  /** The end of what the instance has written: its shadow stack and data, and the heap up
      to its high-water mark. */
  #written(exports) {
    exports.get_memory_stats();  // refreshes #statsView, which #start made
    return Math.max(this.#statsView[5], exports.__heap_base.value);
  }

  /** For tests and diagnostics: the shadow stack pointer (constant between computes). */
  get stackPointer() {
    return this.#call(() => this.#exports.__stack_pointer.value);
  }
}
