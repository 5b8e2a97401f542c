// browser.js: runs benchmark jobs in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is downloaded). Files are served from the repo
// by a small HTTP server on 127.0.0.1. Each job gets a freshly launched browser, so
// every job is a cold process with an empty cache, like the Node child processes.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve, extname, sep } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const ALLOWED = ['js/', 'dist/', 'bench/', 'build/bench/', 'node_modules/wasmoon/dist/'];
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.lua': 'text/plain' };
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function startServer() {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname).slice(1);
    const file = resolve(ROOT, path);
    if (!file.startsWith(ROOT + sep) || !ALLOWED.some((p) => path.startsWith(p))) { res.writeHead(404).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch { res.writeHead(404).end(); }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, base: `http://127.0.0.1:${server.address().port}` };
}

/** Runs one job in a fresh browser; returns its result and the browser version. */
export async function runInChromium(base, job, extraArgs = []) {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/bench/page.html`);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
    const result = await page.evaluate((j) => window.benchJob(j), job);
    return { result, version: browser.version(), errors };
  } finally {
    await browser.close();
  }
}
