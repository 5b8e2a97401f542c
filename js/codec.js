// codec.js: rebuilds the Lua values that codec.c sends step by step (tags: src/codec.h).
// Strings are copied out of the unit's memory during the call; nothing else is kept.

export const TAG = Object.freeze({
  NIL: 0, FALSE: 1, TRUE: 2, INT: 3, INT64: 4, FLOAT: 5, ASCII: 6, UTF8: 7, BYTES: 8,
  ARRAY: 9, OBJECT: 10, MAP: 11, END: 12, REF: 13, FUNCTION: 14, USERDATA: 15,
  THREAD: 16, RESET: 17, BIGINT: 18,
});

/** A Lua function, userdata or thread: described, never called. */
export class LuaOpaque {
  /** @param {'function'|'userdata'|'thread'} type @param {string} description */
  constructor(type, description) {
    this.type = type;
    this.description = description;
    Object.freeze(this);
  }
  toString() { return this.description; }
}

const OPAQUE = { [TAG.FUNCTION]: 'function', [TAG.USERDATA]: 'userdata', [TAG.THREAD]: 'thread' };
const utf8 = new TextDecoder('utf-8');

export class ValueReader {
  /** @param {WebAssembly.Memory} memory  never grows, so one view serves for the unit's life */
  constructor(memory) {
    this.u8 = new Uint8Array(memory.buffer);
    this.view = new DataView(memory.buffer);
    this.reset();
  }

  reset() {
    /** @type {unknown[]} */
    this.values = [];
    this.frames = [];
    this.tables = [];
  }

  /** The host_value import. */
  step(tag, num, ptr, len) {
    switch (tag) {
      case TAG.NIL: return this.put(null);
      case TAG.FALSE: return this.put(false);
      case TAG.TRUE: return this.put(true);
      case TAG.INT: case TAG.FLOAT: return this.put(num);
      case TAG.INT64: return this.put(this.view.getBigInt64(ptr, true));
      case TAG.ASCII: return this.put(this.ascii(ptr, len));
      case TAG.UTF8: return this.put(utf8.decode(this.u8.subarray(ptr, ptr + len)));
      case TAG.BYTES: return this.put(this.u8.slice(ptr, ptr + len));
      case TAG.ARRAY: return this.begin([], 0);
      case TAG.OBJECT: return this.begin({}, 1);
      case TAG.MAP: return this.begin(new Map(), 2);
      case TAG.END: this.frames.pop(); return;
      case TAG.REF: return this.put(this.tables[num]);
      case TAG.BIGINT: {
        const hex = this.ascii(ptr, len);
        return this.put(hex[0] === '-' ? -BigInt('0x' + hex.slice(1)) : BigInt('0x' + hex));
      }
      case TAG.RESET: return this.reset();
      default:
        if (tag in OPAQUE) return this.put(new LuaOpaque(OPAQUE[tag], this.ascii(ptr, len)));
        throw new Error(`cu: unknown value tag ${tag}`);
    }
  }

  ascii(ptr, len) {
    if (len > 24) return utf8.decode(this.u8.subarray(ptr, ptr + len));
    let s = '';
    for (let i = ptr; i < ptr + len; i++) s += String.fromCharCode(this.u8[i]);
    return s;
  }

  begin(container, kind) {
    this.put(container);
    this.tables.push(container);
    this.frames.push({ container, kind, key: undefined, haveKey: false });
  }

  put(value) {
    const frame = this.frames[this.frames.length - 1];
    if (frame === undefined) this.values.push(value);
    else if (frame.kind === 0) frame.container.push(value);
    else if (!frame.haveKey) {
      frame.key = value;
      frame.haveKey = true;
    } else {
      frame.haveKey = false;
      if (frame.kind === 2) frame.container.set(frame.key, value);
      else if (frame.key === '__proto__') {
        Object.defineProperty(frame.container, '__proto__', { value, enumerable: true, writable: true, configurable: true });
      } else frame.container[frame.key] = value;
    }
  }
}
