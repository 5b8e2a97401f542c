#!/usr/bin/env node
// cu.js: the `cu` command. `cu run FILE.lua` runs a file, `cu eval 'code'` a snippet;
// output streams as it is printed, results follow, and errors go to stderr with their
// traceback and a non-zero exit code.

import { readFile } from 'node:fs/promises';
import { parseArgs, inspect } from 'node:util';
import { Cu, CuError } from '../js/index.js';

const HELP = `usage: cu run FILE.lua | cu eval 'code'

options:
  --memory SIZE              fixed memory of the unit (e.g. 2MiB, 64MiB; default 2MiB)
  --limit-instructions N     instruction budget per compute (default 1e9; 0 = none)
  --timeout MS               time limit per compute in ms (default 5000; 0 = none)
  --stdlib sandbox|full      library profile (default sandbox)
  --optimize                 compile to optimized code first (faster long runs, ~100 ms start-up)
  -h, --help                 show this help
  -v, --version              show the version`;

function usage(message) {
  process.stderr.write(`cu: ${message}\n`);
  process.exit(2);
}

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

/** Results as a Lua REPL shows them: plain scalars, and structures inspected. */
function show(value) {
  if (value === null) return 'nil';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return inspect(value, { depth: 6, colors: false, breakLength: 100 });
}

async function main() {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        memory: { type: 'string' },
        'limit-instructions': { type: 'string' },
        timeout: { type: 'string' },
        stdlib: { type: 'string' },
        optimize: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    usage(err.message);
  }
  const { values: opts, positionals } = parsed;
  if (opts.help) { process.stdout.write(HELP + '\n'); return 0; }
  if (opts.version) {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    process.stdout.write(`cu ${pkg.version} (Lua 5.4.7)\n`);
    return 0;
  }
  const [command, target, ...rest] = positionals;
  if (command !== 'run' && command !== 'eval') usage(command ? `unknown command '${command}' (use run or eval)` : 'no command given (see cu --help)');
  if (target === undefined) usage(command === 'run' ? 'run needs a FILE.lua' : "eval needs some code, e.g. cu eval 'return 1+1'");
  if (rest.length > 0 && command === 'eval') usage(`unexpected argument '${rest[0]}'`);
  if (opts.stdlib !== undefined && opts.stdlib !== 'sandbox' && opts.stdlib !== 'full') usage(`--stdlib must be sandbox or full, not '${opts.stdlib}'`);

  const limits = {};
  if (opts['limit-instructions'] !== undefined) limits.instructions = parseCount('--limit-instructions', opts['limit-instructions']);
  if (opts.timeout !== undefined) limits.timeMs = parseCount('--timeout', opts.timeout);

  let code, name = 'input';
  if (command === 'run') {
    try {
      code = await readFile(target);
    } catch (err) {
      process.stderr.write(`cu: cannot read ${target}: ${err.code ?? err.message}\n`);
      return 1;
    }
    name = target;
  } else code = target;

  let cu;
  try {
    cu = await Cu.create({
      memory: opts.memory === undefined ? undefined : parseSize(opts.memory),
      limits,
      stdlib: opts.stdlib,
      tier: opts.optimize ? 'optimized' : undefined,
      onOutput: (text, stream, bytes) => (stream === 'stdout' ? process.stdout : process.stderr).write(bytes),
    });
  } catch (err) {
    if (err instanceof RangeError || err instanceof TypeError) usage(err.message);
    throw err;
  }
  try {
    const { values } = await cu.run(code, { name });
    if (values.length > 0) process.stdout.write(values.map(show).join('\t') + '\n');
    return 0;
  } catch (err) {
    if (!(err instanceof CuError)) throw err;
    process.stderr.write(`cu: ${err.message}\n`);
    if (err.traceback) process.stderr.write(err.traceback + '\n');
    return 1;
  }
}

process.exitCode = await main();
