// bundle.test.js: dist/cu.js, js/ bundled into one minified module for browsers (made by
// `make build`), also loads and works in Node: through the package's export
// `cu/dist/cu.js`, with class names kept, an LMDB store opened through its lazy Node
// imports, and a CuWorker whose worker is dist/worker-host.js. The browser tests load
// the same bundle in Chromium (browser-home, browser-worker).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bundle = await import('cu/dist/cu.js');

test('the bundle is one self-contained module: only dynamic imports, a source map beside it', async () => {
  // esbuild reads the bundle back and lists its imports by kind
  const { build } = await import('esbuild');
  for (const file of ['dist/cu.js', 'dist/worker-host.js']) {
    const { metafile } = await build({ entryPoints: [file], bundle: true, external: ['*'], metafile: true, write: false, format: 'esm', logLevel: 'silent' });
    const imports = metafile.inputs[file].imports;
    assert.ok(imports.some((i) => i.path === 'lmdb'), `${file}: the imports were read`);
    const fetched = imports.filter((i) => i.kind !== 'dynamic-import').map((i) => i.path);
    assert.deepEqual(fetched, [], `${file}: a static import would be fetched, or fail, before the module runs in a browser`);
  }
  const text = readFileSync(new URL('../dist/cu.js', import.meta.url), 'utf8');
  assert.match(text, /\/\/# sourceMappingURL=cu\.js\.map\s*$/);
  const map = JSON.parse(readFileSync(new URL('../dist/cu.js.map', import.meta.url), 'utf8'));
  assert.ok(map.sources.some((s) => s.endsWith('js/cu.js')), 'the map points into js/');
});

test('the bundle in Node: computes, errors and values, with class names kept', async () => {
  const { Cu, CuError, LuaOpaque } = bundle;
  const cu = await Cu.create({ store: 'none' });
  try {
    assert.equal(await cu.compute('return 6 * 7'), 42);
    const err = await cu.compute('error("boom")').then(() => null, (e) => e);
    assert.ok(err instanceof CuError);
    assert.equal(err.kind, 'runtime');
    assert.equal(err.constructor.name, 'CuError');
    assert.equal(LuaOpaque.name, 'LuaOpaque');
    assert.ok((await cu.compute('return print')) instanceof LuaOpaque);
  } finally {
    await cu.close();
  }
});

test('the bundle in Node: an LMDB home in a directory it creates survives the unit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cu-bundle-'));
  try {
    const store = `lmdb:${join(dir, 'a', 'b')}`;
    for (const want of [1, 2]) {
      const cu = await bundle.Cu.create({ store, name: 'bundle' });
      assert.equal(await cu.compute('_home.n = (_home.n or 0) + 1 return _home.n'), want);
      await cu.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle in Node: CuWorker runs dist/worker-host.js, and interrupt stops a loop', { timeout: 30000 }, async () => {
  const w = await bundle.CuWorker.create({ store: 'memory', limits: { instructions: Infinity, timeMs: Infinity } });
  try {
    assert.equal(await w.compute('x = 1 return x'), 1);
    const job = w.compute('while true do end');
    setTimeout(() => w.interrupt(), 100);
    await assert.rejects(job, (e) => e.kind === 'limit' && /interrupted/.test(e.message));
    assert.equal(await w.compute('return x + 1'), 2);
  } finally {
    await w.close();
  }
});
