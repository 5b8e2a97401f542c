// index.d.ts: types of the cu package (js/index.js).

/** A Lua value converted to JS (docs/api.md, "Values"). */
export type LuaValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | LuaValue[]
  | { [key: string]: LuaValue }
  | Map<LuaValue, LuaValue>
  | LuaOpaque;

export type CuErrorKind = 'syntax' | 'runtime' | 'memory' | 'limit' | 'host' | 'store' | 'conflict';
export type OutputStream = 'stdout' | 'stderr' | 'warn';

export interface Limits {
  /** Instruction budget per compute (VM instructions plus pattern-matching steps); Infinity or null for none. Default 1e9. */
  instructions?: number | null;
  /** Wall-clock limit per compute in milliseconds; Infinity or null for none. Default 5000. */
  timeMs?: number | null;
}

export interface CuOptions {
  /** Fixed size of the unit's linear memory in bytes, rounded up to 64 KiB pages (512 KiB to 4 GiB). Default 2 MiB. */
  memory?: number;
  limits?: Limits;
  /** Library profile. Default 'sandbox'. */
  stdlib?: 'sandbox' | 'full';
  /** Receives output as it is printed: decoded text, the stream, and the raw bytes. */
  onOutput?: (text: string, stream: OutputStream, bytes: Uint8Array) => void;
  /** Called when another writer commits to the unit's store records, as soon as this process hears of it: another tab, worker or IndexedDB connection; another LMDB store or worker thread of this process; another unit on the same store object. Never for the unit's own commits, nor for other OS processes' (LMDB). The next compute reads the new version. The store holds the listener, so a unit with one is freed only by close() (docs/api.md). */
  onStoreChange?: () => void;
  /** The compiled module, or where to load cu.wasm from. Default: dist/cu.wasm beside the package. */
  module?: WebAssembly.Module | BufferSource | URL | string;
  /** Where _home is kept (docs/persistence.md). Default: 'indexeddb' in browsers, 'none' elsewhere. */
  store?: 'none' | 'memory' | 'indexeddb' | `indexeddb:${string}` | `lmdb:${string}` | KvStore;
  /** The unit's name inside the store. Default 'default'. */
  name?: string;
  /** 'optimized' (Node): compile the whole module to optimized code first; a first long compute runs as fast as later ones, for about 140 ms more at the process's first compile. Default 'default'. */
  tier?: 'default' | 'optimized';
  /** Makes the unit's randomness (string-hash order and math.random, also after math.randomseed()) reproducible: 0 to 2^64 - 1. Default: a fresh cryptographic seed per unit. */
  seed?: number | bigint;
}

/** A storage adapter (docs/stores.md): records of bytes, read synchronously, committed atomically. */
export interface KvStore {
  /** With { lazy: true } a store that reads asynchronously may give a lazy unit (Cu asks for one where JSPI exists). */
  openUnit(name: string, options?: { lazy?: boolean }): Promise<KvUnit>;
  units(): Promise<string[]>;
  close(): Promise<void>;
}

export interface KvUnit {
  get(key: Uint8Array): Uint8Array | undefined;
  range(prefix: Uint8Array): Iterable<[Uint8Array, Uint8Array]>;
  commit(writes: Array<[Uint8Array, Uint8Array | undefined]>, guard?: { key: Uint8Array; expect: Uint8Array | undefined }): Promise<void>;
  refresh(): Promise<void>;
  clear(): Promise<void>;
  /** Optional: whether key's value is exactly bytes (undefined: absent), without copying it. */
  holds?(key: Uint8Array, bytes: Uint8Array | undefined): boolean;
  /** Optional: whether another writer (a tab, a process) has committed to the unit since it was opened or refreshed, as far as the adapter has been told; then Cu refreshes before the next compute. The IndexedDB store has it. */
  changed?(): boolean;
  /** Optional: calls listener after each commit to the unit through another unit object; returns the function that stops it (docs/stores.md). */
  watch?(listener: () => void): () => void;
  /** A lazy unit: get and range throw a StoreMiss for records not read yet, and fetch reads them. */
  lazy?: boolean;
  fetch?(miss: StoreMiss, guard?: { key: Uint8Array; expect: Uint8Array | undefined }): Promise<void>;
}

/** What a lazy unit's get or range throws for records it has not read yet. */
export class StoreMiss extends Error {
  constructor(keys: Uint8Array[], prefixes: Uint8Array[]);
  keys: Uint8Array[];
  prefixes: Uint8Array[];
  with(other: StoreMiss): StoreMiss;
}

export interface ComputeOptions {
  /** Overrides the unit's limits for this compute. */
  limits?: Limits;
  /** Chunk name used in messages and tracebacks. Default 'input'. */
  name?: string;
  /** Overrides the unit's onOutput for this compute. */
  onOutput?: CuOptions['onOutput'];
  /** Sets _io.input first, as setInput does. */
  input?: unknown;
}

export interface RunResult {
  /** Every value the chunk returned. */
  values: LuaValue[];
  /** The indexes in values of Lua floats: a JS number cannot tell 4.0 from 4 (showLua's isFloat). */
  floats: number[];
  /** For each table in values and in ioOutput (at any depth), the keys (array indexes from 0) of its values that were integral Lua floats (showLua's innerFloats). */
  innerFloats: Map<object, Set<unknown>>;
  /** Everything print (and io.write in 'full') wrote to stdout. */
  output: string;
  /** Warnings: from warn() after warn("@on"), and every error raised in a finalizer. */
  warnings: string[];
  /** What the compute assigned to _io.output, converted; null if nothing. */
  ioOutput: LuaValue;
  /** Whether ioOutput itself was a Lua float (showLua's isFloat), as floats tells for values. */
  ioOutputFloat: boolean;
  stats: { instructions: number; memoryPeak: number; ms: number };
}

export interface MemoryStats {
  /** Bytes Lua holds now. */
  used: number;
  /** Most bytes Lua ever held. */
  peak: number;
  /** Lua's allocations fail beyond this many bytes. */
  limit: number;
  /** The fixed size of the wasm memory; it never changes. */
  wasmBytes: number;
}

export declare const DEFAULTS: Readonly<{ memory: number; limits: Readonly<{ instructions: number; timeMs: number }>; stdlib: 'sandbox' }>;

export declare class Cu {
  static create(options?: CuOptions): Promise<Cu>;
  /** Runs a chunk; resolves to its first return value (undefined when it returns nothing). */
  compute(code: string | Uint8Array, options?: ComputeOptions): Promise<LuaValue | undefined>;
  /** Runs a chunk; resolves to all of its results, its output and figures. */
  run(code: string | Uint8Array, options?: ComputeOptions): Promise<RunResult>;
  getMemoryStats(): MemoryStats;
  /** A full garbage collection; returns the statistics afterwards. */
  gc(): MemoryStats;
  /** Frees the unit once its queued computes are done: its memory, cleared, goes to the
      next unit of the same size, and its store is closed if the unit opened it. A second
      call returns the same promise. */
  close(): Promise<void>;
  /** Keeps a consistent copy of the unit's stored state. */
  saveState(name?: string): Promise<void>;
  /** Replaces the unit's stored state with a saved copy, atomically. */
  loadState(name?: string): Promise<void>;
  listStates(): Promise<string[]>;
  deleteState(name: string): Promise<boolean>;
  /** The shadow stack pointer; constant between computes. */
  readonly stackPointer: number;

  /** _io.input for the next computes: read lazily from Lua, never copied (docs/ext.md). */
  setInput(value: unknown): void;
  /** Sets one field of _io.input; the unit keeps its own copy of the top-level object. */
  setInputField(key: string, value: unknown): void;
  /** _io.meta for the next computes. */
  setMetadata(meta: unknown): void;
  /** _io.output of the last compute (reset when each compute starts); null if none. */
  getOutput(): LuaValue;
  /** One field of _io.output. */
  getOutputField(key: string | number | boolean | bigint): LuaValue;
  /** Forgets input, metadata and output; views of the old input become stale. */
  clearIo(): void;
  /** Host tables and input views alive now, and the upvalue cells whose store keys the host keeps. */
  readonly extStats: { tables: number; views: number; cells: number };
}

export declare class CuError extends Error {
  readonly kind: CuErrorKind;
  readonly traceback: string;
  /** The error value converted to JS, when it was not a string. */
  readonly value?: LuaValue;
}

/** A Lua function, userdata or thread: described, never called. */
export declare class LuaOpaque {
  readonly type: 'function' | 'userdata' | 'thread';
  readonly description: string;
}

/**
 * A result in Lua's notation, for people to read (docs/api.md, "Showing values"):
 * {1, 2, x = {true}}, strings quoted (bare at the top with bareString), functions as
 * "function: 0x…", a table inside itself as <cycle>; deeper than maxDepth a table is {…},
 * and text beyond maxLength is cut.
 */
export declare function showLua(value: LuaValue | undefined, options?: { bareString?: boolean; maxDepth?: number; maxLength?: number; isFloat?: boolean; innerFloats?: Map<object, Set<unknown>> }): string;

/** A unit in a dedicated worker (docs/api.md, "CuWorker"): the same methods, all asynchronous, plus interrupt(). */
export declare class CuWorker {
  static create(options?: CuOptions): Promise<CuWorker>;
  /** Whether interrupt() works through shared memory (else it restarts the worker). */
  readonly sharedInterrupt: boolean;
  compute(code: string | Uint8Array, options?: ComputeOptions): Promise<LuaValue | undefined>;
  run(code: string | Uint8Array, options?: ComputeOptions): Promise<RunResult>;
  /** Stops the running compute: it fails with kind 'limit'; false if none was running. */
  interrupt(): boolean;
  getMemoryStats(): Promise<MemoryStats>;
  gc(): Promise<MemoryStats>;
  setInput(value: unknown): Promise<void>;
  setInputField(key: string, value: unknown): Promise<void>;
  setMetadata(meta: unknown): Promise<void>;
  getOutput(): Promise<LuaValue>;
  getOutputField(key: string | number | boolean | bigint): Promise<LuaValue>;
  clearIo(): Promise<void>;
  saveState(name?: string): Promise<void>;
  loadState(name?: string): Promise<void>;
  listStates(): Promise<string[]>;
  deleteState(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export declare function openStore(spec: CuOptions['store']): Promise<KvStore | null>;
export declare function compileModule(source?: CuOptions['module']): Promise<WebAssembly.Module>;
