// functions.test.js: functions and closures stored in _home persist: bytecode with debug
// info, upvalues captured at every commit, shared upvalues kept shared, _ENV re-bound,
// standard library functions by name, restored functions cached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu, CuError } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';

const values = async (cu, code) => (await cu.run(code)).values;

test('a counter in an upvalue goes on after a restart (real processes, LMDB)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-fn-'));
  const script = join(dir, 'step.mjs');
  writeFileSync(script, `import { Cu } from ${JSON.stringify(new URL('../js/index.js', import.meta.url).href)};
    const cu = await Cu.create({ store: 'lmdb:${dir}', name: 'counter' });
    const out = [];
    for (const code of process.argv.slice(2)) out.push(await cu.compute(code));
    await cu.close();
    process.stdout.write(JSON.stringify(out));`);
  const run = (...codes) => JSON.parse(execFileSync(process.execPath, [script, ...codes], { encoding: 'utf8' }));
  assert.deepEqual(run('local n = 0 function _home.next() n = n + 1 return n end', 'return _home.next()', 'return _home.next()', 'return _home.next()'), [null, 1, 2, 3]);
  assert.deepEqual(run('return _home.next()'), [4]);
  assert.deepEqual(run('return _home.next()', 'return _home.next()'), [5, 6]);
});

for (const [kind, open] of [['no store', () => 'none'], ['memory', () => new MemoryStore()], ['LMDB', () => `lmdb:${mkdtempSync(join(tmpdir(), 'cu-fn-'))}`]]) {
  test(`${kind}: a compute that fails keeps none of its changes to stored functions' upvalues, in the live unit as after a restart`, async () => {
    const store = open();
    const a = await Cu.create({ store, name: 'u' });
    await a.compute(`local n, t = 10, {v = 1}
      function _home.bump(by) n = n + by return n end
      function _home.swap(x) t = x end
      function _home.get() return t.v end`);
    assert.equal(await a.compute('return _home.bump(1)'), 11);
    await assert.rejects(a.compute('_home.bump(100) _home.swap({v = 2}) error("fail")'), { kind: 'runtime' });
    assert.deepEqual(await values(a, 'return _home.bump(0), _home.get()'), [11, 1], 'the live closures are back as they were');
    await assert.rejects(a.compute('_home.bump(1000) while true do end', { limits: { instructions: 10000 } }), { kind: 'limit' });
    assert.equal(await a.compute('return _home.bump(1)'), 12, 'and after a compute a limit stopped');
    if (store === 'none') return;
    await a.close();
    const b = await Cu.create({ store, name: 'u' });
    assert.deepEqual(await values(b, 'return _home.bump(0), _home.get()'), [12, 1], 'the store has only the successful computes\' changes');
    await b.close();
  });
}

test('when a failed compute\'s upvalues cannot be put back (no memory left), the functions are restored afresh from the store', async () => {
  const a = await Cu.create({ store: new MemoryStore(), name: 'u' });  // the default 2 MiB
  await a.compute('local s = string.rep("x", 300000) function _home.set(v) s = v end function _home.len() return #s end');
  // the failed compute drops the long string and fills the memory it held with a global
  // the next compute keeps: putting the string back would need 300 KB more than is free
  await assert.rejects(a.compute(`_home.set("short") collectgarbage()
    hog = {}
    while pcall(function() hog[#hog + 1] = string.rep("y", 16384) .. #hog end) do end
    error("fail")`));
  assert.equal(await a.compute('hog = nil collectgarbage() return _home.len()'), 300000);
  assert.equal(await a.compute('_home.set("abc") return _home.len()'), 3, 'the restored function is the stored one');
});

test('a function called and then dropped and collected within one compute keeps its change', async () => {
  // it was lost: the closure was collected before the capture at the compute's end
  for (const store of ['none', new MemoryStore()]) {
    const a = await Cu.create({ store, name: 'u' });
    await a.compute('local n = 0 function _home.next() n = n + 1 return n end');
    const seen = [];
    for (let i = 0; i < 4; i++) seen.push(await a.compute('local v = _home.next() collectgarbage() collectgarbage() return v'));
    assert.deepEqual(seen, [1, 2, 3, 4]);
    await a.compute('g = _home.next g() g = nil collectgarbage()');  // held by a global, then dropped
    assert.equal(await a.compute('return _home.next()'), 6);
    if (store !== 'none') assert.equal(await (await Cu.create({ store, name: 'u' })).compute('return _home.next()'), 7);
  }
});

test('upvalues shared between functions stay shared after restore', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute(`local count = 0
    local function inc() count = count + 1 end
    local function get() return count end
    _home.counter = {inc = inc, get = get}
    function _home.reset() count = 0 end
    inc() inc()`);
  const b = await Cu.create({ store, name: 'u' });
  assert.deepEqual(await values(b, 'local c = _home.counter c.inc() local x = c.get() _home.reset() return x, c.get()'), [3, 0]);
  const c = await Cu.create({ store, name: 'u' });
  assert.equal(await c.compute('_home.counter.inc() return _home.counter.get()'), 1);
});

test('_ENV is re-bound to the unit\'s globals; library functions are stored by name', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute('function _home.greet(n) return string.format("hi %s", n) .. suffix end _home.fmt = string.format _home.ins = table.insert');
  const b = await Cu.create({ store, name: 'u' });
  await b.compute('suffix = "!"');
  assert.equal(await b.compute('return _home.greet("ada")'), 'hi ada!');
  assert.deepEqual(await values(b, 'local t = {} _home.ins(t, 5) return _home.fmt("%05.1f", 2.25), t[1], _home.fmt == string.format'), ['002.2', 5, true]);
});

test('errors in restored functions keep their chunk name and line', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute('\n\nfunction _home.fail()\n  error("from line 4")\nend', { name: 'lib.lua' });
  const b = await Cu.create({ store, name: 'u' });
  const err = await b.compute('_home.fail()').catch((e) => e);
  assert.equal(err.message, 'lib.lua:4: from line 4');
  assert.match(err.traceback, /lib\.lua:4: in field 'fail'|lib\.lua:4: in function/);
});

test('recursive functions, nested functions and table upvalues', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute(`
    local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
    _home.fact = fact
    local cache = {hits = 0}
    local function helper(x) cache.hits = cache.hits + 1 return x * 2 end
    function _home.double(x) return helper(x) end
    function _home.hits() return cache.hits end
    _home.double(1)`);
  const b = await Cu.create({ store, name: 'u' });
  assert.deepEqual(await values(b, 'return _home.fact(10), _home.double(21), _home.hits()'), [3628800, 42, 2]);
  const c = await Cu.create({ store, name: 'u' });
  assert.equal(await c.compute('return _home.hits()'), 2, 'the table upvalue is an external table, so its change was kept');
});

test('a restored function is loaded once per unit', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute('_home.f = function() return 1 end _home.same = _home.f');
  const b = await Cu.create({ store, name: 'u' });
  assert.deepEqual(await values(b, 'return rawequal(_home.f, _home.f), rawequal(_home.f, _home.same), _home.f()'), [true, true, 1]);
});

test('binary chunks still cannot be loaded by scripts', async () => {
  const cu = await Cu.create({ store: new MemoryStore() });
  const [f, msg] = (await cu.run('return load(string.dump(function() end))')).values;
  assert.equal(f, null);
  assert.match(msg, /binary chunk/);
});

test('damaged bytecode in the store is a store error, not a crash', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute('_home.f = function() return "ok" end _home.g = function() return "fine" end');
  const unit = await store.openUnit('u');
  const code = [...unit.range(new Uint8Array(0))].find(([, v]) => v[0] === 0x62 && v[2] === 0x4c);  // 'b' then "\x1bLua"
  assert.ok(code, 'found a stored bytecode record');
  const damaged = code[1].slice();
  damaged[20] ^= 0xff;
  await unit.commit([[code[0], damaged]]);
  const b = await Cu.create({ store, name: 'u' });
  const results = await Promise.allSettled([b.compute('return _home.f()'), b.compute('return _home.g()')]);
  const failed = results.filter((r) => r.status === 'rejected');
  assert.equal(failed.length, 1);
  assert.ok(failed[0].reason instanceof CuError && failed[0].reason.kind === 'store', String(failed[0].reason));
  assert.match(failed[0].reason.message, /corrupt/);
  assert.equal(await b.compute('return 1 + 1'), 2);
});

test('replacing stored functions over and over grows neither the unit\'s memory nor the host\'s cells', async () => {
  const cu = await Cu.create({ store: new MemoryStore(), name: 'u' });
  const samples = [];
  const cells = [];
  for (let i = 0; i < 3000; i++) {
    await cu.compute('local n = 0 _home.f = function() n = n + 1 return n end _home.f()');
    if (i % 500 === 499) {
      samples.push(cu.gc().used);
      cells.push(cu.extStats.cells);
    }
  }
  const [, second, ...rest] = samples;
  for (const s of rest) assert.ok(s < second + 16384, `Lua memory over the run: ${samples.join(', ')}`);
  // each compute stored a new cell: the host kept every key (3,000) before cells were
  // forgotten once neither Lua nor a function on the host held them
  assert.ok(Math.max(...cells) < 800, `cells whose keys the host keeps: ${cells.join(', ')}`);
  assert.equal(await cu.compute('return _home.f()'), 2);
});

/** Stores closures that are dropped at once, so that closure.c lets go of cells and the
    host sweeps: what the tests below keep must outlive both. */
const churn = async (cu) => {
  for (let i = 0; i < 600; i++) await cu.compute('local n = 0 _home.churn = function() n = n + 1 return n end _home.churn()');
  cu.gc();
};

test('a cell the host no longer maps is one nothing can store again: shared cells survive the sweep', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'u' });
  await a.compute(`local count = 0
    _home.counter = { inc = function() count = count + 1 return count end, get = function() return count end }
    _home.peek = function() return count end`);
  // held by a Lua global only: its _home entry is gone, the closure lives (closure.c holds the cell)
  const b = await Cu.create({ store, name: 'u' });
  await b.compute('keep = _home.counter.inc _home.counter.inc = nil keep()');
  await churn(b);
  await b.compute('_home.counter.inc = keep');
  // held on the host only: the table is deleted from the store (its functions are read to
  // be deleted, never run), and a proxy keeps it
  const c = await Cu.create({ store, name: 'u' });
  await c.compute('box = _home.counter _home.counter = nil');
  await churn(c);
  await c.compute('_home.counter = box');
  const d = await Cu.create({ store, name: 'u' });
  // inc and get, stored again, still share their count with peek, which no unit above read
  assert.deepEqual(await values(d, 'local v = _home.counter.inc() return v, _home.counter.get(), _home.peek()'), [2, 2, 2]);
});
