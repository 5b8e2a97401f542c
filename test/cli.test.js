// cli.test.js: the `cu` command, driven as a real child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../bin/cu.js', import.meta.url).pathname;
const cu = (...args) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'cu-cli-'));

test('cu eval prints output and results', () => {
  const r = cu('eval', 'print("hi") return 1 + 1, "two", nil');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'hi\n2\ttwo\tnil\n');
  assert.equal(r.stderr, '');
});

test('cu run runs a file, and errors name it with a traceback on stderr', () => {
  const file = join(dir, 'fail.lua');
  writeFileSync(file, 'print("start")\nlocal function f() error("bad thing") end\nf()\n');
  const r = cu('run', file);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, 'start\n');
  assert.match(r.stderr, new RegExp(`^cu: ${file}:2: bad thing\nstack traceback:\n`));
  assert.match(r.stderr, /in main chunk/);
});

test('each error kind exits non-zero', () => {
  assert.equal(cu('eval', 'return 1 +').status, 1);
  assert.equal(cu('eval', 'local s = "x" while true do s = s .. s end').status, 1);
  const r = cu('--limit-instructions', '100000', 'eval', 'while true do end');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /instruction limit exceeded/);
});

test('options pick memory, profile and time limit', () => {
  assert.equal(cu('--memory', '16MiB', 'eval', 'return #string.rep("x", 4e6)').stdout, '4000000\n');
  assert.equal(cu('eval', 'return pcall(string.rep, "x", 4e6)').stdout, 'false\tnot enough memory\n');
  assert.equal(cu('--stdlib', 'full', 'eval', 'return type(io)').stdout, 'table\n');
  assert.equal(cu('eval', 'return type(io)').stdout, 'nil\n');
  const t = cu('--timeout', '100', '--limit-instructions', '0', 'eval', 'while true do end');
  assert.match(t.stderr, /time limit exceeded/);
});

test('argument errors give one line and exit code 2', () => {
  for (const args of [['frobnicate'], [], ['eval'], ['run'], ['--memory', 'lots', 'eval', '1'], ['--stdlib', 'root', 'eval', '1'], ['--bogus'], ['--memory', '1k', 'eval', 'return 1']]) {
    const r = cu(...args);
    assert.equal(r.status, 2, `${args.join(' ')} -> ${r.status} ${r.stderr}`);
    assert.match(r.stderr, /^cu: .+\n$/, args.join(' '));
  }
  const missing = cu('run', join(dir, 'nope.lua'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read .*nope.lua: ENOENT/);
});

test('--help and --version', () => {
  const h = cu('--help');
  assert.equal(h.status, 0);
  assert.match(h.stdout, /usage: cu run FILE.lua/);
  const v = cu('--version');
  assert.match(v.stdout, /^cu \d+\.\d+\.\d+ \(Lua 5\.4\.7\)\n$/);
});

test('--optimize runs the same code, compiled to optimized code first', () => {
  const r = cu('--optimize', 'eval', 'local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20)');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '6765\n');
});
