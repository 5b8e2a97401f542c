// serve.js: what the browser tests (and bench/browser.js) share: the repository's static server (web/serve.js,
// the one `make serve` runs) on a free port of 127.0.0.1, Debian's Chromium, and withPage.
import { startServer } from '../../web/serve.js';

export { ISOLATION } from '../../web/serve.js';

/** @returns {Promise<{ url: string, close: () => Promise<void> }>} */
export function serve(headers = {}) {
  return startServer({ headers });
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
 * @param {{ headers?: object, userDataDir?: string, page?: object }} [options]  userDataDir: a
 *   persistent profile; page: Playwright context options (viewport, colorScheme, ...)
 */
export async function withPage(fn, { headers = {}, userDataDir, page: pageOptions = {} } = {}) {
  const { chromium } = await import('playwright-core');
  const server = await serve(headers);
  const browser = userDataDir ? null : await chromium.launch(CHROMIUM);
  // a context of its own, so that a test can open more tabs in it (page.context().newPage())
  const context = browser ? await browser.newContext(pageOptions) : await chromium.launchPersistentContext(userDataDir, { ...CHROMIUM, ...pageOptions });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return await fn(page, { url: server.url, errors });
  } finally {
    await (browser ?? context).close();
    await server.close();
  }
}
