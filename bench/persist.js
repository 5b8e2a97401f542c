// persist.js: the cost of durability. For a unit of 100,000 keys in an LMDB store: the
// latency of a compute that changes one key (commit included: it resolves only once the
// write is durable), and the time to restore the unit in a new process-like setting (a
// new unit on the same store, up to its first compute's result). Median of several runs.
// Usage: node bench/persist.js [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu } from '../js/index.js';

const RUNS = Number(process.argv[2] ?? 5);
const KEYS = 100000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'cu-bench-persist-'));
const spec = `lmdb:${dir}`;

const setup = await Cu.create({ store: spec, name: 'big', memory: 16 * 1024 * 1024, limits: { instructions: Infinity, timeMs: Infinity } });
let t = performance.now();
await setup.compute(`for i = 1, ${KEYS} do _home["k" .. i] = i end _home.counter = 0`);
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
  await fresh.compute('return _home.k99999');
  restore.push(performance.now() - t);
  await fresh.close();
}
rmSync(dir, { recursive: true, force: true });

console.log(`| LMDB, unit of ${KEYS.toLocaleString('en')} keys (Node ${process.versions.node}, median) | ms |`);
console.log('|---|---:|');
console.log(`| compute changing one key, durable before it resolves (${RUNS * 10} runs) | ${median(oneKey).toFixed(2)} |`);
console.log(`| compute reading one key (${RUNS * 10} runs) | ${median(readOnly).toFixed(3)} |`);
console.log(`| restore: new unit on the store, up to its first result (${RUNS} runs) | ${median(restore).toFixed(1)} |`);
console.log(`| (filling the ${KEYS.toLocaleString('en')} keys, one compute, once) | ${fillMs.toFixed(0)} |`);
