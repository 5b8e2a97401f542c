// prime.test.js: a script's tail calls of C functions never make V8 drop Cu's optimized
// interpreter loop (src/prime.c). Real Chromium, started here so that V8's own traces of
// its wasm inlining and deoptimization reach us on its output: a hot loop tail-calls
// setmetatable until the loop is optimized, then one tail call reaches another C
// function. Unprimed, V8 has inlined setmetatable there behind a guard, which that call
// fails ("wrong call target"), and the loop runs unoptimized until compiled again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHROMIUM, serve } from './browser/serve.js';

const HOT = `
local mt = {}
local function new(v) return setmetatable({ v = v }, mt) end
function hot(n) local s = 0 for i = 1, n do s = s + new(i).v end return s end`;

/** Debian's Chromium with V8's traces on, in its own process group: { ready, output(), stop() }. */
function startChromium() {
  const profile = mkdtempSync(join(tmpdir(), 'cu-prime-'));
  // --trace-wasm-inlining writes enough that V8's buffered line about a deopt reaches us
  const child = spawn(CHROMIUM.executablePath, [...CHROMIUM.args, '--headless', `--user-data-dir=${profile}`,
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
    const result = await page.evaluate(async ({ hot, renewed }) => {
      const { Cu } = await import('/dist/cu.js');
      if (renewed) (await Cu.create({ store: 'none' })).close();
      const cu = await Cu.create({ store: 'none' });
      await cu.compute(hot);
      // long enough for V8 to optimize the loop with what it saw (about 0.1 s to compile)
      const until = performance.now() + 1500;
      while (performance.now() < until) await cu.compute('return hot(20000)');
      const other = await cu.compute('local function f(x) return tostring(x) end return f(42)');
      for (let i = 0; i < 20; i++) await cu.compute('return hot(20000)');
      return { other, sum: await cu.compute('return hot(10)') };
    }, { hot: HOT, renewed });
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
  test(`tail calls of new C functions do not deoptimize the interpreter loop in Chromium (${renewed ? 'a renewed unit' : 'the first unit'})`, { timeout: 120000 }, async () => {
    const text = await traceHotLoop(renewed);
    // the traces work, and the loop was optimized with speculative inlining (of the allocator)
    assert.match(text, /Speculatively inlining call_indirect/, 'no trace of V8 inlining an indirect call');
    const deopts = text.split('\n').filter((line) => line.includes('wrong call target'));
    assert.deepEqual(deopts, []);
  });
}
