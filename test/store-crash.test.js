// store-crash.test.js: kill -9 against the LMDB store. A child process
// (test/fixtures/store-crash-child.js) commits an increasing counter, with other records
// changed in the same commit, and prints each counter once its commit has resolved; this
// test kills it with SIGKILL at random moments, 60 times, and after each kill reopens
// the store and checks that it holds exactly the state of some commit (never a mix) and
// that no commit the child had reported is lost.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../js/store.js';
import { readCounter, stateAfter } from './fixtures/store-crash-state.js';

const CHILD = new URL('./fixtures/store-crash-child.js', import.meta.url).pathname;
const KILLS = 60;
const tmp = mkdtempSync(join(tmpdir(), 'cu-crash-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the child, kills it with SIGKILL at a random moment; resolves with the last counter it printed. */
function runAndKill(dir, earlyKill) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer;
    const kill = () => child.kill('SIGKILL');
    child.stdout.on('data', (d) => {
      if (out === '' && !earlyKill) timer = setTimeout(kill, Math.random() * 80); // some commits, then a kill mid-loop
      out += d;
    });
    child.stderr.on('data', (d) => { err += d; });
    if (earlyKill) timer = setTimeout(kill, 20 + Math.random() * 150); // sometimes while it is still opening the store
    child.on('close', (code, signal) => { // 'close': after stdout has been read to its end
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`the child exited by itself (code ${code}): ${err}`));
      const lines = out.split('\n');
      lines.pop(); // an unfinished last line (never expected: each line is one write)
      resolve({ last: lines.length ? Number(lines[lines.length - 1]) : undefined, printed: lines.length });
    });
    child.on('error', reject);
  });
}

test(`LMDB store: ${KILLS} SIGKILLs at random moments lose no acknowledged commit and never leave a mix`, { timeout: 120000 }, async (t) => {
  const dir = join(tmp, 'store');
  let acknowledged = 0; // the highest counter any child printed
  let total = 0;
  const started = Date.now();
  for (let i = 0; i < KILLS; i++) {
    const { last, printed } = await runAndKill(dir, i % 6 === 5);
    total += printed;
    if (last !== undefined) acknowledged = last;

    const store = await openStore(`lmdb:${dir}`);
    try {
      const unit = await store.openUnit('crash');
      const c = readCounter(unit);
      assert.ok(Number.isInteger(c), `kill ${i}: the counter is a whole number (${c})`);
      assert.ok(c >= acknowledged, `kill ${i}: the stored counter ${c} is below ${acknowledged}, which the child had printed: an acknowledged commit was lost`);
      assert.ok(c <= acknowledged + 1, `kill ${i}: the stored counter ${c} is more than one commit past the last printed (${acknowledged})`);
      const records = [...unit.range(new Uint8Array(0))];
      const expected = stateAfter(c);
      assert.deepEqual(records.map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString('hex')]),
        expected.map(([k, v]) => [Buffer.from(k).toString(), Buffer.from(v).toString('hex')]),
        `kill ${i}: the records are exactly the state after commit ${c}`);
      acknowledged = c; // the next child resumes from the stored counter
    } finally {
      await store.close();
    }
  }
  t.diagnostic(`${KILLS} kills, ${total} acknowledged commits, final counter ${acknowledged}, ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(total > KILLS, 'the children committed between the kills');
});
