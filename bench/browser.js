// browser.js: runs benchmark jobs in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; no browser is downloaded). Files are served from the repo
// on 127.0.0.1 by web/serve.js. Each job gets a freshly launched browser, so
// every job is a cold process with an empty cache, like the Node child processes.
import { chromium } from 'playwright-core';
import { CHROMIUM } from '../test/browser/serve.js';
import { startServer as serve, ISOLATION } from '../web/serve.js';

// The repository's one static server (web/serve.js), the same the playground and the
// browser tests use. Cross-origin isolated: there Chromium's performance.now() counts in
// 5 µs steps instead of 100 µs, which a unit's start-up (a few tenths of a ms) needs.
export const startServer = () => serve({ headers: ISOLATION });

/** Runs one job in a fresh browser; returns its result and the browser version. */
export async function runInChromium(base, job, extraArgs = []) {
  const browser = await chromium.launch({ ...CHROMIUM, args: [...CHROMIUM.args, ...extraArgs] });
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
