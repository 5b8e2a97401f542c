// soak.test.js: 10,000 mixed failing and succeeding computes on one unit; afterwards
// Lua memory and the shadow stack pointer are back at their baseline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

const CASES = [
  ['return 1 + 1', null],
  ['error("boom")', 'runtime'],
  ['return 1 +', 'syntax'],
  ['local t = {} for i = 1, 1e7 do t[i] = i end', 'memory'],
  ['local function f() return 1 + f() end return f()', 'runtime'],
  ['local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x', 'runtime'],
  ['while true do end', 'limit'],
  ['local co = coroutine.wrap(function() local s = "x" while true do s = s .. s end end) co()', 'memory'],
  ['error(setmetatable({}, {__tostring = function() error("x") end}))', 'runtime'],
  ['return {1, {2, {3}}}, "s", 2^63', null],
  ['do local x <close> = setmetatable({}, {__close = function() error("c") end}) end', 'runtime'],
  ['return pcall(string.rep, "x", 1e8)', null],
];

test('10,000 mixed computes leave no trace', { timeout: 300000 }, async () => {
  const cu = await Cu.create({ limits: { instructions: 2e5 } });
  await cu.compute('state = 0');
  for (const [code] of CASES) await cu.run(code).catch(() => {});  // steady state: every chunk compiled once
  const baseMem = cu.gc().used;
  const baseSp = cu.stackPointer;
  const kinds = {};
  for (let i = 0; i < 10000; i++) {
    const [code, kind] = CASES[i % CASES.length];
    try {
      await cu.run(code);
      assert.equal(kind, null, `${code} should fail`);
    } catch (err) {
      assert.equal(err.kind, kind, `${code}: ${err.message}`);
    }
    kinds[kind ?? 'ok'] = (kinds[kind ?? 'ok'] ?? 0) + 1;
    if (i % 1000 === 0) await cu.compute('state = state + 1');
  }
  assert.equal(await cu.compute('return state'), 10);
  assert.deepEqual(Object.keys(kinds).sort(), ['limit', 'memory', 'ok', 'runtime', 'syntax']);
  await cu.compute('state = 0');
  const after = cu.gc();
  assert.ok(Math.abs(after.used - baseMem) < 1024, `Lua memory ${baseMem} -> ${after.used}`);
  assert.equal(cu.stackPointer, baseSp);
  assert.equal(after.wasmBytes, 2 * 1024 * 1024);
});
