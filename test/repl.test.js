// repl.test.js: `cu repl` on a real pseudo-terminal. util-linux `script` gives the REPL a
// terminal, so it runs as a person meets it: raw mode, prompts, arrow keys, and Ctrl+C
// arriving as a key press rather than a signal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = new URL('../bin/cu.js', import.meta.url).pathname;
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const UP = '\x1b[A';
const sessions = [];
// A failed expectation must not leave a REPL running, or the test run would never end.
after(() => { for (const s of sessions) s.proc.kill('SIGKILL'); });

/**
 * A REPL on a pseudo-terminal; expect() waits for output after what was already matched.
 * TERM must not be 'dumb': Node's readline then turns off history and line editing.
 */
class Session {
  constructor(dir, args = ['repl'], env = {}) {
    const command = [process.execPath, bin, '--home', join(dir, 'home'), ...args].map((a) => `'${a}'`).join(' ');
    this.proc = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: dir,
      env: { ...process.env, TERM: 'xterm', CU_HISTORY: join(dir, 'history'), ...env },
    });
    this.out = '';
    this.seen = 0;
    this.proc.stdout.on('data', (d) => { this.out += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code) => resolve(code)));
    sessions.push(this);
  }

  /** Waits until re matches the output not yet consumed; returns the match. */
  async expect(re, ms = 15000) {
    const started = Date.now();
    for (;;) {
      // readline redraws its line with cursor moves; match on the text alone
      const text = this.out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
      const m = re.exec(text.slice(this.seen));
      if (m) { this.seen += m.index + m[0].length; return m; }
      if (Date.now() - started > ms) throw new Error(`timed out waiting for ${re}; output so far:\n${JSON.stringify(this.out)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  send(text) { this.proc.stdin.write(text); }
  /** Types a line and waits for its echo, so the next expect() sees only what it printed. */
  async line(text) {
    this.send(text + '\r');
    await this.expect(new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\r*\\n'));
  }

  async quit() {
    this.send(CTRL_D);
    const code = await this.exited;
    assert.equal(code, 0, this.out);
  }
}

const PROMPT = /> $/;

test('multi-line chunks, =expr and bare expressions; history and _home kept across sessions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-repl-'));
  const a = new Session(dir, ['repl'], { CU_PROGRESS_DELAY_MS: '0' });
  await a.expect(/home .*home\. Type \.help for help/);
  assert.match(a.out, /opening .*home \(\d+\.\d s\)\r\x1b\[K/, 'a progress line, erased, on a terminal');
  await a.expect(PROMPT);
  await a.line('function _home.add(a, b)');
  await a.expect(/>> $/);                      // the chunk is incomplete: a continuation prompt
  await a.line('  return a + b');
  await a.expect(/>> $/);
  await a.line('end');
  await a.expect(/^> $/m);
  await a.line('=_home.add(2,');                   // an =expression can continue too
  await a.expect(/>> $/);
  await a.line('3)');
  await a.expect(/^5\r?\n> $/m);
  await a.line('=_home.add(2, 3)');
  await a.expect(/^5\r?\n> $/m);
  await a.line('_home.add(20, 22)');
  await a.expect(/^42\r?\n> $/m);
  await a.line('=2^2, 7 // 2, 1/3');                  // floats as Lua writes them
  await a.expect(/^4\.0\t3\t0\.33333333333333\r?\n> $/m);
  await a.line('local t = {1, "two", x = {true}} return t');
  await a.expect(/^\{1, "two", x = \{true\}\}\r?\n/m);
  await a.line('error("oops")');
  await a.expect(/stdin:1: oops\r?\nstack traceback:/);
  await a.expect(PROMPT);
  await a.quit();
  const history = readFileSync(join(dir, 'history'), 'utf8').split('\n');
  assert.ok(history.includes('=_home.add(2, 3)') && history.includes('_home.add(20, 22)'), history.join('|'));

  // a new process: the Up arrow goes back through earlier lines, and the stored function is there
  const b = new Session(dir);
  await b.expect(PROMPT);
  b.send(UP);
  await b.expect(/error\("oops"\)/);
  b.send(UP + UP + UP);
  await b.expect(/_home\.add\(20, 22\)/);
  b.send('\r');
  await b.expect(/^42\r?\n> $/m);
  await b.quit();
});

test('Ctrl+C stops an infinite loop and the REPL lives on; at the prompt it clears the input', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-repl-'));
  const s = new Session(dir);
  await s.expect(PROMPT);
  await s.line('_home.before = 1');
  await s.expect(PROMPT);
  await s.line('_home.before = 2 while true do end');
  await new Promise((r) => setTimeout(r, 300));   // well inside the loop
  s.send(CTRL_C);
  await s.expect(/interrupted by the host\r?\n> $/);
  await s.line('=_home.before, 1 + 1');
  await s.expect(/^1\t2\r?\n> $/m);                  // the interrupted compute wrote nothing
  await s.line('for i = 1, 3 do');
  await s.expect(/>> $/);
  s.send(CTRL_C);                                     // drops the unfinished chunk
  await s.expect(/\r?\n> $/);
  await s.line('=i');
  await s.expect(/^nil\r?\n> $/m);
  s.send(CTRL_C);
  await s.expect(/To exit, press Ctrl\+D or type \.exit\)\r?\n> $/);
  await s.quit();
});

test('dot-commands: .home .save .load .states .mem .reset .help', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-repl-'));
  const s = new Session(dir);
  await s.expect(PROMPT);
  await s.line('.home');
  await s.expect(/\(_home is empty\)\r?\n> $/);
  await s.line('_home.x = 1 _home.name = "ada" _home.f = print');
  await s.expect(PROMPT);
  await s.line('.save one');
  await s.expect(/saved "one"\r?\n> $/);
  await s.line('_home.x = 2');
  await s.expect(PROMPT);
  await s.line('.states');
  await s.expect(/^one\r?\n> $/m);
  await s.line('.load one');
  await s.expect(/loaded "one"\r?\n> $/);
  await s.line('=_home.x');
  await s.expect(/^1\r?\n> $/m);
  await s.line('.home');
  await s.expect(/^f = function\r?\nname = "ada"\r?\nx = 1\r?\n> $/m);
  await s.line('.mem');
  await s.expect(/^Lua: [\d.]+ KiB used, [\d.]+ KiB peak, 1\.\d\d MiB cap; wasm memory 2\.00 MiB \(fixed\)\r?\n> $/m);
  await s.line('.bogus');
  await s.expect(/unknown command \.bogus \(try \.help\)/);
  await s.line('.help');
  await s.expect(/\.save \[NAME\][\s\S]*\.reset[\s\S]*> $/);
  await s.line('g = 5');
  await s.expect(PROMPT);
  await s.line('.reset');
  await s.expect(/\[y\/N\] $/);
  await s.line('n');
  await s.expect(/not reset\r?\n> $/);
  await s.line('.reset');
  await s.expect(/\[y\/N\] $/);
  await s.line('y');
  await s.expect(/reset: 3 key\(s\) removed, fresh globals\r?\n> $/);
  await s.line('=_home.x, g');
  await s.expect(/^nil\tnil\r?\n> $/m);
  await s.line('.load one');                          // snapshots outlive a reset
  await s.expect(/loaded "one"/);
  await s.line('=_home.name');
  await s.expect(/^ada\r?\n> $/m);
  await s.line('.exit');
  assert.equal(await s.exited, 0);
});

test('plain `cu` on a terminal is the REPL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-repl-'));
  const s = new Session(dir, []);
  await s.expect(PROMPT);
  await s.line('=6 * 7');
  await s.expect(/^42\r?\n> $/m);
  await s.quit();
});
