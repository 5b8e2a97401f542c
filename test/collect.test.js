// collect.test.js: what reference counting alone cannot do in the store. Cycles that
// _home no longer reaches are deleted (js/persist.js, UnitStore.collect), the tables they
// referred to get their true counts, what Lua still holds of them keeps its contents, and
// _home is never deleted when a reference to itself goes; a collection that fails is
// given up (a store failure other than a lost race is the compute's warning). Checked
// record by record on the memory store and on real LMDB files, and against a model over
// random graphs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu, CuError } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';
import { openStore } from '../js/store.js';
import { META_KEY, decodeMeta, decodeKey, decodeValue, decodeHeader } from '../js/persist.js';

const stores = {
  memory: async () => new MemoryStore(),
  lmdb: async () => openStore(`lmdb:${mkdtempSync(join(tmpdir(), 'cu-collect-'))}`),
};

const HOME = 1;
/** The id in bytes 1-8 of a record key, or of a stored reference. */
const idAt = (b) => { const v = new DataView(b.buffer, b.byteOffset, b.byteLength); return v.getUint32(1) * 2 ** 32 + v.getUint32(5); };

/** The unit's records as the store holds them: headers (id -> count), entries (id -> key
    -> value, references as { ref: id }) and the meta record. Read with persist.js's own
    decoders, but the graph is put together here, apart from the code under test. */
async function records(store, name) {
  const kv = await store.openUnit(name);
  await kv.refresh();
  const headers = new Map();
  const entries = new Map();
  for (const [k, v] of kv.range(Uint8Array.of(0x68))) headers.set(idAt(k), decodeHeader(v));
  for (const [k, v] of kv.range(Uint8Array.of(0x74))) {
    const id = idAt(k);
    if (!entries.has(id)) entries.set(id, new Map());
    const value = decodeValue(v, (ref) => ({ ref }), (b) => (b[0] === 0x71 ? { ref: idAt(b), fn: true } : { other: b[0] }));
    entries.get(id).set(decodeKey(k, 9), value);
  }
  return { headers, entries, meta: decodeMeta(kv.get(META_KEY)) };
}

/** Every id the records hold, besides _home. */
/** The memory store, its units' commit made commit(kv, writes, guard). */
function withCommit(memory, commit) {
  return {
    units: () => memory.units(),
    close: () => memory.close(),
    async openUnit(name, options) {
      const kv = await memory.openUnit(name, options);
      return Object.assign(Object.create(kv), { commit: (writes, guard) => commit(kv, writes, guard) });
    },
  };
}

const storedIds = (r) => new Set([...r.headers.keys(), ...r.entries.keys()].filter((id) => id !== HOME));

/** The ids reachable from _home over the records, and how many entries refer to each. */
function reachable(r) {
  const refs = new Map([[HOME, 0]]);
  for (const stack = [HOME]; stack.length > 0;) {
    for (const v of r.entries.get(stack.pop())?.values() ?? []) {
      if (v?.ref === undefined) continue;
      if (!refs.has(v.ref)) stack.push(v.ref);
      refs.set(v.ref, (refs.get(v.ref) ?? 0) + 1);
    }
  }
  return refs;
}

/** No record outside what _home reaches, and every header holds its true count. */
function assertExact(r, what) {
  const refs = reachable(r);
  assert.deepEqual([...storedIds(r)].sort(), [...refs.keys()].filter((id) => id !== HOME).sort(), `${what}: stored = reachable`);
  for (const [id, n] of refs) assert.equal(r.headers.get(id) ?? 0, n, `${what}: the header of ${id}`);
}

for (const [kind, open] of Object.entries(stores)) {
  test(`${kind}: _home holding itself, directly or through a child, is never deleted when that reference goes`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.x = 42 _home.t = {1, 2, 3}');
    await a.compute('_home.self = _home');
    await a.compute('_home.self = nil');
    await a.compute('_home.child = {} _home.child.up = _home');
    await a.compute('_home.child = nil');
    assert.deepEqual(await a.compute('return _home'), { x: 42, t: [1, 2, 3] });
    const b = await Cu.create({ store, name: 'app' });
    assert.deepEqual(await b.compute('return _home'), { x: 42, t: [1, 2, 3] });
    assertExact(await records(store, 'app'), 'after');
    await a.close();
    await b.close();
  });

  test(`${kind}: a dropped cycle of tables and functions is deleted; what it referred to keeps its true count`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.cfg = {v = 1} _home.keep = "k"');
    const before = await records(store, 'app');
    // a ring of three tables, one holding a closure whose upvalue is the ring itself
    // (external tables: a plain one would be copied into each place it is stored)
    await a.compute(`local r1, r2, r3 = ext.table(), ext.table(), ext.table()
      r1.next, r2.next, r3.next = r2, r3, r1
      local function walk() return r1.next.next.next == r1 end
      r2.walk = walk r3.cfg = _home.cfg _home.ring = r1`);
    const full = await records(store, 'app');
    assert.equal(storedIds(full).size, storedIds(before).size + 4, 'three tables and a function stored');
    assert.equal(full.headers.get([...storedIds(before)][0]), 2, 'cfg: from _home and from the ring');
    await a.compute('_home.ring = nil');
    const after = await records(store, 'app');
    assert.deepEqual(storedIds(after), storedIds(before));
    assertExact(after, 'after the drop');
    assert.equal(after.meta.suspects, 0);
    // cfg's count no longer includes the ring's reference, so dropping it deletes it
    await a.compute('_home.cfg = nil');
    assert.deepEqual(storedIds(await records(store, 'app')), new Set());
    assert.deepEqual(await (await Cu.create({ store, name: 'app' })).compute('return _home'), { keep: 'k' });
    await a.close();
  });

  test(`${kind}: a dropped cycle that Lua still holds keeps its contents and can be stored again`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute(`local a, b = {name = "a"}, {name = "b", list = {1, 2, 3}}
      a.b, b.a = b, a _home.pair = a`);
    // a new unit reads the pair lazily from the store: only the first table is loaded when it drops it
    const b = await Cu.create({ store, name: 'app' });
    await b.compute('held = _home.pair _home.pair = nil');
    assertExact(await records(store, 'app'), 'dropped');
    assert.equal(storedIds(await records(store, 'app')).size, 0);
    assert.deepEqual((await b.run('return held.b.a == held, held.b.name, held.b.list[3]')).values, [true, 'b', 3]);
    await b.compute('_home.again = held');
    const c = await Cu.create({ store, name: 'app' });
    assert.deepEqual((await c.run('local t = _home.again return t.name, t.b.name, t.b.a == t, #t.b.list')).values, ['a', 'b', true, 3]);
    assertExact(await records(store, 'app'), 'stored again');
    for (const u of [a, b, c]) await u.close();
  });

  test(`${kind}: collections wait until the suspects are a 32nd of the records the last one read`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    await a.compute('_home.big = {} for i = 1, 3200 do _home.big[i] = i end _home.c = {} _home.c.c = _home.c');
    await a.compute('_home.c = nil');  // the first suspect: a collection at once
    let r = await records(store, 'app');
    assert.ok(r.meta.records > 3200 && r.meta.suspects === 0, JSON.stringify(r.meta));
    const due = Math.ceil(r.meta.records / 32);
    const drop = async (n) => {
      await a.compute(`for i = 1, ${n} do local t = {} t.me = t _home[i] = t end`);
      await a.compute(`for i = 1, ${n} do _home[i] = nil end`);
    };
    await drop(due - 1);
    r = await records(store, 'app');
    assert.equal(r.meta.suspects, due - 1);
    assert.equal(storedIds(r).size, 1 + due - 1, 'the cycles wait');
    await drop(1);
    r = await records(store, 'app');
    assert.equal(r.meta.suspects, 0);
    assertExact(r, 'collected');
    assert.equal(storedIds(r).size, 1, '_home.big only');
    await a.close();
  });

  test(`${kind}: random graphs: the store holds what _home reaches, exactly once no collection is pending, and Lua sees the model`, async () => {
    const store = await open();
    const a = await Cu.create({ store, name: 'app' });
    const N = 8;
    await a.compute(`N = {} for i = 1, ${N} do N[i] = ext.table() N[i].id = i end`);
    const model = Array.from({ length: N + 1 }, () => new Map());  // node (0 is _home) -> key -> node
    let seed = 12345;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor((seed / 2 ** 31) * n); };  // high bits: the low ones of an LCG repeat
    const ref = (i) => (i === 0 ? '_home' : `N[${i}]`);
    const steps = kind === 'memory' ? 300 : 120;
    const liveNodes = () => {
      const live = new Set([0]);
      for (const stack = [0]; stack.length > 0;) for (const t of model[stack.pop()].values()) if (!live.has(t)) { live.add(t); stack.push(t); }
      return live;
    };
    // a dropped set with a cycle inside is what reference counting alone leaves behind
    const hasCycle = (nodes) => {
      const state = new Map();  // 1 on the path, 2 done
      const visit = (n) => {
        state.set(n, 1);
        for (const t of model[n].values()) {
          if (!nodes.has(t)) continue;
          if (state.get(t) === 1 || (state.get(t) === undefined && visit(t))) return true;
        }
        state.set(n, 2);
        return false;
      };
      return [...nodes].some((n) => state.get(n) === undefined && visit(n));
    };
    let droppedCycles = 0;
    let collections = 0;
    let pending = 0;
    let live = liveNodes();
    for (let step = 0; step < steps; step++) {
      const from = rand(3) === 0 ? 0 : 1 + rand(N);
      const key = `k${rand(3)}`;
      const to = rand(5) === 0 ? null : rand(8) === 0 ? 0 : 1 + rand(N);
      await a.compute(`${ref(from)}.${key} = ${to === null ? 'nil' : ref(to)}`);
      if (to === null) model[from].delete(key); else model[from].set(key, to);
      const before = live;
      live = liveNodes();
      if (hasCycle(new Set([...before].filter((n) => !live.has(n))))) droppedCycles++;
      const r = await records(store, 'app');
      const suspects = r.meta?.suspects ?? 0;  // no meta record until the first commit
      if (suspects === 0) {  // no collection pending: exact
        assertExact(r, `step ${step}`);
        assert.equal(storedIds(r).size, live.size - 1, `step ${step}: stored tables`);
        if (pending > 0) collections++;
      } else {  // what _home reaches is all there; what it does not waits for the collection
        const refs = reachable(r);
        for (const [id, n] of refs) if (id !== HOME) assert.ok(storedIds(r).has(id) && r.headers.get(id) >= n, `step ${step}: ${id}`);
        assert.equal(refs.size, live.size, `step ${step}: reachable tables`);
      }
      pending = suspects;
    }
    assert.ok(droppedCycles >= 5 && collections >= 5, `${droppedCycles} cycles dropped, ${collections} collections`);
    // every node, stored or not, as Lua sees it in this unit; the stored ones in a new unit
    const describe = `local out = {} for i = 0, ${N} do local t = i == 0 and _home or N[i] local s = {}
      for k = 0, 2 do local v = t["k" .. k] s[#s + 1] = v == nil and "-" or v == _home and 0 or v.id end out[#out + 1] = table.concat(s, ",") end
      return table.concat(out, " ")`;
    const expected = model.map((m) => [0, 1, 2].map((k) => (m.has(`k${k}`) ? m.get(`k${k}`) : '-')).join(',')).join(' ');
    assert.equal(await a.compute(describe), expected);
    const b = await Cu.create({ store, name: 'app' });
    const homeOnly = `local seen, out = {}, {} local function walk(t, path) if seen[t] then return end seen[t] = true
      for k = 0, 2 do local v = t["k" .. k] if v ~= nil then out[#out + 1] = path .. ".k" .. k .. "=" .. (v == _home and 0 or v.id) walk(v, path .. ".k" .. k) end end end
      walk(_home, "") table.sort(out) return table.concat(out, " ")`;
    assert.equal(await b.compute(homeOnly), await a.compute(homeOnly));
    await a.close();
    await b.close();
  });
}

test('a collection that fails for another reason is the compute\'s warning; the compute stands and a later commit collects', async () => {
  const memory = new MemoryStore();
  let failAt = 0;  // the commit counted down to fails
  const store = withCommit(memory, async (kv, writes, guard) => {
    if (failAt > 0 && --failAt === 0) throw new Error('disk full');
    return kv.commit(writes, guard);
  });
  const seen = [];
  const a = await Cu.create({ store, name: 'app', onOutput: (text, stream) => seen.push([stream, text]) });
  await a.compute('_home.c = {} _home.c.c = _home.c');
  failAt = 2;  // the compute's commit, then its collection's
  const result = await a.run('_home.c = nil _home.a = "from a" return 1');
  assert.deepEqual(result.values, [1]);
  assert.equal(result.warnings.length, 1);
  assert.match(result.warnings[0], /^cu: the store's collection of tables _home no longer reaches failed \(disk full\); this compute has committed/);
  assert.deepEqual(seen, [['warn', `${result.warnings[0]}\n`]]);
  let r = await records(memory, 'app');
  assert.equal(r.meta.suspects, 1, 'the collection did not commit');
  assert.equal(storedIds(r).size, 1, 'the cycle is still there');
  assert.deepEqual(await a.compute('return _home'), { a: 'from a' }, 'the compute committed');
  await a.compute('_home.d = {} _home.d.d = _home.d');
  const next = await a.run('_home.d = nil');
  assert.deepEqual(next.warnings, []);
  r = await records(memory, 'app');
  assertExact(r, 'collected');
  assert.equal(storedIds(r).size, 0, 'both cycles are deleted');
});

test('a collection that loses a race to another unit is given up; the compute stands and the next collection deletes the cycle', async () => {
  const memory = new MemoryStore();
  let race = null;  // run once, just before the commit counted down to
  let raceAt = 0;
  const store = withCommit(memory, async (kv, writes, guard) => {
    if (race !== null && --raceAt === 0) {
      const run = race;
      race = null;
      await run();
    }
    return kv.commit(writes, guard);
  });
  const a = await Cu.create({ store, name: 'app' });
  await a.compute('_home.c = {} _home.c.c = _home.c');
  const b = await Cu.create({ store: memory, name: 'app' });
  // a's compute commits, then b commits before a's collection does
  race = () => b.compute('_home.b = "from b"');
  raceAt = 2;
  await a.compute('_home.c = nil _home.a = "from a"');
  let r = await records(memory, 'app');
  assert.equal(r.meta.suspects, 1, 'the collection did not commit');
  assert.equal(storedIds(r).size, 1, 'the cycle is still there');
  assert.deepEqual(await a.compute('return _home'), { a: 'from a', b: 'from b' }, 'a read the unit again');
  assert.equal(race, null, 'the race ran');
  await a.compute('_home.d = {} _home.d.d = _home.d');
  await a.compute('_home.d = nil');
  r = await records(memory, 'app');
  assertExact(r, 'collected');
  assert.equal(storedIds(r).size, 0);
  assert.deepEqual(await b.compute('_home.x = 1 return _home'), { a: 'from a', b: 'from b', x: 1 }, 'b reads what a committed since');
});

test('a record that does not decode stops a collection from deleting anything', async () => {
  const store = new MemoryStore();
  const a = await Cu.create({ store, name: 'app' });
  await a.compute('_home.x = {1} _home.c = {} _home.c.c = _home.c');
  const kv = await store.openUnit('app');
  const [[key, value]] = [...kv.range(Uint8Array.of(0x74))].filter(([, v]) => v[0] === 0x69);  // an integer: x[1]
  const bad = value.slice();
  bad[1] ^= 0xff;
  await kv.commit([[key, bad]]);
  const b = await Cu.create({ store, name: 'app' });
  await b.compute('_home.c = nil');
  const r = await records(store, 'app').catch((e) => e);
  assert.ok(r instanceof Error, 'the damaged record is still there');
  const ids = new Set([...kv.range(Uint8Array.of(0x68))].map(([k]) => idAt(k)));
  assert.equal(ids.size, 2, 'x and the cycle both stay');
  await a.close();
  await b.close();
});
