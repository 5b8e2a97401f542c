// throw.js: µs per wasm exception in this engine, by the number of frames between the
// throw and its catch (bench/throw.wat, built by `make build/bench/throw.wasm`). A Lua
// error in cu.wasm is such a throw; docs/benchmarks.md §3 uses these figures.
// Usage: node bench/throw.js [runs]   (prints Markdown; median of the runs, one process)
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const RUNS = Number(process.argv[2] ?? 5);
const N = 100000;
const ROOT = new URL('..', import.meta.url).pathname;
execFileSync('make', ['-s', 'build/bench/throw.wasm'], { cwd: ROOT, stdio: 'inherit' });
const { run } = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(`${ROOT}build/bench/throw.wasm`)), {}).exports;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`| wasm frames between throw and catch | µs per throw (${process.release.name} ${process.version}, V8 ${process.versions.v8}) |`);
console.log('|---:|---:|');
for (const frames of [1, 2, 3, 5, 10, 20]) {
  const depth = frames - 1;  // $down's frames: depth calls, then the one that throws
  if (run(depth, 20000) !== 20000) throw new Error('a throw was not caught');  // warm-up, tier-up
  const xs = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    run(depth, N);
    xs.push((performance.now() - t) / N * 1000);
  }
  console.log(`| ${frames} | ${median(xs).toFixed(2)} |`);
}
