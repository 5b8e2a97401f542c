// measure.js: how every engine is timed, shared by bench/node-child.js (Node) and
// bench/page.js (Chromium), so that both sides of the comparison measure the same way.
// No Node or DOM APIs: the page imports it as /bench/measure.js.

export const now = () => performance.now();
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The engine interface timeWorkload drives, over a Cu unit (js/index.js's Cu). */
export const cuAdapter = (cu) => ({
  load: (src) => cu.compute(src),
  call: (n) => cu.compute(`return bench(${n})`),
  gc: () => cu.gc(),
  wasmBytes: () => cu.getMemoryStats().wasmBytes,
  compute: (code, options) => cu.compute(code, options),
});

/** The same over a wasmoon engine (LuaFactory.createEngine()). */
export const wasmoonAdapter = (engine) => ({
  load: (src) => engine.doString(src),
  call: (n) => engine.global.get('bench')(n),
  gc: () => engine.doStringSync('collectgarbage() collectgarbage()'),
  wasmBytes: () => engine.global.lua.module.HEAPU8.byteLength,
  engine,
});

/**
 * wasmoon's start-up steps for timeStartup: the first engine from a new LuaFactory
 * (newFactory(lib)), the next ones from that same factory.
 */
export const wasmoonStartup = (load, newFactory) => ({
  load,
  first: async (lib) => {
    const factory = newFactory(lib);
    await (await factory.createEngine()).doString('return 1');
    return factory;
  },
  next: async (lib, factory) => {
    const e = await factory.createEngine();
    await e.doString('return 1');
    return () => e.global.close();
  },
});

/**
 * The start-up floor's steps for timeStartup (bench/floor.c): stock Lua in wasm, no JS to
 * load. compile() gets the module the way Cu gets its own in that host (Node reads the
 * file, a page streams it from the server); each unit is a new instance whose one call
 * makes a Lua state, runs `return 1` and closes it. WASI calls do nothing but say "no
 * such descriptor" to wasi-libc's search for preopened directories, which would
 * otherwise never end.
 */
export const floorStartup = (compile) => {
  const unit = async (module) => {
    const wasi = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module))
      (wasi[from] ??= {})[name] = name === 'fd_prestat_get' ? () => 8 /* EBADF */ : () => 0;
    // As js/module.js's instantiate, which this file does not import: a Node child would
    // then have part of Cu loaded before it times loading Cu.
    let instance;
    try {
      instance = new WebAssembly.Instance(module, wasi);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      instance = await WebAssembly.instantiate(module, wasi);
    }
    instance.exports._initialize();
    const result = instance.exports.floor_run();
    if (result !== 1) throw new Error(`floor_run returned ${result}`);
  };
  return {
    load: async () => null,
    first: async () => { const module = await compile(); await unit(module); return module; },
    next: async (lib, module) => { await unit(module); },
  };
};

/**
 * A workload: load src, then job.reps timed calls of bench(job.n), each after a full
 * collection. e: { load(src), call(n) -> checksum, gc(), wasmBytes() }.
 */
export async function timeWorkload(e, src, job) {
  await e.load(src);
  await e.gc();
  const before = e.wasmBytes();
  const times = [];
  let checksum;
  for (let r = 0; r < job.reps; r++) {
    await e.gc();
    const t = now();
    checksum = await e.call(job.n);
    times.push(now() - t);
  }
  return { times, checksum: String(checksum), wasmBefore: before, wasmAfter: e.wasmBytes() };
}

/**
 * Start-up: load the engine's JS (import), the first unit running `return 1` (first,
 * compile included), then the median of 20 more units (next). prepare(lib, made), untimed,
 * turns what first made into what next(lib, ctx) needs (by default it is that); next
 * resolves to a function that frees the unit, called outside the timing.
 */
export async function timeStartup({ load, first, prepare = async (lib, made) => made, next }) {
  const t0 = now();
  const lib = await load();
  const t1 = now();
  const made = await first(lib);
  const out = { first: now() - t1, import: t1 - t0 };
  const ctx = await prepare(lib, made);
  const times = [];
  for (let i = 0; i < 20; i++) {
    const t = now();
    const free = await next(lib, ctx);
    times.push(now() - t);
    free?.();
  }
  out.next = median(times);
  return out;
}

/**
 * Boundary: returns time(label, fn), which records in out[label] the µs per call of fn(i):
 * after 10,000 warm-up calls, n calls in five blocks, and the median block. Chromium's
 * JIT is still tiering a host's code up well past the warm-up (docs/benchmarks.md, Method);
 * the median block leaves out the slowest of that, the same way for every engine.
 */
export function roundTrips(out, n) {
  const BLOCKS = 5;
  return async (label, fn) => {
    for (let i = 0; i < 10000; i++) await fn(i);
    const perCall = [];
    const size = Math.ceil(n / BLOCKS);
    for (let b = 0, i = 0; b < BLOCKS; b++) {
      const t = now();
      for (const end = i + size; i < end; i++) await fn(i);
      perCall.push(((now() - t) * 1000) / size);
    }
    out[label] = median(perCall);
  };
}

/** Lua reading values that live in JS: READS reads in one Lua loop that sums them. */
export const READS = 1000000;
/** The JS array every engine's Lua reads: element i (from 0) is i % 7. */
export const readsData = () => Array.from({ length: READS }, (_, i) => i % 7);
/** The loops: Cu's reads _io.input, a view of the array; wasmoon's and fengari's call get(i),
    a JS function set as a Lua global (their way to reach host data without copying it). */
export const READS_LUA = {
  io: 'local t, s = _io.input, 0 for i = 1, #t do s = s + t[i] end return s',
  get: 'function sumget(n) local s = 0 for i = 1, n do s = s + get(i) end return s end',
};

/**
 * Records in out['lua reads js'] the ns per read: read() runs the whole loop and resolves
 * to its sum, which must be readsData()'s; the median of 5 runs after an untimed one.
 */
export async function timeReads(out, read) {
  const expected = readsData().reduce((a, b) => a + b, 0);
  await read();
  const xs = [];
  for (let r = 0; r < 5; r++) {
    const t = now();
    const sum = Number(await read());
    xs.push(now() - t);
    if (sum !== expected) throw new Error(`the reads summed to ${sum}, not ${expected}`);
  }
  out['lua reads js'] = (median(xs) * 1e6) / READS;
}

/** The boundary cases on a Cu unit (a cuAdapter): µs per round trip, and ns per read of a JS value. */
export async function cuBoundary(e, n) {
  const out = {};
  const time = roundTrips(out, n);
  const data = readsData();
  await e.compute('function f(x) return x + 1 end');
  await time('return 1', () => e.compute('return 1'));
  await time('stored f', (i) => e.compute('return f(_io.input)', { input: i }));
  await time('stored f, new chunk', (i) => e.compute(`return f(${i})`));
  await timeReads(out, () => e.compute(READS_LUA.io, { input: data }));
  return out;
}

/** The same cases on wasmoon; newEngine() resolves to a wasmoonAdapter. */
export async function wasmoonBoundary(newEngine, n) {
  const out = {};
  const time = roundTrips(out, n);
  const data = readsData();
  const { engine } = await newEngine();
  await engine.doString('function f(x) return x + 1 end');
  const f = engine.global.get('f');
  await time('stored f', (i) => f(i));
  engine.global.set('get', (i) => data[i - 1]);
  await engine.doString(READS_LUA.get);
  const sumget = engine.global.get('sumget');
  await timeReads(out, () => sumget(READS));
  // doString is measured last, each case in a fresh engine: wasmoon 1.16.0 traps after
  // about 60 such calls (its issue #109), and a failure is recorded.
  for (const [name, code] of [['return 1', () => 'return 1'], ['stored f, new chunk', (i) => `return f(${i})`]]) {
    const fresh = (await newEngine()).engine;
    await fresh.doString('function f(x) return x + 1 end');
    try { await time(name, (i) => fresh.doString(code(i))); } catch (err) { out[name] = `fails: ${String(err.message).slice(0, 60)}`; }
  }
  return out;
}
