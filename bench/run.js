// run.js: the benchmark suite (`make bench`). Runs every workload in bench/workloads on
// every engine in the same run (native Lua 5.4.7 gcc -O2, Cu in Node and in headless
// Chromium, wasmoon in Node and Chromium, fengari in Node), each job in its own fresh
// process, then start-up, boundary, size and memory figures. Prints a Markdown report
// and writes it to bench/results/latest.md (raw samples in latest.json).
//   node bench/run.js            the full suite
//   node bench/run.js --quick    fewer processes and runs (a quick look, not for the README)
//   node bench/run.js --flags    build-flag and Node-tiering comparison -> results/flags.md
// Environment: BENCH_PROCS (processes per engine and workload), BENCH_REPS (runs per
// process), BENCH_WORKLOADS (a comma-separated subset of the workloads).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, readdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import os from 'node:os';
import { WORKLOADS as ALL_WORKLOADS } from './workloads.js';
import { startServer, runInChromium } from './browser.js';
import { runChild } from './child.js';

const ROOT = new URL('..', import.meta.url).pathname;
const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const FLAGS = args.has('--flags');
const PROCS = Number(process.env.BENCH_PROCS ?? (QUICK ? 2 : 3));
const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 3 : 4));
const NATIVE = `${ROOT}build/native/stock/lua`;
const WORKLOADS = process.env.BENCH_WORKLOADS // e.g. BENCH_WORKLOADS=fib,pcall for a quick look
  ? ALL_WORKLOADS.filter((w) => process.env.BENCH_WORKLOADS.split(',').includes(w.name)) : ALL_WORKLOADS;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const geomean = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const log = (...a) => process.stderr.write(a.join(' ') + '\n');

function make(...targets) {
  execFileSync('make', ['--no-print-directory', '-s', ...targets], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

// --- engines -------------------------------------------------------------------------
// Each engine: label, and run(job) -> result (job: mode, name, n, reps).
let web = null; // the HTTP server for Chromium
let chromiumVersion = null;
const nodeEngine = (label, engine, extra = {}, execArgv = []) => ({
  label, kind: 'node', engine,
  run: (job) => runChild(process.execPath, [`${ROOT}bench/node-child.js`, JSON.stringify({ ...job, engine, ...extra })], execArgv),
});
const chromiumEngine = (label, engine, extra = {}) => ({
  label, kind: 'chromium', engine,
  run: async (job) => {
    web ??= await startServer();
    const { result, version } = await runInChromium(web.url, { ...job, engine, ...extra });
    chromiumVersion = version;
    return result;
  },
});
const nativeEngine = (label, hook) => ({
  label, kind: 'native', engine: 'native',
  run: (job) => job.mode === 'boundary'
    ? runChild(NATIVE, ['bench/native.lua', 'boundary', '100000', '3']).then((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, median(v)])))
    : runChild(NATIVE, ['bench/native.lua', `bench/workloads/${job.name}.lua`, String(job.n), String(job.reps), ...(hook ? ['hook'] : [])]),
});

// --- measuring -----------------------------------------------------------------------
/** Runs every workload on every engine, PROCS fresh processes each, interleaved. */
async function measureWorkloads(engines, { procs = PROCS, reps = REPS, slow = {} } = {}) {
  const results = {}; // label -> name -> { first: [], warm: [], checksums: Set, wasm: [] }
  for (const w of WORKLOADS) {
    for (let p = 0; p < procs; p++) {
      for (const e of engines) {
        const lim = slow[e.label];
        if (lim && p >= lim.procs) continue;
        const r = await e.run({ mode: 'workload', name: w.name, n: w.n, reps: lim ? lim.reps : reps });
        const cell = ((results[e.label] ??= {})[w.name] ??= { first: [], warm: [], checksums: new Set(), wasm: [] });
        cell.first.push(r.times[0]);
        // each process's warm figure is the median of its later runs
        if (r.times.length > 1) cell.warm.push(median(r.times.slice(1)));
        cell.checksums.add(r.checksum);
        if (r.wasmBefore != null) cell.wasm.push([r.wasmBefore, r.wasmAfter]);
      }
      log(`  ${w.name}: process ${p + 1}/${procs} done`);
    }
  }
  return results;
}

async function measureOnce(engines, mode, procs) {
  const out = {};
  for (let p = 0; p < procs; p++)
    for (const e of engines) {
      let r;
      // A job that fails or hangs gets one more fresh process; both tries are reported.
      for (let attempt = 1; attempt <= 2 && r === undefined; attempt++) {
        try { r = await e.run({ mode }); } catch (err) {
          log(`  ${e.label} ${mode} (try ${attempt}): ${err.message}`);
          failures.push(`${e.label} ${mode}, try ${attempt} of 2: ${err.message.split('\n')[0].slice(0, 200)}`);
        }
      }
      if (r === undefined) continue;
      for (const [k, v] of Object.entries(r)) ((out[e.label] ??= {})[k] ??= []).push(v);
    }
  const med = {};
  for (const [label, byKey] of Object.entries(out))
    for (const [k, vs] of Object.entries(byKey))
      (med[label] ??= {})[k] = vs.every((v) => typeof v === 'number') ? { median: median(vs), min: Math.min(...vs), max: Math.max(...vs) } : vs[0];
  return med;
}

const failures = []; // jobs that failed or hung, listed in the report

// --- formatting ----------------------------------------------------------------------
const fmt = (ms) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const KB = (b) => `${(b / 1000).toFixed(1)} KB`;

function environment(procs = PROCS, reps = REPS, fengari = '(fengari fewer, see below)') {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
  return [
    `- Date: ${new Date().toISOString().replace('T', ' ').slice(0, 16)} UTC`,
    `- Machine: ${cpu}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`,
    `- Cu: ${commit()}`,
    `- Node ${process.version} (V8 ${process.versions.v8})${chromiumVersion ? `; Chromium ${chromiumVersion} (headless)` : ''}`,
    `- Processes per engine and workload: ${procs}${fengari ? ` ${fengari}` : ''}; runs per process: ${reps}`,
  ].join('\n');
}

function commit() {
  if (process.env.BENCH_COMMIT) return process.env.BENCH_COMMIT;
  try {
    const id = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'js', 'Makefile'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return `commit ${id}${dirty ? ' with uncommitted changes to src/js' : ''}`;
  } catch { return 'unknown commit'; }
}

/** One Markdown table: rows workloads, columns engines, cells "ms (x native)". */
function speedTable(results, engines, which, nativeLabel) {
  const head = `| workload (size) | ${engines.map((e) => e.label).join(' | ')} |`;
  const lines = [head, `|---|${engines.map(() => '---:').join('|')}|`];
  const ratios = Object.fromEntries(engines.map((e) => [e.label, []]));
  for (const w of WORKLOADS) {
    const base = median(results[nativeLabel][w.name][which]);
    const want = [...results[nativeLabel][w.name].checksums][0];
    const cells = engines.map((e) => {
      const c = results[e.label]?.[w.name];
      if (!c || c[which].length === 0) return 'n/a';
      const ms = median(c[which]);
      const ratio = ms / base;
      ratios[e.label].push(ratio);
      const bad = c.checksums.size !== 1 || [...c.checksums][0] !== want ? ' **wrong checksum**' : '';
      return e.label === nativeLabel ? fmt(ms) : `${fmt(ms)} (${ratio.toFixed(2)}×)${bad}`;
    });
    lines.push(`| ${w.name} (${w.n}) | ${cells.join(' | ')} |`);
  }
  lines.push(`| **geometric mean, × native** | ${engines.map((e) => (ratios[e.label].length ? `**${geomean(ratios[e.label]).toFixed(2)}×**` : 'n/a')).join(' | ')} |`);
  return lines.join('\n');
}

/** How noisy: per engine, the median over workloads of (max - min) / median of the per-process figures. */
function noiseLine(results, engines, which) {
  return engines.map((e) => {
    const spreads = WORKLOADS.map((w) => results[e.label]?.[w.name]?.[which]).filter((xs) => xs && xs.length > 1)
      .map((xs) => (Math.max(...xs) - Math.min(...xs)) / median(xs));
    return `${e.label} ${spreads.length ? `±${((median(spreads) * 100) / 2).toFixed(0)}% (worst ${(Math.max(...spreads) * 100).toFixed(0)}%)` : 'n/a'}`;
  }).join('; ');
}

function checksumNotes(results, engines, nativeLabel) {
  const notes = [];
  for (const w of WORKLOADS) {
    const want = [...results[nativeLabel][w.name].checksums][0];
    for (const e of engines) {
      const c = results[e.label]?.[w.name];
      if (c && (c.checksums.size !== 1 || [...c.checksums][0] !== want))
        notes.push(`- ${e.label} ${w.name}: checksum ${[...c.checksums].join(' / ')}, native ${want}`);
    }
  }
  return notes.length ? notes.join('\n') : '- Every engine returned native Lua\'s checksum on every workload.';
}

function memoryLines(results, engines) {
  return engines.filter((e) => e.engine === 'cu' || e.engine === 'wasmoon').map((e) => {
    const pairs = WORKLOADS.flatMap((w) => results[e.label]?.[w.name]?.wasm ?? []);
    const changed = pairs.filter(([a, b]) => a !== b);
    const sizes = [...new Set(pairs.flat())].map((b) => `${(b / 2 ** 20).toFixed(0)} MiB`).join(', ');
    return `- ${e.label}: wasm memory ${changed.length === 0 ? `unchanged in all ${pairs.length} processes (${sizes})` : `**grew in ${changed.length} of ${pairs.length} processes** (${changed.map(([a, b]) => `${a / 2 ** 20}→${b / 2 ** 20} MiB`).join(', ')})`}`;
  }).join('\n');
}

function sizes() {
  const gz = (buf) => gzipSync(buf, { level: 9 }).length;
  const wasm = readFileSync(`${ROOT}dist/cu.wasm`);
  // every module of the host, the storage adapters in js/stores/ included
  const jsFiles = readdirSync(`${ROOT}js`, { recursive: true }).filter((f) => f.endsWith('.js')).sort();
  const js = Buffer.concat(jsFiles.map((f) => readFileSync(`${ROOT}js/${f}`)));
  const bundle = readFileSync(`${ROOT}dist/cu.js`);
  const wmWasm = readFileSync(`${ROOT}node_modules/wasmoon/dist/glue.wasm`);
  const wmJs = readFileSync(`${ROOT}node_modules/wasmoon/dist/index.js`);
  const fgDir = `${ROOT}node_modules/fengari/src`;
  const fg = Buffer.concat(readdirSync(fgDir).filter((f) => f.endsWith('.js')).map((f) => readFileSync(`${fgDir}/${f}`)));
  return [
    '| engine | wasm raw | wasm gzip -9 | JS raw | JS gzip -9 |',
    '|---|---:|---:|---:|---:|',
    `| Cu (dist/cu.wasm, js/**/*.js: ${jsFiles.length} files) | ${KB(wasm.length)} | ${KB(gz(wasm))} | ${KB(js.length)} | ${KB(gz(js))} |`,
    `| Cu in a browser (dist/cu.wasm, dist/cu.js: js/ bundled, minified) | ${KB(wasm.length)} | ${KB(gz(wasm))} | ${KB(bundle.length)} | ${KB(gz(bundle))} |`,
    `| wasmoon 1.16.0 (glue.wasm, dist/index.js) | ${KB(wmWasm.length)} | ${KB(gz(wmWasm))} | ${KB(wmJs.length)} | ${KB(gz(wmJs))} |`,
    `| fengari (src/*.js) | — | — | ${KB(fg.length)} | ${KB(gz(fg))} |`,
  ].join('\n');
}

/** The start-up floor's two builds (bench/floor.c), as the report names them. */
const FLOOR = { core: 'floor: Lua alone', libs: 'floor: Lua + its libraries' };
const floorSizes = () => ['core', 'libs'].map((v) => {
  const wasm = readFileSync(`${ROOT}build/bench/floor-${v}.wasm`);
  return `${v === 'core' ? 'alone' : 'with its libraries'} ${KB(wasm.length)} (${KB(gzipSync(wasm, { level: 9 }).length)} gzipped)`;
}).join(', ');

const ns = (x) => (typeof x === 'object' && x ? `${x.median.toFixed(1)} ns` : typeof x === 'string' ? x : 'n/a');
const us = (x) => (typeof x === 'object' && x ? `${x.median.toFixed(2)} µs` : typeof x === 'string' ? x : 'n/a');
const msr = (x) => (x ? `${fmt(x.median)} ms (${fmt(x.min)}–${fmt(x.max)})` : 'n/a');

// --- the suite -----------------------------------------------------------------------
async function suite() {
  log('building the native reference interpreter (build/native/stock/lua)');
  make('build/native/stock/lua');
  const engines = [
    nativeEngine('native'),
    nativeEngine('native + count hook', true),
    nodeEngine('Cu Node', 'cu'),
    nodeEngine('Cu Node optimized', 'cu', { tier: 'optimized' }),
    chromiumEngine('Cu Chromium', 'cu'),
    nodeEngine('wasmoon Node', 'wasmoon'),
    chromiumEngine('wasmoon Chromium', 'wasmoon'),
    nodeEngine('fengari Node', 'fengari'),
  ];
  const slow = { 'fengari Node': { procs: Math.min(PROCS, 2), reps: 2 } };
  log('workloads');
  const results = await measureWorkloads(engines, { slow });
  log('start-up');
  const startEngines = [
    nodeEngine('Cu Node', 'cu'), nodeEngine('Cu Node optimized', 'cu', { tier: 'optimized' }), chromiumEngine('Cu Chromium', 'cu'),
    nodeEngine('wasmoon Node', 'wasmoon'), chromiumEngine('wasmoon Chromium', 'wasmoon'), nodeEngine('fengari Node', 'fengari'),
  ];
  make('build/bench/floor-core.wasm', 'build/bench/floor-libs.wasm');
  const floorEngines = [
    nodeEngine(FLOOR.core + ' Node', 'floor', { floor: 'core' }), chromiumEngine(FLOOR.core + ' Chromium', 'floor', { floor: 'core' }),
    nodeEngine(FLOOR.libs + ' Node', 'floor', { floor: 'libs' }), chromiumEngine(FLOOR.libs + ' Chromium', 'floor', { floor: 'libs' }),
  ];
  const startup = await measureOnce([...startEngines, ...floorEngines], 'startup', Math.max(PROCS, 5));
  const compile = await measureOnce([nodeEngine('Cu Node', 'cu', { part: 'compile' }), nodeEngine('Cu Node optimized', 'cu', { part: 'compile', tier: 'optimized' })], 'startup', Math.max(PROCS, 5));
  log('boundary');
  const boundary = await measureOnce([nativeEngine('native'), ...startEngines.filter((e) => !e.label.includes('optimized'))], 'boundary', PROCS);
  await web?.close();

  const speedEngines = engines;
  const md = `## Benchmarks

${environment()}

Times are medians in ms; the ratio in brackets is to native Lua 5.4.7 (gcc -O2) in the same run.
"First run" is the first call of bench(n) in a fresh process (it includes V8's compile and tier-up);
"warm" is the median of the later runs. Method and how to reproduce: docs/benchmarks.md.
"native + count hook" is native Lua with a count hook every 1000 instructions, which is how Cu
enforces its instruction and time limits; it shows what the limits cost without wasm.

### Warm

${speedTable(results, speedEngines, 'warm', 'native')}

### First run (cold process)

${speedTable(results, speedEngines, 'first', 'native')}

Noise, (max − min) / median over processes, median over workloads (half-range shown as ±):
warm: ${noiseLine(results, speedEngines, 'warm')}.
First run: ${noiseLine(results, speedEngines, 'first')}.
fengari ran ${slow['fengari Node'].procs} processes × ${slow['fengari Node'].reps} runs per workload (it is 10-50× slower).

Checksums:
${checksumNotes(results, speedEngines, 'native')}

### Start-up (median of ${Math.max(PROCS, 5)} fresh processes, range in brackets)

| engine | load the JS | first unit + \`return 1\` (compile included) | next unit + \`return 1\` (median of 20) |
|---|---:|---:|---:|
${Object.entries(startup).map(([label, r]) => `| ${label} | ${label.startsWith('floor') ? '—' : msr(r.import)} | ${msr(r.first)} | ${msr(r.next)} |`).join('\n')}

\`WebAssembly.compile\` of dist/cu.wasm alone in Node: ${msr(compile['Cu Node']?.compile)} by default (lazy: functions compile when first called), ${msr(compile['Cu Node optimized']?.compile)} with \`tier: 'optimized'\` (every function, optimized, before it returns).
The floor rows are stock Lua 5.4.7 alone in wasm (bench/floor.c), built with Cu's compiler, flags and wasm-opt but none of its runtime, fetched and compiled the way Cu's module is: a unit is a new instance that makes a Lua state, runs \`return 1\` and closes it, with no library opened ("${FLOOR.core}", the least any Lua in wasm does for a first result) or with Lua's standard libraries ("${FLOOR.libs}"). Its modules: ${floorSizes()}.
Cu units use the default 2 MiB memory here. wasmoon's "first unit" is \`new LuaFactory()\` + \`createEngine()\` + \`doString\`; fengari's is \`luaL_newstate\` + \`luaL_openlibs\` + \`luaL_dostring\`, and its "load the JS" is \`require('fengari')\`.

### Boundary (µs per round trip, median of ${PROCS} processes; in each, 10,000 warm-up calls, then the median of five blocks of 20,000)

| engine | \`compute('return 1')\` | call a stored Lua function with an argument | the same call as new source each time | Lua reads a value from a JS array (ns per read) |
|---|---:|---:|---:|---:|
${Object.entries(boundary).map(([label, r]) => `| ${label} | ${us(r['return 1'])} | ${us(r['stored f'])} | ${us(r['stored f, new chunk'])} | ${ns(r['lua reads js'])} |`).join('\n')}

Cu: \`await cu.compute('return 1')\`; \`await cu.compute('return f(_io.input)', { input: i })\` (the same source each time, so its compiled chunk is reused, and the argument a value); \`await cu.compute(\`return f(\${i})\`)\` (a new chunk to compile each time).
native: \`load("return 1")()\`, \`f(i)\` and \`load("return f(" .. i .. ")")()\` in Lua, the same work without a host (the middle one is a plain Lua call).
wasmoon: \`await engine.doString(...)\` and a call of \`engine.global.get('f')\`; fengari: \`luaL_dostring\`, and \`lua_getglobal\` + \`lua_pcall\` through its C-style API.
Lua reads a value from a JS array: one Lua loop sums a JS array of 1,000,000 numbers, in a median of 5 runs. Cu reads \`_io.input[i]\`, a view of the array (nothing copied); wasmoon and fengari call \`get(i)\`, a JS function set as a Lua global, which is how their Lua reaches host data without a copy; native reads a Lua table, the same loop with no host.

### Size

${sizes()}

### Memory

${memoryLines(results, speedEngines)}
${failures.length ? `\nFailed or hung jobs (a job is tried twice; a failed try is left out of the figures):\n${failures.map((f) => `- ${f}`).join('\n')}\n` : ''}`;
  return { md, json: { results: serial(results), startup, compile, boundary } };
}

function serial(results) {
  return JSON.parse(JSON.stringify(results, (k, v) => (v instanceof Set ? [...v] : v)));
}

// --- build flags and tiering ---------------------------------------------------------
async function flags() {
  const variants = ['O2', 'O3', 'O2-lto', 'O2-wasmopt', 'O2-nohook'];
  log('building the variants');
  make('build/native/stock/lua', ...variants.map((v) => `build/bench/wasm-${v}/cu.wasm`));
  const engines = [nativeEngine('native')];
  // Code quality per variant is compared with --no-liftoff in Node (every function
  // optimised from the start) and in Chromium; the tiering options on the O2 build.
  for (const v of variants) {
    const wasm = `build/bench/wasm-${v}/cu.wasm`;
    engines.push(nodeEngine(`${v} Node no-liftoff`, 'cu', { wasm, v8flags: '--no-liftoff' }));
    engines.push(chromiumEngine(`${v} Chromium`, 'cu', { wasm }));
  }
  const wasm = 'build/bench/wasm-O2/cu.wasm';
  engines.push(nodeEngine('O2 Node', 'cu', { wasm }));
  engines.push(nodeEngine('O2 node --no-liftoff (CLI flag)', 'cu', { wasm }, ['--no-liftoff']));
  engines.push(nodeEngine('O2 Node no-wasm-dynamic-tiering', 'cu', { wasm, v8flags: '--no-wasm-dynamic-tiering' }));
  engines.push(nodeEngine("O2 Node tier: 'optimized'", 'cu', { wasm, tier: 'optimized' }));
  const results = await measureWorkloads(engines, { procs: Number(process.env.BENCH_PROCS ?? 2), reps: Number(process.env.BENCH_REPS ?? 3) });
  const tierEngines = [
    nodeEngine('default', 'cu', { wasm }), nodeEngine('v8.setFlagsFromString(--no-liftoff)', 'cu', { wasm, v8flags: '--no-liftoff' }),
    nodeEngine('node --no-liftoff', 'cu', { wasm }, ['--no-liftoff']), nodeEngine('--no-wasm-dynamic-tiering', 'cu', { wasm, v8flags: '--no-wasm-dynamic-tiering' }),
    nodeEngine("tier: 'optimized' (--no-liftoff --no-wasm-lazy-compilation)", 'cu', { wasm, tier: 'optimized' }),
  ];
  const startup = await measureOnce(tierEngines, 'startup', 5);
  const compile = await measureOnce(tierEngines.map((e) => ({ ...e, run: (job) => e.run({ ...job, part: 'compile' }) })), 'startup', 5);
  await web?.close();
  const sizeRows = variants.map((v) => {
    const b = readFileSync(`${ROOT}build/bench/wasm-${v}/cu.wasm`);
    return `| ${v} | ${b.length} | ${gzipSync(b, { level: 9 }).length} |`;
  });
  const byVariant = (suffix) => engines.filter((e) => e.label.endsWith(suffix) && variants.some((v) => e.label === `${v}${suffix}`));
  const md = `## Build flags and Node tiering

${environment(Number(process.env.BENCH_PROCS ?? 2), Number(process.env.BENCH_REPS ?? 3), '')}

### Node, --no-liftoff (v8.setFlagsFromString) — warm
${speedTable(results, [engines[0], ...byVariant(' Node no-liftoff')], 'warm', 'native')}

### Node, --no-liftoff — first run
${speedTable(results, [engines[0], ...byVariant(' Node no-liftoff')], 'first', 'native')}

### Chromium — warm
${speedTable(results, [engines[0], ...byVariant(' Chromium')], 'warm', 'native')}

### Chromium — first run
${speedTable(results, [engines[0], ...byVariant(' Chromium')], 'first', 'native')}

### Other Node tiering options (O2 build) — first run and warm
${speedTable(results, [engines[0], engines.find((e) => e.label === 'O2 Node no-liftoff'), ...engines.slice(-4)], 'first', 'native')}

${speedTable(results, [engines[0], engines.find((e) => e.label === 'O2 Node no-liftoff'), ...engines.slice(-4)], 'warm', 'native')}

Noise (warm): ${noiseLine(results, engines, 'warm')}.

Checksums:
${checksumNotes(results, engines, 'native')}

### Start-up in Node by tiering option (O2 build, 2 MiB unit, median of 5 processes)

| option | \`WebAssembly.compile\` | first unit + \`return 1\` | next unit + \`return 1\` |
|---|---:|---:|---:|
${tierEngines.map((e) => `| ${e.label} | ${msr(compile[e.label]?.compile)} | ${msr(startup[e.label]?.first)} | ${msr(startup[e.label]?.next)} |`).join('\n')}

### Sizes (bytes)

| variant | raw | gzip -9 |
|---|---:|---:|
${sizeRows.join('\n')}
`;
  return { md, json: { results: serial(results), startup, compile } };
}

const { md, json } = FLAGS ? await flags() : await suite();
mkdirSync(`${ROOT}bench/results`, { recursive: true });
const base = FLAGS ? 'flags' : 'latest';
writeFileSync(`${ROOT}bench/results/${base}.md`, md);
writeFileSync(`${ROOT}bench/results/${base}.json`, JSON.stringify(json, null, 1));
process.stdout.write(md);
