// limits.test.js: the instruction budget and the time limit stop any script, cannot be
// escaped from the sandbox, cover coroutines, and leave the unit usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Cu, DEFAULTS } from '../js/index.js';

// A unit with a budget of 1e6 instructions and no time limit: a plain loop of that many
// takes a few milliseconds, so a case that exceeds it by work in C shows at once.
const BUDGET = { instructions: 1e6, timeMs: Infinity };
const budgeted = (options = {}) => Cu.create({ ...options, limits: BUDGET });

// Each compute fails at the unit's instruction budget (setup + code).
async function failsAtBudget(cu, codes, setup = '') {
  for (const code of codes) {
    await assert.rejects(cu.compute(setup + code), { kind: 'limit', message: /instruction limit exceeded/ }, code);
  }
}

// What stock Lua 5.4.7 (built from the same tarball) prints for the script `cases`, which
// the unit must print byte for byte; returned so a test can check the cases reach errors.
async function printsAsStockLua(cu, cases) {
  const stock = execFileSync(new URL('../build/native/stock/lua', import.meta.url).pathname, ['-e', cases]).toString();
  assert.equal((await cu.run(cases)).output, stock.replaceAll('(command line)', 'input'));
  return stock;
}

// Each compute fails at the unit's time limit, long before it would end unchecked.
async function stopsAtTimeLimit(cu, codes) {
  for (const code of codes) {
    const t0 = performance.now();
    await assert.rejects(cu.compute(code), { kind: 'limit', message: /time limit exceeded/ }, code);
    assert.ok(performance.now() - t0 < 3000, code);
  }
}

test('an infinite loop is stopped by the instruction limit', async () => {
  const cu = await budgeted();
  const err = await cu.compute('while true do end').catch((e) => e);
  assert.equal(err.kind, 'limit');
  assert.match(err.message, /instruction limit exceeded/);
  const r = await cu.run('local n = 0 for i = 1, 1000 do n = n + i end return n');
  assert.equal(r.values[0], 500500);
  assert.ok(r.stats.instructions > 1000 && r.stats.instructions < 20000, `counted ${r.stats.instructions}`);
});

test('an infinite loop is stopped by the time limit', async () => {
  const cu = await Cu.create({ limits: { instructions: Infinity, timeMs: 150 } });
  const t0 = performance.now();
  const err = await cu.compute('while true do end').catch((e) => e);
  const elapsed = performance.now() - t0;
  assert.equal(err.kind, 'limit');
  assert.match(err.message, /time limit exceeded/);
  assert.ok(elapsed >= 150 && elapsed < 2000, `stopped after ${elapsed} ms`);
  assert.equal(await cu.compute('return 3'), 3);
});

test('per-call limits override the unit limits', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e5 } });
  await assert.rejects(cu.compute('for i = 1, 1e6 do end'), { kind: 'limit' });
  assert.equal(await cu.compute('local n = 0 for i = 1, 1e6 do n = n + 1 end return n', { limits: { instructions: 1e8 } }), 1e6);
  await assert.rejects(cu.compute('for i = 1, 1e6 do end'), { kind: 'limit' }, 'the unit limit is back');
  await assert.rejects(cu.compute('while true do end', { limits: { timeMs: 50, instructions: null } }), { kind: 'limit', message: /time/ });
});

test('defaults are in force', async () => {
  assert.equal(DEFAULTS.limits.instructions, 1e9);
  assert.equal(DEFAULTS.limits.timeMs, 5000);
  const cu = await Cu.create();
  const t0 = performance.now();
  await assert.rejects(cu.compute('while true do end'), { kind: 'limit' });
  assert.ok(performance.now() - t0 < 8000);
});

test('pcall cannot swallow a limit', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  for (const code of [
    'while true do pcall(function() while true do end end) end',
    'return pcall(function() while true do end end)',
    'local ok = pcall(function() while true do end end) return "escaped", ok',
    'while true do xpcall(function() while true do end end, function() while true do end end) end',
    'local f = coroutine.wrap(function() while true do end end) while true do pcall(f) end',
    'setmetatable({}, {__gc = function() while true do end end}) collectgarbage() while true do end',
  ]) {
    await assert.rejects(cu.compute(code), { kind: 'limit' }, code);
  }
  assert.equal(await cu.compute('return "fine"'), 'fine');
});

test('coroutines are covered, including ones made by an earlier compute', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  await assert.rejects(cu.compute('local co = coroutine.wrap(function() while true do end end) co()'), { kind: 'limit' });
  await cu.compute('spin = coroutine.create(function() while true do coroutine.yield() end end)');
  await cu.compute('coroutine.resume(spin)');
  await cu.compute('saved = coroutine.wrap(function() while true do end end)', { limits: { instructions: Infinity } });
  await assert.rejects(cu.compute('saved()'), { kind: 'limit' });
  assert.equal(await cu.compute('return coroutine.status(spin)'), 'suspended');
});

test('no script can remove or change the limit in the sandbox', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  assert.equal(await cu.compute('return debug.sethook'), null);
  assert.equal(await cu.compute('return debug.gethook'), null);
  assert.deepEqual(await cu.compute('local t = {} for k in pairs(debug) do t[#t + 1] = k end return t'), ['traceback']);
  assert.equal(await cu.compute('return package.loadlib'), null);
  await assert.rejects(cu.compute('local d = require("debug") d.sethook() while true do end'), { kind: 'runtime' });
  await assert.rejects(cu.compute('while true do end'), { kind: 'limit' });
});

test('bad limits are refused with a clear error', async () => {
  await assert.rejects(Cu.create({ limits: { instructions: -1 } }), /limits.instructions must be a positive number/);
  await assert.rejects(Cu.create({ limits: { timeMs: 'soon' } }), /limits.timeMs/);
  await assert.rejects(Cu.create({ limits: { steps: 5 } }), /limits: unknown option "steps"/);
  const cu = await Cu.create();
  await assert.rejects(cu.compute('return 1', { limits: { timeMs: 0 } }), RangeError);
});

test('pattern matching that runs in C is limited too', async () => {
  const cu = await Cu.create({ limits: { instructions: Infinity, timeMs: 200 } });
  await stopsAtTimeLimit(cu, [
    'return string.rep("a", 5000):find(".-.-.-.-b$")',
    'return string.rep("a", 3000):gsub(".-.-.-b", "")',
    'for w in string.rep("a", 3000):gmatch(".-.-.-b") do end',
    'local s = string.rep("a", 400000) return s:find(string.rep("a", 200000) .. "b", 1, true)',
    'return pcall(string.find, string.rep("a", 5000), ".-.-.-.-b$")',
  ]);
  const counted = await budgeted();
  await assert.rejects(counted.compute('return string.rep("a", 5000):find(".-.-.-.-b$")'), { kind: 'limit', message: /instruction limit/ });
  // ordinary patterns are untouched
  assert.deepEqual((await cu.run('return ("hello world"):find("o w"), ("a,b,,c"):gsub(",", ";"), ("x=1"):match("(%w+)=(%d+)")')).values, [5, 'a;b;;c', 'x', '1']);
});

// Loops inside one matching step that lstrlib.c's matcher never counted (src/match.c).
test('the matcher counts every item, scanned byte and set element', async () => {
  const memory = 16 << 20;
  const counted = await budgeted({ memory });
  await failsAtBudget(counted, [
    // a long run of plain items, tried at every position: 10^5 items per step
    'local s = string.rep("a", 300000) return s:find(string.rep("a", 100000) .. ".b")',
    // a repetition's scan: 5*10^6 bytes per find
    'local s = string.rep("a", 5e6) for i = 1, 10 do s:find("a*$") end',
    // five sets of 20,000 characters, more than the matcher keeps maps of
    'local big = {} for i = 1, 5 do big[i] = "[" .. string.rep(string.char(64 + i), 20000) .. "a]" end ' +
      'local p = table.concat(big) for _ in string.rep("a", 100000):gmatch(p) do end',
  ]);

  // A set of m characters under '*' on n bytes cost n*m steps in lstrlib.c, none of them
  // counted: 4 s under a 200 ms limit at a tenth of this size. Its map makes it n + m.
  const timed = await Cu.create({ memory, limits: { instructions: Infinity, timeMs: 200 } });
  const t0 = performance.now();
  const r = await timed.compute('local s = string.rep("a", 400000) return #s:match("[" .. string.rep("b", 40000) .. "a]*$")');
  assert.equal(r, 400000);
  assert.ok(performance.now() - t0 < 3000);
});

// Loops of the stock libraries that run in C with nothing to allocate, so neither a
// hook nor the memory ever ended them: string.rep of empty pieces (libs_rep) and the
// table library's element loops (limits_geti).
test('string.rep of empty pieces and the table library\'s loops in C end at the limits', async () => {
  const timed = await Cu.create({ limits: { instructions: Infinity, timeMs: 200 } });
  await stopsAtTimeLimit(timed, [
    'table.move({}, 1, 3e8, 2)', // sizes that end, unchecked, in seconds, not days
    'table.insert(setmetatable({}, { __len = function() return 3e8 end }), 1, "x")',
    'table.remove(setmetatable({}, { __len = function() return 3e8 end }), 1)',
  ]);
  const counted = await budgeted();
  await failsAtBudget(counted, [
    'table.move({}, 1, 2e6, 2)',
    'local t = {} for i = 1, 1000 do t[i] = i end for i = 1, 2000 do table.insert(t, 1, i) end',
    'local t = {} for i = 1, 3000 do t[i] = 3001 - i end for i = 1, 100 do table.sort(t) end',
    'local t = {} for i = 1, 1000 do t[i] = "x" end for i = 1, 1500 do local s = table.concat(t) end',
  ]);

  // string.rep("", n) is "" at once (4.7 s for 1e9 before; math.maxinteger, centuries)
  const t0 = performance.now();
  assert.deepEqual((await timed.run('return string.rep("", 1e9), string.rep("", 1e9, ""), #string.rep("ab", 3, ",")')).values, ['', '', 8]);
  assert.ok(performance.now() - t0 < 3000);
  // and otherwise what stock Lua 5.4.7 gives, errors included
  const cases = `for _, c in ipairs({{"ab", 3}, {"ab", 3, ","}, {"", 5, ","}, {"x", 0}, {"x", -1}, {"", 0, ""},
    {"ab", 1, ","}, {"a", 2^31}, {"ab", 2^30}, {"", 3, "-"}, {"a", 1.5}, {{}, 1}, {"a"}, {"a", 2, {}}}) do
    print(pcall(string.rep, table.unpack(c, 1, 3)))
  end`;
  assert.match(await printsAsStockLua(timed, cases), /resulting string too large/);
});

// One instruction can start C work as large as the memory: copying or making a string,
// comparing two long strings, lexing a chunk given to load, walking UTF-8. Each counts a
// step per few bytes (src/cu_limits.h), so an instruction budget bounds it; before, a
// loop of 1e5 instructions ran for 10 to 47 s under a budget of 1e5.
test('work on data in C counts: strings made, compared, loaded and walked', async () => {
  const counted = await budgeted();
  // 200 KB strings; t equals s but is another string. Each case runs about 2,000
  // instructions and ends, unchecked, in well under a second.
  const setup = 'local s = ("x"):rep(2e5) local t = s:sub(2) .. "x" ';
  await failsAtBudget(counted, [
    'for i = 1, 200 do local _ = s:upper() end',
    'for i = 1, 400 do local _ = s:sub(2) end',
    'for i = 1, 400 do local _ = s .. "y" end',
    'for i = 1, 100 do local _ = s == t end',
    'for i = 1, 100 do local _ = s < t end',
    'local k = {[s] = true} for i = 1, 100 do local _ = k[t] end',
    'for i = 1, 20 do utf8.len(s) end',
    'for i = 1, 20 do utf8.offset(s, 1e9) end',
    'local c = ("\\x80"):rep(2e5) for i = 1, 20 do utf8.offset(c, -1) end',
    'local c = "--" .. s for i = 1, 20 do load(c) end',
    'local n = 0 load(function() n = n + 1 if n > 20 then return nil end return n == 1 and "--" or s end)',
  ], setup);

  // the same work in smaller amounts fits, and is counted
  const fits = await budgeted();
  const r = await fits.run(setup + 'return utf8.len(s), s == t, load("--" .. s .. "\\nreturn 1")()');
  assert.deepEqual(r.values, [2e5, true, 1]);
  assert.ok(r.stats.instructions > 2e5 && r.stats.instructions < 5e5, `counted ${r.stats.instructions}`);

  // The allocator cannot raise: once its count passes the budget, the next instruction
  // does. Each iteration makes 200 KB (rep's buffer and its result), 6,250 steps, so the
  // budget runs out in the 160th by allocation alone, and the collections that memory
  // needs count too (the 147th); without that, the loop went on to the 284th (a
  // thousand instructions more, each of which could copy the whole memory).
  const printed = [];
  await assert.rejects(counted.compute('local s = ("x"):rep(1e4) for i = 1, 1e6 do local big = s:rep(10) print(i) end',
    { onOutput: (text) => printed.push(...text.trim().split('\n').map(Number)) }), { kind: 'limit' });
  const last = printed.at(-1);
  assert.ok(last >= 135 && last <= 165, `the last iteration printed was ${last}`);

  // utf8.len and utf8.offset still give what stock Lua 5.4.7 gives, errors included
  const cases = `for _, c in ipairs({{"len", "héllo"}, {"len", "héllo", 2}, {"len", "h\\xffé"}, {"len", "abc", 5},
    {"len", "\\xf4\\x90\\x80\\x80", 1, -1, true}, {"offset", "héllo", 3}, {"offset", "héllo", -1},
    {"offset", "héllo", 0, 3}, {"offset", "abc", 5}, {"offset", "abc", -5}, {"offset", "abc", 1, -1},
    {"offset", "abc", 1, 9}, {"offset", "\\x80\\x80", 1}, {"offset", "a\\x80\\x80b", -1}, {"offset", {}, 1},
    {"offset", "abc"}, {"len", 12345}, {"offset", 12345, 2, -2}}) do
    print(c[1], pcall(utf8[c[1]], table.unpack(c, 2, 5)))
  end`;
  assert.match(await printsAsStockLua(counted, cases), /continuation byte/);
});

// One instruction can also make Lua's tables and collector work through the memory in C:
// next passing a run of empty slots (a table's set and cleared entries stay), a long
// string hashed the first time it is a key, and every collection, which marks each live
// object. src/ltable_cu.h and src/lgc_cu.h count that work. Each case runs a few thousand
// instructions after a setup that fits the budget (checked below), and ends unchecked in
// well under a second.
const CLEARED = (keys) => `local t = {} for i = 1, 1 << 14 do t[${keys}] = true end for i = 1, 1 << 14 do t[${keys}] = nil end `;
const KEPT = 'local keep = {} for i = 1, 1e4 do keep[i] = {} end ';
const KEPT_STRINGS = 'local keep = {} for i = 1, 1e4 do keep[i] = "s" .. i end ';
const KEPT_NUMBERS = 'local keep = {} for i = 1, 1 << 14 do keep[i] = i end ';
// small tables until one more does not fit: then every allocation fails and first runs an
// emergency collection
const FULL = 'local head, n = nil, 0 pcall(function() while true do head = {head} n = n + 1 end end) ';
test('work on tables and by the collector in C counts: next, long keys, marking', async () => {
  const counted = await budgeted();
  await failsAtBudget(counted, [
    CLEARED('i') + 'for j = 1, 1000 do next(t) end',
    CLEARED('i') + 't[1] = true for j = 1, 1000 do next(t, 1) end',
    CLEARED('i + 0.5') + 'for j = 1, 1000 do next(t) end',
    CLEARED('i') + 'for j = 1, 1000 do for k in pairs(t) do end end',
    'local s = ("x"):rep(2e5) for i = 1, 100 do local t = {[s .. i] = true} end',
    KEPT + 'for j = 1, 100 do collectgarbage() end',
    KEPT_STRINGS + 'for j = 1, 100 do collectgarbage() end',
    KEPT_NUMBERS + 'for j = 1, 400 do collectgarbage() end',
    KEPT + 'for j = 1, 100 do collectgarbage("step", 1e6) end',
    FULL + 'for j = 1, 200 do pcall(string.rep, "x", 100) end',
  ]);
  // Set so, the collector runs a whole cycle at every allocation, once the cycle under way
  // (which collectgarbage() ends) is over. The setting stays with the unit, so this one
  // gets a unit of its own.
  const paced = await budgeted();
  await failsAtBudget(paced, [KEPT + 'collectgarbage("incremental", 1, 1000) collectgarbage() for j = 1, 500 do local t = {} end']);

  // Each setup fits the budget with room to spare, so it is the work after it that
  // exceeded it; and the same work in smaller amounts fits, and is counted.
  const fits = await budgeted();
  for (const setup of [CLEARED('i'), CLEARED('i + 0.5'), KEPT, KEPT_STRINGS, KEPT_NUMBERS, FULL]) {
    const r = await fits.run(setup);
    assert.ok(r.stats.instructions < 5e5, `${setup}: counted ${r.stats.instructions}`);
  }
  const small = await fits.run(CLEARED('i') + 'local n = 0 for j = 1, 10 do if next(t) == nil then n = n + 1 end end ' +
    'local s = ("x"):rep(2e5) local k = {[s .. 1] = true} collectgarbage() return n, k[s .. 1]');
  assert.deepEqual(small.values, [10, true]);
  assert.ok(small.stats.instructions > 2e5 && small.stats.instructions < 5e5, `counted ${small.stats.instructions}`);
});

// bigint.c runs whole loops in C: powmod's squarings (13 s for a 28,000-bit exponent,
// minutes for larger ones), Euclid's steps in gcd, Newton's in isqrt. Its kernels count
// their work (src/bigint.c, BIG_WORK_UNIT) and the loops stop at the limits.
test('bigint work in C counts against the limits, also in a loop inside one call', async () => {
  const counted = await budgeted();
  const setup = 'local a, b = bigint(3)^60000, bigint(7)^15000 ';
  await failsAtBudget(counted, [
    'local m = bigint(2)^4096 - 1 return bigint.powmod(3, m - 2, m)',
    'return bigint.gcd(bigint(7)^30000, bigint(3)^50000 + 1)',
    'return bigint.isqrt(bigint(3)^100000)',
    setup + 'for i = 1, 100 do local c = a * b end',
    setup + 'for i = 1, 100 do local c = a // b end',
    setup + 'for i = 1, 1e4 do local c = a + b end',
    setup + 'for i = 1, 20 do local s = tostring(a) end',
    'local s = string.rep("7", 20000) for i = 1, 20 do local c = bigint(s) end',
    'return pcall(bigint.powmod, 3, bigint(2)^4096 - 3, bigint(2)^4096 - 1)',
    'return coroutine.wrap(function() local m = bigint(2)^4096 - 1 return bigint.powmod(3, m - 2, m) end)()',
  ]);
  // the same work fits a budget that holds it, and the unit goes on
  const r = await counted.run('local m = bigint(2)^256 - 189 return tostring(bigint.powmod(2, m - 1, m))');
  assert.equal(r.values[0], '1', 'Fermat: 2^(p-1) = 1 mod p');
  assert.ok(r.stats.instructions > 1000 && r.stats.instructions < 1e6, `counted ${r.stats.instructions}`);

  // a powmod that runs 13 s unchecked stops at the deadline
  const timed = await Cu.create({ limits: { instructions: Infinity, timeMs: 200 } });
  await stopsAtTimeLimit(timed, ['local a = bigint(7)^10000 return bigint.powmod(a, a, a + 2)']);
  assert.equal(await timed.compute('return tostring(bigint(2)^100)'), '1267650600228229401496703205376');
});

test('a compute with no limits runs without the hook; coroutines follow the running compute\'s limits', async () => {
  const cu = await budgeted();
  const free = { limits: { instructions: Infinity, timeMs: Infinity } };
  const r = await cu.run('local n = 0 for i = 1, 3e6 do n = n + 1 end return n', free);
  assert.equal(r.values[0], 3e6, 'well past the unit\'s budget: no limit was applied');
  assert.equal(r.stats.instructions, null, 'nothing is counted without limits');
  await cu.compute('loopw = coroutine.wrap(function() while true do end end) loopc = coroutine.create(function() while true do end end)', free);
  await assert.rejects(cu.compute('loopw()'), { kind: 'limit' });
  await assert.rejects(cu.compute('local ok, e = coroutine.resume(loopc) error(e, 0)'), { kind: 'limit' });
  // and back: a coroutine made under limits runs free in an unlimited compute
  await cu.compute('counter = coroutine.wrap(function() local n = 0 while true do for i = 1, 2e6 do n = n + 1 end coroutine.yield(n) end end)', { limits: { instructions: 1e6 } }).catch(() => {});
  await cu.compute('slow = coroutine.wrap(function() local n = 0 for i = 1, 2e6 do n = n + 1 end return n end)');
  assert.equal(await cu.compute('return slow()', free), 2e6);
});
