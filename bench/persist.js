// persist.js: the cost of durability. For a unit of 100,000 keys and 1,000 stored
// functions: the latency of a compute that changes one key (commit included: it resolves
// only once the write is durable), and the time to restore the unit (a new unit on the
// same store, up to its first compute's result, calling a stored function). LMDB here in
// Node, and IndexedDB in headless Chromium. Median of several runs.
// Usage: node bench/persist.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu } from '../js/index.js';

const RUNS = Number(process.argv[2] ?? 5);
const KEYS = 100000;
const FUNCTIONS = 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'cu-bench-persist-'));
const spec = `lmdb:${dir}`;

const setup = await Cu.create({ store: spec, name: 'big', memory: 16 * 1024 * 1024, limits: { instructions: Infinity, timeMs: Infinity } });
let t = performance.now();
await setup.compute(`for i = 1, ${KEYS} do _home["k" .. i] = i end _home.counter = 0
  _home.fns = {} for i = 1, ${FUNCTIONS} do local base = i _home.fns[i] = function(x) return x + base end end`);
const fillMs = performance.now() - t;
await setup.close();

const cu = await Cu.create({ store: spec, name: 'big' });
const oneKey = [];
for (let r = 0; r < RUNS * 10; r++) {
  t = performance.now();
  await cu.compute('_home.counter = _home.counter + 1');
  oneKey.push(performance.now() - t);
}
const readOnly = [];
for (let r = 0; r < RUNS * 10; r++) {
  t = performance.now();
  await cu.compute('return _home.k500');
  readOnly.push(performance.now() - t);
}
await cu.close();

const restore = [];
for (let r = 0; r < RUNS; r++) {
  t = performance.now();
  const fresh = await Cu.create({ store: spec, name: 'big' });
  await fresh.compute('return _home.k99999 + _home.fns[500](1)');
  restore.push(performance.now() - t);
  await fresh.close();
}
rmSync(dir, { recursive: true, force: true });

const browser = await inChromium();
const row = (what, lmdb, idb, digits) => console.log(`| ${what} | ${lmdb.toFixed(digits)} | ${idb.toFixed(digits)} |`);
console.log(`| unit of ${KEYS.toLocaleString('en')} keys and ${FUNCTIONS.toLocaleString('en')} functions (median, ms) | LMDB, Node ${process.versions.node} | IndexedDB, Chromium ${browser.version} |`);
console.log('|---|---:|---:|');
row(`compute changing one key, durable before it resolves (${RUNS * 10} runs)`, median(oneKey), browser.oneKey, 2);
row(`compute reading one key (${RUNS * 10} runs)`, median(readOnly), browser.readOnly, 3);
row(`restore: a new unit on the store, up to its first result, which calls a stored function (${RUNS} runs)`, median(restore), browser.restore, 1);
row('(filling the unit: one compute, once)', fillMs, browser.fillMs, 0);

/** The same measurements in headless Chromium, on the default IndexedDB store. */
async function inChromium() {
  const { chromium } = await import('playwright-core');
  const { serve, CHROMIUM } = await import('../test/browser/serve.js');
  const server = await serve();
  const b = await chromium.launch(CHROMIUM);
  try {
    const page = await b.newPage();
    await page.goto(`${server.url}/test/browser/page.html`);
    const out = await page.evaluate(async ({ KEYS, FUNCTIONS, RUNS }) => {
      const { Cu } = await import('/js/index.js');
      const median = (xs) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)];
      const name = `bench-${Date.now()}`;
      const opts = { name, memory: 16 * 1024 * 1024, limits: { instructions: Infinity, timeMs: Infinity } };
      const setup = await Cu.create(opts);
      let t = performance.now();
      await setup.compute(`for i = 1, ${KEYS} do _home["k" .. i] = i end _home.counter = 0
        _home.fns = {} for i = 1, ${FUNCTIONS} do local base = i _home.fns[i] = function(x) return x + base end end`);
      const fillMs = performance.now() - t;
      await setup.close();
      const cu = await Cu.create({ name });
      const oneKey = [];
      for (let r = 0; r < RUNS * 10; r++) { t = performance.now(); await cu.compute('_home.counter = _home.counter + 1'); oneKey.push(performance.now() - t); }
      const readOnly = [];
      for (let r = 0; r < RUNS * 10; r++) { t = performance.now(); await cu.compute('return _home.k500'); readOnly.push(performance.now() - t); }
      const restore = [];
      for (let r = 0; r < RUNS; r++) {
        t = performance.now();
        const fresh = await Cu.create({ name });
        await fresh.compute('return _home.k99999 + _home.fns[500](1)');
        restore.push(performance.now() - t);
      }
      return { oneKey: median(oneKey), readOnly: median(readOnly), restore: median(restore), fillMs };
    }, { KEYS, FUNCTIONS, RUNS });
    return { ...out, version: b.version() };
  } finally {
    await b.close();
    await server.close();
  }
}
