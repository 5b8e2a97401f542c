// keys.test.js: a table's id here (what Lua's proxies hold) and its key in the store are
// two numbers (js/ext.js, the top). Tables, views and upvalue cells this unit made but did
// not store must never be taken for what another unit committed, or a snapshot restored,
// under the same number, and what a unit keeps across a re-read of the store follows it.
// Each case was seen to fail on the code before: it read or joined the wrong table or
// upvalue, deleted a table still referred to, or (loadState) looped until the process ran
// out of memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu, CuError } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';
import { openStore } from '../js/store.js';
import { slowed, race } from './fixtures/slow-store.js';

const stores = {
  memory: async () => slowed(new MemoryStore()),  // commits wait: computes can race
  lmdb: async () => openStore(`lmdb:${mkdtempSync(join(tmpdir(), 'cu-keys-'))}`),
};
const values = async (cu, code, options) => (await cu.run(code, options)).values;

for (const [kind, open] of Object.entries(stores)) {
  test(`${kind}: tables and views one unit made are not taken for tables another unit committed meanwhile`, async () => {
    const store = await open();
    const p1 = await Cu.create({ store, name: 'u' });
    await p1.compute('_home.base = 1');
    const p2 = await Cu.create({ store, name: 'u' });
    await p2.setInput({ who: 'p2 input' });
    await p2.compute('scratch = ext.table() scratch.who = "p2 scratch" plain = {who = "p2 plain"} ext.table().x = plain view = _io.input');
    await race(p1, '_home.t = {who = "p1 t"} _home.u = {who = "p1 u"} _home.v = {who = "p1 v"}', p2, '_home.x = 1');
    assert.deepEqual(await values(p2, 'return _home.t.who, _home.u.who, _home.v.who, scratch.who, plain.who, view.who'),
      ['p1 t', 'p1 u', 'p1 v', 'p2 scratch', 'p2 plain', 'p2 input']);
    await p2.compute('_home.s = scratch _home.p = plain');
    const p3 = await Cu.create({ store, name: 'u' });
    assert.deepEqual(await values(p3, 'return _home.t.who, _home.u.who, _home.v.who, _home.s.who, _home.p.who'),
      ['p1 t', 'p1 u', 'p1 v', 'p2 scratch', 'p2 plain']);
    for (const u of [p1, p2, p3]) await u.close();
  });

  test(`${kind}: an upvalue cell one unit made is not joined to a cell another unit committed`, async () => {
    const store = await open();
    const p1 = await Cu.create({ store, name: 'u' });
    await p1.compute('_home.base = 1');
    const p2 = await Cu.create({ store, name: 'u' });
    // p2 gives its closure's upvalue a cell while storing it; the commit loses the race
    await race(p1, 'local n = 0 _home.f = function() n = n + 1 return n end', p2, 'local n = 100 g = function() n = n + 1 return n end _home.g = g');
    assert.deepEqual(await values(p2, 'return _home.f(), _home.f(), g()'), [1, 2, 101], 'f counts its own n, g its own');
    await p2.compute('_home.g = g');
    const p3 = await Cu.create({ store, name: 'u' });
    assert.deepEqual(await values(p3, 'return _home.f(), _home.g()'), [3, 102]);
    for (const u of [p1, p2, p3]) await u.close();
  });

  test(`${kind}: a scratch table that refers to a stored one, kept across a conflict, stores the reference with its true count`, async () => {
    const store = await open();
    const p1 = await Cu.create({ store, name: 'u' });
    await p1.compute('_home.cfg = {v = 7}');
    const p2 = await Cu.create({ store, name: 'u' });
    await p2.compute('scratch = ext.table() scratch.cfg = _home.cfg for k in pairs(scratch.cfg) do end');  // read whole: its count is known here
    await race(p1, '_home.other = _home.cfg', p2, '_home.x = 1');  // cfg: two references now
    await p2.compute('_home.s = scratch');  // three
    const p3 = await Cu.create({ store, name: 'u' });
    await p3.compute('_home.cfg = nil _home.other = nil');  // one left: _home.s.cfg
    const p4 = await Cu.create({ store, name: 'u' });
    assert.deepEqual(await p4.compute('return _home.s'), { cfg: { v: 7 } });
    for (const u of [p1, p2, p3, p4]) await u.close();
  });

  test(`${kind}: a stored table Lua holds follows the store when another unit commits`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'u' });
    await a.compute('_home.users = {n = 1, sub = {v = 1}} held = _home.users heldSub = held.sub');
    const b = await Cu.create({ store, name: 'u' });
    await b.compute('_home.users.n = 2 _home.users.sub.v = 2 _home.users.added = true');
    assert.deepEqual(await values(a, 'return held.n, heldSub.v, held.added, rawequal(held, _home.users), rawequal(heldSub, _home.users.sub)'), [2, 2, true, true, true]);
    await a.compute('held.n = held.n + 1 heldSub.v = heldSub.v * 10');
    assert.deepEqual(await values(b, 'return _home.users.n, _home.users.sub.v'), [3, 20]);
    // and the same after a conflict, which re-reads the store
    await race(b, '_home.users.n = 100', a, 'held.n = -1');
    assert.equal(await a.compute('return held.n'), 100);
    // a loop a coroutine holds across computes goes on over the new version
    await a.compute('_home.t = {x = 1, y = 2, z = 3} loop = coroutine.wrap(function() for k, v in pairs(_home.t) do coroutine.yield(k .. "=" .. v) end return "end" end)');
    const first = await a.compute('return loop()');
    await b.compute('for k, v in pairs(_home.t) do _home.t[k] = v * 10 end');
    const rest = [await a.compute('return loop()'), await a.compute('return loop()')];
    assert.equal(await a.compute('return loop()'), 'end');
    assert.deepEqual([first, ...rest].map((p) => p[0]).sort(), ['x', 'y', 'z']);
    for (const p of rest) assert.equal(p.slice(2), String({ x: 10, y: 20, z: 30 }[p[0]]));
    // and loadState brings it back to the saved version
    await a.saveState('s');
    await a.compute('held.n = 500');
    await a.loadState('s');
    assert.deepEqual(await values(a, 'return held.n, rawequal(held, _home.users)'), [100, true]);
    for (const u of [a, b]) await u.close();
  });

  test(`${kind}: a stored table Lua holds that another unit removed fails when used, naming why, and is never stored again empty`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'u' });
    await a.compute('_home.users = {n = 1, sub = {v = 1}} _home.r = {v = 5} held = _home.users heldSub = held.sub scratch = ext.table() scratch.r = _home.r');
    a.gc();  // Lua no longer holds r's proxy: scratch alone refers to r
    const b = await Cu.create({ store, name: 'u' });
    await b.compute('_home.users = nil _home.r = nil');
    const removed = (e) => e instanceof CuError && e.kind === 'store' && /no longer in the store: another process or tab removed it/.test(e.message);
    await assert.rejects(a.compute('return held.n'), removed);
    await assert.rejects(a.compute('return heldSub.v'), removed);
    await assert.rejects(a.compute('heldSub.v = 6'), removed);
    await assert.rejects(a.compute('return scratch.r.v'), removed);
    await assert.rejects(a.compute('_home.back = heldSub'), removed);
    await assert.rejects(a.compute('_home.r2 = scratch.r'), removed);
    assert.deepEqual(await a.compute('_home.n = 1 return _home'), { n: 1 }, 'the unit goes on');
    assert.deepEqual(await (await Cu.create({ store, name: 'u' })).compute('return _home'), { n: 1 });
    for (const u of [a, b]) await u.close();
  });

  test(`${kind}: a table Lua held when it was deleted is not taken for the one loadState restores`, { timeout: 30000 }, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'u' });
    await a.compute('_home.r = {v = 5} _home.ring = {v = 1} _home.ring.me = _home.ring');
    await a.saveState('s');
    await a.compute('held = _home.r heldRing = _home.ring _home.r = nil _home.ring = nil held.v = 6 heldRing.v = 2');
    await a.loadState('s');
    assert.deepEqual(await values(a, 'return _home.r.v, held.v, held == _home.r, _home.ring.me.v, heldRing.me.v'), [5, 6, false, 1, 2]);
    await a.compute('_home.ring = nil');  // a cycle again: it looped here, each pass one reference lower
    await a.compute('_home.held = held');
    const b = await Cu.create({ store, name: 'u' });
    assert.deepEqual(await b.compute('return _home'), { r: { v: 5 }, held: { v: 6 } });
    await a.close();
    await b.close();
  });
}
