// workloads.js: the list of benchmark workloads (bench/workloads/*.lua) with their full
// size (for `make bench`, about 0.1-0.4 s in native Lua) and their smoke size (for
// test/bench.test.js). Each file defines a global function bench(n) that returns a
// checksum string, so every engine's result can be checked against native Lua's.
import { readFileSync } from 'node:fs';

export const WORKLOADS = [
  { name: 'fib', n: 32, smoke: 20 },
  { name: 'binarytrees', n: 13, smoke: 6 },
  { name: 'nbody', n: 100000, smoke: 1000 },
  { name: 'spectralnorm', n: 350, smoke: 100 },
  { name: 'fannkuch', n: 9, smoke: 7 },
  { name: 'strings', n: 50000, smoke: 300 },
  { name: 'tables', n: 300000, smoke: 2000 },
  { name: 'closures', n: 1000000, smoke: 5000 },
  { name: 'pcall', n: 300000, smoke: 2000 },
];

export const workloadPath = (name) => new URL(`./workloads/${name}.lua`, import.meta.url);
export const workloadSource = (name) => readFileSync(workloadPath(name), 'utf8');
