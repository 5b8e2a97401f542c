// serve.js: a static file server for browser tests, bound to 127.0.0.1 on a free port.
// It serves the repository with the MIME types ES modules and wasm need.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.lua': 'text/plain' };

/** @returns {Promise<{ url: string, close: () => Promise<void> }>} */
export async function serve(headers = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path.includes('..')) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(join(ROOT, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', ...headers }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Debian's Chromium with the flags these machines need (toolchain.md §9); never a downloaded browser. */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
};

/**
 * Serves the repository, opens Chromium and hands a fresh page to fn; everything is
 * closed afterwards. Errors thrown by the page are collected in `errors`.
 * @param {(page: import('playwright-core').Page, ctx: { url: string, errors: string[] }) => Promise<any>} fn
 * @param {{ headers?: object, userDataDir?: string }} [options]  userDataDir: a persistent profile
 */
export async function withPage(fn, { headers = {}, userDataDir } = {}) {
  const { chromium } = await import('playwright-core');
  const server = await serve(headers);
  const context = userDataDir ? await chromium.launchPersistentContext(userDataDir, CHROMIUM) : null;
  const browser = context ? null : await chromium.launch(CHROMIUM);
  try {
    const page = await (context ?? browser).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return await fn(page, { url: server.url, errors });
  } finally {
    await (context ?? browser).close();
    await server.close();
  }
}
