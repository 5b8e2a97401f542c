// broken.test.js: if anything traps or a JS exception escapes the instance, the unit is
// marked broken, and every later call says so instead of running on corrupted memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Cu, CuError } from '../js/index.js';

const fixture = new URL('./fixtures/trap.mjs', import.meta.url).pathname;

test('a trap breaks the unit for good, with a clear error', () => {
  let broke = 0;
  // The stack size at which V8 runs out inside wasm varies a little; try a few.
  for (const size of [70, 80, 90]) {
    let out;
    try {
      out = JSON.parse(execFileSync(process.execPath, [`--stack-size=${size}`, fixture], { encoding: 'utf8' }));
    } catch { continue; }  // too small even to start
    if (out.first.kind === 'host') {
      broke++;
      assert.match(out.first.message, /the unit is broken and cannot run again \(RangeError/);
      assert.equal(out.first.cause, 'RangeError');
      assert.equal(out.second.kind, 'host', 'the next call refuses to run');
      assert.match(out.second.message, /the unit is broken/);
    } else {
      assert.equal(out.first.kind, 'runtime');
      assert.match(out.first.message, /C stack overflow/);
      assert.equal(out.second.value, 1);
    }
  }
  assert.ok(broke > 0, 'at least one stack size produced a trap');
});

test('a closed unit refuses to run', async () => {
  const cu = await Cu.create();
  await cu.compute('return 1');  // the same code again must not slip past the check
  cu.close();
  await assert.rejects(cu.compute('return 1'), (e) => e instanceof CuError && e.kind === 'host' && /closed/.test(e.message));
  assert.throws(() => cu.getMemoryStats(), /closed/);
});

test('bad arguments are refused before anything runs', async () => {
  const cu = await Cu.create();
  await assert.rejects(cu.compute(42), TypeError);
  await assert.rejects(cu.compute('return 1', null), TypeError);
  await assert.rejects(Cu.create({ onOutput: 'yes' }), TypeError);
  assert.equal(await cu.compute(new TextEncoder().encode('return "bytes work"')), 'bytes work');
});

test('computes run one after another in call order', async () => {
  const cu = await Cu.create();
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) => cu.compute(`n = (n or 0) + 1 return n, ${i}`)));
  assert.deepEqual(results, Array.from({ length: 100 }, (_, i) => i + 1));
});
