// playground.test.js: the playground (web/) end to end in real Chromium, served by the same
// server as `make serve` (web/serve.js) with cross-origin isolation: running code, errors
// with their line highlighted, _home and a closure across a reload, another tab's commit
// redrawing the _home tree, Stop, out of memory, the examples menu, reset, the fallback
// without isolation, and screenshots under test-results/playground/ for a person to look
// at. Also the page's formatting in Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withPage, ISOLATION } from './browser/serve.js';
import { EXAMPLES } from '../web/examples.js';
import { errorLine, fmtBytes } from '../web/format.js';

const BUNDLE = new URL('../build/web/app.js', import.meta.url);
const SHOTS = new URL('../test-results/playground/', import.meta.url).pathname;
const T = { timeout: 180000 };

function playground(fn, options = {}) {
  assert.ok(existsSync(BUNDLE), 'build/web/app.js is missing: run `make web`');
  return withPage(async (page, ctx) => {
    await open(page, ctx.url);
    await fn(page, ctx);
    assert.deepEqual(ctx.errors, [], 'no uncaught errors in the page');
  }, { headers: ISOLATION, ...options });
}

async function open(page, url) {
  if (url) await page.goto(`${url}/`);
  await page.waitForSelector('body[data-state="ready"]', { timeout: 60000 });
}

/** Replaces the editor's text, as a person pasting would. */
async function setCode(page, code) {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
  assert.equal(await page.evaluate(() => [...document.querySelectorAll('.cm-content .cm-line')].map((l) => l.textContent).join('\n')), code);
}

/** Starts a run and waits for its output entry to finish and the page to be ready again. */
async function runCode(page, code, { keys = false } = {}) {
  if (code !== undefined) await setCode(page, code);
  const before = await page.locator('.entry[data-run]').count();
  if (keys) await page.keyboard.press('Control+Enter');
  else await page.click('#run');
  await page.waitForFunction((n) => {
    const entries = document.querySelectorAll('.entry[data-run]');
    return entries.length === n + 1 && entries[n].dataset.status !== 'running' && document.body.dataset.state === 'ready';
  }, before, { timeout: 60000 });
  return lastEntry(page);
}

function lastEntry(page) {
  return page.evaluate(() => {
    const e = [...document.querySelectorAll('.entry[data-run]')].pop();
    const text = (sel) => [...e.querySelectorAll(sel)].map((x) => x.textContent).join('');
    return {
      status: e.dataset.status, printed: text('.printed'), values: text('.values'), io: text('.io'),
      kind: text('.error-kind'), message: text('.error-message'), line: text('.error-line'),
    };
  });
}

/** The 1-based number of the editor line marked as the error's, or null. */
const highlightedLine = (page) => page.evaluate(() => {
  const lines = [...document.querySelectorAll('.cm-content .cm-line')];
  const i = lines.findIndex((l) => l.classList.contains('cu-error-line'));
  return i < 0 ? null : i + 1;
});

const treeText = (page, path) => page.evaluate((p) => document.querySelector(`#tree li[data-path="${p}"]`)?.textContent ?? null, path);

test('running code shows print output and return values; the gauge and the _home tree follow', T, async () => {
  await playground(async (page) => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    const r = await runCode(page, 'print("hello", 1 + 1)\n_home.visits = 3\n_home.user = {name = "Ada"}\nreturn 6 * 7, "x", {1, 2}, nil');
    assert.equal(r.status, 'ok');
    assert.equal(r.printed, 'hello\t2\n');
    assert.equal(r.values, '→ 42, "x", {1, 2}, nil');
    assert.equal(await treeText(page, '_home.visits'), 'visits = 3');
    assert.match(await treeText(page, '_home.user'), /user.*1 entry.*name = "Ada"/s);
    const mem = await page.evaluate(() => ({ ...document.getElementById('mem-text').dataset, fill: parseFloat(document.getElementById('mem-fill').style.width) }));
    assert.equal(Number(mem.wasm), 2 * 1024 * 1024);
    assert.ok(Number(mem.used) > 0 && Number(mem.used) < Number(mem.wasm), `Lua memory ${mem.used}`);
    assert.ok(mem.fill > 0 && mem.fill < 100, `gauge at ${mem.fill}%`);

    // functions, at the top and inside tables, print as Lua prints them
    const f = await runCode(page, 'return print, {f = print}');
    assert.match(f.values, /^→ function: 0x[0-9a-f]+, \{f = function: 0x[0-9a-f]+\}$/);

    const k = await runCode(page, 'return _home.visits + 1', { keys: true });
    assert.equal(k.values, '→ 4', 'Ctrl+Enter runs too');

    // a flood of output is capped in the page, and the results still show
    const flood = await runCode(page, 'for i = 1, 50000 do print("0123456789") end return "done"');
    assert.equal(flood.values, '→ "done"');
    assert.equal(flood.printed.length, 200000);
    assert.match(await page.textContent('.entry[data-run]:last-child .notice'), /350,000 more characters/);
  });
});

test('an error is shown with its line highlighted in the editor', T, async () => {
  await playground(async (page) => {
    const r = await runCode(page, 'local a = 1\nlocal b = 2\nlocal c = nil\nreturn c.x');
    assert.equal(r.status, 'error');
    assert.equal(r.kind, 'runtime error');
    assert.match(r.message, /:4: attempt to index a nil value \(local 'c'\)/);
    assert.equal(r.line, 'line 4');
    assert.equal(await highlightedLine(page), 4);

    const s = await runCode(page, 'x = 1\n\nx = = 2');
    assert.equal(s.kind, 'syntax error');
    assert.equal(await highlightedLine(page), 3);

    // an error inside a function from an earlier run: the line of this run that called it
    await runCode(page, 'function _home.bad()\n  error("bad")\nend');
    const f = await runCode(page, 'local x = 1\nlocal y = _home.bad()\nreturn y');
    assert.equal(f.status, 'error');
    assert.match(f.message, /:2: bad/);
    assert.equal(await highlightedLine(page), 2);

    await page.keyboard.insertText(' ');
    assert.equal(await highlightedLine(page), null, 'editing clears the mark');
  });
});

test('_home state and a stored closure survive a page reload', T, async () => {
  await playground(async (page) => {
    const code = 'function _home.greet(n) return "hi " .. n end\nlocal c = 0\nfunction _home.count() c = c + 1 return c end\n_home.data = {1, 2}\nreturn _home.count()';
    assert.equal((await runCode(page, code)).values, '→ 1');
    await page.reload();
    await open(page);
    assert.equal(await treeText(page, '_home.greet'), 'greet = function', 'the tree shows the stored state before anything runs');
    assert.match(await treeText(page, '_home.data'), /data.*2 entries/s);
    assert.equal(await page.locator('.cm-content').textContent().then((t) => t.startsWith('function _home.greet')), true, 'the editor kept the code');
    const r = await runCode(page, 'return _home.greet("x"), _home.count(), _home.data[2]');
    assert.equal(r.status, 'ok', r.message);
    assert.equal(r.values, '→ "hi x", 2, 2', 'the closure counts on from its stored upvalue');
  }, { userDataDir: mkdtempSync(join(tmpdir(), 'cu-playground-')) });
});

test('another tab\'s run redraws this tab\'s _home tree without a run here', T, async () => {
  await playground(async (page, { url, errors }) => {
    const other = await page.context().newPage();
    other.on('pageerror', (e) => errors.push(e.message));
    await open(other, url);
    const r = await runCode(other, '_home.fromOtherTab = 42');
    assert.equal(r.status, 'ok');
    // the tab's worker hears the commit and the page redraws: no run, no reload here
    await page.waitForSelector('#tree li[data-path="_home.fromOtherTab"]', { timeout: 20000 });
    assert.equal(await treeText(page, '_home.fromOtherTab'), 'fromOtherTab = 42');
    assert.equal(await page.locator('.entry[data-run]').count(), 0);
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready');
    await other.close();
  });
});

test('Stop interrupts `while true do end` within 1 s; the page stays responsive; the next run works', T, async () => {
  await playground(async (page) => {
    assert.equal((await runCode(page, 'x = 41 return x')).values, '→ 41');
    await setCode(page, '_home.partial = true\nwhile true do end');
    await page.click('#run');
    await page.waitForSelector('body[data-state="running"]');
    await page.waitForTimeout(300);
    // the main thread is free while the unit loops: it paints, and the editor takes input
    assert.equal(await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r(document.body.dataset.state)))), 'running');
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText(' -- typed while running');
    assert.match(await page.textContent('.cm-content'), /while true do end -- typed while running/);
    assert.equal(await page.isEnabled('#stop'), true);
    const ms = await page.evaluate(() => new Promise((resolve) => {
      const t0 = performance.now();
      const done = () => {
        const e = [...document.querySelectorAll('.entry[data-run]')].pop();
        if (e.dataset.status !== 'running') { observer.disconnect(); resolve(performance.now() - t0); }
      };
      const observer = new MutationObserver(done);
      observer.observe(document.getElementById('output'), { subtree: true, attributes: true, childList: true });
      document.getElementById('stop').click();
    }));
    assert.ok(ms < 1000, `stopped ${ms.toFixed(0)} ms after Stop`);
    await page.waitForSelector('body[data-state="ready"]');
    const stopped = await lastEntry(page);
    assert.equal(stopped.kind, 'stopped');
    assert.match(stopped.message, /interrupted/);
    const next = await runCode(page, 'return x + 1, _home.partial');
    assert.equal(next.values, '→ 42, nil', 'globals kept, the stopped run\'s write rolled back');
  });
});

test('the unit survives running out of memory', T, async () => {
  await playground(async (page) => {
    const r = await runCode(page, 'local t = {}\nfor i = 1, 1e8 do t[i] = i end');
    assert.equal(r.status, 'error');
    assert.equal(r.kind, 'memory error');
    assert.match(r.message, /not enough memory/);
    const s = await runCode(page, 'local s = "x"\nwhile true do s = s .. s end');
    assert.equal(s.kind, 'memory error');
    const ok = await runCode(page, 'local t = {} for i = 1, 1000 do t[i] = i end return #t');
    assert.equal(ok.values, '→ 1000');
    const mem = await page.evaluate(() => document.getElementById('mem-text').dataset);
    assert.ok(Number(mem.used) < 256 * 1024, `memory back down after a collection: ${mem.used}`);
    assert.equal(Number(mem.wasm), 2 * 1024 * 1024, 'the wasm memory never grew');
  });
});

/** What each example must print and return on a fresh unit. */
function expectations() {
  const { sales } = EXAMPLES.find((e) => e.id === 'data').input;
  const by = {};
  let total = 0;
  for (const s of sales) { by[s.region] = (by[s.region] ?? 0) + s.units * s.price; total += s.units * s.price; }
  const top = Object.entries(by).sort((a, b) => b[1] - a[1])[0][0];
  let f = 1n;
  for (let i = 2n; i <= 50n; i++) f *= i;
  return {
    counter: { printed: /this program has run 1 time\(s\)/, values: '→ 1' },
    todo: { printed: /1\. \[x\] try the playground\n2\. \[ \] write some Lua\n/, values: '→ "2 of 3 open"' },
    data: { printed: new RegExp(`^${top} `), values: '→ "48 sales"', io: [`total = ${total}`, `top = "${top}"`] },
    bigint: { printed: /30! =\t265252859812191058636308480000000\n2\^128 =\t340282366920938463463374607431768211456\n/, values: `→ ${f}` },
    machine: { printed: /cart -checkout-> paying/, values: '→ "paying"' },
  };
}

test('the examples menu: every example loads, runs, and shows what it should', T, async () => {
  const expect = expectations();
  assert.deepEqual(EXAMPLES.map((e) => e.id).sort(), Object.keys(expect).sort());
  await playground(async (page) => {
    const options = await page.$$eval('#examples option', (os) => os.map((o) => o.value).filter(Boolean));
    assert.deepEqual(options, EXAMPLES.map((e) => e.id));
    for (const ex of EXAMPLES) {
      await page.selectOption('#examples', ex.id);
      await page.waitForFunction((first) => document.querySelector('.cm-content .cm-line')?.textContent === first, ex.code.split('\n')[0]);
      const r = await runCode(page);
      const want = expect[ex.id];
      assert.equal(r.status, 'ok', `${ex.id}: ${r.message}`);
      assert.match(r.printed, want.printed, ex.id);
      assert.equal(r.values, want.values, ex.id);
      for (const part of want.io ?? []) assert.ok(r.io.includes(part), `${ex.id}: ${r.io} has ${part}`);
    }
    // the state machine moves on at each run, from its state in _home
    assert.equal((await runCode(page)).values, '→ "shipping"');
    assert.equal(await treeText(page, '_home.order.state'), 'state = "shipping"');
  });
});

test('reset unit asks first: cancelling keeps everything, accepting wipes _home and globals', T, async () => {
  await playground(async (page) => {
    await runCode(page, '_home.keep = 1 g = 5');
    let asked = 0;
    page.once('dialog', (d) => { asked++; d.dismiss(); });
    await page.click('#reset');
    await page.waitForSelector('body[data-state="ready"]');
    assert.equal(asked, 1);
    assert.equal((await runCode(page, 'return _home.keep, g')).values, '→ 1, 5');

    page.once('dialog', (d) => { asked++; d.accept(); });
    await page.click('#reset');
    await page.waitForSelector('.entry.notice');
    await page.waitForSelector('body[data-state="ready"]');
    assert.equal(asked, 2);
    assert.match(await page.textContent('#tree'), /_home is empty/);
    assert.equal((await runCode(page, 'return _home.keep, g')).values, '→ nil, nil');
    await page.reload();
    await open(page);
    assert.equal((await runCode(page, 'return _home.keep')).values, '→ nil', 'gone from IndexedDB too');
  });
});

test('without cross-origin isolation the page says so, and Stop restarts the worker keeping _home', T, async () => {
  await playground(async (page) => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    assert.match(await page.textContent('#isolation'), /not cross-origin isolated/);
    await runCode(page, '_home.kept = "yes" g = 1');
    await setCode(page, 'while true do end');
    await page.click('#run');
    await page.waitForSelector('body[data-state="running"]');
    await page.waitForTimeout(200);
    await page.click('#stop');
    await page.waitForSelector('body[data-state="ready"]');
    assert.equal((await lastEntry(page)).kind, 'stopped');
    assert.equal((await runCode(page, 'return _home.kept, g')).values, '→ "yes", nil', 'a new unit on the same store');
  }, { headers: {} });
});

test('screenshots in light, dark and narrow (test-results/playground/)', T, async () => {
  mkdirSync(SHOTS, { recursive: true });
  await playground(async (page) => {
    await page.selectOption('#examples', 'todo');
    await runCode(page);
    await runCode(page, 'local total = 0\nfor i, t in ipairs(_home.todos) do\n  total = total + i\nend\nreturn total + _home.missing');
    const shot = async (name, scheme) => {
      await page.emulateMedia({ colorScheme: scheme });
      const path = join(SHOTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      assert.ok(statSync(path).size > 10000, `${path} has content`);
      return page.evaluate(() => {
        const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
        const box = (s) => document.querySelector(s).getBoundingClientRect();
        return { light: (r + g + b) / 3 > 128, editor: box('.editor-pane'), output: box('.output-pane'), side: box('.side'), overflow: document.documentElement.scrollWidth > innerWidth };
      });
    };
    const light = await shot('light', 'light');
    assert.equal(light.light, true);
    assert.ok(light.side.left >= light.editor.right, 'wide: the side pane is beside the editor');
    const dark = await shot('dark', 'dark');
    assert.equal(dark.light, false, 'dark theme follows prefers-color-scheme');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.cm-editor')).color).then((c) => c.match(/\d+/g).map(Number).reduce((a, b) => a + b) / 3 > 128), true, 'the editor text is light on dark');
    await page.setViewportSize({ width: 390, height: 844 });
    const narrow = await shot('narrow', 'light');
    assert.ok(narrow.output.top >= narrow.editor.bottom && narrow.side.top >= narrow.output.bottom, 'narrow: panes stacked');
    assert.equal(narrow.overflow, false, 'narrow: nothing wider than the window');
    await shot('narrow-dark', 'dark');
  }, { page: { viewport: { width: 1280, height: 800 } } });
});

test('the page\'s formatting: the error line, sizes', () => {
  assert.equal(errorLine({ message: '[run 7]:12: boom', traceback: '' }, '[run 7]'), 12);
  assert.equal(errorLine({ message: '[run 3]:2: bad', traceback: "stack traceback:\n\t[C]: in function 'error'\n\t[run 3]:2: in function 'f'\n\t[run 7]:5: in main chunk" }, '[run 7]'), 5);
  assert.equal(errorLine({ message: 'not enough memory', traceback: '' }, '[run 7]'), null);
  assert.equal(errorLine({ message: '[run 17]:3: x', traceback: '' }, '[run 1]'), null, 'another run\'s chunk is not this one');
  assert.equal(fmtBytes(2 * 1024 * 1024), '2 MiB');
  assert.equal(fmtBytes(21684), '21 KiB');
});
