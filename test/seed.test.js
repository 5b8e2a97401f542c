// seed.test.js: where a unit's randomness comes from (src/entropy.c). Every unit gets
// its own string-hash seed and math.random seed from the host's random source, so two
// units never draw the same numbers; the seed option makes a unit's runs reproducible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Cu, CuWorker } from '../js/index.js';
import { DRAWS, ORDER, RESEEDED } from './fixtures/seed-probes.js';

const NO_LIMITS = { instructions: Infinity, timeMs: Infinity };

async function probe(options = {}) {
  const cu = await Cu.create({ store: 'none', limits: NO_LIMITS, ...options });
  const out = { draws: await cu.compute(DRAWS), order: await cu.compute(ORDER), reseeded: await cu.compute(RESEEDED) };
  cu.close();
  return out;
}

test('units made at the same moment draw different numbers and hash differently', async () => {
  const units = await Promise.all([0, 1, 2, 3, 4].map(() => probe()));
  for (const field of ['draws', 'order', 'reseeded'])
    assert.equal(new Set(units.map((u) => u[field])).size, units.length, `${field} repeats across units: ${units.map((u) => u[field]).join(' | ')}`);
});

test('a seed makes a unit reproducible, and another seed gives other runs', async () => {
  const a = await probe({ seed: 42 });
  assert.deepEqual(await probe({ seed: 42 }), a);
  assert.deepEqual(await probe({ seed: 42n }), a);
  const b = await probe({ seed: 43 });
  for (const field of ['draws', 'order', 'reseeded']) assert.notEqual(b[field], a[field], field);
  const top = await probe({ seed: (1n << 64n) - 1n });
  assert.deepEqual(await probe({ seed: (1n << 64n) - 1n }), top);
  // the same seed in a worker thread gives the same unit
  const w = await CuWorker.create({ seed: 42, limits: NO_LIMITS });
  try {
    assert.equal(await w.compute(DRAWS), a.draws);
    assert.equal(await w.compute(ORDER), a.order);
  } finally {
    await w.close();
  }
});

test('a bad seed is refused with an error naming it', async () => {
  for (const seed of [-1, 1.5, 2 ** 64, 1n << 64n, -1n, '7', null, NaN])
    await assert.rejects(Cu.create({ store: 'none', seed }), (err) => err instanceof RangeError && /^seed must be an integer from 0 to 2\^64 - 1/.test(err.message), String(seed));
});

test('cu --seed gives the same numbers in two processes', () => {
  const bin = new URL('../bin/cu.js', import.meta.url).pathname;
  const run = (...args) => spawnSync(process.execPath, [bin, '--no-home', ...args, 'eval', DRAWS], { encoding: 'utf8' });
  const [a, b, c] = [run('--seed', '12345'), run('--seed', '12345'), run()];
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /^\d+( \d+){7}\n$/);
  assert.equal(b.stdout, a.stdout);
  assert.notEqual(c.stdout, a.stdout);
  const bad = run('--seed=-3');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--seed: expected a whole number/);
});

// A process's first unit draws its seeds from bytes read from /dev/urandom while the
// module compiles (wasi.js primeRandom), not from crypto.getRandomValues, whose first
// call makes Node load WebCrypto (docs/benchmarks.md §4); later refills use it.
test('the first units of a process are seeded from /dev/urandom, later ones from getRandomValues', () => {
  const script = `
    const real = crypto.getRandomValues.bind(crypto);
    let calls = 0;
    crypto.getRandomValues = (b) => { calls++; return real(b); };
    const { Cu } = await import(${JSON.stringify(new URL('../js/index.js', import.meta.url).href)});
    const draws = [];
    for (let i = 0; i < 3; i++) {
      const cu = await Cu.create({ store: 'none' });
      draws.push(await cu.compute('return math.random(0, 1 << 50)'));
      await cu.close();
    }
    const first = calls;
    for (let i = 0; i < 300; i++) await (await Cu.create({ store: 'none' })).close();
    console.log(JSON.stringify({ first, later: calls, draws }));`;
  const runs = [0, 1].map(() => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  });
  for (const r of runs) {
    assert.equal(r.first, 0, 'the first units did not call getRandomValues');
    assert.ok(r.later > 0, 'the pool, once used up, was refilled from getRandomValues');
    assert.equal(new Set(r.draws).size, 3, 'each unit drew its own numbers');
  }
  assert.notDeepEqual(runs[0].draws, runs[1].draws, 'two processes drew different numbers');
});
