// persist.js: the cost of durability. For a unit of 100,000 keys and 1,000 stored
// functions: the latency of a compute that changes one key (commit included: it resolves
// only once the write is durable), and the time to restore the unit (a new unit on the
// same store: until Cu.create resolves, then its first compute, which reads a key and
// calls a stored function). LMDB here in Node, and IndexedDB in headless Chromium, both
// lazy (JSPI) and eager (the fallback where JSPI is missing). Median of several runs.
// Usage: node bench/persist.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu } from '../js/index.js';

const RUNS = Number(process.argv[2] ?? 5);
const KEYS = 100000;
const FUNCTIONS = 1000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const FIRST = 'return _home.k99999 + _home.fns[500](1)';
const ROUND_TRIPS = 20000;
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

const ready = [], first = [];
for (let r = 0; r < RUNS; r++) {
  t = performance.now();
  const fresh = await Cu.create({ store: spec, name: 'big' });
  ready.push(performance.now() - t);
  t = performance.now();
  await fresh.compute(FIRST);
  first.push(performance.now() - t);
  await fresh.close();
}
rmSync(dir, { recursive: true, force: true });

const browser = await inChromium();
const cell = (x, digits) => (x === undefined ? '—' : x.toFixed(digits));
const row = (what, lmdb, lazy, eager, digits) => console.log(`| ${what} | ${cell(lmdb, digits)} | ${cell(lazy, digits)} | ${cell(eager, digits)} |`);
console.log(`| unit of ${KEYS.toLocaleString('en')} keys and ${FUNCTIONS.toLocaleString('en')} functions (median, ms) | LMDB, Node ${process.versions.node} | IndexedDB, Chromium ${browser.version} (lazy, JSPI) | IndexedDB, eager (no JSPI) |`);
console.log('|---|---:|---:|---:|');
row(`compute changing one key, durable before it resolves (${RUNS * 10} runs)`, median(oneKey), browser.lazy.oneKey, browser.eager.oneKey, 2);
row(`compute reading one key (${RUNS * 10} runs)`, median(readOnly), browser.lazy.readOnly, browser.eager.readOnly, 3);
row(`restore: \`Cu.create\` on the stored unit, until ready (${RUNS} runs)`, median(ready), browser.lazy.ready, browser.eager.ready, 1);
row(`restore: then its first compute, reading a key and calling a stored function (${RUNS} runs)`, median(first), browser.lazy.first, browser.eager.first, 1);
row('restore: both, up to the first result', median(ready) + median(first), browser.lazy.ready + browser.lazy.first, browser.eager.ready + browser.eager.first, 1);
row(`\`compute('return 1')\` round trip, µs (mean of ${ROUND_TRIPS.toLocaleString('en')})`, undefined, browser.lazy.roundTrip, browser.eager.roundTrip, 2);
row('(filling the unit: one compute, once)', fillMs, browser.fillMs, undefined, 0);

/** The same measurements in headless Chromium, on the default IndexedDB store: lazy (the
    default where JSPI is present) and eager (a store adapter that drops the lazy option,
    as every unit is opened where JSPI is missing). */
async function inChromium() {
  const { chromium } = await import('playwright-core');
  const { serve, CHROMIUM } = await import('../test/browser/serve.js');
  const server = await serve();
  const b = await chromium.launch(CHROMIUM);
  try {
    const page = await b.newPage();
    await page.goto(`${server.url}/test/browser/page.html`);
    const out = await page.evaluate(async ({ KEYS, FUNCTIONS, RUNS, FIRST, ROUND_TRIPS }) => {
      const { Cu } = await import('/js/index.js');
      const { openStore } = await import('/js/store.js');
      const median = (xs) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)];
      const name = `bench-${Date.now()}`;
      const opts = { name, memory: 16 * 1024 * 1024, limits: { instructions: Infinity, timeMs: Infinity } };
      const setup = await Cu.create(opts);
      let t = performance.now();
      await setup.compute(`for i = 1, ${KEYS} do _home["k" .. i] = i end _home.counter = 0
        _home.fns = {} for i = 1, ${FUNCTIONS} do local base = i _home.fns[i] = function(x) return x + base end end`);
      const fillMs = performance.now() - t;
      await setup.close();
      const measure = async (store) => {
        const cu = await Cu.create({ name, store });
        const oneKey = [];
        for (let r = 0; r < RUNS * 10; r++) { t = performance.now(); await cu.compute('_home.counter = _home.counter + 1'); oneKey.push(performance.now() - t); }
        const readOnly = [];
        for (let r = 0; r < RUNS * 10; r++) { t = performance.now(); await cu.compute('return _home.k500'); readOnly.push(performance.now() - t); }
        t = performance.now();
        for (let r = 0; r < ROUND_TRIPS; r++) await cu.compute('return 1');
        const roundTrip = (performance.now() - t) / ROUND_TRIPS * 1000;
        const ready = [], first = [];
        for (let r = 0; r < RUNS; r++) {
          t = performance.now();
          const fresh = await Cu.create({ name, store });
          ready.push(performance.now() - t);
          t = performance.now();
          await fresh.compute(FIRST);
          first.push(performance.now() - t);
        }
        return { oneKey: median(oneKey), readOnly: median(readOnly), roundTrip, ready: median(ready), first: median(first) };
      };
      const lazy = await measure('indexeddb');
      // a new connection per unit, as the spec string gives, and no lazy option passed on
      const eager = await measure({ openUnit: async (n) => (await openStore('indexeddb')).openUnit(n), units: async () => [], close: async () => {} });
      return { lazy, eager, fillMs };
    }, { KEYS, FUNCTIONS, RUNS, FIRST, ROUND_TRIPS });
    return { ...out, version: b.version() };
  } finally {
    await b.close();
    await server.close();
  }
}
