// differential.test.js: the conformance script's output from cu.wasm must be
// byte-identical to the same runtime built natively with gcc (build/native/cu-lua).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Cu } from '../js/index.js';

const script = new URL('./lua/conformance.lua', import.meta.url).pathname;
const native = new URL('../build/native/cu-lua', import.meta.url).pathname;

test('cu.wasm and the native build print the same bytes', async () => {
  const expected = execFileSync(native, [script]);
  const cu = await Cu.create();
  const chunks = [];
  await cu.run(readFileSync(script), { onOutput: (text, stream, bytes) => chunks.push(bytes) });
  const actual = Buffer.concat(chunks);
  assert.ok(expected.length > 2500, `the script printed ${expected.length} bytes natively`);
  for (const section of ['== string.format', '== numbers', '== string.pack', '== coroutines', '== utf8', '1970-01-02 00:00:00'])
    assert.ok(expected.includes(section), section);
  const want = expected.toString('latin1').split('\n');
  const got = actual.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(want.length, got.length); i++) assert.equal(got[i], want[i], `line ${i + 1}`);
  assert.ok(actual.equals(expected));
});
