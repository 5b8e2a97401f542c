// module.js: finds and compiles cu.wasm once per process or page; every unit is a new
// instance of the same WebAssembly.Module, with its own memory, and a closed unit's
// memory is cleared and kept for the next unit of the same size.

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
 * A new instance, made at once where the engine allows it. V8's asynchronous
 * `WebAssembly.instantiate` resolves only after the compile work it has queued on the
 * main thread, so while the module tiers up a unit waited 1-5 ms, and once 30 ms, for
 * an instantiation that takes 0.05 ms (docs/benchmarks.md §4). A browser may refuse to
 * instantiate a large module synchronously on its main thread (a RangeError): then the
 * asynchronous call it asks for.
 */
export function instantiate(module, imports) {
  try {
    return new WebAssembly.Instance(module, imports);
  } catch (err) {
    if (err instanceof RangeError) return WebAssembly.instantiate(module, imports);
    throw err;
  }
}

const PAGE = 65536;
/** Spare memories by byte size. A fresh WebAssembly.Memory costs more than the rest of a
    new unit together: the engine reserves its address space, the first touch of each
    page faults, and every new memory adds to the external memory that makes V8 collect
    (docs/benchmarks.md §4). A closed unit's memory is cleared and reused instead. */
const spare = new Map();
let spareBytes = 0;
/** Closed units' memories kept at most, in bytes; beyond it they go to the collector. */
const SPARE_MAX = 16 * 1024 * 1024;
/** dlmalloc writes a chunk header just past the highest block and a foot at the end of
    the memory; these margins cover both (test/module.test.js checks every byte). */
const SLACK = 4096;

/** Where an instance may have written in a memory of `bytes` bytes, from `from` up to the
    end of what it wrote (`written`), and dlmalloc's foot at the end of the memory. */
function writtenRanges(bytes, from, written) {
  return [[from, Math.min(bytes, written + SLACK)], [Math.max(written + SLACK, bytes - SLACK), bytes]];
}

/** A memory of `bytes` bytes (a multiple of 64 KiB) that reads as zeros: a closed unit's, or a new one. */
export function takeMemory(bytes) {
  const memory = spare.get(bytes)?.pop();
  if (memory === undefined) return new WebAssembly.Memory({ initial: bytes / PAGE, maximum: bytes / PAGE });
  spareBytes -= bytes;
  return memory;
}

/**
 * Keeps a closed unit's memory for the next unit, cleared. `written` is the end of what
 * the instance wrote: its stack, data and the heap's high-water mark (cu.c's stats); the
 * rest of the memory was never touched, so clearing costs what the unit used, not its size.
 */
export function giveMemory(memory, written) {
  const bytes = memory.buffer.byteLength;
  if (spareBytes + bytes > SPARE_MAX) return;
  const u8 = new Uint8Array(memory.buffer);
  for (const [from, to] of writtenRanges(bytes, 0, written)) u8.fill(0, from, to);
  if (!spare.has(bytes)) spare.set(bytes, []);
  spare.get(bytes).push(memory);
  spareBytes += bytes;
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

/** Images of units that had just started, by module, then by memory size and library
    profile: what the unit's memory held from its data up (below is the shadow stack,
    unused between calls), and the host's side of it. src/image.c says why. */
const images = new WeakMap();
/** Images kept at most per module (each some 60 KB); a unit of any other size or profile
    starts Lua itself. */
const IMAGES_MAX = 16;

/**
 * Keeps the image of a unit that init has just started, unless one is kept already.
 * `base` is where its data starts (the stack pointer between calls), `written` the end
 * of what it wrote; `host` is whatever the host must restore along with it.
 */
export function keepImage(module, key, memory, base, written, host) {
  if (!images.has(module)) images.set(module, new Map());
  const kept = images.get(module);
  if (kept.has(key) || kept.size >= IMAGES_MAX) return;
  const u8 = new Uint8Array(memory.buffer);
  const parts = writtenRanges(u8.length, base, written).map(([from, to]) => ({ from, bytes: u8.slice(from, to) }));
  kept.set(key, { parts, host });
}

/** The image kept for `key`, or undefined. */
export const findImage = (module, key) => images.get(module)?.get(key);

/** Writes an image into the memory of a new instance (one that reads as zeros above its data). */
export function copyImage(image, memory) {
  const u8 = new Uint8Array(memory.buffer);
  for (const { from, bytes } of image.parts) u8.set(bytes, from);
}

