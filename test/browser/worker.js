// worker.js: runs the smoke checks in a dedicated Worker and posts the results back.
import { smoke } from './smoke.js';
smoke().then((r) => postMessage(r), (e) => postMessage({ error: String(e) }));
