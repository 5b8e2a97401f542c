// serve.js: the one static file server of the repository, bound to 127.0.0.1. `make serve`
// runs it with cross-origin isolation (so CuWorker.interrupt works through shared memory)
// and opens the playground at /; the browser tests (test/browser/serve.js) start the same
// server on a free port, with or without those headers.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const TYPES = {
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html; charset=utf-8', '.wasm': 'application/wasm',
  '.json': 'application/json', '.css': 'text/css', '.lua': 'text/plain; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png',
};
/** COOP/COEP: the page becomes cross-origin isolated, which SharedArrayBuffer needs. */
export const ISOLATION = Object.freeze({ 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });

/**
 * Serves the repository: / is the playground (web/index.html). Paths with a dot-segment
 * (.git, .cu, ..) are refused, since the server exposes a working tree.
 * @param {{ port?: number, headers?: object }} [options]  port 0: any free port
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startServer({ port = 0, headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    let path;
    try {
      path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.split('/').some((s) => s.startsWith('.'))) { res.writeHead(403).end(); return; }
    if (path === '/') path = '/web/index.html';
    try {
      const body = await readFile(join(ROOT, path));
      // no-store: a reload always sees what `make` just built
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...headers }).end(body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

// `node web/serve.js` (make serve): the playground on PORT (default 8765, or any free port if taken).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const wanted = Number(process.env.PORT ?? 8765);
  const s = await startServer({ port: wanted, headers: ISOLATION })
    .catch((e) => (e.code === 'EADDRINUSE' ? startServer({ headers: ISOLATION }) : Promise.reject(e)));
  console.log(`Cu playground: ${s.url}/   (Ctrl+C to stop)`);
}
