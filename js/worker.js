// worker.js: CuWorker, a unit running in a dedicated Web Worker (browsers) or a
// worker_threads Worker (Node), behind the same async API as Cu. Its point is interrupt():
// the calling thread can stop a running compute at once, because the unit's count hook
// reads a SharedArrayBuffer flag that this side sets (no message round trip). The
// compute fails with a CuError of kind 'limit' ("interrupted by the host"), its writes
// are rolled back, and the unit stays usable. Where SharedArrayBuffer is unavailable (a
// page without cross-origin isolation), interrupt() terminates the worker and starts it
// again on the same store: nothing committed is lost, since the compute never committed.

import { CuError } from './errors.js';
import { toWire, fromWire } from './wire.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const entry = new URL('./worker-host.js', import.meta.url);

export class CuWorker {
  #worker = null;
  #options;
  #flag = null;       // Int32Array on a SharedArrayBuffer, or null
  #pending = new Map();  // id -> { resolve, reject, compute }
  #nextId = 1;
  #onOutput;
  #onStoreChange;

  /** @param {import('./index.js').CuOptions} [options] (module must be a URL or string here) */
  static async create(options = {}) {
    const w = new CuWorker();
    const { onOutput, onStoreChange, ...rest } = options;
    if (onOutput !== undefined && typeof onOutput !== 'function') throw new TypeError('onOutput must be a function');
    if (onStoreChange !== undefined && typeof onStoreChange !== 'function') throw new TypeError('onStoreChange must be a function');
    w.#onOutput = onOutput;
    w.#onStoreChange = onStoreChange;
    w.#options = rest;
    w.#flag = typeof SharedArrayBuffer !== 'undefined' && (isNode || globalThis.crossOriginIsolated)
      ? new Int32Array(new SharedArrayBuffer(4)) : null;
    try {
      await w.#start();
    } catch (err) {
      // a worker whose unit failed to open would keep the process (or page) busy
      await w.#worker?.terminate();
      w.#worker = null;
      throw err;
    }
    return w;
  }

  /** Whether interrupt() can stop a compute without restarting the worker. */
  get sharedInterrupt() { return this.#flag !== null; }

  async #start() {
    if (isNode) {
      const { Worker } = await import('node:worker_threads');
      this.#worker = new Worker(entry);
      this.#worker.on('message', (m) => this.#message(m));
      this.#worker.on('error', (e) => this.#failAll(e));
    } else {
      this.#worker = new Worker(entry, { type: 'module' });
      this.#worker.onmessage = (e) => this.#message(e.data);
      // a script that cannot be fetched gives a bare Event, with no message to pass on
      this.#worker.onerror = (e) => this.#failAll(new Error(e.message || `cannot load ${entry.href}`));
    }
    await this.#call('create', [this.#options, this.#flag, this.#onOutput !== undefined, this.#onStoreChange !== undefined]);
  }

  #message(m) {
    if (m.output) { this.#onOutput?.(...m.output); return; }
    if (m.storeChange) { this.#onStoreChange?.(); return; }
    const p = this.#pending.get(m.id);
    if (p === undefined) return;
    this.#pending.delete(m.id);
    if (m.error) {
      const e = m.error;
      p.reject(e.kind ? new CuError(e.kind, e.message, { traceback: e.traceback, ...('value' in e ? { value: fromWire(e.value) } : {}) })
        : Object.assign(new Error(e.message), { name: e.name }));
    } else p.resolve(fromWire(m.value));
  }

  #failAll(err) {
    for (const p of this.#pending.values()) p.reject(new CuError('host', `the worker failed: ${err.message}`, { cause: err }));
    this.#pending.clear();
  }

  /** compute: whether interrupt() may target this call (only Lua computes can be stopped). */
  #call(op, args, compute = false) {
    if (this.#worker === null) return Promise.reject(new CuError('host', 'the unit is closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, compute, op });
      this.#worker.postMessage({ id, op, args: toWire(args) });
    });
  }

  compute(code, options) { return this.#call('compute', [code, options], true); }
  run(code, options) { return this.#call('run', [code, options], true); }
  getMemoryStats() { return this.#call('getMemoryStats', []); }
  gc() { return this.#call('gc', []); }
  setInput(value) { return this.#call('setInput', [value]); }
  setInputField(key, value) { return this.#call('setInputField', [key, value]); }
  setMetadata(meta) { return this.#call('setMetadata', [meta]); }
  getOutput() { return this.#call('getOutput', []); }
  getOutputField(key) { return this.#call('getOutputField', [key]); }
  clearIo() { return this.#call('clearIo', []); }
  saveState(name) { return this.#call('saveState', [name]); }
  loadState(name) { return this.#call('loadState', [name]); }
  listStates() { return this.#call('listStates', []); }
  deleteState(name) { return this.#call('deleteState', [name]); }

  /**
   * Stops the compute running now (the oldest one sent and not finished), if any.
   * With SharedArrayBuffer this takes effect within about 1,000 Lua instructions.
   */
  interrupt() {
    const running = [...this.#pending].find(([, p]) => p.compute);
    if (running === undefined) return false;
    if (this.#flag !== null) {
      Atomics.store(this.#flag, 0, running[0]);
      return true;
    }
    // no shared memory: end the worker and start again from the store
    this.#worker.terminate();
    this.#worker = null;
    for (const [id, p] of this.#pending) p.reject(new CuError('limit', 'interrupted by the host (the worker was restarted)'));
    this.#pending.clear();
    this.#start();
    return true;
  }

  async close() {
    if (this.#worker === null) return;
    await this.#call('close', []).catch(() => {});
    await this.#worker.terminate();
    this.#worker = null;
  }
}
