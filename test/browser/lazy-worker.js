// lazy-worker.js: lazy-checks.js's Worker half, posted back to lazy-page.html.
import { workerChecks } from './lazy-checks.js';

workerChecks().then((r) => postMessage(r), (e) => postMessage({ error: String(e && e.stack ? e.stack : e) }));
