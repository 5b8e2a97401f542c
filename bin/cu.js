#!/usr/bin/env node
// cu.js: the `cu` command. It reads the options, opens the unit in its home (an LMDB
// store, ./.cu unless told otherwise), and runs a file, a snippet, stdin or the REPL
// (bin/repl.js). Output streams as it is printed and results follow; errors go to
// stderr with their traceback. Exit codes: 0 success, 1 a failed compute, 2 bad usage.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Cu, CuError } from '../js/index.js';
import { showResults, jsonText, luaQuote } from './format.js';
import { withProgress } from './progress.js';

const HELP = `usage: cu [options] [command]

commands:
  run FILE.lua [args...]     run a file; args go to the global table arg, as in lua
  eval 'code'                run a snippet
  -                          run a script read from stdin (also: a pipe on stdin and no command)
  repl                       interactive session (also: no command on a terminal)

options:
  --home DIR                 keep the unit's _home in an LMDB store in DIR (default ./.cu)
  --no-home                  a unit that keeps nothing (in memory, gone at exit)
  --name NAME                which unit of the home to use (default "default")
  --memory SIZE              fixed memory of the unit (e.g. 2MiB, 64MiB; default 2MiB)
  --limit-instructions N     instruction budget per compute (default 1e9, none in the REPL; 0 = none)
  --timeout MS               time limit per compute in ms (default 5000, none in the REPL; 0 = none)
  --stdlib sandbox|full      library profile (default sandbox)
  --input FILE.json          JSON that becomes _io.input
  --output json              print the results and _io.output as one JSON document
  --optimize                 compile to optimized code first (faster long runs, ~140 ms start-up)
  --seed N                   reproducible randomness (math.random, pairs order); default a fresh random seed
  -h, --help                 show this help
  -v, --version              show the version`;

const OPTIONS = {
  home: { type: 'string' },
  'no-home': { type: 'boolean' },
  name: { type: 'string' },
  memory: { type: 'string' },
  'limit-instructions': { type: 'string' },
  timeout: { type: 'string' },
  stdlib: { type: 'string' },
  input: { type: 'string' },
  output: { type: 'string' },
  optimize: { type: 'boolean' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
};

class UsageError extends Error {}
const usage = (message) => { throw new UsageError(message); };

function parseSize(text) {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?$/i.exec(text);
  if (!m) usage(`--memory: cannot read '${text}' as a size (try 2MiB or 65536)`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const scale = { b: 1, k: 1024, kb: 1000, kib: 1024, m: 1 << 20, mb: 1e6, mib: 1 << 20, g: 1 << 30, gb: 1e9, gib: 1 << 30 }[unit];
  return Math.round(Number(m[1]) * scale);
}

function parseCount(name, text) {
  const n = Number(text);
  if (text === '' || !Number.isFinite(n) || n < 0) usage(`${name}: expected a non-negative number, got '${text}'`);
  return n === 0 ? Infinity : n;
}

/**
 * Splits argv where the script's own arguments begin (everything after `run FILE` or
 * `-`, as lua does), so `cu run x.lua --flag` hands --flag to the script.
 */
function splitArgs(argv) {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const positionals = tokens.filter((t) => t.kind === 'positional' || t.kind === 'option-terminator');
  let end = argv.length;
  const first = positionals.find((t) => t.kind === 'positional');
  if (first?.value === 'run') {
    const file = tokens.find((t) => t.kind === 'positional' && t.index > first.index);
    if (file) end = file.index + 1;
  } else if (first?.value === '-') end = first.index + 1;
  return [argv.slice(0, end), argv.slice(end)];
}

/** The options of Cu.create / CuWorker.create that the command line asks for. */
function unitOptions(opts, { interactive }) {
  if (opts.stdlib !== undefined && opts.stdlib !== 'sandbox' && opts.stdlib !== 'full') usage(`--stdlib must be sandbox or full, not '${opts.stdlib}'`);
  if (opts.home !== undefined && opts['no-home']) usage('--home and --no-home contradict each other');
  if (opts.home === '') usage('--home needs a directory');
  if (opts.name === '') usage('--name needs a unit name');
  // The REPL has Ctrl+C, so it runs without limits unless asked; scripts get the defaults.
  const limits = interactive ? { instructions: Infinity, timeMs: Infinity } : {};
  if (opts['limit-instructions'] !== undefined) limits.instructions = parseCount('--limit-instructions', opts['limit-instructions']);
  if (opts.timeout !== undefined) limits.timeMs = parseCount('--timeout', opts.timeout);
  if (opts.seed !== undefined && !/^\d+$/.test(opts.seed)) usage(`--seed: expected a whole number from 0 to 2^64 - 1, got '${opts.seed}'`);
  const home = opts['no-home'] ? null : resolve(opts.home ?? '.cu');
  return {
    home,
    create: {
      memory: opts.memory === undefined ? undefined : parseSize(opts.memory),
      limits,
      stdlib: opts.stdlib,
      tier: opts.optimize ? 'optimized' : undefined,
      seed: opts.seed === undefined ? undefined : BigInt(opts.seed),
      store: home === null ? 'memory' : `lmdb:${home}`,
      name: opts.name,
    },
  };
}

/** lua.c skips a first line starting with '#', so `#!/usr/bin/env cu` scripts work; the newline stays, so line numbers do too. */
function skipShebang(bytes) {
  if (bytes[0] !== 0x23) return bytes;
  const nl = bytes.indexOf(0x0a);
  return nl < 0 ? new Uint8Array(0) : bytes.subarray(nl);
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

function reportError(err) {
  if (!(err instanceof CuError)) throw err;
  process.stderr.write(`cu: ${err.message}\n`);
  if (err.traceback) process.stderr.write(err.traceback + '\n');
  return 1;
}

async function readInput(path) {
  let text;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    usage(`--input: cannot read ${path}: ${err.code ?? err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    usage(`--input: ${path} is not valid JSON: ${err.message}`);
  }
}

/** run, eval and stdin: one compute, then exit. */
async function runScript(opts, { code, name, args, json }) {
  const { home, create } = unitOptions(opts, { interactive: false });
  const input = opts.input === undefined ? undefined : await readInput(opts.input);
  // With --output json, stdout carries only the JSON document, so print goes to stderr.
  const out = (stream) => (stream === 'stdout' && !json ? process.stdout : process.stderr);
  let cu;
  try {
    cu = await withProgress(`opening ${home ?? 'the unit'}`, Cu.create({ ...create, onOutput: (text, stream, bytes) => out(stream).write(bytes) }));
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) usage(err.message);
    if (err instanceof CuError) return reportError(err);
    process.stderr.write(`cu: cannot open the unit${home === null ? '' : ` in ${home}`}: ${err.message}\n`);
    return 1;
  }
  try {
    if (args !== undefined) {
      // arg as lua.c sets it: the script at 0, its arguments from 1, the interpreter at -1
      const items = [`[-1] = "cu"`, `[0] = ${luaQuote(name)}`, ...args.map(luaQuote)];
      await cu.compute(`arg = {${items.join(', ')}}`, { name: 'arg' });
    }
    const r = await cu.run(code, { name, ...(input === undefined ? {} : { input }) });
    if (json) {
      process.stdout.write(`{"results":${jsonText(r.values)},"output":${jsonText(r.ioOutput)}}\n`);
    } else if (r.values.length > 0) {
      process.stdout.write(showResults(r) + '\n');
    }
    return 0;
  } catch (err) {
    if (err instanceof TypeError && json) {
      process.stderr.write(`cu: --output json: ${err.message}\n`);
      return 1;
    }
    return reportError(err);
  } finally {
    await cu.close();
  }
}

async function main(argv) {
  const [own, scriptArgs] = splitArgs(argv);
  const { values: opts, positionals } = parseArgs({ args: own, options: OPTIONS, allowPositionals: true });
  if (opts.help) { process.stdout.write(HELP + '\n'); return 0; }
  if (opts.version) {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`cu ${pkg.version} (Lua 5.4.7)\n`);
    return 0;
  }
  if (opts.output !== undefined && opts.output !== 'json') usage(`--output must be json, not '${opts.output}'`);
  const json = opts.output === 'json';
  const command = positionals[0] ?? (process.stdin.isTTY ? 'repl' : '-');
  const extra = command === 'run' ? positionals.slice(2) : positionals.slice(1);

  switch (command) {
    case 'run': {
      const file = positionals[1];
      if (file === undefined) usage('run needs a FILE.lua');
      let code;
      try {
        code = file === '-' ? await readStdin() : new Uint8Array(await readFile(file));
      } catch (err) {
        process.stderr.write(`cu: cannot read ${file}: ${err.code ?? err.message}\n`);
        return 1;
      }
      return runScript(opts, { code: skipShebang(code), name: file === '-' ? 'stdin' : file, args: scriptArgs, json });
    }
    case 'eval':
      if (positionals[1] === undefined) usage("eval needs some code, e.g. cu eval 'return 1+1'");
      if (extra.length > 1) usage(`unexpected argument '${extra[1]}'`);
      return runScript(opts, { code: positionals[1], name: 'input', json });
    case '-':
      return runScript(opts, { code: skipShebang(await readStdin()), name: 'stdin', args: scriptArgs, json });
    case 'repl': {
      if (extra.length > 0) usage(`unexpected argument '${extra[0]}'`);
      if (json) usage('--output json is for run, eval and stdin, not the REPL');
      if (opts.input !== undefined) usage('--input is for run, eval and stdin, not the REPL');
      const { repl } = await import('./repl.js');
      return repl(unitOptions(opts, { interactive: true }));
    }
    default:
      usage(`unknown command '${command}' (use run, eval, repl or -)`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError) && err?.code?.startsWith?.('ERR_PARSE_ARGS') !== true) throw err;
  process.stderr.write(`cu: ${err.message}\n`);
  process.exitCode = 2;
}
