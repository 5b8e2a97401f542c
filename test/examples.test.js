// examples.test.js: every program in examples/ run with the real `cu run`, each in its own
// home, twice or more, so the second run shows that the state persisted across processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../', import.meta.url).pathname;
const bin = join(root, 'bin/cu.js');
const example = (name) => join(root, 'examples', name);

/** A fresh home; returns run(file, ...args) -> { status, stdout, stderr } in it. */
function home() {
  const dir = mkdtempSync(join(tmpdir(), 'cu-example-'));
  return (...args) => spawnSync(process.execPath, [bin, '--home', join(dir, 'home'), ...args], { encoding: 'utf8', cwd: dir });
}

function ok(r) {
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('hello.lua', () => {
  const out = ok(home()('run', example('hello.lua')));
  assert.match(out, /^Hello from Lua inside a Lua 5\.4 compute unit\n/);
  assert.match(out, /primes:\t2 3 5 7 11 13 17 19 23 29\n10\t29\n$/);
});

test('counter.lua counts across runs', () => {
  const cu = home();
  assert.match(ok(cu('run', example('counter.lua'))), /^this unit has run the counter 1 time\nrun it again.*\n1\n$/);
  assert.equal(ok(cu('run', example('counter.lua'))), 'this unit has run the counter 2 times\n2\n');
  assert.equal(ok(cu('run', example('counter.lua'))), 'this unit has run the counter 3 times\n3\n');
});

test('todo.lua keeps its list', () => {
  const cu = home();
  assert.equal(ok(cu('run', example('todo.lua'), 'add', 'buy', 'milk')), 'added #1: buy milk\n[ ] #1 buy milk\n1 item(s), 1 open\n1\n');
  ok(cu('run', example('todo.lua'), 'add', 'write tests'));
  assert.equal(ok(cu('run', example('todo.lua'), 'done', '1')),
    'done #1: buy milk\n[x] #1 buy milk\n[ ] #2 write tests\n2 item(s), 1 open\n1\n');
  assert.equal(ok(cu('run', example('todo.lua'))), '[x] #1 buy milk\n[ ] #2 write tests\n2 item(s), 1 open\n1\n');
  const bad = cu('run', example('todo.lua'), 'done', '7');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^cu: no item 7/);
  assert.match(ok(cu('run', example('todo.lua'), 'list')), /2 item\(s\), 1 open/);  // the failed run changed nothing
});

test('state_machine.lua moves through stored states with stored guards', () => {
  const cu = home();
  assert.equal(ok(cu('run', example('state_machine.lua'))), 'new order, total 40\nstate: created\nnext events: cancel, pay\ncreated\n');
  const refused = cu('run', example('state_machine.lua'), 'pay', '30');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^cu: event 'pay' refused: amount must equal the total\n/);
  assert.equal(ok(cu('run', example('state_machine.lua'), 'pay', '40')),
    'state: paid\n  1. created -pay-> paid\nnext events: refund, ship\npaid\n');
  assert.equal(ok(cu('run', example('state_machine.lua'), 'ship')),
    'state: shipped\n  1. created -pay-> paid\n  2. paid -ship-> shipped\nnext events: deliver\nshipped\n');
  const wrong = cu('run', example('state_machine.lua'), 'pay', '40');
  assert.match(wrong.stderr, /^cu: event 'pay' is not allowed in state 'shipped'/);
});

test('orders.lua reads _io.input, writes _io.output, and keeps totals', () => {
  const cu = home();
  const args = ['--input', example('orders.json'), '--output', 'json', 'run', example('orders.lua')];
  const first = cu(...args);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(first.stderr, '4 orders, revenue 89.48; 1 batch(es) so far\n');
  assert.deepEqual(JSON.parse(first.stdout), {
    results: [],
    output: {
      orders: 4, revenue_cents: 8948, top_customer: 'ada',
      by_customer: { ada: 3 * 150 + 499 + 3999, grace: 2500, linus: 1500 },
      all_time: { batches: 1, orders: 4, revenue_cents: 8948 },
    },
  });
  const second = JSON.parse(ok(cu(...args)));
  assert.deepEqual(second.output.all_time, { batches: 2, orders: 8, revenue_cents: 2 * 8948 });
  const none = cu('run', example('orders.lua'));
  assert.equal(none.status, 1);
  assert.match(none.stderr, /expected --input with an orders array/);
});

test('wallet.lua keeps exact bigint balances', () => {
  const cu = home();
  assert.equal(ok(cu('run', example('wallet.lua'), 'mint', 'alice', '1000.5')),
    'minted 1000.5 to alice\nalice    1000.5\nsupply   1000.5 (0 transfers)\n1000500000000000000000\n');
  assert.equal(ok(cu('run', example('wallet.lua'), 'send', 'alice', 'bob', '0.000000000000000001')),
    'sent 0.000000000000000001 from alice to bob\nalice    1000.499999999999999999\nbob      0.000000000000000001\n' +
    'supply   1000.5 (1 transfer)\n1000500000000000000000\n');
  const broke = cu('run', example('wallet.lua'), 'send', 'bob', 'alice', '5');
  assert.equal(broke.status, 1);
  assert.match(broke.stderr, /^cu: bob has 0.000000000000000001, cannot send 5/);
  assert.equal(ok(cu('run', example('wallet.lua'))),
    'alice    1000.499999999999999999\nbob      0.000000000000000001\nsupply   1000.5 (1 transfer)\n1000500000000000000000\n');
});

test('closures.lua: stored closures keep their upvalues, shared ones stay shared', () => {
  const cu = home();
  assert.equal(ok(cu('run', example('closures.lua'))),
    'defined tick, account and greet in _home\ntick 1\nbalance after deposit: 10\nbalance seen by the other closure: 10\nhello, cu!\n2\n');
  assert.equal(ok(cu('run', example('closures.lua'))),
    'tick 3\nbalance after deposit: 20\nbalance seen by the other closure: 20\nhello, cu!\n4\n');
});
