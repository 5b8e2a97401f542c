// module.test.js: how units get their instance and memory (js/module.js). A closed
// unit's memory is cleared and given to the next unit of the same size: nothing one unit
// wrote may be visible to the next, a reused memory must run a unit exactly as a fresh
// one does, and what is kept is bounded; a unit dropped without close() gives its memory
// back once collected. Instances are made synchronously where allowed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Cu } from '../js/index.js';
import { takeMemory, instantiate } from '../js/module.js';
import { DRAWS, ORDER } from './fixtures/seed-probes.js';

// Counts the memories actually created, so each test knows whether a unit got a new one.
let made = 0;
const NativeMemory = WebAssembly.Memory;
WebAssembly.Memory = class extends NativeMemory {
  constructor(descriptor) { super(descriptor); made++; }
};

const MiB = 1024 * 1024;
const NO_LIMITS = { instructions: Infinity, timeMs: Infinity };
// Touches most of what a unit can write: the heap (tables, strings, closures, a bigint),
// the shadow stack (deep recursion), Lua's error path, and the collector.
const SCRIBBLE = `
  local t = {}
  for i = 1, 20000 do t[i] = ("x"):rep(i % 97) .. i end
  local function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end
  local n = #t
  local f = function() return n end
  local big = bigint("123456789123456789123456789") ^ 40
  pcall(error, {})
  t = nil
  collectgarbage()
  return deep(150) + f() // 1000 + #tostring(big)`;

function firstNonZero(memory) {
  const u8 = new Uint8Array(memory.buffer);
  for (let i = 0; i < u8.length; i++) if (u8[i] !== 0) return i;
  return -1;
}

test('closed units keep at most 16 MiB of memory for reuse', async () => {
  const size = 4 * MiB;
  const before = made;
  const first = await Promise.all(Array.from({ length: 8 }, () => Cu.create({ memory: size, store: 'none' })));
  assert.equal(made - before, 8);
  await Promise.all(first.map((cu) => cu.close()));
  const again = await Promise.all(Array.from({ length: 8 }, () => Cu.create({ memory: size, store: 'none' })));
  assert.equal(made - before, 12, 'four of the eight 4 MiB memories were kept, the rest were not');
  for (const cu of again) assert.equal(await cu.compute('return 6 * 7'), 42);
  await Promise.all(again.map((cu) => cu.close()));
  for (let i = 0; i < 4; i++) takeMemory(size);  // empty the store again for the next tests
  assert.equal(made - before, 12);
});

test("a closed unit's memory is cleared to the last byte before it is reused", async () => {
  const size = 3 * MiB;
  const cu = await Cu.create({ memory: size, store: 'none', limits: NO_LIMITS });
  assert.ok(await cu.compute(SCRIBBLE) > 150);
  assert.ok(cu.getMemoryStats().peak > 1.5 * MiB, 'the heap was written far up');
  await cu.close();
  const before = made;
  const memory = takeMemory(size);
  assert.equal(made, before, 'the closed unit\'s memory was reused');
  assert.equal(firstNonZero(memory), -1, 'a byte the last unit wrote is still there');
});

test('a unit runs on a reused memory exactly as on a fresh one', async () => {
  const size = 5 * MiB;
  const run = async () => {
    const cu = await Cu.create({ memory: size, store: 'none', limits: NO_LIMITS, seed: 7 });
    const out = {
      scribble: await cu.compute(SCRIBBLE),
      draws: await cu.compute(DRAWS),
      order: await cu.compute(ORDER),
      stats: cu.getMemoryStats(),
    };
    await cu.close();
    return out;
  };
  const before = made;
  const fresh = await run();
  assert.equal(made, before + 1);
  const reused = await run();
  assert.equal(made, before + 1, 'the second unit got the first one\'s memory');
  assert.deepEqual(reused, fresh);
});

test('closing twice gives the memory back once', async () => {
  const size = 6 * MiB;
  const cu = await Cu.create({ memory: size, store: 'none' });
  await cu.compute('x = 1');
  const closing = cu.close();
  assert.equal(cu.close(), closing, 'a second close() is the first one');
  await closing;
  const before = made;
  const [a, b] = await Promise.all([Cu.create({ memory: size, store: 'none' }), Cu.create({ memory: size, store: 'none' })]);
  assert.equal(made, before + 1, 'one unit reused the memory and the other got a new one');
  await a.compute('x = "a"');
  await b.compute('x = "b"');
  assert.deepEqual([await a.compute('return x'), await b.compute('return x')], ['a', 'b']);
  await Promise.all([a.close(), b.close()]);
});

test("a broken unit's memory is not reused", () => {
  const fixture = new URL('./fixtures/trap.mjs', import.meta.url).pathname;
  const seen = new Set();
  for (const size of [70, 80, 90]) {
    let out;
    try {
      out = JSON.parse(execFileSync(process.execPath, [`--stack-size=${size}`, fixture], { encoding: 'utf8' }));
    } catch { continue; }
    const broken = out.first.kind === 'host';
    assert.equal(out.reused, !broken, `a ${broken ? 'broken' : 'working'} unit's memory ${out.reused ? 'was' : 'was not'} reused`);
    seen.add(broken);
  }
  assert.ok(seen.has(true), 'at least one stack size produced a trap');
});

test('a unit dropped without close() gives its memory back, stops its onStoreChange and closes its store once collected', () => {
  const fixture = new URL('./fixtures/dropped.mjs', import.meta.url).pathname;
  const { before, after } = JSON.parse(execFileSync(process.execPath, ['--expose-gc', fixture], { encoding: 'utf8' }));
  assert.equal(before.made, 3, 'three units, three memories');
  assert.ok(before.openFiles > 0, 'their LMDB store is open');
  assert.equal(after.openFiles, 0, 'collected: the store they opened is closed');
  assert.equal(after.madeAgain, 0, 'three more units reuse the three memories');
  assert.equal(after.stored, 1, 'what they committed is in the store');
  assert.equal(after.heardByDropped, 0, 'collected: their onStoreChange listeners are stopped');
});

test('where the engine refuses to instantiate synchronously, units are instantiated asynchronously', async () => {
  const NativeInstance = WebAssembly.Instance;
  let refused = 0;
  // what Chromium throws on its main thread for a module over its size limit
  WebAssembly.Instance = function () { refused++; throw new RangeError('WebAssembly.Instance is disallowed on the main thread'); };
  try {
    const cu = await Cu.create({ store: 'none' });
    assert.equal(await cu.compute('return ("ok"):upper()'), 'OK');
    assert.equal(refused, 1);
    await cu.close();
  } finally {
    WebAssembly.Instance = NativeInstance;
  }
  // any other failure is the instantiation's own error, not retried
  const module = await WebAssembly.compile(new Uint8Array([
    0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,       // \0asm, version 1
    1, 4, 1, 0x60, 0, 0,                   // one type: () -> ()
    2, 7, 1, 1, 0x6d, 1, 0x66, 0, 0,       // imports m.f of that type
  ]));
  assert.throws(() => instantiate(module, {}), TypeError);
});
