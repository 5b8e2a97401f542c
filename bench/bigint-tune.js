// Runs bench/bigint-tune.c compiled to wasm32-wasi (see docs/bigint.md for the build line).
// Modes: (none) threshold sweep; `ops` kernel timings; `check` SIMD kernel self-test.
// bench/bigint.js has the end-to-end comparison with V8's BigInt.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';
const file = process.argv[2] ?? 'build/bigint-tune.wasm';
const mode = process.argv[3];
const wasi = new WASI({ version: 'preview1', returnOnExit: true, args: mode ? ['tune', mode] : ['tune'] });
const mod = await WebAssembly.compile(readFileSync(file));
// bigint.c's remaining Lua calls are never reached here: stub them.
const env = new Proxy({}, { get: () => () => { throw new Error('Lua is not linked'); } });
const inst = await WebAssembly.instantiate(mod, { wasi_snapshot_preview1: wasi.wasiImport, env });
process.exitCode = wasi.start(inst);
