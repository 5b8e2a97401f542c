// ext.js: the cost of external tables and _io, per operation inside one compute, and of
// a compute that touches nothing. Median of several runs in one process; prints Markdown.
// Usage: node bench/ext.js [runs]
import { Cu } from '../js/index.js';

const RUNS = Number(process.argv[2] ?? 7);
const N = 1e6;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cu = await Cu.create({ limits: { instructions: Infinity, timeMs: Infinity } });
const f64 = new Float64Array(N).map((_, i) => i * 0.5);
const arr = Array.from({ length: N }, (_, i) => i);

/** ns per operation: the loop with the operation, minus the same loop without it. */
async function perOp(code, empty, input) {
  const time = async (src) => {
    const t = performance.now();
    await cu.run(src, input === undefined ? {} : { input });
    return performance.now() - t;
  };
  await time(code);  // warm up and compile once
  const xs = [];
  for (let r = 0; r < RUNS; r++) xs.push(((await time(code)) - (await time(empty))) / N * 1e6);
  return median(xs);
}

const loop = (body, setup = '') => `${setup} for i = 1, ${N} do ${body} end`;
const rows = [
  ['`_home` set, small integer', await perOp(loop('h.x = i', 'local h = _home'), loop('local x = i', 'local h = _home'))],
  ['`_home` get, small integer', await perOp(loop('s = s + h.x', 'local h, s = _home, 0 h.x = 1'), loop('s = s + 1', 'local h, s = _home, 0 h.x = 1'))],
  ['`_home` set, short string', await perOp(loop('h.s = "short"', 'local h = _home'), loop('local s = "short"', 'local h = _home'))],
  ['`_home` get, short string', await perOp(loop('s = h.s', 'local h, s = _home h.s = "short"'), loop('s = "short"', 'local h, s = _home h.s = "short"'))],
  ['`ext.table()` set, 1e6 distinct keys', await perOp(loop('t[i] = i', 'local t = ext.table()'), loop('local x = i', 'local t = ext.table()'))],
  ['`_io.input` read, JS array element', await perOp(loop('s = s + a[i]', 'local a, s = _io.input.arr, 0'), loop('s = s + i', 'local a, s = _io.input.arr, 0'), { arr })],
  ['`_io.input` read, Float64Array element', await perOp(loop('s = s + a[i]', 'local a, s = _io.input.f64, 0'), loop('s = s + i', 'local a, s = _io.input.f64, 0'), { f64 })],
];

// a compute that touches nothing, through the whole API (transaction included)
const trivial = [];
for (let r = 0; r < RUNS; r++) {
  const t = performance.now();
  for (let i = 0; i < 20000; i++) await cu.compute('return 1');
  trivial.push((performance.now() - t) / 20000 * 1e6);
}
rows.push(['`compute("return 1")`, round trip', median(trivial)]);

const mem = cu.getMemoryStats();
console.log(`| operation (Node ${process.versions.node}, median of ${RUNS}) | ns |`);
console.log('|---|---:|');
for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(0)} |`);
console.log(`\nwasm memory after all of it: ${mem.wasmBytes} bytes; Lua peak ${mem.peak} bytes`);
