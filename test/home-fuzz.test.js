// home-fuzz.test.js: random computes over _home (tables shared and in cycles, links made
// and cut, closures with counters, computes that fail after writing) run on two units: one
// on a store, closed and restored from it every few computes, and one without a store.
// After every compute the two must describe _home alike: the store, its reference counts
// and its collection of cycles lose nothing and keep nothing that _home no longer has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';
import { openStore } from '../js/store.js';

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
