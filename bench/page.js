// page.js: the browser side of the benchmark suite. bench/browser.js loads page.html
// in a fresh headless Chromium and calls window.benchJob(job) with the same job objects
// as bench/node-child.js (modes workload, startup, boundary; engines cu and wasmoon),
// and gets the same result shapes back. Timing is performance.now() in a real page.
const now = () => performance.now();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const BIG = 64 * 1024 * 1024;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.append(s);
  });
}

async function cuEngine(job, memory = BIG) {
  const { Cu } = await import('/js/index.js');
  const cu = await Cu.create({ memory, store: 'none', limits: { instructions: Infinity, timeMs: Infinity }, module: job.wasm ? `/${job.wasm}` : undefined });
  return {
    load: (src) => cu.compute(src),
    call: (n) => cu.compute(`return bench(${n})`),
    gc: () => cu.gc(),
    wasmBytes: () => cu.getMemoryStats().wasmBytes,
    compute: (code) => cu.compute(code),
  };
}

async function wasmoonEngine() {
  if (!globalThis.wasmoon) await loadScript('/node_modules/wasmoon/dist/index.js');
  const engine = await new globalThis.wasmoon.LuaFactory('/node_modules/wasmoon/dist/glue.wasm').createEngine();
  return {
    load: (src) => engine.doString(src),
    call: (n) => engine.global.get('bench')(n),
    gc: () => engine.doStringSync('collectgarbage() collectgarbage()'),
    wasmBytes: () => engine.global.lua.module.HEAPU8.byteLength,
    engine,
  };
}

async function workload(job) {
  const e = job.engine === 'cu' ? await cuEngine(job) : await wasmoonEngine();
  const src = await (await fetch(`/bench/workloads/${job.name}.lua`)).text();
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

async function startup(job) {
  const out = {};
  if (job.engine === 'cu') {
    const t0 = now();
    const { Cu, compileModule } = await import('/js/index.js');
    const t1 = now();
    const first = await Cu.create({ store: 'none' });
    await first.compute('return 1');
    out.first = now() - t1;
    out.import = t1 - t0;
    const compiled = await compileModule();
    const next = [];
    for (let i = 0; i < 20; i++) {
      const t = now();
      const cu = await Cu.create({ module: compiled, store: 'none' });
      await cu.compute('return 1');
      next.push(now() - t);
      cu.close();
    }
    out.next = median(next);
  } else {
    const t0 = now();
    await loadScript('/node_modules/wasmoon/dist/index.js');
    const t1 = now();
    const factory = new globalThis.wasmoon.LuaFactory('/node_modules/wasmoon/dist/glue.wasm');
    const e1 = await factory.createEngine();
    await e1.doString('return 1');
    out.first = now() - t1;
    out.import = t1 - t0;
    const next = [];
    for (let i = 0; i < 20; i++) {
      const t = now();
      const e = await factory.createEngine();
      await e.doString('return 1');
      next.push(now() - t);
      e.global.close();
    }
    out.next = median(next);
  }
  return out;
}

async function boundary(job) {
  const N = job.n ?? 100000;
  const out = {};
  const time = async (label, fn) => {
    for (let i = 0; i < 10000; i++) await fn(i);
    const t = now();
    for (let i = 0; i < N; i++) await fn(i);
    out[label] = ((now() - t) * 1000) / N;
  };
  if (job.engine === 'cu') {
    const e = await cuEngine(job, 2 * 1024 * 1024);
    await e.compute('function f(x) return x + 1 end');
    await time('return 1', () => e.compute('return 1'));
    await time('stored f', (i) => e.compute(`return f(${i})`));
  } else {
    const e = await wasmoonEngine();
    await e.engine.doString('function f(x) return x + 1 end');
    const f = e.engine.global.get('f');
    await time('stored f', (i) => f(i));
    try { await time('return 1', () => e.engine.doString('return 1')); } catch (err) { out['return 1'] = `fails: ${String(err.message).slice(0, 60)}`; }
  }
  return out;
}

window.benchJob = (job) => ({ workload, startup, boundary })[job.mode](job);
window.benchReady = true;
