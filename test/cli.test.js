// cli.test.js: the `cu` command, driven as a real child process: scripts, stdin, exit
// codes, argument errors, homes that persist across processes, and --input/--output json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../bin/cu.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'cu-cli-'));
// Every run happens in dir, so the default home (./.cu) is dir/.cu, never the repository's.
const cu = (...args) => {
  const opts = typeof args[args.length - 1] === 'object' ? args.pop() : {};
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir, ...opts });
};

test('cu eval prints output and results', () => {
  const r = cu('--no-home', 'eval', 'print("hi") return 1 + 1, "two", nil, 2^2, 1/3');
  assert.equal(r.status, 0);
  assert.equal(r.stdout, 'hi\n2\ttwo\tnil\t4.0\t0.33333333333333\n');
  assert.equal(r.stderr, '');
});

test('results print as Lua values: tables as constructors, nested strings quoted', () => {
  const r = cu('--no-home', 'eval', 'return {1, 2, {x = "a\\n"}, {["not id"] = true}}, {[1] = "one", [3] = "three"}, {10, 20, n = 2}, print');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\{1, 2, \{x = "a\\n"\}, \{\["not id"\] = true\}\}\t\{"one", \[3\] = "three"\}\t\{10, 20, n = 2\}\tfunction: 0x[0-9a-f]+\n$/);
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

test('cu run sets arg as lua does, and what follows the file belongs to the script', () => {
  const file = join(dir, 'args.lua');
  writeFileSync(file, '#!/usr/bin/env cu\nreturn arg[0], #arg, arg[1], arg[2], arg[3], arg[-1], debug.traceback("here", 1):match("args.lua:%d+")\n');
  const r = cu('run', file, 'one', '--memory', 'two words');
  assert.equal(r.status, 0, r.stderr);
  // the shebang line is skipped, and line numbers still count it
  assert.equal(r.stdout, `${file}\t3\tone\t--memory\ttwo words\tcu\targs.lua:2\n`);
});

test('a script comes from stdin with `-` or a pipe', () => {
  const a = cu('--no-home', '-', 'x', { input: 'print("from stdin") return arg[1]\n' });
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, 'from stdin\nx\n');
  const b = cu('--no-home', { input: 'return 6 * 7' });
  assert.equal(b.stdout, '42\n');
  const c = cu('--no-home', { input: 'error("from a pipe")' });
  assert.equal(c.status, 1);
  assert.match(c.stderr, /^cu: stdin:1: from a pipe\n/);
  const d = cu('--no-home', 'run', '-', { input: 'return "dash"' });
  assert.equal(d.stdout, 'dash\n');
});

test('each error kind exits non-zero', () => {
  assert.equal(cu('--no-home', 'eval', 'return 1 +').status, 1);
  assert.equal(cu('--no-home', 'eval', 'local s = "x" while true do s = s .. s end').status, 1);
  const r = cu('--no-home', '--limit-instructions', '100000', 'eval', 'while true do end');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /instruction limit exceeded/);
});

test('options pick memory, profile and time limit', () => {
  assert.equal(cu('--no-home', '--memory', '16MiB', 'eval', 'return #string.rep("x", 4e6)').stdout, '4000000\n');
  assert.equal(cu('--no-home', 'eval', 'return pcall(string.rep, "x", 4e6)').stdout, 'false\tnot enough memory\n');
  assert.equal(cu('--no-home', '--stdlib', 'full', 'eval', 'return type(io)').stdout, 'table\n');
  assert.equal(cu('--no-home', 'eval', 'return type(io)').stdout, 'nil\n');
  const t = cu('--no-home', '--timeout', '100', '--limit-instructions', '0', 'eval', 'while true do end');
  assert.match(t.stderr, /time limit exceeded/);
});

test('the home persists _home across processes: ./.cu by default, --home DIR, --name', () => {
  const bump = '_home.n = (_home.n or 0) + 1 return _home.n';
  assert.equal(cu('eval', bump).stdout, '1\n');
  assert.equal(cu('eval', bump).stdout, '2\n');
  assert.ok(existsSync(join(dir, '.cu')), 'the default home is ./.cu');
  const home = join(dir, 'elsewhere');
  assert.equal(cu('--home', home, 'eval', bump).stdout, '1\n');
  assert.equal(cu('--home', home, 'eval', bump).stdout, '2\n');
  assert.equal(cu('--home', home, '--name', 'other', 'eval', bump).stdout, '1\n');
  assert.equal(cu('eval', 'return _home.n').stdout, '2\n');
  // a failed compute writes nothing
  assert.equal(cu('eval', '_home.n = 100 error("no")').status, 1);
  assert.equal(cu('eval', 'return _home.n').stdout, '2\n');
  // --no-home keeps nothing
  assert.equal(cu('--no-home', 'eval', bump).stdout, '1\n');
  assert.equal(cu('--no-home', 'eval', bump).stdout, '1\n');
});

test('a home that cannot be opened is one clear line and exit code 1, for scripts and the REPL', () => {
  const file = join(dir, 'not-a-dir');
  writeFileSync(file, 'x');
  for (const args of [['eval', 'return 1'], ['repl']]) {
    // the REPL's worker must not keep the process alive after its unit failed to open
    const r = cu('--home', file, ...args, { input: 'return 1\n', timeout: 30000 });
    assert.equal(r.status, 1, `${args[0]}: ${r.status} ${r.signal} ${r.stderr}`);
    assert.equal(r.stderr, `cu: cannot open the unit in ${file}: store "lmdb:${file}": cannot create the directory (EEXIST)\n`);
  }
});

test('a home whose parent exists but cannot hold it is refused at once, not retried forever', () => {
  // Node's recursive mkdir spins on both: the child's ENOENT reads as a missing parent
  const dangling = join(dir, 'dangling');
  symlinkSync(join(dir, 'nowhere'), dangling);
  for (const home of ['/proc/cu-test/home', join(dangling, 'home')]) {
    const r = cu('--home', home, 'eval', 'return 1', { timeout: 20000 });
    assert.equal(r.status, 1, `${home}: ${r.status} ${r.signal} ${r.stderr}`);
    assert.equal(r.stderr, `cu: cannot open the unit in ${home}: store "lmdb:${home}": cannot create the directory (ENOENT)\n`);
  }
  const nested = join(dir, 'a', 'b', 'c');
  assert.equal(cu('--home', nested, 'eval', 'return 1').stdout, '1\n');
  assert.ok(existsSync(join(nested, 'data.mdb')));
});

test('--input makes _io.input; --output json prints results and _io.output, print goes to stderr', () => {
  const input = join(dir, 'in.json');
  writeFileSync(input, JSON.stringify({ xs: [1, 2, 3.5], who: 'ada' }));
  const code = 'print("working") local s = 0 for i = 1, #_io.input.xs do s = s + _io.input.xs[i] end ' +
    '_io.output = { sum = s, who = _io.input.who, big = bigint(2) ^ 80, map = {[1] = "a", [3] = "c"} } return s, 0/0, "x"';
  const r = cu('--no-home', '--input', input, '--output', 'json', 'eval', code);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, 'working\n');
  assert.deepEqual(JSON.parse(r.stdout), {
    results: [6.5, 'nan', 'x'],
    output: { sum: 6.5, who: 'ada', big: '1208925819614629174706176', map: [[1, 'a'], [3, 'c']] },
  });
  const none = cu('--no-home', '--output', 'json', 'eval', 'return 1');
  assert.deepEqual(JSON.parse(none.stdout), { results: [1], output: null });
  const cycle = cu('--no-home', '--output', 'json', 'eval', 'local t = {} t.self = t return t');
  assert.equal(cycle.status, 1);
  assert.match(cycle.stderr, /^cu: --output json: a table contains itself/);
});

// A Lua value can be deeper than the JS stack would take by recursion (the printers
// are iterative: js/show.js writeNested); the command once died with a RangeError here.
test('a result nested 20,000 levels deep prints, as Lua and as JSON', () => {
  const deep = 'local h = nil for i = 20000, 1, -1 do h = {i, h} end return h, {shared = h}';
  const lua = cu('--no-home', '--memory', '32MiB', 'eval', deep);
  assert.equal(lua.status, 0, lua.stderr);
  let want = '{20000}';
  for (let i = 19999; i >= 1; i--) want = `{${i}, ${want}}`;
  assert.equal(lua.stdout, `${want}\t{shared = ${want}}\n`);
  const json = cu('--no-home', '--memory', '32MiB', '--output', 'json', 'eval', deep);
  assert.equal(json.status, 0, json.stderr);
  let [node, wrapped] = JSON.parse(json.stdout).results;
  let n = 0;
  for (; node !== undefined; node = node[1]) if (node[0] === ++n) continue; else break;
  assert.equal(n, 20000);
  assert.equal(wrapped.shared[1][1][0], 3, 'a table met twice, not inside itself, is written twice');
});

test('argument errors give one line and exit code 2', () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ nope');
  for (const args of [['frobnicate'], ['eval'], ['run'], ['--memory', 'lots', 'eval', '1'], ['--stdlib', 'root', 'eval', '1'],
    ['--bogus'], ['--memory', '1k', 'eval', 'return 1'], ['--output', 'xml', 'eval', '1'], ['--input', join(dir, 'none.json'), 'eval', '1'],
    ['--input', bad, 'eval', '1'], ['--home', 'x', '--no-home', 'eval', '1'], ['eval', '1', '2'], ['repl', 'extra'], ['--output', 'json', 'repl']]) {
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
  assert.match(h.stdout, /usage: cu \[options\] \[command\]/);
  for (const word of ['run FILE.lua', 'eval', 'repl', '--home', '--input', '--output json']) assert.ok(h.stdout.includes(word), word);
  const v = cu('--version');
  assert.match(v.stdout, /^cu \d+\.\d+\.\d+ \(Lua 5\.4\.7\)\n$/);
});

test('--optimize runs the same code, compiled to optimized code first', () => {
  const r = cu('--no-home', '--optimize', 'eval', 'local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20)');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '6765\n');
});

test('on a pipe no progress line is written', () => {
  const r = cu('eval', 'return 1', { env: { ...process.env, CU_PROGRESS_DELAY_MS: '0' } });
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '1\n');
});
