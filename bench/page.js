// page.js: the browser side of the benchmark suite. bench/browser.js loads page.html
// in a fresh headless Chromium and calls window.benchJob(job) with the same job objects
// as bench/node-child.js (modes workload, startup, boundary; engines cu and wasmoon),
// and gets the same result shapes back. Timing is performance.now() in a real page.
import { timeWorkload, timeStartup, cuBoundary, wasmoonBoundary, cuAdapter, wasmoonAdapter, wasmoonStartup, floorStartup } from '/bench/measure.js';

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
  const { Cu } = await import('/dist/cu.js');
  const cu = await Cu.create({ memory, store: 'none', limits: { instructions: Infinity, timeMs: Infinity }, module: job.wasm ? `/${job.wasm}` : undefined });
  return cuAdapter(cu);
}

async function wasmoonEngine() {
  if (!globalThis.wasmoon) await loadScript('/node_modules/wasmoon/dist/index.js');
  const engine = await new globalThis.wasmoon.LuaFactory('/node_modules/wasmoon/dist/glue.wasm').createEngine();
  return wasmoonAdapter(engine);
}

async function workload(job) {
  const e = job.engine === 'cu' ? await cuEngine(job) : await wasmoonEngine();
  return timeWorkload(e, await (await fetch(`/bench/workloads/${job.name}.lua`)).text(), job);
}

async function startup(job) {
  if (job.engine === 'cu') {
    return timeStartup({
      load: () => import('/dist/cu.js'),
      first: async ({ Cu }) => { await (await Cu.create({ store: 'none' })).compute('return 1'); },
      prepare: ({ compileModule }) => compileModule(),
      next: async ({ Cu }, compiled) => {
        const cu = await Cu.create({ module: compiled, store: 'none' });
        await cu.compute('return 1');
        return () => cu.close();
      },
    });
  }
  if (job.engine === 'floor') {
    return timeStartup(floorStartup(() => WebAssembly.compileStreaming(fetch(`/build/bench/floor-${job.floor}.wasm`))));
  }
  return timeStartup(wasmoonStartup(
    async () => { await loadScript('/node_modules/wasmoon/dist/index.js'); return globalThis.wasmoon; },
    ({ LuaFactory }) => new LuaFactory('/node_modules/wasmoon/dist/glue.wasm'),
  ));
}

async function boundary(job) {
  const n = job.n ?? 100000;
  return job.engine === 'cu' ? cuBoundary(await cuEngine(job, 2 * 1024 * 1024), n) : wasmoonBoundary(wasmoonEngine, n);
}

window.benchJob = (job) => ({ workload, startup, boundary })[job.mode](job);
window.benchReady = true;
