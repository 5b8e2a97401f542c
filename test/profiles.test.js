// profiles.test.js: what the sandbox and full library profiles contain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cu } from '../js/index.js';

const keys = (cu, name) => cu.compute(`local t = {} for k in pairs(${name}) do t[#t + 1] = k end table.sort(t) return t`);

test('sandbox is the default and has exactly the safe libraries', async () => {
  const cu = await Cu.create();
  assert.deepEqual(await keys(cu, 'os'), ['clock', 'date', 'difftime', 'time']);
  assert.deepEqual(await keys(cu, 'debug'), ['traceback']);
  for (const absent of ['io', 'dofile', 'loadfile', 'os.exit', 'os.execute', 'os.getenv', 'os.remove', 'os.rename', 'os.tmpname', 'package.loadlib', 'debug.sethook', 'debug.getinfo', 'debug.setmetatable', 'debug.getregistry'])
    assert.equal(await cu.compute(`return ${absent}`), null, absent);
  for (const lib of ['coroutine', 'table', 'string', 'math', 'utf8', 'bigint'])
    assert.equal(await cu.compute(`return type(${lib})`), 'table', lib);
  assert.equal(await cu.compute('return require("string") == string'), true);
  const [ok, msg] = (await cu.run('return pcall(require, "socket")')).values;
  assert.equal(ok, false);
  assert.match(msg, /module 'socket' not found/);
  assert.equal(await cu.compute('package.preload.mine = function() return {v = 7} end return require("mine").v'), 7);
  assert.equal(typeof (await cu.compute('return os.time()')), 'number');
  assert.equal(await cu.compute('return os.date("!%Y-%m-%d %H:%M:%S", 86400)'), '1970-01-02 00:00:00');
  assert.match(await cu.compute('return debug.traceback("here")'), /^here\nstack traceback:/);
});

test('load accepts text chunks only in the sandbox', async () => {
  const cu = await Cu.create();
  assert.equal(await cu.compute('return load("return 5")()'), 5);
  assert.equal(await cu.compute('return load("return x", "chunk", "t", {x = 9})()'), 9);
  const [f, msg] = (await cu.run('local bin = string.dump(function() return 1 end) return load(bin)')).values;
  assert.equal(f, null);
  assert.match(msg, /attempt to load a binary chunk/);
  const [g, msg2] = (await cu.run('local bin = string.dump(function() return 1 end) return load(bin, "b", "b")')).values;
  assert.equal(g, null);
  assert.match(msg2, /binary chunk/);
  // a reader function still works, and env is honoured only when given
  assert.equal(await cu.compute('local parts = {"return ", "1 + ", "2"} local i = 0 return load(function() i = i + 1 return parts[i] end)()'), 3);
  assert.equal(await cu.compute('y = 4 return load("return y")()'), 4);
  assert.equal(await cu.compute('return load("return y", "c", "t", nil)') instanceof Object, true);
});

test('full opens every library over WASI, with no file system', async () => {
  const out = [];
  const cu = await Cu.create({ stdlib: 'full', onOutput: (t, s) => out.push([s, t]) });
  assert.equal(await cu.compute('return type(io) .. type(os.execute) .. type(debug.sethook) .. type(package.loadlib)'), 'tablefunctionfunctionfunction');
  const [f, msg] = (await cu.run('return io.open("x", "w")')).values;
  assert.equal(f, null);
  assert.match(msg, /Capabilities insufficient/);
  assert.equal(await cu.compute('return os.getenv("HOME")'), null);
  assert.deepEqual((await cu.run('return os.execute("ls")')).values.slice(0, 1), [null]);
  assert.equal(await cu.compute('return io.read("l")'), null, 'stdin is empty');
  const r = await cu.run('io.write("a") print("b") io.stderr:write("e") io.write("c\\n")');
  assert.equal(r.output, 'ab\nc\n');
  assert.deepEqual(out, [['stdout', 'a'], ['stdout', 'b\n'], ['stderr', 'e'], ['stdout', 'c\n']]);
});

test('os.exit raises an error and never unwinds through wasm', async () => {
  const cu = await Cu.create({ stdlib: 'full' });
  await assert.rejects(cu.compute('os.exit(3)'), { kind: 'runtime', message: /os.exit is not available/ });
  assert.equal(await cu.compute('return "still here"'), 'still here');
});

test('a bad profile name is refused', async () => {
  await assert.rejects(Cu.create({ stdlib: 'everything' }), /stdlib must be 'sandbox' or 'full'/);
});

test('units are isolated from each other', async () => {
  const a = await Cu.create();
  const b = await Cu.create();
  await a.compute('shared = "a"');
  assert.equal(await b.compute('return shared'), null);
  await a.compute('string.upper = nil');
  assert.equal(await b.compute('return string.upper("x")'), 'X');
});
