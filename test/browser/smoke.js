// smoke.js: the checks browser.test.js runs inside Chromium, on the main thread and in a
// Worker. It returns plain data, so the same file serves both.
import { Cu } from '../../js/index.js';

export async function smoke() {
  const out = {};
  const cu = await Cu.create();
  out.sum = await cu.compute('return 1 + 1');
  out.values = (await cu.run('print("hi") return 2^63, math.maxinteger, {1, {a = "b"}}, "\\xff"')).values.map(String);
  out.output = (await cu.run('print("hello", 42)')).output;
  for (const [name, code] of [['runtime', 'error("boom")'], ['syntax', 'return +'], ['memory', 'local t = {} for i = 1, 1e7 do t[i] = i end'], ['stack', 'local function f() return 1 + f() end return f()'], ['cstack', 'local t = setmetatable({}, {__index = function(t, k) return t[k] end}) return t.x']]) {
    try { await cu.compute(code); out[name] = 'no error'; } catch (e) { out[name] = `${e.kind}: ${e.message}`; }
  }
  try { await cu.compute('while true do end', { limits: { instructions: 1e6 } }); } catch (e) { out.limit = e.kind; }
  out.after = await cu.compute('return "alive"');
  out.bigint = String(await cu.compute('return bigint(2) ^ 100'));
  out.wasmBytes = cu.getMemoryStats().wasmBytes;
  return out;
}
