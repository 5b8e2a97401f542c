// bench.test.js: smoke test of the benchmark workloads (bench/workloads/*.lua). Each
// runs at a tiny size through Cu and its checksum must equal what the same Lua source
// computes natively (build/native/cu-lua, the gcc build of Lua and the runtime, made by
// `make build`), and for the classic benchmarks also the published reference values.
// The start-up and boundary jobs run once per engine, small, in a child process as
// `make bench` runs them, so a broken harness fails here rather than late in a bench run.
// It checks correctness only; `make bench` measures speed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu } from '../js/index.js';
import { WORKLOADS, workloadSource } from '../bench/workloads.js';
import { runChild } from '../bench/child.js';

const NATIVE = new URL('../build/native/cu-lua', import.meta.url).pathname;

// Values known independently of this code: fib(20); the binary-trees node counts for
// depth 6 (2^(d+1)-1 nodes per tree); the n-body energies after 1000 steps, the
// spectral norm for n = 100 and fannkuch-redux for n = 7 as published with those
// benchmarks.
const KNOWN = {
  fib: '6765',
  binarytrees: 'stretch 7 255;64 4 1984;16 6 2032;long 6 127',
  nbody: '-0.169075164 -0.169087605',
  spectralnorm: '1.274219991',
  fannkuch: '228 16',
};

function native(name, n) {
  const dir = mkdtempSync(join(tmpdir(), 'cu-bench-'));
  try {
    const file = join(dir, `${name}.lua`);
    writeFileSync(file, `${workloadSource(name)}\nprint(bench(${n}))\n`);
    return execFileSync(NATIVE, [file], { encoding: 'utf8' }).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cu = await Cu.create({ memory: 8 * 1024 * 1024, limits: { instructions: 1e9, timeMs: 20000 } });

for (const w of WORKLOADS) {
  test(`workload ${w.name} (n = ${w.smoke}) gives native Lua's checksum in Cu`, { skip: !existsSync(NATIVE) && 'run make build first' }, async () => {
    await cu.compute(workloadSource(w.name));
    const got = await cu.compute(`return bench(${w.smoke})`);
    assert.equal(typeof got, 'string');
    assert.equal(got, native(w.name, w.smoke));
    if (KNOWN[w.name]) assert.equal(got, KNOWN[w.name]);
    const { wasmBytes } = cu.getMemoryStats();
    assert.equal(wasmBytes, 8 * 1024 * 1024);
  });
}

/** One job of bench/node-child.js, started as bench/run.js starts it; its result. */
const job = (spec) => runChild(process.execPath, ['bench/node-child.js', JSON.stringify(spec)]);

const positive = (x) => typeof x === 'number' && Number.isFinite(x) && x > 0;

for (const engine of ['cu', 'wasmoon', 'fengari']) {
  test(`the start-up and boundary jobs run on ${engine} and report every figure`, async () => {
    const start = await job({ mode: 'startup', engine });
    for (const k of ['import', 'first', 'next']) assert.ok(positive(start[k]), `startup ${k}: ${start[k]}`);
    // the reads job checks its own sum: a wrong one fails the child
    const b = await job({ mode: 'boundary', engine, n: 500 });
    assert.ok(positive(b['stored f']), `stored f: ${b['stored f']}`);
    assert.ok(positive(b['lua reads js']), `lua reads js: ${b['lua reads js']}`);
    for (const k of ['return 1', 'stored f, new chunk']) {
      // wasmoon 1.16.0's doString traps after a few dozen new chunks; the job records that
      if (engine === 'wasmoon' && typeof b[k] === 'string') assert.match(b[k], /^fails: /);
      else assert.ok(positive(b[k]), `${k}: ${b[k]}`);
    }
  });
}

test('the start-up floor, stock Lua alone in wasm, starts units with and without its libraries', async () => {
  for (const floor of ['core', 'libs']) {
    // floor_run must return 1 (`return 1`'s result), or the child fails
    const start = await job({ mode: 'startup', engine: 'floor', floor });
    for (const k of ['first', 'next']) assert.ok(positive(start[k]), `floor ${floor} ${k}: ${start[k]}`);
  }
  // the build without libraries really has none: LTO dropped their code
  const size = (v) => statSync(new URL(`../build/bench/floor-${v}.wasm`, import.meta.url)).size;
  assert.ok(size('core') < 0.7 * size('libs'), `floor-core ${size('core')} bytes, floor-libs ${size('libs')}`);
});

test('the start-up jobs run in Chromium (bench/page.js) for Cu and the floor', async () => {
  const { startServer, runInChromium } = await import('../bench/browser.js');
  const web = await startServer();
  try {
    for (const spec of [{ engine: 'cu' }, { engine: 'floor', floor: 'core' }, { engine: 'floor', floor: 'libs' }]) {
      const { result, errors } = await runInChromium(web.url, { mode: 'startup', ...spec });
      assert.deepEqual(errors, []);
      for (const k of ['first', 'next']) assert.ok(positive(result[k]), `${JSON.stringify(spec)} ${k}: ${result[k]}`);
    }
  } finally {
    await web.close();
  }
});
