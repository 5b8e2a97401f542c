// codec.js: rebuilds the values that codec.c sends step by step (tags: src/codec.h).
// A Decoder follows the steps; ValueReader builds JS values for results, and Builder
// builds host tables for a Lua table assigned into an external table (js/ext.js).
// Strings are copied out of the unit's memory during the call; nothing else is kept.

import { StoreMiss } from './store.js';

export const TAG = Object.freeze({
  NIL: 0, FALSE: 1, TRUE: 2, INT: 3, INT64: 4, FLOAT: 5, ASCII: 6, UTF8: 7, BYTES: 8,
  ARRAY: 9, OBJECT: 10, MAP: 11, END: 12, REF: 13, FUNCTION: 14, USERDATA: 15,
  THREAD: 16, RESET: 17, BIGINT: 18, EXTREF: 19, BUILT: 20, LONG: 21, STALE: 22, READONLY: 23,
  CFUNC: 24, LFUNC: 25, UPVAL: 26, ENV: 27, FNREF: 28, MISS: 29,
});

/** A Lua function, userdata or thread: described, never called. */
// A registry symbol brands LuaOpaque values, so `instanceof` holds across two copies of
// this module (the playground bundles one, and the runtime it loads has another).
const BRAND = Symbol.for('cu.LuaOpaque');

export class LuaOpaque {
  /** @param {'function'|'userdata'|'thread'} type @param {string} description */
  constructor(type, description) {
    this.type = type;
    this.description = description;
    Object.defineProperty(this, BRAND, { value: true });
    Object.freeze(this);
  }
  toString() { return this.description; }
  static [Symbol.hasInstance](value) { return value != null && value[BRAND] === true; }
}

/** obj[key] = value, where a key "__proto__" is an own property, not the prototype. */
export function setProperty(obj, key, value) {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** In innerFloats (run()'s: table -> keys of its integral Lua floats), key of container. */
export function noteFloatKey(innerFloats, container, key) {
  const keys = innerFloats.get(container);
  if (keys === undefined) innerFloats.set(container, new Set([key]));
  else keys.add(key);
}

/** The string of len bytes at ptr: ASCII by a short loop, longer ones by the decoder. */
export function asciiAt(u8, ptr, len) {
  if (len > 24) return utf8.decode(u8.subarray(ptr, ptr + len));
  let s = '';
  for (let i = ptr; i < ptr + len; i++) s += String.fromCharCode(u8[i]);
  return s;
}

const OPAQUE = { [TAG.FUNCTION]: 'function', [TAG.USERDATA]: 'userdata', [TAG.THREAD]: 'thread' };
const utf8 = new TextDecoder('utf-8');

class Decoder {
  constructor(memory) {
    this.u8 = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
    this.reset();
  }

  reset() {
    this.values = [];   // top-level values, in order (handed out: always a new array)
    this.floats = [];   // indexes in values of Lua floats (a JS number cannot tell 4.0 from 4)
    if (this.frames === undefined || this.frames.length > 0) this.frames = [];  // tables being filled
    if (this.tables === undefined || this.tables.length > 0) this.tables = [];  // every table begun, for REF
  }

  step(tag, num, ptr, len) {
    switch (tag) {
      case TAG.ARRAY: case TAG.OBJECT: case TAG.MAP: case TAG.LFUNC: {
        const container = tag === TAG.LFUNC ? this.func(ptr, len) : this.container(tag, len);
        this.put(container);
        this.tables.push(container);
        this.frames.push({ container, kind: tag, key: undefined, haveKey: false, upvalue: 0, cell: 0 });
        return tag === TAG.LFUNC ? container.id : undefined;
      }
      case TAG.UPVAL: {  // the next value is upvalue `upvalue` of the function being built
        const frame = this.frames[this.frames.length - 1];
        frame.upvalue++;
        frame.cell = num;
        return;
      }
      case TAG.END: this.frames.pop(); return;
      case TAG.REF: return this.put(this.tables[num]);
      case TAG.RESET: return this.reset();
      default:
        if (tag === TAG.FLOAT) this.float(num);
        return this.put(this.scalar(tag, num, ptr, len));
    }
  }

  /** A Lua float arrives (before it is put): a JS number cannot tell 4.0 from 4, so a
      top-level one's index is noted. */
  float() {
    if (this.frames.length === 0) this.floats.push(this.values.length);
  }

  put(value) {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) this.values.push(value);
    else if (frame.kind === TAG.LFUNC) this.upvalue(frame.container, frame.upvalue, frame.cell, value);
    else if (frame.kind === TAG.ARRAY) this.assign(frame.container, frame.kind, frame.container.length ?? 0, value, true);
    else if (!frame.haveKey) {
      frame.key = value;
      frame.haveKey = true;
    } else {
      frame.haveKey = false;
      this.assign(frame.container, frame.kind, frame.key, value, false);
    }
  }

  ascii(ptr, len) { return asciiAt(this.u8, ptr, len); }
}

/** Builds JS values: the lossless mapping of docs/api.md. */
export class ValueReader extends Decoder {
  constructor(memory) {
    super(memory);
    this.builders = [];  // host-table builds in progress, innermost last
    this.host = null;    // the ExtHost, for external tables in results
  }

  reset() {
    super.reset();
    this.innerFloats = null;  // table -> keys of its integral Lua floats (see float); made on first use
    this.memo = null;       // external table -> its JS value, within one result; made on first use
    this.failure = null;    // an exception while building the result
  }

  /** The cu.value import: a build in progress takes the steps, else the result. It never
      throws (an exception must not cross the wasm frames): a failure is kept in `failure`
      and the compute is then reported as a host error. */
  step(tag, num, ptr, len) {
    try {
      const b = this.builders[this.builders.length - 1];
      if (b !== undefined) return b.step(tag, num, ptr, len);
      if (this.failure === null) return super.step(tag, num, ptr, len);
    } catch (err) {
      // a lazy unit's table not read yet: codec.c waits and sends the step again
      if (err instanceof StoreMiss && this.host.missed(err)) return TAG.MISS;
      this.failure ??= err;
    }
  }

  /** Inside a table too: where an integral float lands (a value, not a key; an
      upvalue is never shown) is noted in innerFloats. */
  float(num) {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) return super.float(num);
    if (!Number.isInteger(num)) return;
    if (frame.kind === TAG.ARRAY) this.noteFloat(frame.container, frame.container.length);
    else if (frame.kind !== TAG.LFUNC && frame.haveKey) this.noteFloat(frame.container, frame.key);
  }

  noteFloat(container, key) {
    noteFloatKey((this.innerFloats ??= new Map()), container, key);
  }

  beginBuild(builder) { this.builders.push(builder); }
  takeBuilt() { return this.builders.pop().values[0]; }
  abandonBuild() { this.builders.pop(); }

  container(tag) {
    return tag === TAG.ARRAY ? [] : tag === TAG.OBJECT ? {} : new Map();
  }

  func() { throw new Error('cu: a function step in a result'); }

  assign(c, kind, key, value, isArray) {
    if (isArray) c.push(value);
    else if (kind === TAG.MAP) c.set(key, value);
    else setProperty(c, key, value);
  }

  scalar(tag, num, ptr, len) {
    switch (tag) {
      case TAG.NIL: return null;
      case TAG.FALSE: return false;
      case TAG.TRUE: return true;
      case TAG.INT: case TAG.FLOAT: return num;
      case TAG.INT64: return this.view.getBigInt64(ptr, true);
      case TAG.ASCII: return this.ascii(ptr, len);
      case TAG.UTF8: return utf8.decode(this.u8.subarray(ptr, ptr + len));
      case TAG.BYTES: return this.u8.slice(ptr, ptr + len);
      case TAG.BIGINT: {
        const hex = this.ascii(ptr, len);
        return hex[0] === '-' ? -BigInt('0x' + hex.slice(1)) : BigInt('0x' + hex);
      }
      case TAG.EXTREF: return this.host.toJS(this.host.objects.get(num), (this.memo ??= new Map()), (c, k) => this.noteFloat(c, k));
      default:
        if (tag in OPAQUE) return new LuaOpaque(OPAQUE[tag], this.ascii(ptr, len));
        throw new Error(`cu: unknown value tag ${tag}`);
    }
  }
}

/** Builds host tables from a Lua table being stored (stored forms: js/ext.js). */
export class Builder extends Decoder {
  /** @param {import('./ext.js').ExtHost} host */
  constructor(host, memory) {
    super(memory);
    this.host = host;
  }

  container() { return this.host.newTable(); }

  func(ptr, len) { return this.host.newFunction(this.u8.slice(ptr, ptr + len)); }

  upvalue(fn, i, cell, value) {
    if (value !== undefined) fn.set(i, value);
    fn.set(-i, cell);
  }

  assign(t, kind, key, value, isArray) {
    t.set(isArray ? t.arr.length + 1 : this.host.storedKey(key), value);
  }

  scalar(tag, num, ptr, len) {
    if (tag === TAG.NIL) return undefined;
    return this.host.value(tag, num, ptr, len);
  }
}
