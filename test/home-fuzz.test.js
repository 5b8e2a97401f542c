// home-fuzz.test.js: random computes over _home (tables shared and in cycles, links made
// and cut, closures with counters, computes that fail after writing) run on two units: one
// on a store, closed and restored from it every few computes, and one without a store.
// After every compute the two must describe _home alike: the store, its reference counts
// and its collection of cycles lose nothing and keep nothing that _home no longer has.
// Then the same with two units of one name racing, and two real processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Cu } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';
import { openStore } from '../js/store.js';
import { slowed } from './fixtures/slow-store.js';

// _home described from the root: every value by path, a table met before by the path it
// was first met at (so sharing and cycles show), and a function by what it returns when
// called (each call counts on, in both units alike)
const DESCRIBE = `
  local seen, out = {}, {}
  local function walk(t, path)
    seen[t] = path
    local keys = {}
    for k in pairs(t) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(keys) do
      local v, p = t[k], path .. "." .. tostring(k)
      if type(v) == "table" then
        if seen[v] then out[#out + 1] = p .. "=>" .. seen[v] else walk(v, p) end
      elseif type(v) == "function" then out[#out + 1] = p .. "=fn:" .. tostring(v())
      else out[#out + 1] = p .. "=" .. tostring(v) end
    end
  end
  walk(_home, "")
  return table.concat(out, " ")`;

/** A random compute over keys a..d of _home and of the tables under it. */
function randomCompute(rand) {
  const k = () => 'abcd'[rand(4)];
  const path = () => (rand(3) === 0 ? `_home.${k()}` : `_home.${k()}.${k()}`);
  const ops = [
    () => `${path()} = {}`,
    () => `${path()} = {n = ${rand(100)}, {${rand(9)}, ${rand(9)}}}`,
    () => `${path()} = nil`,
    () => `${path()} = ${rand(1000)}`,
    () => `${path()} = _home.${k()}`,  // shares a table, or makes a cycle through _home
    () => `do local x = _home.${k()} if type(x) == "table" then x.${k()} = x end end`,  // a cycle of one
    () => `do local n = ${rand(50)} ${path()} = function() n = n + 1 return n end end`,
    () => `do local x, y = _home.${k()}, _home.${k()} if type(x) == "table" and type(y) == "table" then x.${k()}, y.${k()} = y, x end end`,
  ];
  const body = Array.from({ length: 1 + rand(3) }, () => ops[rand(ops.length)]()).join(' ');
  // guarded: a path through a value that is not a table is skipped, not an error
  const code = `local ok, err = pcall(function() ${body} end)`;
  return rand(8) === 0 ? `${code} error("fails after writing")` : code;
}

const stores = {
  memory: async () => new MemoryStore(),
  lmdb: async () => openStore(`lmdb:${mkdtempSync(join(tmpdir(), 'cu-fuzz-'))}`),
};

for (const [kind, open] of Object.entries(stores)) {
  test(`${kind}: random computes over _home: a unit restored from its store every few computes matches one that never stored`, { timeout: 120000 }, async () => {
    const store = await open();
    let seed = kind === 'memory' ? 2024 : 77;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor((seed / 2 ** 31) * n); };
    const reference = await Cu.create({ store: 'none' });
    let stored = await Cu.create({ store, name: 'fuzz' });
    const steps = kind === 'memory' ? 1200 : 400;
    let failed = 0;
    for (let step = 0; step < steps; step++) {
      const code = randomCompute(rand);
      const [a, b] = await Promise.all([stored, reference].map((u) => u.compute(code).then(() => 'ok', (e) => e.kind)));
      assert.equal(a, b, `step ${step}: ${code}`);
      if (a !== 'ok') failed++;
      if (rand(5) === 0) {  // a restart: the stored unit comes back from the store alone
        await stored.close();
        stored = await Cu.create({ store, name: 'fuzz' });
      }
      assert.equal(await stored.compute(DESCRIBE), await reference.compute(DESCRIBE), `after step ${step}: ${code}`);
    }
    assert.ok(failed > 5, `${failed} computes failed after writing`);
    await stored.close();
    await reference.close();
  });
}

// Two units of one name, as two processes or tabs would have, run computes one at a time or
// two at once. A unit reads what the other committed before its compute starts; of two
// computes that read the same version, the second to commit must be refused as a conflict,
// and run again it reads the first one's writes. Every compute counts _home.seq on, so the
// value it returns is its place in the commit order: the reference unit runs the committed
// computes once each, in that order, and must count alike. A store whose commits take a
// while (LMDB, or the memory store slowed down) lets the two computes interleave.
const shared = {
  memory: async () => slowed(new MemoryStore()),
  lmdb: stores.lmdb,
};

for (const [kind, open] of Object.entries(shared)) {
  test(`${kind}: two units of one name, one compute at a time or two at once: no update is lost, and the store holds what the commits in order make`, { timeout: 120000 }, async () => {
    const store = await open();
    let seed = kind === 'memory' ? 99 : 5;
    const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return Math.floor((seed / 2 ** 31) * n); };
    const reference = await Cu.create({ store: 'none' });
    const units = [await Cu.create({ store, name: 'race' }), await Cu.create({ store, name: 'race' })];
    const outcome = (p) => p.then((seq) => ({ seq }), (e) => ({ kind: e.kind }));
    const steps = kind === 'memory' ? 500 : 250;
    let conflicts = 0, seq = 0;
    for (let step = 0; step < steps; step++) {
      const runs = (rand(2) === 0 ? [rand(2)] : [0, 1]).map((i) => ({ i, code: `${randomCompute(rand)} _home.seq = (_home.seq or 0) + 1 return _home.seq` }));
      const got = await Promise.all(runs.map(({ i, code }) => outcome(units[i].compute(code))));
      for (let r = 0; r < runs.length; r++) {
        if (got[r].kind !== 'conflict') continue;
        conflicts++;
        got[r] = await outcome(units[runs[r].i].compute(runs[r].code));  // after the other's
        runs[r].after = true;
        assert.notEqual(got[r].kind, 'conflict', `step ${step}: a compute run again after a conflict conflicts again`);
      }
      // the reference runs them in commit order; a failed compute changes nothing
      const order = runs.map((run, r) => ({ ...run, ...got[r] })).sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
      for (const run of order) {
        const want = await outcome(reference.compute(run.code));
        assert.deepEqual({ seq: run.seq, kind: run.kind }, { seq: want.seq, kind: want.kind }, `step ${step}, unit ${run.i}${run.after ? ' (run again)' : ''}: ${run.code}`);
        if (want.seq !== undefined) assert.equal(want.seq, ++seq);
      }
      if (rand(4) === 0) {  // compare: describing calls the stored functions, so it commits too
        const j = rand(2);
        assert.equal(await units[j].compute(DESCRIBE), await reference.compute(DESCRIBE), `after step ${step}, unit ${j}`);
      }
      if (rand(10) === 0) {  // a restart reads the store whole
        const r = rand(2);
        await units[r].close();
        units[r] = await Cu.create({ store, name: 'race' });
      }
    }
    assert.ok(conflicts > 20, `${conflicts} conflicts`);
    for (const u of units) await u.close();
    const last = await Cu.create({ store, name: 'race' });
    assert.equal(await last.compute(DESCRIBE), await reference.compute(DESCRIBE), 'a new unit reads what the commits made');
    await last.close();
    await reference.close();
  });
}

// Two real processes on one LMDB unit, started together: every compute must read one
// version (an invariant between two tables holds in each), and none of the 2 x N
// increments, log entries or chain links may be lost.
test('lmdb: two processes racing on one unit: each compute reads one version, and no update is lost', { timeout: 120000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-racers-'));
  const N = 150;
  const children = ['p', 'q'].map((who) => spawn(process.execPath, [new URL('./fixtures/home-racer.mjs', import.meta.url).pathname, dir, who, String(N)], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const lines = children.map((c) => {
    const out = [];
    let err = '';
    c.stdout.setEncoding('utf8').on('data', (d) => out.push(...d.split('\n').filter(Boolean)));
    c.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
    const exited = new Promise((resolve) => c.on('exit', (code) => resolve({ code, err, out })));
    return { out, exited };
  });
  while (!lines.every(({ out }) => out.includes('ready'))) await new Promise((r) => setTimeout(r, 10));
  for (const c of children) c.stdin.write('go\n');
  const results = await Promise.all(lines.map(({ exited }) => exited));
  for (const r of results) assert.equal(r.code, 0, r.err);
  const conflicts = results.map((r) => Number(r.out.find((l) => l.startsWith('done')).split(' ')[1]));
  t.diagnostic(`conflicts: ${conflicts.join(', ')}`);
  assert.ok(conflicts[0] + conflicts[1] > 0, 'the two processes raced');
  const unit = await Cu.create({ store: `lmdb:${dir}`, name: 'race' });
  const [a, b, log, p, chain] = (await unit.run(`local p, len = 0, 0
    for _, who in ipairs(_home.log) do if who == "p" then p = p + 1 end end
    local c = _home.chain while c do len = len + 1 c = c.prev end
    return _home.a.v, _home.b.v, #_home.log, p, len`)).values;
  assert.deepEqual([a, b, log, p], [2 * N, 2 * N, 2 * N, N]);
  assert.equal(chain, (2 * N) % 7, 'the chain holds the links since it was last cut');
  await unit.close();
});
