// persist.test.js: a unit's _home in a store: every successful compute durable before it
// resolves, failed ones leaving nothing, restore in a new unit, snapshots, format
// versions, corruption, optimistic concurrency, and _io refused. The same checks run on
// the memory store and on real LMDB files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu, CuError } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';
import { openStore } from '../js/store.js';
import { META_KEY, encodeMeta, headerKey } from '../js/persist.js';
import { slowed, race } from './fixtures/slow-store.js';

const values = async (cu, code) => (await cu.run(code)).values;

const stores = {
  memory: async () => new MemoryStore(),
  lmdb: async () => openStore(`lmdb:${mkdtempSync(join(tmpdir(), 'cu-persist-'))}`),
};

for (const [kind, open] of Object.entries(stores)) {
  test(`${kind}: _home comes back in a new unit exactly`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute(`_home.n = 1 _home.f = 2.0 _home.s = "a\\0\\xff" _home.big = bigint(2)^80 _home.max = math.maxinteger
      _home.users = {alice = {age = 30, langs = {"lua", "c"}}} _home.list = {1, 2, 3} _home[1] = "one" _home[2.5] = true
      local c = {} c.me = c _home.cycle = c`);
    await a.compute('_home.users.alice.age = 31 table.insert(_home.list, 4) _home.n = _home.n + 1');
    const b = await Cu.create({ store, name: 'app' });
    assert.deepEqual((await b.run(`local h = _home
      return h.n, math.type(h.f), h.s, h.big, h.max, h.users.alice.age, h.users.alice.langs[2], #h.list, h[1], h[2.5], rawequal(h.cycle.me, h.cycle)`)).values,
    [2, 'float', new Uint8Array([97, 0, 255]), 2n ** 80n, 2n ** 63n - 1n, 31, 'c', 4, 'one', true, true]);
  });

  test(`${kind}: a failed compute writes nothing`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app', limits: { instructions: 1e6 } });
    await a.compute('_home.n = 1 _home.t = {x = 1}');
    for (const code of ['_home.n = 2 _home.t.x = 2 _home.new = {} error("no")', '_home.n = 3 while true do end', '_home.n = 4 local s = "x" while true do s = s .. s end'])
      await assert.rejects(a.compute(code));
    const b = await Cu.create({ store, name: 'app' });
    assert.deepEqual(await b.compute('return _home'), { n: 1, t: { x: 1 } });
  });

  test(`${kind}: units are separate by name; tables not reachable from _home are not stored`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'one' });
    const b = await Cu.create({ store, name: 'two' });
    await a.compute('_home.who = "one" scratch = ext.table() scratch.x = 1');
    await b.compute('_home.who = "two"');
    const unit = await store.openUnit('one');
    const records = [...unit.range(new Uint8Array(0))].length;
    assert.equal(records, 2, 'the meta record and _home.who only');
    assert.equal(await (await Cu.create({ store, name: 'one' })).compute('return _home.who'), 'one');
    assert.equal(await (await Cu.create({ store, name: 'two' })).compute('return _home.who'), 'two');
  });

  test(`${kind}: dropped tables are deleted from the store`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.big = {} for i = 1, 100 do _home.big[i] = {i} end');
    const unit = await store.openUnit('app');
    const full = [...unit.range(new Uint8Array(0))].length;
    assert.ok(full > 300, `${full} records`);
    await a.compute('_home.moved = _home.big[7] _home.big = nil');
    const left = [...unit.range(new Uint8Array(0))].length;
    assert.ok(left <= 6, `${left} records left`);
    assert.deepEqual(await (await Cu.create({ store, name: 'app' })).compute('return _home'), { moved: [7] });
  });

  test(`${kind}: a table dropped by the compute that also added keys and new tables to it leaves no record`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.keep = 1 _home.d = {old = 1}');
    const unit = await store.openUnit('app');
    const count = () => [...unit.range(new Uint8Array(0))].length;
    await a.compute('_home.d.extra = 5 _home.d.fresh = {x = {y = 1}} _home.d = nil');
    assert.equal(count(), 2, 'the meta record and _home.keep');
    assert.deepEqual(await (await Cu.create({ store, name: 'app' })).compute('return _home'), { keep: 1 });
  });

  test(`${kind}: _io cannot be stored, however it is reached; the compute fails and writes nothing`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.n = 1');
    for (const code of ['_home.io = _io', '_home.t = {inner = {io = _io}}', 'local t = ext.table() t.io = _io _home.t = t', '_home.n = 2 _home.list = {_io}']) {
      await assert.rejects(a.compute(code), { kind: 'store', message: /_io cannot be stored/ }, code);
    }
    await a.compute('_io.output = {v = 1} _home.copy = {v = _io.output.v}');
    assert.deepEqual(await (await Cu.create({ store, name: 'app' })).compute('return _home'), { n: 1, copy: { v: 1 } });
  });

  test(`${kind}: snapshots save, load, list and delete`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.v = 1 _home.t = {a = 1}');
    await a.saveState('first');
    await a.compute('_home.v = 2 _home.t.a = 2 _home.extra = true');
    await a.saveState();
    assert.deepEqual(await a.listStates(), ['default', 'first']);
    await a.loadState('first');
    assert.deepEqual(await a.compute('return _home'), { v: 1, t: { a: 1 } });
    const b = await Cu.create({ store, name: 'app' });
    assert.deepEqual(await b.compute('return _home'), { v: 1, t: { a: 1 } }, 'loadState is durable');
    await b.loadState('default');
    assert.deepEqual(await b.compute('return _home'), { v: 2, t: { a: 2 }, extra: true });
    assert.equal(await b.deleteState('first'), true);
    assert.deepEqual(await b.listStates(), ['default']);
    await assert.rejects(b.loadState('first'), (e) => e instanceof CuError && e.kind === 'store' && /no saved state called "first"/.test(e.message));
  });

  test(`${kind}: two units of the same name: the loser of a race gets a conflict, and no update is lost`, async () => {
    const store = kind === 'memory' ? slowed(await open()) : await open();  // commits that wait: computes can race
    const a = await Cu.create({ store, name: 'app' });
    const b = await Cu.create({ store, name: 'app' });
    await race(a, '_home.n = 1', b, '_home.n = (_home.n or 0) + 10');
    assert.equal(await b.compute('_home.n = _home.n + 10 return _home.n'), 11, 'b sees a\'s write after the conflict');
    await race(b, '_home.n = _home.n + 100', a, '_home.n = _home.n + 1');
    assert.equal(await a.compute('_home.n = _home.n + 1 return _home.n'), 112);
  });

  test(`${kind}: a compute reads one version: a unit that read part of _home before another unit committed reads the rest of that commit, not a mix`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    const b = await Cu.create({ store, name: 'app' });
    await a.compute('_home.x = {v = 1} _home.y = {v = 1}');
    assert.equal(await b.compute('return _home.x.v'), 1);  // b has read x, not y
    await a.compute('_home.x.v = 2 _home.y.v = 2');
    assert.deepEqual(await values(b, 'return _home.x.v, _home.y.v'), [2, 2], 'a compute that writes nothing reads the newest version whole');
    await a.compute('_home.x.v = 3 _home.y.v = 3');
    assert.deepEqual(await values(b, '_home.z = _home.x.v + _home.y.v return _home.x.v, _home.y.v'), [3, 3], 'and so does one that writes');
    assert.equal(await a.compute('return _home.z'), 6);
    await a.compute('_home.w = {v = 1, sub = {v = 1}}');
    await b.compute('_io.output = _home.w');
    await a.compute('_home.w.sub.v = 2');
    assert.deepEqual(b.getOutput(), { v: 1, sub: { v: 1 } }, 'getOutput() gives the version the compute read');
    await b.saveState('s');  // the newest version, as a compute reads
    await a.compute('_home.w = nil');
    await a.loadState('s');
    assert.deepEqual(await a.compute('return _home.w'), { v: 1, sub: { v: 2 } });
  });

  test(`${kind}: a newer format is refused with a store error, never misread`, async () => {
    const store = await open();
    const unit = await store.openUnit('future');
    await unit.commit([[META_KEY, encodeMeta({ format: 99, version: 1, nextId: 3 })]]);
    await assert.rejects(Cu.create({ store, name: 'future' }), (e) => e instanceof CuError && e.kind === 'store' && /format 99/.test(e.message));
  });

  test(`${kind}: a newer format or a corrupt meta record written while a unit is open fails its next compute as a store error`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.n = 1');
    const unit = await store.openUnit('app');
    const good = unit.get(META_KEY).slice();
    const isStoreError = (pattern) => (e) => e instanceof CuError && e.kind === 'store' && pattern.test(e.message);
    await unit.commit([[META_KEY, encodeMeta({ format: 99, version: 9, nextId: 3 })]]);
    await assert.rejects(a.compute('return _home.n'), isStoreError(/format 99/));
    await assert.rejects(a.saveState('s'), isStoreError(/format 99/));
    const flipped = good.slice();
    flipped[2] ^= 0x40;
    await unit.commit([[META_KEY, flipped]]);
    await assert.rejects(a.compute('return 1'), isStoreError(/meta record is corrupt/));
    await unit.commit([[META_KEY, good]]);
    assert.equal(await a.compute('_home.n = _home.n + 1 return _home.n'), 2, 'the unit goes on once the record is mended');
  });

  test(`${kind}: a corrupt value is a store error naming its key; the rest stays usable`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.good = "fine" _home.bad = "this will be damaged" _home.t = {x = 1}');
    const unit = await store.openUnit('app');
    const [key, value] = [...unit.range(new Uint8Array(0))].find(([, v]) => new TextDecoder().decode(v).includes('damaged'));
    const flipped = value.slice();
    flipped[5] ^= 0x40;
    await unit.commit([[key, flipped]]);
    const b = await Cu.create({ store, name: 'app' });
    await assert.rejects(b.compute('return _home.bad'), (e) => e.kind === 'store' && /key "bad"/.test(e.message) && /corrupt/.test(e.message));
    assert.equal(await b.compute('return _home.good'), 'fine');
    assert.equal(await b.compute('return _home.t.x'), 1);
    await b.compute('_home.bad = "mended"');
    assert.equal(await (await Cu.create({ store, name: 'app' })).compute('return _home.bad'), 'mended');
  });

  test(`${kind}: a corrupt record met while planning the commit fails the compute and undoes it`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.t = {x = 1} _home.n = 1');
    // damage the header (reference count) of _home.t: a new reference to t must read it
    const unit = await store.openUnit('app');
    const headers = [...unit.range(new Uint8Array([0x68]))].filter(([k]) => !sameBytes(k, headerKey(1)));
    assert.equal(headers.length, 1);
    const [key, value] = headers[0];
    const flipped = value.slice();
    flipped[flipped.length - 1] ^= 0x40;
    await unit.commit([[key, flipped]]);
    const b = await Cu.create({ store, name: 'app' });
    await assert.rejects(b.compute('_home.n = 2 _home.alias = _home.t'), (e) => e instanceof CuError && e.kind === 'store' && /corrupt/.test(e.message));
    // nothing of that compute is seen, in this unit or a new one
    assert.deepEqual((await b.run('return _home.n, _home.alias')).values, [1, null]);
    assert.deepEqual((await (await Cu.create({ store, name: 'app' })).run('return _home.n, _home.alias')).values, [1, null]);
    assert.equal(await b.compute('_home.n = 3 return _home.n'), 3, 'the unit goes on');
  });
}

const sameBytes = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

test('a reference count too low (a damaged header) never sends a commit round a cycle for ever', () => {
  // In a child with a small heap and a time limit: the walk that deletes dropped tables,
  // sent round the cycle again and again, would run until it ran out of memory.
  const url = (path) => JSON.stringify(new URL(path, import.meta.url).href);
  const script = `import { Cu } from ${url('../js/index.js')};
    import { MemoryStore } from ${url('../js/stores/memory.js')};
    import { headerKey, encodeHeader } from ${url('../js/persist.js')};
    const store = new MemoryStore();
    const a = await Cu.create({ store, name: 'u' });
    await a.compute('_home.r = {v = 1} _home.r.me = _home.r');  // r: key 3, two references
    const kv = await store.openUnit('u');
    await kv.commit([[headerKey(3), encodeHeader(1)]]);
    const b = await Cu.create({ store, name: 'u' });
    await b.compute('_home.r = nil');
    const c = await Cu.create({ store, name: 'u' });
    process.stdout.write(JSON.stringify([await c.compute('return _home.r'), kv.get(headerKey(3)) === undefined]));`;
  const out = execFileSync(process.execPath, ['--max-old-space-size=64', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60000 });
  assert.deepEqual(JSON.parse(out), [null, true], 'r is deleted once');
});

test('units without a store have no snapshots', async () => {
  const cu = await Cu.create();
  await assert.rejects(cu.saveState('x'), { kind: 'store', message: /no store/ });
});
