// bigint.js: bigint speed through Cu (Lua in wasm) against V8's BigInt in the same
// process, and against GMP natively as the limit when build/native/bigint-gmpbench
// exists (`make build/native/bigint-gmpbench`). Multiply, divide (2n by n digits),
// tostring and parse at 100 to 100,000 decimal digits; the median of several runs.
// Prints a Markdown table. Usage: node bench/bigint.js [runs]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Cu } from '../js/index.js';

const RUNS = Number(process.argv[2] ?? 5);
const SIZES = [100, 1000, 10000, 100000];
const TARGET_MS = 60; // each timed run lasts about this long

function digits(n, seed) { // deterministic, no leading zero
  let s = '', x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647;
    s += String((x >> 16) % 10);
  }
  return (seed % 9 + 1) + s.slice(1);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cu = await Cu.create({ memory: 64 * 1024 * 1024, limits: { instructions: 1e15, timeMs: 600000 } });
if (await cu.compute('return type(bigint)') !== 'table') {
  console.error('bigint is not registered in this build of Cu yet');
  process.exit(1);
}

// Cu: a Lua loop of n operations, minus the same loop with no operation.
async function cuTime(setup, op, n) {
  await cu.compute(setup);
  const loop = async (body) => {
    const t0 = performance.now();
    await cu.compute(`local A, B, P, S, T = A, B, P, S, T\nfor i = 1, ${n} do ${body} end`);
    return performance.now() - t0;
  };
  return (await loop(`local x = ${op}`)) - (await loop('local x = A'));
}

function v8Time(f, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f();
  return performance.now() - t0;
}

// calibrates n so one run takes TARGET_MS, then returns the median microseconds per op
async function measure(run) {
  let n = 1;
  for (;;) {
    const t = await run(n);
    if (t > TARGET_MS || n > 1e7) break;
    n *= t < 1 ? 16 : 2;
  }
  const times = [];
  for (let r = 0; r < RUNS; r++) times.push((await run(n)) * 1000 / n);
  return median(times);
}

let gmp = null;
if (existsSync('build/native/bigint-gmpbench')) {
  gmp = JSON.parse(execFileSync('build/native/bigint-gmpbench', SIZES.map(String)).toString());
}

const OPS = {
  multiply: { lua: 'A * B', js: (v) => v.a * v.b },
  divide: { lua: 'P // B', js: (v) => v.p / v.b },
  tostring: { lua: 'tostring(A)', js: (v) => v.a.toString() },
  parse: { lua: 'bigint(S)', js: (v) => BigInt(v.s) },
};

const rows = [];
let sink, floor = null;
for (const d of SIZES) {
  const s = digits(d, d + 1), t = digits(d, d + 7);
  const v = { a: BigInt(s), b: BigInt(t), s };
  v.p = v.a * v.b;
  const setup = `A = bigint("${s}"); B = bigint("${t}"); P = A * B; S = "${s}"`;
  // the results must agree before the timings mean anything
  const check = await cu.compute(`${setup}; return tostring(P // (B - 1)), tostring(P % (B - 1))`);
  if (check !== String(v.p / (v.b - 1n))) throw new Error(`Cu and V8 disagree at ${d} digits`);
  for (const [name, op] of Object.entries(OPS)) {
    const cuUs = await measure((n) => cuTime(setup, op.lua, n));
    const v8Us = await measure(async (n) => v8Time(() => { sink = op.js(v); }, n));
    rows.push({ d, name, cuUs, v8Us, gmpUs: gmp?.[d]?.[name] });
  }
  if (d === 100) { // what any bigint operator costs in Lua before it computes anything
    const withT = `${setup}; T = setmetatable({}, { __mul = rawequal })`;
    floor = {
      dispatch: await measure((n) => cuTime(withT, 'T * T', n)),
      unm: await measure((n) => cuTime(withT, '-A', n)),
    };
  }
}
void sink;

const fmt = (us) => (us === undefined ? '-' : us < 10 ? us.toFixed(3) : us < 1000 ? us.toFixed(1) : us.toFixed(0));
console.log(`bigint through Cu (wasm) vs V8 BigInt${gmp ? ' and native GMP' : ''}: median of ${RUNS} runs, microseconds per operation (Node ${process.versions.node})\n`);
console.log(`| digits | operation | Cu | V8 | Cu / V8 |${gmp ? ' GMP | Cu / GMP |' : ''}`);
console.log(`|---:|---|---:|---:|---:|${gmp ? '---:|---:|' : ''}`);
for (const r of rows) {
  let line = `| ${r.d.toLocaleString('en-US')} | ${r.name} | ${fmt(r.cuUs)} | ${fmt(r.v8Us)} | ${(r.cuUs / r.v8Us).toFixed(2)}x |`;
  if (gmp) line += ` ${fmt(r.gmpUs)} | ${r.gmpUs ? (r.cuUs / r.gmpUs).toFixed(1) + 'x' : '-'} |`;
  console.log(line);
}
const mul100 = rows.find((r) => r.d === 100 && r.name === 'multiply');
console.log(`\nThe floor at 100 digits: \`T * T\` with \`__mul = rawequal\` (Lua's metamethod dispatch and a C call) ` +
  `${fmt(floor.dispatch)} µs; \`-A\` (that, one bigint allocated and 11 limbs copied, no arithmetic) ${fmt(floor.unm)} µs; ` +
  `V8's whole multiply ${fmt(mul100.v8Us)} µs.`);
cu.close();
