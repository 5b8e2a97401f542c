// image.test.js: units started from an image (src/image.c, js/module.js). The first unit
// of a module, memory size and profile starts Lua; the next ones copy its memory and
// renew it. A copy must run exactly as a unit that started itself, with seeds and a
// clock of its own, and the image must hold everything the start wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Cu } from '../js/index.js';
import { DRAWS, ORDER, RESEEDED } from './fixtures/seed-probes.js';

// Which exports started each unit, and the memory each instance got; beforeRenew sees
// a memory as it is once the image is copied in, before renew changes it.
const starts = [];
let beforeRenew = null;
const NativeInstance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new NativeInstance(module, imports);
  const start = { memory: imports.env.memory, calls: [] };
  starts.push(start);
  const exports = {};
  for (const [name, value] of Object.entries(instance.exports)) {
    exports[name] = typeof value !== 'function' ? value : (...args) => {
      if (name === 'init' || name === 'renew') start.calls.push(name);
      if (name === 'renew') beforeRenew?.(imports.env.memory);
      return value(...args);
    };
  }
  return { exports };
};

// A broken renewal can loop inside Lua's C code (inserting into a table whose keys no
// longer sit where their hashes lead), where no limit reaches and no test timeout can
// interrupt. So a child process tries renewed units first, under a timeout, and this
// file stops at once if they fail or hang.
const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `
  const { Cu } = await import(${JSON.stringify(new URL('../js/index.js', import.meta.url).href)});
  for (const stdlib of ['sandbox', 'full']) for (let i = 0; i < 2; i++) {
    const cu = await Cu.create({ store: 'none', stdlib });
    await cu.compute(\`
      for _, lib in ipairs({ _G, string, table, math, package.loaded }) do
        for k, v in pairs(lib) do assert(rawget(lib, k) == v, tostring(k)) end
        for n = 1, 200 do rawset(lib, "probe" .. n, n) end
        for n = 1, 200 do assert(rawget(lib, "probe" .. n) == n) end
      end\`);
    await cu.close();
  }`], { encoding: 'utf8', timeout: 60000 });
if (probe.status !== 0) throw new Error(`renewed units failed or hung (${probe.signal ?? `exit ${probe.status}`}): ${probe.stderr.slice(-500)}`);

const MiB = 1024 * 1024;
const LIMITS = { timeMs: 10000 };  // a loop in Lua code fails in time (one in C is the probe's)

/** Makes a unit and reports how it started: 'init' or 'renew'. */
async function made(options) {
  const cu = await Cu.create({ store: 'none', limits: LIMITS, ...options });
  return { cu, how: starts.at(-1).calls.join(), memory: starts.at(-1).memory };
}

// Everything a script can see of a fresh unit that does not depend on its seeds: every
// value reachable from _G through tables and metatables, by path, type and length.
const SURVEY = `
  local seen, out = {}, {}
  local function walk(v, path)
    local t = type(v)
    out[#out + 1] = path .. " " .. t .. (t == "string" and " " .. #v or "")
    if t ~= "table" or seen[v] then return end
    seen[v] = true
    local keys = {}
    for k in next, v do keys[#keys + 1] = tostring(k) .. ":" .. type(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local name, kt = k:match("^(.*):(%a+)$")
      walk(rawget(v, kt == "number" and tonumber(name) or name), path .. "." .. name)
    end
    local mt = getmetatable(v)
    if mt ~= nil then walk(mt, path .. "<mt>") end
  end
  walk(_G, "_G")
  walk(getmetatable(""), "string<mt>")
  collectgarbage()
  return table.concat(out, "\\n"), collectgarbage("count")`;

test('the first unit of a size and profile starts Lua; the next ones renew its image', async () => {
  for (const stdlib of ['sandbox', 'full']) {
    const memory = (stdlib === 'full' ? 5 : 6) * MiB;  // sizes no other test here uses
    const first = await made({ memory, stdlib });
    const second = await made({ memory, stdlib });
    const seeded = await made({ memory, stdlib, seed: 1 });
    const third = await made({ memory, stdlib });
    assert.deepEqual([first.how, second.how, seeded.how, third.how], ['init', 'renew', 'init', 'renew'], stdlib);
    for (const unit of [second, seeded, third])
      assert.deepEqual(unit.cu.getMemoryStats(), first.cu.getMemoryStats(), `${stdlib}: the same memory statistics from the start`);
    const [survey, count] = (await first.cu.run(SURVEY)).values;
    assert.ok(survey.split('\n').length > 150, 'the survey reached the libraries');
    for (const unit of [second, seeded, third]) {
      const [s, c] = (await unit.cu.run(SURVEY)).values;
      assert.equal(s, survey, `${stdlib}: a unit sees what the first one saw`);
      assert.equal(c, count, `${stdlib}: and uses the same memory`);
    }
    for (const unit of [first, second, seeded, third]) await unit.cu.close();
  }
});

test('renewed units draw their own numbers and hash strings their own way', async () => {
  const memory = 7 * MiB;
  const units = [];
  for (let i = 0; i < 6; i++) units.push(await made({ memory }));
  assert.deepEqual(units.map((u) => u.how), ['init', 'renew', 'renew', 'renew', 'renew', 'renew']);
  for (const script of [DRAWS, ORDER, RESEEDED]) {
    const seen = await Promise.all(units.map((u) => u.cu.compute(script)));
    assert.equal(new Set(seen).size, units.length, `repeats across units: ${script}`);
  }
  // a string made now is the one the start interned, and finds its key
  assert.deepEqual((await units[3].cu.run('local k = ("for"):rep(1) .. "mat" return rawget(string, k) == string.format, next({[k] = 1}) == "format"')).values, [true, true]);
  for (const u of units) await u.cu.close();
});

test("a renewed unit's os.clock starts at zero when it is made", async () => {
  const memory = 8 * MiB;
  const first = await made({ memory });
  await new Promise((resolve) => setTimeout(resolve, 400));
  const second = await made({ memory });
  assert.equal(second.how, 'renew');
  const [a, b] = [await first.cu.compute('return os.clock()'), await second.cu.compute('return os.clock()')];
  assert.ok(a >= 0.4, `the first unit has run 400 ms (${a})`);
  assert.ok(b >= 0 && b < 0.2, `the second unit is new (${b})`);
  assert.ok(await second.cu.compute('local t = os.clock() while os.clock() - t < 0.02 do end return os.clock() - t') >= 0.02);
  await first.cu.close();
  await second.cu.close();
});

test('a new unit gets every byte the first one had from its data up', async () => {
  const memory = 9 * MiB;
  const first = await made({ memory });
  const base = first.cu.stackPointer;  // below it, the shadow stack: unused between calls
  const had = new Uint8Array(first.memory.buffer).slice();
  assert.ok(had.subarray(base).some((b) => b !== 0));
  let checked = 0;
  beforeRenew = (m) => {
    const got = new Uint8Array(m.buffer);
    for (let i = base; i < had.length; i++) if (got[i] !== had[i]) assert.fail(`byte ${i} is ${got[i]}, not ${had[i]}`);
    checked++;
  };
  try {
    const second = await made({ memory });
    assert.equal(second.how, 'renew');
    assert.equal(checked, 1);
    await second.cu.close();
  } finally {
    beforeRenew = null;
  }
  await first.cu.close();
});

test('a module keeps images of 16 sizes at most; units of other sizes start themselves', () => {
  // in a fresh process, so that no image is kept yet
  const script = `
    const calls = [];
    const Native = WebAssembly.Instance;
    WebAssembly.Instance = function (module, imports) {
      const instance = new Native(module, imports);
      const exports = {};
      for (const [name, value] of Object.entries(instance.exports))
        exports[name] = name === 'init' || name === 'renew' ? (...args) => { calls.push(name); return value(...args); } : value;
      return { exports };
    };
    const { Cu } = await import(${JSON.stringify(new URL('../js/index.js', import.meta.url).href)});
    const how = async (pages) => {
      const cu = await Cu.create({ store: 'none', memory: (8 + pages) * 65536 });
      await cu.close();
      return calls.at(-1);
    };
    const out = [];
    for (let i = 0; i < 17; i++) out.push(await how(i), await how(i));
    out.push(await how(0));
    console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.slice(0, 32), Array(16).fill(['init', 'renew']).flat(), 'sixteen sizes: the second unit of each renews');
  assert.deepEqual(out.slice(32), ['init', 'init', 'renew'], 'the seventeenth size keeps no image; the first still has its own');
});
