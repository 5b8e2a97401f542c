// app.js: the Cu playground (web/index.html). The unit runs in a CuWorker so Stop can
// interrupt it through shared memory (the page is served cross-origin isolated), and its
// _home lives in IndexedDB, so it survives reloads. The Cu runtime is its browser bundle,
// /dist/cu.js (kept out of this bundle: its worker and wasm are found beside it).
import { CuWorker, openStore, showLua } from '/dist/cu.js';
import { createEditor } from './editor.js';
import { EXAMPLES, WELCOME } from './examples.js';
import { WALK_HOME, renderTree } from './tree.js';
import { errorLine, fmtBytes, fmtMs } from './format.js';

/** A result in Lua's notation, bounded so that a huge table cannot flood the page. */
const formatValue = (v, isFloat = false, innerFloats = undefined) => showLua(v, { maxDepth: 7, maxLength: 4000, isFloat, innerFloats });

const STORE = 'indexeddb';
const UNIT = 'playground';
// No instruction budget: Stop is the way out of a long run. A minute of wall time is the
// safety net for a runaway loop left alone.
const LIMITS = { instructions: Infinity, timeMs: 60_000 };
const CODE_KEY = 'cu-playground-code';
const MAX_OUTPUT = 200_000;   // characters of print output shown per run
const MAX_ENTRIES = 100;      // runs kept in the output pane
const RUNS_KEY = 'cu-playground-runs';

const $ = (id) => document.getElementById(id);
const ui = {
  run: $('run'), stop: $('stop'), reset: $('reset'), examples: $('examples'), clear: $('clear'),
  output: $('output'), tree: $('tree'), homeNote: $('home-note'), status: $('status'), isolation: $('isolation'),
  memFill: $('mem-fill'), memCap: $('mem-cap'), memText: $('mem-text'), memDetail: $('mem-detail'), input: $('input-note'),
};

let cu = null;
let entry = null;     // the output entry of the run in progress (print output goes there)
let input = null;     // what the data example hands the unit as _io.input
let homeStale = false; // another tab committed while the views were being read
const treeOpen = new Map();

const editor = createEditor($('editor'), {
  doc: localStorage.getItem(CODE_KEY) ?? WELCOME,
  onRun: () => run(),
  onChange: (code) => localStorage.setItem(CODE_KEY, code),
});

// --- state ---------------------------------------------------------------------------

/** starting | ready | running | busy (tree refresh, reset) | failed; tests wait on it too. */
function setState(state, text) {
  document.body.dataset.state = state;
  ui.run.disabled = state !== 'ready';
  ui.stop.disabled = state !== 'running';
  ui.reset.disabled = state === 'starting' || state === 'busy';
  ui.status.textContent = text ?? { starting: 'starting the unit…', ready: 'ready', running: 'running…', busy: 'updating…', failed: 'the unit failed to start' }[state];
}

async function startUnit() {
  setState('starting');
  cu = await CuWorker.create({
    store: STORE, name: UNIT, limits: LIMITS,
    onOutput: (text, stream) => entry?.print(text, stream),
    // another tab (or a reset there) committed: redraw now, or after what runs now
    onStoreChange: () => {
      homeStale = true;
      if (document.body.dataset.state === 'ready') refresh();
    },
  });
  ui.isolation.textContent = cu.sharedInterrupt
    ? 'cross-origin isolated: Stop interrupts in place'
    : 'not cross-origin isolated: Stop restarts the worker (globals are lost, _home is kept)';
  ui.isolation.classList.toggle('warn', !cu.sharedInterrupt);
  if (input !== null) await cu.setInput(input);
}

// --- running -------------------------------------------------------------------------

function nextRunNumber() {
  const n = Number(localStorage.getItem(RUNS_KEY) ?? 0) + 1;
  localStorage.setItem(RUNS_KEY, String(n));
  return n;
}

async function run() {
  if (document.body.dataset.state !== 'ready') return;
  const code = editor.getCode();
  const n = nextRunNumber();
  const chunk = `[run ${n}]`;
  editor.showError(null);
  entry = newEntry(n);
  setState('running');
  try {
    const r = await cu.run(code, { name: chunk });
    entry.done(r);
  } catch (err) {
    const line = err.kind ? errorLine(err, chunk) : null;
    entry.fail(err, line);
    if (line !== null) editor.showError(line);
    // Stop without shared memory restarted the worker: the new unit needs the input again.
    if (!cu.sharedInterrupt && input !== null) await cu.setInput(input).catch(() => {});
  } finally {
    entry = null;
  }
  await refresh();
}

function stop() {
  if (document.body.dataset.state !== 'running') return;
  ui.status.textContent = 'stopping…';
  cu.interrupt();
}

/** The memory gauge and the _home tree, after every run and another tab's commit. */
async function refresh() {
  setState('busy');
  homeStale = false;
  try {
    await refreshViews();
  } catch (err) {
    ui.tree.replaceChildren(el('p', 'empty', `cannot read the unit: ${err.message}`));
  } finally {
    setState('ready');
  }
  if (homeStale) await refresh();  // news that came while this one read
}

async function refreshViews() {
  const tree = await cu.compute(WALK_HOME, { name: '_home tree', limits: { instructions: 2e7 } }).catch((e) => e);
  showMemory(await cu.getMemoryStats());
  if (tree instanceof Error) {
    ui.tree.replaceChildren(el('p', 'empty', `cannot show _home: ${tree.message}`));
    ui.homeNote.textContent = '';
  } else {
    renderTree(ui.tree, tree, treeOpen);
    ui.homeNote.textContent = tree.n === 1 ? '1 key' : `${tree.n} keys`;
  }
}

// --- output ----------------------------------------------------------------------------

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function newEntry(n) {
  const box = el('div', 'entry');
  box.dataset.run = String(n);
  box.dataset.status = 'running';
  const head = el('div', 'entry-head');
  head.append(el('span', 'entry-title', `run ${n}`), el('span', 'entry-meta', 'running…'));
  box.append(head);
  ui.output.append(box);
  while (ui.output.children.length > MAX_ENTRIES) ui.output.firstChild.remove();
  let printed = null;
  let pending = [];
  let shown = 0;      // characters of output shown so far
  let dropped = 0;    // characters left out past MAX_OUTPUT
  const scroll = () => { ui.output.scrollTop = ui.output.scrollHeight; };
  const flush = () => {
    for (const [text, stream] of pending) {
      if (shown >= MAX_OUTPUT) { dropped += text.length; continue; }
      if (printed === null || printed.dataset.stream !== stream) {
        printed = el('pre', `printed ${stream}`);
        printed.dataset.stream = stream;
        box.append(printed);
      }
      const part = text.slice(0, MAX_OUTPUT - shown);
      printed.append(part);
      shown += part.length;
      dropped += text.length - part.length;
    }
    pending = [];
    if (dropped > 0) cut.textContent = `… ${dropped.toLocaleString('en')} more characters of output not shown`;
    scroll();
  };
  const cut = el('div', 'notice');
  scroll();
  const finish = (status, meta) => {
    flush();
    box.append(cut);
    box.dataset.status = status;
    head.lastChild.textContent = meta;
    scroll();
  };
  return {
    // Output is buffered and written once per frame, and capped, so a script printing in
    // a tight loop cannot freeze the page.
    print(text, stream) {
      if (pending.length === 0) requestAnimationFrame(flush);
      pending.push([text, stream]);
    },
    done(r) {
      flush();
      if (r.values.length > 0) box.append(el('pre', 'values', `→ ${r.values.map((v, i) => formatValue(v, r.floats.includes(i), r.innerFloats)).join(', ')}`));
      if (r.ioOutput != null) box.append(el('pre', 'io', `_io.output = ${formatValue(r.ioOutput, r.ioOutputFloat, r.innerFloats)}`));
      const s = r.stats;
      finish('ok', `${fmtMs(s.ms)} · ${s.instructions.toLocaleString('en')} instructions · peak ${fmtBytes(s.memoryPeak)}`);
    },
    fail(err, line) {
      const kind = err.kind ?? 'host';
      const box2 = el('div', 'error');
      const title = el('div', 'error-title');
      title.append(el('span', 'error-kind', kind === 'limit' && /interrupted/.test(err.message) ? 'stopped' : `${kind} error`));
      if (line !== null) title.append(el('span', 'error-line', `line ${line}`));
      box2.append(title, el('pre', 'error-message', err.message + ('value' in err && err.value != null ? `\nerror value: ${formatValue(err.value)}` : '')));
      if (err.traceback) {
        const tb = el('details', 'traceback');
        tb.append(el('summary', '', 'traceback'), el('pre', '', err.traceback));
        box2.append(tb);
      }
      flush();
      box.append(box2);
      finish('error', kind === 'limit' && /interrupted/.test(err.message) ? 'interrupted' : 'failed; its writes were rolled back');
    },
  };
}

// --- memory ----------------------------------------------------------------------------

function showMemory({ used, peak, limit, wasmBytes }) {
  ui.memFill.style.width = `${(100 * used / wasmBytes).toFixed(2)}%`;
  ui.memCap.style.left = `${(100 * limit / wasmBytes).toFixed(2)}%`;
  ui.memFill.classList.toggle('high', used > 0.75 * limit);
  ui.memText.textContent = `${fmtBytes(used)} of ${fmtBytes(wasmBytes)}`;
  ui.memText.dataset.used = String(used);
  ui.memText.dataset.wasm = String(wasmBytes);
  ui.memDetail.replaceChildren(...[
    ['Lua now', used], ['Lua peak', peak], ['Lua cap', limit], ['wasm (fixed)', wasmBytes],
  ].map(([label, bytes]) => {
    const row = el('span', 'stat');
    row.append(el('span', 'stat-label', label), el('span', 'stat-value', fmtBytes(bytes)));
    return row;
  }));
}

// --- examples and reset ----------------------------------------------------------------

for (const ex of EXAMPLES) ui.examples.append(new Option(ex.title, ex.id));
ui.examples.addEventListener('change', async () => {
  const ex = EXAMPLES.find((e) => e.id === ui.examples.value);
  ui.examples.value = '';
  if (ex === undefined) return;
  editor.setCode(ex.code);
  editor.focus();
  if (ex.input !== undefined) {
    input = ex.input;
    await cu?.setInput(input);
    ui.input.textContent = `_io.input: ${ex.title.toLowerCase()} (${ex.input.sales.length} rows)`;
    ui.input.hidden = false;
  }
});

async function reset() {
  if (!confirm('Reset the unit?\n\nThis deletes everything stored in _home (functions included) and the unit\'s globals. It cannot be undone.')) return;
  setState('busy', 'resetting…');
  // Honest wiping: close the unit, delete its records from IndexedDB, start a new one.
  await cu?.close();
  const store = await openStore(STORE);
  try {
    await (await store.openUnit(UNIT)).clear();
  } finally {
    await store.close();
  }
  await startUnit();
  const note = el('div', 'entry notice', 'The unit was reset: _home is empty and the globals are gone.');
  ui.output.append(note);
  await refresh();
}

// --- wiring ----------------------------------------------------------------------------

ui.run.addEventListener('click', () => run());
ui.stop.addEventListener('click', () => stop());
ui.reset.addEventListener('click', () => reset().catch(showFailure));
ui.clear.addEventListener('click', () => ui.output.replaceChildren());
document.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !e.defaultPrevented) { e.preventDefault(); run(); }
  if (e.key === 'Escape' && document.body.dataset.state === 'running') stop();
});
ui.run.querySelector('kbd').textContent = /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘↵' : 'Ctrl+↵';

function showFailure(err) {
  setState('failed', `failed: ${err.message}`);
  ui.output.append(el('div', 'entry error', `The unit could not start: ${err.message}`));
}

startUnit().then(refresh).catch(showFailure);
