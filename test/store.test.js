// store.test.js: the storage adapters (js/store.js, js/stores/). The conformance suite of
// test/fixtures/store-conformance.js runs against the memory store and a real LMDB store
// in a temporary directory; then openStore's spec handling, an IndexedDB store's channel
// in Node, and two Node processes racing on one LMDB directory (test/fixtures/store-racer.js).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openStore } from '../js/store.js';
import { Cu } from '../js/index.js';
import { MemoryStore } from '../js/stores/memory.js';
import { LMDB_OPTIONS } from '../js/stores/lmdb.js';
import { storeCases, b, s } from './fixtures/store-conformance.js';

const tmp = mkdtempSync(join(tmpdir(), 'cu-store-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const RACER = new URL('./fixtures/store-racer.js', import.meta.url).pathname;
const tag = `t${process.pid}`;

// One memory store for the whole memory suite: a memory store is its own data, so "the
// same data" means the same instance (its close() is a no-op for later opens here).
const memory = new MemoryStore();
const memoryEnv = { tag, persistent: false, holds: true, open: async () => ({ openUnit: (n) => memory.openUnit(n), units: () => memory.units(), close: async () => {} }) };
for (const c of storeCases(memoryEnv)) test(`memory: ${c.name}`, c.fn);

const lmdbDir = join(tmp, 'conformance');
const lmdbEnv = { tag, persistent: true, holds: true, open: () => openStore(`lmdb:${lmdbDir}`) };
for (const c of storeCases(lmdbEnv)) test(`lmdb: ${c.name}`, c.fn);

test('lmdb: the store is a directory of LMDB files, opened with durable settings', async () => {
  const dir = join(tmp, 'layout');
  const store = await openStore(`lmdb:${dir}`);
  await (await store.openUnit('u')).commit([[b(1), b(2)]]);
  await store.close();
  assert.deepEqual(readdirSync(dir).sort(), ['data.mdb', 'lock.mdb']);
  for (const flag of ['overlappingSync', 'noSync', 'noMetaSync', 'mapAsync', 'useWritemap']) assert.equal(LMDB_OPTIONS[flag], false, flag);
});

test('lmdb: a closed store refuses further use', async () => {
  const store = await openStore(`lmdb:${join(tmp, 'closed')}`);
  const u = await store.openUnit('u');
  await store.close();
  assert.throws(() => u.get(b(1)), /closed/);
  await assert.rejects(u.commit([[b(1), b(1)]]), /closed/);
  await assert.rejects(store.openUnit('v'), /closed/);
});

test('lmdb: reopening a directory while its last store is still closing works', async () => {
  const spec = `lmdb:${join(tmp, 'reopen-while-closing')}`;
  for (let i = 0; i < 10; i++) {
    const store = await openStore(spec);
    await (await store.openUnit('u')).commit([[b(1), b(i)]]);
    const closing = store.close(); // not awaited
    const again = await openStore(spec);
    assert.deepEqual((await again.openUnit('u')).get(b(1)), b(i));
    await closing;
    await again.close();
  }
});

test('lmdb: a directory with another storage layout is refused', async () => {
  const dir = join(tmp, 'other-layout');
  await (await openStore(`lmdb:${dir}`)).close();
  const { open } = await import('lmdb');
  const env = open({ path: dir, ...LMDB_OPTIONS });
  await env.openDB({ name: 'meta', encoding: 'binary', keyEncoding: 'binary' }).put(s('layout'), s('2'));
  await env.close();
  await assert.rejects(openStore(`lmdb:${dir}`), /storage layout "2", which this version of Cu \(layout 1\) cannot read/);
});

test('lmdb: a key too long for LMDB is refused with a clear error, writing nothing', async () => {
  const store = await openStore(`lmdb:${join(tmp, 'longkey')}`);
  try {
    const u = await store.openUnit('u');
    await assert.rejects(u.commit([[b(1), b(1)], [new Uint8Array(3000), b(1)]]), /too long/);
    assert.equal(u.get(b(1)), undefined);
  } finally {
    await store.close();
  }
});

test('openStore: specs', async () => {
  const m = await openStore('memory');
  assert.ok(m instanceof MemoryStore);
  const adapter = { openUnit: async () => null, units: async () => [], close: async () => {} };
  assert.equal(await openStore(adapter), adapter, 'an adapter object is returned as is');
  await assert.rejects(openStore('nope'), /unknown store "nope": expected 'memory', 'indexeddb'/);
  await assert.rejects(openStore('lmdb:'), /LMDB directory is empty/);
  await assert.rejects(openStore('indexeddb'), /IndexedDB is not available here/);
  await assert.rejects(openStore('indexeddb:x'), /IndexedDB is not available here/);
  await assert.rejects(openStore('indexeddb:'), /database name is empty/);
  await assert.rejects(openStore({ openUnit() {} }), /no units\(\) method/);
  await assert.rejects(openStore(undefined), /expected 'memory'/);
  await assert.rejects(openStore(42), /expected 'memory'/);
});

/** A racer child process on dir/unit, with a line-at-a-time interface. */
async function racer(dir, unit) {
  const child = spawn(process.execPath, [RACER, dir, unit], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const queue = [];
  const waiting = [];
  lines.on('line', (l) => (waiting.length ? waiting.shift()(l) : queue.push(l)));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : Promise.race([new Promise((r) => waiting.push(r)), exited.then((c) => { throw new Error(`racer exited (${c})`); })]));
  assert.equal(await next(), 'ready');
  return { send: (l) => child.stdin.write(`${l}\n`), next, quit: async () => { child.stdin.end('quit\n'); return exited; } };
}

const hex = (u) => (u === undefined ? '-' : Buffer.from(u).toString('hex'));

// Node has BroadcastChannel but no IndexedDB; with a polyfill (here a stub that opens at
// once), an IndexedDB store left open must not keep the process from ending.
test('an IndexedDB store left open in Node lets the process end', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    globalThis.indexedDB = { open() {
      const req = { result: { close() {}, objectStoreNames: { contains: () => true } } };
      queueMicrotask(() => req.onsuccess());
      return req;
    } };
    const { openStore } = await import(${JSON.stringify(new URL('../js/store.js', import.meta.url).href)});
    const store = await openStore('indexeddb:x');
    console.log(store.news.channel !== null ? 'open, with a channel' : 'no channel');`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
  const [code, signal] = await new Promise((resolve) => child.on('exit', (c, sig) => resolve([c, sig])));
  clearTimeout(timer);
  assert.equal(out.trim(), 'open, with a channel');
  assert.deepEqual([code, signal], [0, null], 'the process ended by itself');
});

test('lmdb: two processes, one guard: exactly one of two racing commits wins, every round', { timeout: 60000 }, async (t) => {
  const dir = join(tmp, 'race');
  const store = await openStore(`lmdb:${dir}`);
  const u = await store.openUnit('race');
  const child = await racer(dir, 'race');
  try {
    const ver = s('ver');
    const wins = { parent: 0, child: 0 };
    for (let round = 0; round < 30; round++) {
      const expect = u.get(ver);
      const next = b(round + 1);
      child.send(`round ${round} ${hex(expect)} ${hex(next)}`);
      // A small random delay, so either side gets to be first.
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      const mine = await u.commit([[ver, next], [s('who'), s('parent')]], { key: ver, expect }).then(() => true, (e) => {
        assert.equal(e.conflict, true, String(e));
        return false;
      });
      const theirs = await child.next();
      assert.match(theirs, new RegExp(`^${round} (ok|conflict)$`));
      const childWon = theirs.endsWith('ok');
      assert.notEqual(mine, childWon, `round ${round}: exactly one wins (parent ${mine}, child ${theirs})`);
      await u.refresh();
      assert.deepEqual(u.get(ver), next);
      assert.deepEqual(u.get(s('who')), s(childWon ? 'child' : 'parent'));
      wins[childWon ? 'child' : 'parent']++;
    }
    assert.equal(wins.parent + wins.child, 30);
    t.diagnostic(`wins: parent ${wins.parent}, child ${wins.child}`);
  } finally {
    await child.quit();
    await store.close();
  }
});

test('lmdb: two processes incrementing one counter with guarded commits lose no update', { timeout: 60000 }, async (t) => {
  const dir = join(tmp, 'increments');
  const store = await openStore(`lmdb:${dir}`);
  const u = await store.openUnit('inc');
  const child = await racer(dir, 'inc');
  const key = s('counter');
  const dec = new TextDecoder();
  const N = 150;
  try {
    child.send(`inc ${N}`);
    let conflicts = 0;
    for (let i = 0; i < N; i++) {
      for (;;) {
        const cur = u.get(key);
        const n = cur === undefined ? 0 : Number(dec.decode(cur));
        try {
          await u.commit([[key, s(String(n + 1))]], { key, expect: cur });
          break;
        } catch (e) {
          assert.equal(e.conflict, true, String(e));
          conflicts++;
          await u.refresh();
        }
      }
    }
    const done = await child.next();
    assert.match(done, /^inc done \d+$/);
    await u.refresh();
    t.diagnostic(`conflicts retried: parent ${conflicts}, child ${done.split(' ')[2]}`);
    assert.equal(dec.decode(u.get(key)), String(2 * N), `no lost update (conflicts: parent ${conflicts}, child ${done.split(' ')[2]})`);
  } finally {
    await child.quit();
    await store.close();
  }
});

// Cu.create opens a store from its spec while it compiles the module; when anything after
// that fails, the store it opened must not stay open (here: LMDB's files).
test('a Cu.create that fails closes the LMDB store it opened from its spec', async () => {
  const dir = join(tmp, 'failed-create');
  const openFiles = () => readdirSync('/proc/self/fd').filter((fd) => {
    try { return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir); } catch { return false; }
  }).length;
  const ok = await Cu.create({ store: `lmdb:${dir}` });
  assert.ok(openFiles() > 0, 'an open unit keeps its store open');
  await ok.close();
  assert.equal(openFiles(), 0);
  await assert.rejects(Cu.create({ store: `lmdb:${dir}`, module: join(dir, 'missing.wasm') }), /cannot load/);
  assert.equal(openFiles(), 0, 'the failed create closed its store');
});
