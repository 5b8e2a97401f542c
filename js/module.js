// module.js: finds and compiles cu.wasm once per process or page; every unit is a new
// instance of the same WebAssembly.Module, with its own memory.

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const defaultUrl = new URL('../dist/cu.wasm', import.meta.url);
/** @type {Map<string, Promise<WebAssembly.Module>>} */
const cache = new Map();

/**
 * Compiles straight to optimized code in Node, and all of it at once (V8's --no-liftoff
 * and --no-wasm-lazy-compilation): Lua's interpreter loop is one function that V8 cannot
 * swap for its optimized version while it runs, so with the default tiering a long first
 * compute stays in baseline code; and compiling each function when it is first called
 * would still stall a first compute on every library function it reaches. The flags are
 * process-wide and apply to modules compiled after them; the first compile takes about
 * 140 ms instead of 3 (docs/benchmarks.md). Browsers tier up by themselves.
 */
export async function optimizeCompiles() {
  if (!isNode) return;
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--no-liftoff');
  v8.setFlagsFromString('--no-wasm-lazy-compilation');
}

/**
 * @param {WebAssembly.Module|BufferSource|URL|string} [source]  default: dist/cu.wasm beside this package
 * @returns {Promise<WebAssembly.Module>}
 */
export function compileModule(source) {
  if (source instanceof WebAssembly.Module) return Promise.resolve(source);
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const url = source === undefined ? defaultUrl : new URL(String(source), isNode ? `file://${process.cwd()}/` : globalThis.location?.href);
  const key = url.href;
  if (!cache.has(key)) {
    const compiled = load(url).catch((err) => {
      cache.delete(key);
      throw new Error(`cu: cannot load ${url.href}: ${err.message} (run \`make build\`)`, { cause: err });
    });
    cache.set(key, compiled);
  }
  return cache.get(key);
}

async function load(url) {
  if (isNode && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return WebAssembly.compile(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  if (WebAssembly.compileStreaming && response.headers.get('content-type')?.startsWith('application/wasm'))
    return WebAssembly.compileStreaming(response);
  return WebAssembly.compile(await response.arrayBuffer());
}
