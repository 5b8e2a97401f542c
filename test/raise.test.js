// raise.test.js: errors caught by pcall give in cu.wasm exactly what they give in stock
// Lua 5.4.7 (build/native/stock/lua, built from the same tarball without any of Cu's
// changes), although error() and assert() under pcall now return to pcall's catch
// instead of throwing a wasm exception (src/raise.c). test/lua/raise.lua prints each
// case's results; test/native/unit.c checks which of them threw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Cu } from '../js/index.js';

const script = new URL('./lua/raise.lua', import.meta.url).pathname;
const stock = new URL('../build/native/stock/lua', import.meta.url).pathname;
const expected = execFileSync(stock, [script]).toString();

async function printed(options) {
  const cu = await Cu.create({ stdlib: 'full', ...options });
  try {
    let out = '';
    await cu.run(readFileSync(script), { name: 'raise.lua', onOutput: (text, stream) => { if (stream === 'stdout') out += text; } });
    return out;
  } finally {
    cu.close();
  }
}

function sameLines(got) {
  const want = expected.split('\n');
  const lines = got.split('\n');
  for (let i = 0; i < Math.max(want.length, lines.length); i++) assert.equal(lines[i], want[i], `line ${i + 1}`);
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
