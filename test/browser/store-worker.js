// store-worker.js: runs the store conformance suite inside a module Worker.
import { conformance } from './store-checks.js';

conformance('worker').then((r) => postMessage(r), (e) => postMessage([{ name: 'worker', error: String(e) }]));
