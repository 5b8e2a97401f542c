// prime.test.js: a script's calls of C functions never make V8 drop Cu's optimized
// interpreter (src/prime.c). Real Chromium, started here so that V8's own traces of its
// wasm inlining and deoptimization reach us on its output: a hot loop calls and
// tail-calls setmetatable until the loop is optimized, then a call and a tail call reach
// another C function. Unprimed, V8 has inlined setmetatable at the tail call behind a
// guard, which the new call fails ("wrong call target"), and the loop runs unoptimized
// until compiled again. (Plain calls go through luaD_precall, which every compute
// already reaches with several C functions of the runtime's own.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, serve } from './browser/serve.js';

/** Whether V8 has optimized the interpreter loop: its trace of an optimized compile ends
    with the function's size in nodes, and luaV_execute (lvm.c) is the one function of
    the module above a few thousand (11,000 in Chromium 156; the next is 3,000). */
const loopOptimized = (text) => [...text.matchAll(/: emitted (\d+) nodes\]/g)].some((m) => Number(m[1]) >= 6000);

const HOT = `
local mt = {}
local function new(v) return setmetatable({ v = v }, mt) end
local function old(v) local o = setmetatable({ v = v }, mt) return o end
function hot(n) local s = 0 for i = 1, n do s = s + new(i).v + old(i).v end return s // 2 end`;

/** Debian's Chromium with V8's traces on, in its own process group: { ready, output(), stop() }. */
function startChromium() {
  const profile = mkdtempSync(join(tmpdir(), 'cu-prime-'));
  // stdbuf: V8 writes its traces to stdout, which a pipe would buffer until the process
  // ends. --trace-deopt says "wrong call target"; --trace-wasm-inlining, "emitted N nodes".
  const child = spawn('stdbuf', ['-oL', CHROMIUM.executablePath, ...CHROMIUM.args, '--headless', `--user-data-dir=${profile}`,
    '--remote-debugging-port=0', '--js-flags=--trace-deopt --trace-wasm-inlining', 'about:blank'], { detached: true });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  let err = '';
  const ready = new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\S+)/.exec(err);
      if (m) resolve(m[1]);
    });
    exited.then((code) => reject(new Error(`chromium exited (${code}): ${err}`)));
    setTimeout(() => reject(new Error(`chromium did not start in 30 s: ${err}`)), 30000).unref();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid, 'SIGKILL');
      await exited;
    }
    rmSync(profile, { recursive: true, force: true });
  };
  return { ready, output: () => Buffer.concat(chunks).toString(), stop };
}

/** The traces of V8 while a hot loop runs in a unit, the first of its page (started by
    init) or the second (renewed from the first's image). */
async function traceHotLoop(renewed) {
  const { chromium } = await import('playwright-core');
  const server = await serve();
  const browser = startChromium();
  try {
    const cdp = await chromium.connectOverCDP(await browser.ready);
    const page = await cdp.contexts()[0].newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/test/browser/blank.html`);
    await page.evaluate(async ({ hot, renewed }) => {
      const { Cu } = await import('/dist/cu.js');
      if (renewed) (await Cu.create({ store: 'none' })).close();
      window.cu = await Cu.create({ store: 'none' });
      await window.cu.compute(hot);
    }, { hot: HOT, renewed });
    // the loop runs until V8 has optimized it with what it saw
    const deadline = Date.now() + 60000;
    while (!loopOptimized(browser.output()) && Date.now() < deadline) {
      await page.evaluate(() => window.cu.compute('return hot(20000)'));
    }
    const result = await page.evaluate(async () => {
      // and V8 has put the optimized code in place, which follows the compile
      const until = performance.now() + 500;
      while (performance.now() < until) await window.cu.compute('return hot(20000)');
      const other = await window.cu.compute('local function f(x) local s = tostring(x) return tostring(s) end return f(42)');
      for (let i = 0; i < 20; i++) await window.cu.compute('return hot(20000)');
      return { other, sum: await window.cu.compute('return hot(10)') };
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(result, { other: '42', sum: 55 });
    await cdp.close();
  } finally {
    await browser.stop();
    await server.close();
  }
  return browser.output();
}

for (const renewed of [false, true]) {
  test(`calls of new C functions do not deoptimize the interpreter in Chromium (${renewed ? 'a renewed unit' : 'the first unit'})`, { timeout: 120000 }, async () => {
    const text = await traceHotLoop(renewed);
    assert.ok(loopOptimized(text), 'V8 did not optimize the interpreter loop, or its traces did not reach us, in 60 s');
    const deopts = text.split('\n').filter((line) => line.includes('wrong call target'));
    assert.deepEqual(deopts, []);
  });
}
