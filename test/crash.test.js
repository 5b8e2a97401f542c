// crash.test.js: kill -9 loses nothing acknowledged. A child process commits in a loop to
// an LMDB store and is killed with SIGKILL at random moments, 50 times; after each kill
// the unit opens, its state is the state after some committed compute (never half of
// one), and no compute whose promise had resolved is lost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cu } from '../js/index.js';

const child = new URL('./fixtures/commit-loop.mjs', import.meta.url).pathname;

function runAndKill(dir, afterMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let timer = null;
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      timer ??= setTimeout(() => proc.kill('SIGKILL'), afterMs);
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      const acked = out.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
      resolve({ signal, lastAcked: acked.length > 0 ? acked[acked.length - 1] : 0, count: acked.length });
    });
  });
}

test('SIGKILL at random moments, 50 times: nothing acknowledged is lost, nothing half-done is seen', { timeout: 180000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-crash-'));
  let total = 0;
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  for (let round = 0; round < 50; round++) {
    const { signal, lastAcked, count } = await runAndKill(dir, 5 + random() * 60);
    assert.equal(signal, 'SIGKILL');
    total += count;
    const cu = await Cu.create({ store: `lmdb:${dir}`, name: 'crash' });
    const [n, a, b, log] = (await cu.run('return _home.n, _home.pair and _home.pair[1], _home.pair and _home.pair[2], _home.log and _home.log[(_home.n or 0) % 8]')).values;
    assert.ok(n >= lastAcked, `round ${round}: stored ${n}, but ${lastAcked} was acknowledged`);
    assert.equal(a, n, `round ${round}: the pair belongs to the same commit as n`);
    assert.equal(b, n);
    if (n > 0) assert.equal(log, 'x'.repeat(100) + n, `round ${round}: the log entry belongs to the same commit`);
    await cu.close();
  }
  assert.ok(total > 200, `only ${total} commits were acknowledged in all`);
});
