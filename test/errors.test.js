// errors.test.js: every kind of failure ends as a structured CuError, and the unit
// keeps working afterwards with its globals intact; a misspelled option is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu, CuError } from '../js/index.js';

async function fails(cu, code, kind, message, options) {
  await assert.rejects(cu.compute(code, options), (err) => {
    assert.ok(err instanceof CuError, `expected a CuError, got ${err}`);
    assert.equal(err.kind, kind, `kind of ${code}: ${err.message}`);
    if (message) assert.match(err.message, message);
    return true;
  });
  assert.equal(await cu.compute('return marker'), 'kept', `the unit works after: ${code}`);
}

test('each error kind is followed by a successful compute', async () => {
  const cu = await Cu.create();
  await cu.compute('marker = "kept"');
  await fails(cu, 'error("boom")', 'runtime', /^input:1: boom$/);
  await fails(cu, 'assert(false, "assertion text")', 'runtime', /assertion text/);
  await fails(cu, 'assert(nil)', 'runtime', /assertion failed!/);
  await fails(cu, 'local x = nil; return x.y', 'runtime', /attempt to index a nil value \(local 'x'\)/);
  await fails(cu, 'return 1 +', 'syntax', /unexpected symbol near <eof>/);
  await fails(cu, 'x = = 1', 'syntax', /unexpected symbol near '='/);
  await fails(cu, 'local s = "x" while true do s = s .. s end', 'memory', /not enough memory/);
  await fails(cu, 'while true do end', 'limit', /instruction limit exceeded/, { limits: { instructions: 1e6 } });
});

test('pcall and xpcall catch errors inside the script', async () => {
  const cu = await Cu.create();
  assert.deepEqual((await cu.run('return pcall(error, "x")')).values, [false, 'x']);
  assert.deepEqual((await cu.run('return pcall(error, {code = 7})')).values, [false, { code: 7 }]);
  assert.deepEqual((await cu.run('return xpcall(function() error("e", 0) end, function(m) return "handled " .. m end)')).values, [false, 'handled e']);
  assert.deepEqual((await cu.run('return select("#", pcall(error))')).values, [2]);
  const r = await cu.run('local n = 0 for i = 1, 100000 do if not pcall(error, i) then n = n + 1 end end return n');
  assert.equal(r.values[0], 100000);
  // an error inside the message handler itself
  assert.deepEqual((await cu.run('return xpcall(error, function() error("again") end)')).values.slice(0, 1), [false]);
});

test('a traceback comes with runtime errors', async () => {
  const cu = await Cu.create();
  const err = await cu.compute('local function inner() error("deep") end\nlocal function outer() inner() end\nouter()').catch((e) => e);
  assert.equal(err.kind, 'runtime');
  assert.equal(err.message, 'input:1: deep');
  assert.match(err.traceback, /^stack traceback:/);
  assert.match(err.traceback, /in upvalue 'inner'|in local 'inner'|in function 'inner'/);
  assert.match(err.traceback, /input:3: in main chunk/);
});

test('the chunk name appears in messages', async () => {
  const cu = await Cu.create();
  const err = await cu.compute('\n\nerror("here")', { name: 'script.lua' }).catch((e) => e);
  assert.equal(err.message, 'script.lua:3: here');
});

test('non-string error values are kept as value', async () => {
  const cu = await Cu.create();
  let err = await cu.compute('error({code = 42, why = "bad"})').catch((e) => e);
  assert.equal(err.kind, 'runtime');
  assert.deepEqual(err.value, { code: 42, why: 'bad' });
  assert.equal(err.message, '(error object is a table value)');
  err = await cu.compute('error(setmetatable({}, {__tostring = function() return "custom text" end}))').catch((e) => e);
  assert.equal(err.message, 'custom text');
  err = await cu.compute('error(12)').catch((e) => e);
  assert.equal(err.message, '12');
  assert.equal(err.value, 12);
  err = await cu.compute('error()').catch((e) => e);
  assert.equal(err.value, null);
  assert.equal(err.message, '(error object is a nil value)');
  err = await cu.compute('error(true)').catch((e) => e);
  assert.equal(err.value, true);
  assert.equal('value' in (await cu.compute('error("s")').catch((e) => e)), false, 'string errors carry no value');
});

test('a __tostring that throws while the error is reported', async () => {
  const cu = await Cu.create();
  const err = await cu.compute('error(setmetatable({}, {__tostring = function() error("tostring broke") end}))').catch((e) => e);
  assert.equal(err.kind, 'runtime');
  assert.equal(err.message, '(error object is a table value)');
  assert.equal(await cu.compute('return 1'), 1);
  // and while print converts its arguments: an ordinary runtime error
  const e2 = await cu.compute('print(setmetatable({}, {__tostring = function() error("in print") end}))').catch((e) => e);
  assert.equal(e2.kind, 'runtime');
  assert.match(e2.message, /in print/);
});

test('errors inside coroutines', async () => {
  const cu = await Cu.create();
  assert.deepEqual((await cu.run('local co = coroutine.create(function() error("in co") end) return coroutine.resume(co)')).values, [false, 'input:1: in co']);
  const err = await cu.compute('local f = coroutine.wrap(function() coroutine.yield(1) error("second") end) f() f()').catch((e) => e);
  assert.equal(err.kind, 'runtime');
  assert.match(err.message, /second/);
  assert.deepEqual((await cu.run(`
    local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
    return gen(), gen(), gen()`)).values, [1, 2, 3]);
  // yield across pcall
  assert.deepEqual((await cu.run(`
    local co = coroutine.create(function() return pcall(function() coroutine.yield("y") error("after") end) end)
    local a, b = coroutine.resume(co)
    local c, d, e = coroutine.resume(co)
    return a, b, c, d, e`)).values, [true, 'y', true, false, 'input:2: after']);
});

test('__close errors and __gc errors', async () => {
  const cu = await Cu.create();
  const err = await cu.compute('do local x <close> = setmetatable({}, {__close = function() error("closing") end}) end').catch((e) => e);
  assert.equal(err.kind, 'runtime');
  assert.match(err.message, /closing/);
  assert.deepEqual((await cu.run('local ok, e = pcall(function() local x <close> = setmetatable({}, {__close = function() error("c2") end}) end) return ok, e')).values, [false, 'input:1: c2']);
  // an error in a finalizer cannot propagate (Lua turns it into a warning); it is
  // always delivered, as a structured warning, and the compute itself succeeds
  const r = await cu.run('setmetatable({}, {__gc = function() error("in gc") end}) collectgarbage() collectgarbage() return "done"');
  assert.deepEqual(r.values, ['done']);
  assert.equal(r.warnings.length, 1);
  assert.match(r.warnings[0], /error in __gc/);
  assert.match(r.warnings[0], /in gc/);
});

test('warn follows @on and @off', async () => {
  const cu = await Cu.create();
  assert.deepEqual((await cu.run('warn("hidden")')).warnings, []);
  const seen = [];
  const r = await cu.run('warn("@on") warn("a", "b") warn("@off") warn("c")', { onOutput: (t, s) => seen.push([s, t]) });
  assert.deepEqual(r.warnings, ['ab']);
  assert.deepEqual(seen, [['warn', 'ab\n']]);
});

test('load reports syntax errors to the script', async () => {
  const cu = await Cu.create();
  const [f, msg] = (await cu.run('return load("return +")')).values;
  assert.equal(f, null);
  assert.match(msg, /unexpected symbol/);
});

test('a failing output callback is a host error, not a broken unit', async () => {
  const cu = await Cu.create();
  const err = await cu.compute('print("x")', { onOutput: () => { throw new Error('listener failed'); } }).catch((e) => e);
  assert.equal(err.kind, 'host');
  assert.equal(err.cause.message, 'listener failed');
  assert.equal(await cu.compute('return 2'), 2);
});

test('globals survive failures', async () => {
  const cu = await Cu.create();
  await cu.compute('counter = 0 function bump() counter = counter + 1 return counter end');
  for (let i = 0; i < 5; i++) {
    await cu.compute('bump() error("fail after bump")').catch(() => {});
    await cu.compute('bump() local t = {} for i = 1, 1e8 do t[i] = i end').catch(() => {});
  }
  assert.equal(await cu.compute('return bump()'), 11);
});

test('a misspelled option is refused, naming it, instead of being ignored', async () => {
  // without the check, { sotre } would run the unit without a store and lose its _home
  await assert.rejects(Cu.create({ sotre: 'memory' }), { name: 'TypeError', message: /Cu.create: unknown option "sotre" \(expected memory, limits, .*store/ });
  await assert.rejects(Cu.create({ limits: { instruction: 5 } }), { name: 'TypeError', message: /limits: unknown option "instruction"/ });
  const cu = await Cu.create();
  await assert.rejects(cu.compute('return 1', { inputs: 5 }), { name: 'TypeError', message: /compute: unknown option "inputs" \(expected limits, name, onOutput, input\)/ });
  await assert.rejects(cu.run('return 1', { limit: {} }), { name: 'TypeError', message: /compute: unknown option "limit"/ });
  assert.equal(await cu.compute('return _io.input', { input: 5, name: 'x', limits: { timeMs: 100 }, onOutput: () => {} }), 5);
});
