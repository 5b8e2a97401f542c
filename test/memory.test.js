// memory.test.js: the fixed linear memory never grows, the cap makes exhaustion a
// catchable error, stack overflows are errors, and the statistics are honest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

const MiB = 1024 * 1024;

test('out of memory in the 2 MiB default, then the unit works', async () => {
  const cu = await Cu.create();
  assert.equal(cu.getMemoryStats().wasmBytes, 2 * MiB);
  for (const code of [
    'local t = {} for i = 1, 1e7 do t[i] = i end',
    'return string.rep("x", 1e8)',
    'local s = "x" while true do s = s .. s end',
    'local t = {} for i = 1, 1e6 do t[#t + 1] = {i} end',
    'local co = coroutine.wrap(function() local t = {} for i = 1, 1e7 do t[i] = i end end) co()',
  ]) {
    await assert.rejects(cu.compute(code), { kind: 'memory', message: /not enough memory/ }, code);
    assert.equal(await cu.compute('return 40 + 2'), 42);
  }
  // pcall catches it inside the script too
  assert.deepEqual((await cu.run('return pcall(string.rep, "x", 1e8)')).values, [false, 'not enough memory']);
});

test('memory.buffer.byteLength never changes, whatever a script does', async () => {
  for (const memory of [1 * MiB, 2 * MiB, 8 * MiB]) {
    const cu = await Cu.create({ memory });
    const before = cu.getMemoryStats().wasmBytes;
    assert.equal(before, memory);
    await cu.compute('local t = {} for i = 1, 1e8 do t[i] = {} end').catch(() => {});
    await cu.compute('return string.rep("y", 1e9)').catch(() => {});
    await cu.compute('local s = {} for i = 1, 1e6 do s[i] = tostring(i):rep(10) end').catch(() => {});
    assert.equal(cu.getMemoryStats().wasmBytes, before);
  }
});

test('the memory option picks the size, rounded up to whole 64 KiB pages', async () => {
  const cu = await Cu.create({ memory: 3 * MiB + 1 });
  assert.equal(cu.getMemoryStats().wasmBytes, 3 * MiB + 65536);
  const big = await Cu.create({ memory: 64 * MiB });
  assert.equal(await big.compute('local t = {} for i = 1, 1e6 do t[i] = i end return #t'), 1e6);
  await assert.rejects(Cu.create({ memory: 1000 }), RangeError);
  await assert.rejects(Cu.create({ memory: '2MiB' }), RangeError);
  await assert.rejects(Cu.create({ memory: 2.5 }), RangeError);
});

test('memory statistics are honest', async () => {
  const cu = await Cu.create();
  const s0 = cu.gc();
  assert.ok(s0.used > 10000 && s0.used < 60000, `a fresh unit holds ${s0.used} bytes`);
  assert.ok(s0.limit > 1.5 * MiB && s0.limit < 2 * MiB, `cap ${s0.limit}`);
  assert.equal(s0.wasmBytes, 2 * MiB);
  await cu.compute('big = string.rep("z", 500000)');
  const s1 = cu.getMemoryStats();
  assert.ok(s1.used >= s0.used + 500000, 'a 500 kB string is counted');
  assert.ok(s1.peak >= s1.used);
  await cu.compute('big = nil');
  const s2 = cu.gc();
  assert.ok(s2.used < s0.used + 2000, `collected back to ${s2.used}`);
  assert.ok(s2.peak >= s1.used, 'the peak is remembered');
  const r = await cu.run('local s = string.rep("p", 300000) return #s');
  assert.ok(r.stats.memoryPeak >= s2.used + 300000, `compute peak ${r.stats.memoryPeak}`);
  // Lua's own count agrees with ours
  const luaCount = await cu.compute('collectgarbage() return collectgarbage("count") * 1024');
  const ours = cu.getMemoryStats().used;
  assert.ok(Math.abs(luaCount - ours) < 4096, `lua ${luaCount} vs ours ${ours}`);
});

test('runaway recursion is a stack overflow, not an out-of-memory', async () => {
  for (const memory of [1 * MiB, 2 * MiB, 16 * MiB]) {
    const cu = await Cu.create({ memory });
    await assert.rejects(cu.compute('local function f(n) return 1 + f(n + 1) end return f(1)'), { kind: 'runtime', message: /stack overflow/ });
    await assert.rejects(cu.compute('local function f() local a, b, c, d = 1, 2, 3, 4 return f() + a end return f()'), { kind: 'runtime', message: /stack overflow/ });
    const [ok, msg] = (await cu.run('local co = coroutine.create(function() local function f() return 1 + f() end return f() end) return coroutine.resume(co)')).values;
    assert.equal(ok, false);
    assert.match(msg, /stack overflow/);
    assert.equal(await cu.compute('return "alive"'), 'alive');
  }
});

test('C-stack overflow is an error, not a trap', async () => {
  const cu = await Cu.create();
  const sp = cu.stackPointer;
  for (const code of [
    'local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x',
    'local function f() return pcall(f) end return f()',
    'local function g() return string.gsub("x", "x", g) end return g()',
    'return load(string.rep("(", 1000) .. "1" .. string.rep(")", 1000))',
    'local s = string.rep("a = {", 100000) return load(s)',
    'local co co = coroutine.wrap(function() return co() end) return co()',
  ]) {
    await cu.run(code).then(
      ({ values }) => assert.ok(values.includes(false) || values[0] === null || typeof values[1] === 'string', code),
      (err) => assert.match(err.message, /stack overflow|C stack overflow|error in error handling|cannot resume/, code));
    assert.equal(await cu.compute('return 1'), 1, code);
    assert.equal(cu.stackPointer, sp, `shadow stack restored after ${code}`);
  }
});

test('code larger than 64 KiB runs; code larger than the memory is a clear error', async () => {
  const cu = await Cu.create();
  const lines = 'x = 0\n' + 'x = x + 1\n'.repeat(8000);
  assert.ok(lines.length > 64 * 1024);
  await cu.compute(lines);
  assert.equal(await cu.compute('return x'), 8000);
  const huge = '-- ' + 'x'.repeat(3 * MiB);
  await assert.rejects(cu.compute(huge), { kind: 'memory', message: /does not fit/ });
  assert.equal(await cu.compute('return x'), 8000);
});
