// node-child.js: one fresh Node process of the benchmark suite, started by bench/run.js.
// Usage: node bench/node-child.js JSON, where JSON is
//   { mode: 'workload'|'startup'|'boundary', engine: 'cu'|'wasmoon'|'fengari'|'floor',
//     name, n, reps, wasm (a cu.wasm path), v8flags (e.g. '--no-liftoff'),
//     tier (Cu.create's option; 'optimized' sets its V8 flags), floor: 'core'|'libs'
//     (which build/bench/floor-*.wasm the floor engine starts; start-up only) }
// Prints one JSON line: times in ms (run 1 is the process's first run), the checksum,
// and for Cu and wasmoon the wasm memory size before and after the runs.
import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { workloadSource } from './workloads.js';
import { now, timeWorkload, timeStartup, roundTrips, timeReads, READS, READS_LUA, readsData, cuBoundary, wasmoonBoundary, cuAdapter, wasmoonAdapter, wasmoonStartup, floorStartup } from './measure.js';

const job = JSON.parse(process.argv[2]);
if (job.v8flags) v8.setFlagsFromString(job.v8flags); // before any wasm is compiled
const require = createRequire(import.meta.url);
const BIG = 64 * 1024 * 1024;

// --- engines: each gives load(source), call(n) -> checksum, gc(), wasmBytes() ---------
async function cuEngine(memory = BIG) {
  const { Cu } = await import('../js/index.js');
  const module = job.wasm ? readFileSync(job.wasm) : undefined;
  const cu = await Cu.create({ memory, limits: { instructions: Infinity, timeMs: Infinity }, module, tier: job.tier });
  return cuAdapter(cu);
}

async function wasmoonEngine() {
  const { LuaFactory } = require('wasmoon');
  const engine = await new LuaFactory().createEngine();
  return wasmoonAdapter(engine);
}

function fengariEngine() {
  const { lua, lauxlib, lualib, to_luastring } = require('fengari');
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const check = (status) => {
    if (status !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1));
  };
  return {
    load: (src) => check(lauxlib.luaL_dostring(L, to_luastring(src))),
    call: (n) => {
      lua.lua_getglobal(L, to_luastring('bench'));
      lua.lua_pushinteger(L, n);
      check(lua.lua_pcall(L, 1, 1, 0));
      const r = lua.lua_tojsstring(L, -1);
      lua.lua_pop(L, 1);
      return r;
    },
    gc: () => {}, // fengari has no lua_gc; its objects live in the JS heap
    wasmBytes: () => null,
    L, lua, lauxlib, lualib, to_luastring, check,
  };
}

const engines = { cu: cuEngine, wasmoon: wasmoonEngine, fengari: fengariEngine };

async function workload() {
  return timeWorkload(await engines[job.engine](), workloadSource(job.name), job);
}

// Start-up: the first unit in a process (compile included), then the next units.
async function startup() {
  if (job.engine === 'cu' && job.part === 'compile') { // WebAssembly.compile alone, from bytes in memory
    const bytes = readFileSync(job.wasm ?? new URL('../dist/cu.wasm', import.meta.url));
    if (job.tier === 'optimized') await (await import('../js/module.js')).optimizeCompiles();
    const t = now();
    await WebAssembly.compile(bytes);
    return { compile: now() - t };
  }
  if (job.engine === 'cu') {
    const module = job.wasm ? readFileSync(job.wasm) : undefined;
    return timeStartup({
      load: () => import('../js/index.js'),
      first: async ({ Cu }) => { await (await Cu.create({ module, tier: job.tier })).compute('return 1'); },
      prepare: ({ compileModule }) => compileModule(module),
      next: async ({ Cu }, compiled) => {
        const cu = await Cu.create({ module: compiled });
        await cu.compute('return 1');
        return () => cu.close();
      },
    });
  }
  if (job.engine === 'floor') {
    const { readFile } = await import('node:fs/promises');
    return timeStartup(floorStartup(async () => WebAssembly.compile(await readFile(new URL(`../build/bench/floor-${job.floor}.wasm`, import.meta.url)))));
  }
  if (job.engine === 'wasmoon') {
    return timeStartup(wasmoonStartup(async () => require('wasmoon'), ({ LuaFactory }) => new LuaFactory()));
  }
  const one = ({ lua, lauxlib, lualib, to_luastring }) => {
    const L = lauxlib.luaL_newstate();
    lualib.luaL_openlibs(L);
    lauxlib.luaL_dostring(L, to_luastring('return 1'));
    lua.lua_tointeger(L, -1);
  };
  return timeStartup({ load: async () => require('fengari'), first: async (lib) => one(lib), next: async (lib) => { one(lib); } });
}

// Boundary: µs per round trip for a trivial chunk and for a call of a stored function;
// ns per value when Lua reads values that live in JS. Cu and wasmoon run measure.js's
// cases, as in the browser; fengari's C-style API gets its own here.
async function boundary() {
  const n = job.n ?? 100000;
  if (job.engine === 'cu') return cuBoundary(await cuEngine(2 * 1024 * 1024), n);
  if (job.engine === 'wasmoon') return wasmoonBoundary(wasmoonEngine, n);
  const out = {};
  const data = readsData();
  const time = roundTrips(out, n);
  const e = fengariEngine();
  e.load('function f(x) return x + 1 end');
  const { lua, lauxlib, to_luastring, L } = e;
  const ret1 = to_luastring('return 1');
  await time('return 1', () => { lauxlib.luaL_dostring(L, ret1); lua.lua_settop(L, 0); });
  const fname = to_luastring('f');
  await time('stored f', (i) => { lua.lua_getglobal(L, fname); lua.lua_pushinteger(L, i); lua.lua_pcall(L, 1, 1, 0); lua.lua_settop(L, 0); });
  await time('stored f, new chunk', (i) => { lauxlib.luaL_dostring(L, to_luastring(`return f(${i})`)); lua.lua_settop(L, 0); });
  lua.lua_pushcfunction(L, (L1) => { lua.lua_pushinteger(L1, data[lua.lua_tointeger(L1, 1) - 1]); return 1; });
  lua.lua_setglobal(L, to_luastring('get'));
  e.load(READS_LUA.get);
  await timeReads(out, () => {
    lua.lua_getglobal(L, to_luastring('sumget'));
    lua.lua_pushinteger(L, READS);
    lua.lua_pcall(L, 1, 1, 0);
    const sum = lua.lua_tonumber(L, -1);
    lua.lua_settop(L, 0);
    return sum;
  });
  return out;
}

const result = await { workload, startup, boundary }[job.mode]();
// Exit explicitly once the result is out. After a wasmoon start-up job Node sometimes
// still never finishes exiting (its 'exit' handlers run, then it hangs); bench/run.js
// takes the result and kills such a child.
process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(0));
