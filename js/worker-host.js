// worker-host.js: the worker's side of CuWorker (js/worker.js): one Cu, driven by
// messages, with the interrupt flag shared with the calling thread.
import { Cu } from './cu.js';
import { toWire, fromWire } from './wire.js';
import { CuError } from './errors.js';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let post;
let listen;
if (isNode) {
  const { parentPort } = await import('node:worker_threads');
  post = (m) => parentPort.postMessage(m);
  listen = (fn) => parentPort.on('message', fn);
} else {
  post = (m) => self.postMessage(m);
  listen = (fn) => { self.onmessage = (e) => fn(e.data); };
}

let cu = null;
let current = 0;  // the id of the compute running now, for the interrupt flag

async function handle({ id, op, args }) {
  switch (op) {
    case 'create': {
      const [options, flag, wantOutput, wantStoreChange] = args;
      cu = await Cu.create({
        ...options,
        interrupt: flag ? { flag, current: () => current } : undefined,
        onOutput: wantOutput ? (text, stream) => post({ output: [text, stream] }) : undefined,
        onStoreChange: wantStoreChange ? () => post({ storeChange: true }) : undefined,
      });
      return null;
    }
    case 'compute': case 'run': {
      current = id;
      try {
        return await cu[op](...args);
      } finally {
        current = 0;
      }
    }
    case 'close': await cu?.close(); cu = null; return null;
    default: return cu[op](...args);
  }
}

// One message at a time, in order: 'create' is asynchronous, and nothing may overtake it.
let queue = Promise.resolve();
listen((m) => {
  queue = queue.then(async () => {
    try {
      post({ id: m.id, value: toWire(await handle({ ...m, args: fromWire(m.args) })) });
    } catch (err) {
      const e = err instanceof CuError
        ? { kind: err.kind, message: err.message, traceback: err.traceback, ...('value' in err ? { value: toWire(err.value) } : {}) }
        : { name: err?.name, message: err?.message ?? String(err) };
      post({ id: m.id, error: e });
    }
  });
});
