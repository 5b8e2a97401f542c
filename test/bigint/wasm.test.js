// wasm.test.js: bigint through the real wasm module (where the SIMD multiplication
// kernel runs, which the native GMP oracle cannot reach), checked against JS BigInt.
// Run: node --test test/bigint/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Cu } from '../../js/index.js';

const cu = await Cu.create({ memory: 32 * 1024 * 1024 });

let seed = 12345;
const rnd = (n) => { seed = (seed * 48271) % 2147483647; return seed % n; };

function operand(maxDigits) {
  const kind = rnd(10);
  let v;
  if (kind < 6) {
    const d = 1 + rnd(rnd(4) === 0 ? maxDigits : 60);
    let s = String(1 + rnd(9));
    for (let i = 1; i < d; i++) s += String(rnd(10));
    v = BigInt(s);
  } else if (kind < 8) { // powers of two and neighbours, limb boundaries first
    const k = rnd(2) ? [31, 32, 33, 63, 64, 65, 96, 128, 2048, 3200][rnd(10)] : rnd(maxDigits * 3);
    v = (1n << BigInt(k)) + BigInt(rnd(3) - 1);
  } else if (kind < 9) {
    v = (1n << BigInt(32 * (1 + rnd(300)))) - 1n; // all ones: carries everywhere
  } else {
    v = BigInt(rnd(1000));
  }
  return rnd(2) ? -v : v;
}

const hex = (x) => x.toString(16);
const lit = (x) => `B("${x < 0n ? '-0x' + hex(-x) : '0x' + hex(x)}")`;
function floorDiv(a, b) {
  let q = a / b;
  if (a % b !== 0n && (a < 0n) !== (b < 0n)) q -= 1n;
  return [q, a - q * b];
}

const OPS = [
  ['*', (a, b) => a * b], ['+', (a, b) => a + b], ['-', (a, b) => a - b],
  ['//', (a, b) => floorDiv(a, b)[0]], ['%', (a, b) => floorDiv(a, b)[1]],
  ['&', (a, b) => a & b], ['|', (a, b) => a | b], ['~', (a, b) => a ^ b],
];

test('arithmetic, bitwise and conversions match JS BigInt', async () => {
  let cases = 0;
  for (let batch = 0; batch < 60; batch++) {
    const lines = [], expected = [];
    for (let i = 0; i < 100; i++) {
      const a = operand(4000), b = operand(rnd(3) ? 2000 : 4000), k = rnd(12);
      if (k < OPS.length) {
        const [op, f] = OPS[k];
        if ((op === '//' || op === '%') && b === 0n) continue;
        lines.push(`H(${lit(a)} ${op} ${lit(b)})`);
        expected.push(hex(f(a, b)));
      } else if (k === 8) {
        lines.push(`H(${lit(a)} * ${lit(a)})`); // squaring
        expected.push(hex(a * a));
      } else if (k === 9) {
        const s = rnd(3000);
        lines.push(`H(${lit(a)} << ${s}) .. ":" .. H(${lit(a)} >> ${s})`);
        expected.push(`${hex(a << BigInt(s))}:${hex(a >> BigInt(s))}`);
      } else if (k === 10) {
        lines.push(`tostring(${lit(a)})`); // decimal out
        expected.push(a.toString());
      } else {
        lines.push(`H(B("${a.toString()}"))`); // decimal in
        expected.push(hex(a));
      }
    }
    const code = `local B = bigint\nlocal function H(x) return x:tostring(16) end\nreturn table.concat({\n${lines.join(',\n')}\n}, ",")`;
    const got = (await cu.compute(code)).split(',');
    assert.equal(got.length, expected.length);
    for (let i = 0; i < got.length; i++) assert.equal(got[i], expected[i], `case: ${lines[i].slice(0, 200)}`);
    cases += got.length;
  }
  assert.ok(cases > 5000);
});

test('the error cases and semantics of errors.lua hold in wasm too', async () => {
  const src = readFileSync(new URL('errors.lua', import.meta.url), 'utf8');
  const out = await cu.compute(`local fails, n = {}, 0
function check(c, name) n = n + 1 if not c then fails[#fails + 1] = name end end
${src}
return n .. " checks, " .. #fails .. " failed: " .. table.concat(fails, " | ")`);
  assert.match(out, /^\d+ checks, 0 failed: $/);
});

test('bigint is a global and a module in every profile', async () => {
  assert.equal(await cu.compute('return type(bigint)'), 'table');
  assert.equal(await cu.compute('return require("bigint") == bigint'), true);
  const full = await Cu.create({ stdlib: 'full' });
  assert.equal(await full.compute('return tostring(bigint(7) ^ 30)'), String(7n ** 30n));
});

test('a bigint result becomes a JS BigInt', async () => {
  const x = 2n ** 200n + 12345n;
  assert.equal(await cu.compute('return bigint(2)^200 + 12345'), x);
  assert.equal(await cu.compute('return -bigint(2)^70'), -(2n ** 70n));
  assert.equal(await cu.compute('return bigint(0)'), 0n);
  assert.deepEqual(await cu.compute('return {bigint(5), {x = bigint("-0xff")}}'), [5n, { x: -255n }]);
  const err = await cu.compute('error(bigint(10)^30)').catch((e) => e);
  assert.equal(err.value, 10n ** 30n);
});

test('Toom-3 around its threshold and the cached decimal powers, in wasm', async () => {
  const limbs = (n) => { // n random 32-bit limbs, the top one non-zero
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 32n) | BigInt(1 + rnd(2 ** 31 - 1)) * 2n + BigInt(rnd(2));
    return v;
  };
  const lines = [], expected = [];
  for (const n of [199, 200, 201, 349, 350, 600, 601, 1050, 1051, 3200]) {
    const a = limbs(n), b = rnd(2) ? limbs(n) : (1n << BigInt(32 * n)) - 1n;
    lines.push(`H(${lit(a)} * ${lit(b)})`, `H(${lit(a)} * ${lit(a)})`);
    expected.push(hex(a * b), hex(a * a));
  }
  // tostring twice (the second from the cache), then after a collection freed the cache
  for (const n of [1039, 9000, 1039, 5000]) {
    const a = limbs(n);
    lines.push(`tostring(${lit(a)})`, `tostring(${lit(-a)})`, 'tostring(collectgarbage() and 0)');
    expected.push(a.toString(), (-a).toString(), '0');
  }
  const code = `local B = bigint\nlocal function H(x) return x:tostring(16) end\nreturn table.concat({\n${lines.join(',\n')}\n}, ",")`;
  const got = (await cu.compute(code)).split(',');
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) assert.equal(got[i], expected[i], `case ${i}: ${lines[i].slice(0, 80)}`);
});

// The decimal conversion's scratch: each level's division scratch is given back before
// the halves convert, and each power's squaring scratch before the next squaring.
// tostring of 7^40000 (14 KB) took 1.12 MB of the default unit's 1.6 MiB cap, 80 times
// its size, and 7^60000 (21 KB) did not fit; now both fit, and print right.
test('tostring of a 21 KB number fits the default unit', async () => {
  // peaks, a fresh unit each: 358 KB and 658 KB now; 677 KB and 1.26 MB without the
  // first change, 592 KB and 1.14 MB without the second
  for (const [e, peak] of [[40000, 450e3], [60000, 900e3]]) {
    const unit = await Cu.create();
    const r = await unit.run(`local a = bigint(7)^${e} collectgarbage() local s = tostring(a) return s:sub(1, 20), s:sub(-20), #s`);
    const s = (7n ** BigInt(e)).toString();
    assert.deepEqual(r.values, [s.slice(0, 20), s.slice(-20), s.length], `7^${e}`);
    assert.ok(r.stats.memoryPeak < peak, `7^${e}: peak ${r.stats.memoryPeak}`);
    unit.close();
  }
});
