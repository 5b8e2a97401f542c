// calls.test.js: Lua-to-Lua calls, which lvm.c sets up inline when it can (src/call_vm.h)
// and through ldo.c's luaD_precall otherwise. Each case has its answer worked out by
// hand, so a frame set up wrongly on either path fails here, in wasm and natively alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

test('missing arguments are nil even where the stack held other values', async () => {
  const cu = await Cu.create();
  // fill leaves 7, 8, 9 in the slots f's missing parameters take next
  const { values: r } = await cu.run(`
    local function fill(x, y, z) return x + y + z end
    local function f(a, b, c) return a, b == nil, c == nil end
    local out = {}
    for i = 1, 3 do
      fill(7, 8, 9)
      local a, bnil, cnil = f(i)
      out[#out + 1] = tostring(a) .. tostring(bnil) .. tostring(cnil)
    end
    local function g(a, b, ...) return a, b, select('#', ...) end
    local x, y, n = g(1)
    local x2, y2, n2 = g(1, 2, 3, 4)
    return table.concat(out, ','), x, y, n, x2, y2, n2`);
  assert.deepEqual(r, ['1truetrue,2truetrue,3truetrue', 1, null, 0, 1, 2, 2]);
});

test('deep recursion grows the stack and the call list, then reuses them', async () => {
  const cu = await Cu.create({ memory: 16 * 1024 * 1024 });
  // 150 locals per frame: every few calls the stack must grow (and move) under a frame
  const locals = Array.from({ length: 150 }, (_, i) => `local v${i} = n + ${i}`).join('\n');
  const sum = Array.from({ length: 150 }, (_, i) => `v${i}`).join(' + ');
  await cu.compute(`
    function wide(n)
      ${locals}
      if n == 0 then return ${sum} end
      local below = wide(n - 1)
      return below + (${sum}) - 150 * n
    end
    function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end`);
  // wide(n) = wide(0) + sum over k of (150k + 11175 - 150k) = 11175 * (n + 1)
  for (const n of [10, 500, 500]) assert.equal(await cu.compute(`return wide(${n})`), 11175 * (n + 1));
  for (let i = 0; i < 3; i++) assert.equal(await cu.compute('return deep(50000)'), 50000);
  const err = await cu.compute('return deep(1e7)').catch((e) => e);
  assert.match(err.message, /stack overflow/);
  assert.equal(await cu.compute('return deep(100)'), 100, 'the unit works after the overflow');
});

test('C functions, __call and coroutines still go through luaD_precall', async () => {
  const cu = await Cu.create();
  const { values: r } = await cu.run(`
    local callable = setmetatable({}, { __call = function(self, a, b) return a * 10 + (b or 0) end })
    local function add(a, b) return a + b end
    local co = coroutine.wrap(function(n)
      local function down(k) if k == 0 then return 0 end return k + down(k - 1) end
      local got = coroutine.yield(down(n))
      return down(got)
    end)
    return callable(4), callable(4, 2), math.max(add(1, 2), 2), select(2, pcall(add, 5, 6)), co(100), co(10)`);
  assert.deepEqual(r, [40, 42, 3, 11, 5050, 55]);
});

test('hooks and debug information see every Lua call', async () => {
  const cu = await Cu.create({ stdlib: 'full' });
  const { values: r } = await cu.run(`
    local calls, returns = 0, 0
    local function leaf(x) return x + 1 end
    local function named() return debug.getinfo(1, 'n').name, debug.getinfo(2, 'l').currentline end
    debug.sethook(function(event)
      if event == 'call' then calls = calls + 1 elseif event == 'return' then returns = returns + 1 end
    end, 'cr')
    for i = 1, 10 do leaf(i) end
    debug.sethook()
    local name, line = named()
    local ok, err = pcall(function() local t = nil; return t.x end)
    return calls, returns, name, line, err`);
  // ten calls of leaf, and debug.sethook: returning from the call that set the hook,
  // then called to remove it (stock Lua 5.4.7 counts the same)
  assert.equal(r[0], 11);
  assert.equal(r[1], 11);
  assert.equal(r[2], 'named');
  assert.equal(r[3], 10);
  assert.match(r[4], /:11: attempt to index a nil value \(local 't'\)/);
});

test('the instruction limit counts inside called functions', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  const err = await cu.compute('local function spin() while true do end end spin()').catch((e) => e);
  assert.equal(err.kind, 'limit');
  const err2 = await cu.compute('local function f(n) return f(n + 1) + 1 end return f(0)').catch((e) => e);
  assert.ok(err2.kind === 'limit' || /stack overflow/.test(err2.message), err2.message);
  assert.equal(await cu.compute('local function f(a) return a * 2 end return f(21)'), 42);
});
