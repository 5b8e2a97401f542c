// raise.test.js: errors caught by pcall give in cu.wasm exactly what they give in stock
// Lua 5.4.7 (build/native/stock/lua, built from the same tarball without any of Cu's
// changes), although error() and assert() under pcall now return to pcall's catch
// instead of throwing a wasm exception (src/raise.c). test/lua/raise.lua prints each
// case's results, and random programs (below) mix the cases; test/native/unit.c checks
// which of them threw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Cu } from '../js/index.js';

const casesScript = new URL('./lua/raise.lua', import.meta.url).pathname;
const stock = new URL('../build/native/stock/lua', import.meta.url).pathname;
const expected = execFileSync(stock, [casesScript]).toString();

async function printed(options, source = readFileSync(casesScript)) {
  const cu = await Cu.create({ stdlib: 'full', memory: 16 * 1024 * 1024, ...options });
  try {
    let out = '';
    await cu.run(source, { name: 'raise.lua', onOutput: (text, stream) => { if (stream === 'stdout') out += text; } });
    return out;
  } finally {
    cu.close();
  }
}

function sameLines(got, want = expected.split('\n')) {
  const lines = got.split('\n');
  for (let i = 0; i < Math.max(want.length, lines.length); i++) assert.equal(lines[i], want[i], `line ${i + 1}`);
}

// Random programs of nested protected calls, Lua calls, coroutines, metamethods and
// to-be-closed variables around error() and assert(), from a fixed seed (the same
// programs every run); each program logs what it sees and the script prints the logs.
function randomPrograms(seed, count) {
  let s = seed >>> 0;
  const rnd = (n) => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return (s >>> 8) % n; };
  let names = 0;
  const value = () => [() => `"m${rnd(100)}"`, () => `mark("T${rnd(100)}")`, () => 'nil', () => `${rnd(100)}`][rnd(4)]();
  function body(depth, last = true) {
    const n = 1 + rnd(3);
    const out = [];
    for (let i = 0; i < n; i++) out.push(statement(depth, last && i === n - 1));
    return out.join(' ');
  }
  function statement(depth, last) {
    const leaf = [
      () => `acc = acc + 1`,
      () => `log("s${rnd(10)}", acc)`,
      () => `error(${value()})`,
      () => `error(${value()}, ${rnd(3)})`,
      () => `assert(false, ${value()})`,
      () => `assert(false)`,
      () => `assert(${rnd(5)}, "fine")`,
      () => `local _ = (nil)[1]`,
      () => `local c${++names} <close> = closer("c${names}")`,
      () => `local _ = setmetatable(mark("I${rnd(100)}"), {__index = error})[1]`,
      () => `local _ = setmetatable(mark("K${rnd(100)}"), {__concat = error}) .. 1`,
      () => `for _ in error, mark("F${rnd(100)}") do end`,
      () => `local x${++names} <close> = setmetatable(mark("X${names}"), {__close = error})`,
      () => (last ? `return error(${value()})` : `acc = acc * 2`),
      () => (last ? `return assert(false, ${value()})` : `acc = acc - 1`),
      () => (last ? `return ${value()}` : `log("r", acc)`),
    ];
    if (depth >= 4) return leaf[rnd(leaf.length)]();
    const inner = (last = true) => body(depth + 1, last);
    const nested = [
      () => `log(pcall(function(...) ${inner()} end, ${rnd(3)}, "a"))`,
      () => `log(pcall(function(a, b) ${inner()} end))`,
      () => `log(xpcall(function() ${inner()} end, function(m) return "h(" .. show(m) .. ")" end))`,
      () => `(function(a, b) ${inner()} end)(1, 2)`,
      () => `(function(...) ${inner()} end)(1, 2, 3)`,
      () => `local r${++names} = (function() ${inner()} end)() log("got", r${names})`,
      () => `log(pcall(coroutine.wrap(function() ${inner()} end)))`,
      () => `do local co = coroutine.wrap(function() ${inner(false)} coroutine.yield("y") ${inner()} end) log(pcall(co)) log(pcall(co)) end`,
      () => `log(pcall(function() return setmetatable({}, {__index = function(t, k) ${inner()} end}).x end))`,
      () => `for i = 1, 2 do ${inner()} end`,
      () => `log(pcall(pcall, function() ${inner()} end))`,
      () => `log(select("#", pcall(function() ${inner()} end)))`,
    ];
    return rnd(3) === 0 ? leaf[rnd(leaf.length)]() : nested[rnd(nested.length)]();
  }
  const out = [];
  for (let i = 0; i < count; i++) { names = 0; out.push(body(0)); }
  return out;
}

function loggingScript(progs) {
  return `local LOG
function show(v)
  if type(v) == "table" then return rawget(v, "name") and "T:" .. v.name or "table" end
  if type(v) == "function" or type(v) == "thread" then return type(v) end
  return tostring(v)
end
function log(...)
  local t = table.pack(...)
  for i = 1, t.n do t[i] = show(t[i]) end
  LOG[#LOG + 1] = table.concat(t, ",")
end
function mark(name) return {name = name} end
function closer(name) return setmetatable({}, {__close = function(_, e) log("close", name, e) end}) end
local progs = {
${progs.map((p) => `[==[${p}]==],`).join('\n')}
}
for i, src in ipairs(progs) do
  LOG, acc = {}, 0
  local f = assert(load(src, "=p" .. i))
  log("end", pcall(f))
  print(i .. ": " .. table.concat(LOG, " | "))
end
`;
}

for (const seed of [1, 2]) {
  test(`400 random programs (seed ${seed}) print what stock Lua prints, with limits and without`, async () => {
    const source = loggingScript(randomPrograms(seed, 400));
    const want = execFileSync(stock, ['-'], { input: source }).toString();
    const lines = want.split('\n');
    assert.equal(lines.length, 401);
    assert.ok(lines.filter((l) => / \| end,false,/.test(l)).length > 50, 'many programs end in an error');
    assert.ok(lines.filter((l) => /close,c\d+,/.test(l)).length > 20, 'many close a variable');
    sameLines(await printed({}, source), lines);
    sameLines(await printed({ limits: { instructions: Infinity, timeMs: Infinity } }, source), lines);
  });
}

test('the reference ran every section', () => {
  for (const section of ['== error objects', '== how the call asked for results', '== frames between the error and pcall',
    '== values left behind', '== not from OP_CALL', '== other protected calls', '== hooks'])
    assert.ok(expected.includes(section), section);
  assert.ok(expected.includes('to-be-closed: false | case:9: boom | b:case:9: boom,a:case:9: boom'));
  assert.ok(expected.includes('many: 5000 | 50005000'));
});

test('under the limits (a count hook), every case prints what stock Lua prints', async () => {
  sameLines(await printed({}));
});

test('without limits (no hook at all), every case prints what stock Lua prints', async () => {
  sameLines(await printed({ limits: { instructions: Infinity, timeMs: Infinity } }));
});

test('a loop of errors under pcall ends at the instruction limit, and the unit goes on', async () => {
  const cu = await Cu.create({ limits: { instructions: 1e6 } });
  try {
    await assert.rejects(cu.compute('local n = 0 while true do pcall(function() n = n + 1 error("x") end) end'),
      (e) => e.kind === 'limit');
    assert.equal(await cu.compute('local ok, e = pcall(function() error({7}) end) return e[1]'), 7);
  } finally {
    cu.close();
  }
});

test('100,000 errors under pcall leave the memory where it was', async () => {
  const cu = await Cu.create();
  try {
    const loop = 'for i = 1, 100000 do pcall(function() local a, b = i, {i} error(b) end) end collectgarbage() return collectgarbage("count")';
    const first = await cu.compute(loop);
    const second = await cu.compute(loop);
    assert.ok(Math.abs(second - first) < 16, `${first} KB, then ${second} KB`);
  } finally {
    cu.close();
  }
});
