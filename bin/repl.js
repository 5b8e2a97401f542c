// repl.js: `cu repl`, an interactive session on a unit kept in its home. The unit runs in
// a CuWorker, so Ctrl+C can stop a running compute (js/worker.js) while this thread keeps
// reading keys. Input that ends mid-chunk continues on the next line, as in lua.c: a
// syntax error "near <eof>" means "more to come".

import { createInterface } from 'node:readline';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CuWorker, CuError } from '../js/index.js';
import { showResults } from './format.js';
import { withProgress } from './progress.js';

const HISTORY_SIZE = 1000;

const HELP = `Type Lua; an incomplete chunk continues on the next line. A bare expression or
=expr prints its value. Ctrl+C stops a running compute (or clears the input), Ctrl+D exits.

  .help          this text
  .home          list the keys of _home
  .save [NAME]   save a snapshot of the unit (default "default")
  .load [NAME]   restore a snapshot; _home becomes what it was
  .states        list the snapshots
  .mem           memory of the unit
  .reset         wipe _home and restart the unit (asks first)
  .exit          leave (as Ctrl+D)`;

// Lists _home in Lua, where the keys are: one line per key, sorted.
const LIST_HOME = `local out = {}
for k, v in pairs(_home) do
  local t = type(v)
  local shown = t == 'string' and string.format('%q', v) or (t == 'number' or t == 'boolean') and tostring(v) or t
  local key = (type(k) == 'string' and k:match('^[%a_][%w_]*$')) and k or '[' .. (type(k) == 'string' and string.format('%q', k) or tostring(k)) .. ']'
  out[#out + 1] = key .. ' = ' .. shown
end
table.sort(out)
return table.concat(out, '\\n')`;

const WIPE_HOME = `local keys = {}
for k in pairs(_home) do keys[#keys + 1] = k end
for _, k in ipairs(keys) do _home[k] = nil end
return #keys`;

const kib = (n) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

/** History lives in ~/.cu_history (CU_HISTORY names another file; empty turns it off). */
function historyFile() {
  const env = process.env.CU_HISTORY;
  if (env === '') return null;
  return env ?? join(homedir(), '.cu_history');
}

function loadHistory(file) {
  if (file === null) return [];
  try {
    // the file is oldest first; readline wants newest first
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).slice(-HISTORY_SIZE).reverse();
  } catch {
    return [];
  }
}

/** Lines as a queue, so a compute and the .reset question read them in order. */
function lineReader(rl) {
  const waiting = [];
  const lines = [];
  let closed = false;
  rl.on('line', (line) => (waiting.length ? waiting.shift()(line) : lines.push(line)));
  rl.on('close', () => { closed = true; for (const w of waiting.splice(0)) w(null); });
  return () => (lines.length ? Promise.resolve(lines.shift()) : closed ? Promise.resolve(null) : new Promise((r) => waiting.push(r)));
}

/**
 * @param {{ home: string | null, create: object }} unit  from bin/cu.js
 * @returns {Promise<number>} the exit code
 */
export async function repl({ home, create }) {
  const tty = !!process.stdin.isTTY;
  const start = () => CuWorker.create({
    ...create,
    onOutput: (text, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(text),
  });
  let cu;
  try {
    cu = await withProgress(`opening ${home ?? 'the unit'}`, start());
  } catch (err) {
    process.stderr.write(`cu: cannot open the unit${home === null ? '' : ` in ${home}`}: ${err.message}\n`);
    return 1;
  }

  const file = historyFile();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: tty,
    history: loadHistory(file),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
  });
  rl.on('history', (lines) => {
    if (file === null) return;
    try {
      writeFileSync(file, lines.slice().reverse().join('\n') + '\n', { mode: 0o600 });
    } catch (err) {
      process.stderr.write(`cu: cannot write the history to ${file}: ${err.code ?? err.message}\n`);
    }
  });
  const nextLine = lineReader(rl);
  const prompt = (p) => { if (tty) { rl.setPrompt(p); rl.prompt(); } };

  let running = false;
  let pending = '';   // an incomplete chunk, waiting for its next line
  const onInterrupt = () => {
    if (running) { cu.interrupt(); return; }
    if (pending !== '') { pending = ''; process.stdout.write('\n'); prompt('> '); return; }
    process.stdout.write('\n(To exit, press Ctrl+D or type .exit)\n');
    prompt('> ');
  };
  rl.on('SIGINT', onInterrupt);        // a terminal in raw mode: Ctrl+C arrives as a key
  process.on('SIGINT', onInterrupt);   // otherwise: a real signal

  const compute = async (fn) => {
    running = true;
    try {
      return await fn();
    } finally {
      running = false;
    }
  };
  const printError = (err) => {
    if (!(err instanceof CuError)) throw err;
    process.stderr.write(err.message + '\n');
    if (err.traceback && err.kind === 'runtime') process.stderr.write(err.traceback + '\n');
  };

  /** Runs a chunk; 'more' when it is incomplete. An expression is tried first, as lua.c does. */
  const evaluate = async (chunk) => {
    const run = (code) => compute(() => cu.run(code, { name: 'stdin' }));
    const incomplete = (err) => err instanceof CuError && err.kind === 'syntax' && err.message.endsWith('<eof>');
    let result;
    try {
      if (chunk.startsWith('=')) result = await run('return ' + chunk.slice(1));
      else {
        try {
          result = await run('return ' + chunk);
        } catch (err) {
          if (!(err instanceof CuError && err.kind === 'syntax')) throw err;
          result = await run(chunk);
        }
      }
    } catch (err) {
      if (incomplete(err)) return 'more';
      throw err;
    }
    if (result.values.length > 0) process.stdout.write(showResults(result) + '\n');
    return 'done';
  };

  const commands = {
    help: async () => process.stdout.write(HELP + '\n'),
    home: async () => {
      const text = await compute(() => cu.compute(LIST_HOME, { name: '.home' }));
      process.stdout.write(text === '' ? '(_home is empty)\n' : text + '\n');
    },
    save: async (name) => {
      await cu.saveState(name || 'default');
      process.stdout.write(`saved "${name || 'default'}"\n`);
    },
    load: async (name) => {
      await withProgress(`loading "${name || 'default'}"`, cu.loadState(name || 'default'));
      process.stdout.write(`loaded "${name || 'default'}"\n`);
    },
    states: async () => {
      const names = await cu.listStates();
      process.stdout.write(names.length === 0 ? '(no saved states)\n' : names.join('\n') + '\n');
    },
    mem: async () => {
      const m = await cu.getMemoryStats();
      process.stdout.write(`Lua: ${kib(m.used)} used, ${kib(m.peak)} peak, ${kib(m.limit)} cap; wasm memory ${kib(m.wasmBytes)} (fixed)\n`);
    },
    reset: async () => {
      if (tty) process.stdout.write('Wipe _home and restart the unit? Saved states are kept. [y/N] ');
      const answer = await nextLine();
      if (!/^y(es)?$/i.test(answer?.trim() ?? '')) { process.stdout.write('not reset\n'); return; }
      const n = await compute(() => cu.compute(WIPE_HOME, { name: '.reset' }));
      await cu.close();
      cu = await start();
      process.stdout.write(`reset: ${n} key(s) removed, fresh globals\n`);
    },
  };

  if (tty) process.stdout.write(`Cu (Lua 5.4.7) ${home === null ? 'without a home' : `home ${home}`}. Type .help for help, Ctrl+D to exit.\n`);
  for (;;) {
    prompt(pending === '' ? '> ' : '>> ');
    const line = await nextLine();
    if (line === null) break;
    if (pending === '' && line.startsWith('.')) {
      const [, name, arg] = /^\.(\S*)\s*(.*)$/.exec(line.trim());
      if (name === 'exit') break;
      const command = commands[name];
      if (!command) { process.stderr.write(`unknown command .${name} (try .help)\n`); continue; }
      try {
        await command(arg.trim());
      } catch (err) {
        printError(err);
      }
      continue;
    }
    const chunk = pending === '' ? line : pending + '\n' + line;
    if (chunk.trim() === '') continue;
    try {
      pending = (await evaluate(chunk)) === 'more' ? chunk : '';
    } catch (err) {
      pending = '';
      printError(err);
    }
  }
  process.off('SIGINT', onInterrupt);
  rl.close();
  if (tty) process.stdout.write('\n');
  await cu.close();
  return 0;
}
