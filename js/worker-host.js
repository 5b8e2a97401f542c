// worker-host.js: the worker's side of CuWorker (js/worker.js): one Cu, driven by
// messages, with the interrupt flag shared with the calling thread.
import { Cu } from './cu.js';
import { LuaOpaque } from './codec.js';
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

/** Values that a structured clone would flatten are sent as plain data. */
function plain(value) {
  if (value instanceof LuaOpaque) return { __cuOpaque: true, type: value.type, description: value.description };
  return value;
}

async function handle({ id, op, args }) {
  switch (op) {
    case 'create': {
      const [options, flag, wantOutput] = args;
      cu = await Cu.create({
        ...options,
        interrupt: flag ? { flag, current: () => current } : undefined,
        onOutput: wantOutput ? (text, stream) => post({ output: [text, stream] }) : undefined,
      });
      return null;
    }
    case 'compute': case 'run': {
      current = id;
      try {
        const r = await cu[op](...args);
        if (op === 'compute') return plain(r);
        r.values = r.values.map(plain);
        return r;
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
      post({ id: m.id, value: await handle(m) });
    } catch (err) {
      const e = err instanceof CuError
        ? { kind: err.kind, message: err.message, traceback: err.traceback, ...('value' in err ? { value: plain(err.value) } : {}) }
        : { name: err?.name, message: err?.message ?? String(err) };
      post({ id: m.id, error: e });
    }
  });
});
