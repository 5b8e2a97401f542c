// show.js: a result written back in Lua's notation, for people to read: the `cu` REPL
// and the playground print values with it. It works on the JS values a compute returns
// (docs/api.md's mapping), so it needs no unit.

import { LuaOpaque } from './codec.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(('and break do else elseif end false for function goto if in local nil not or ' +
  'repeat return then true until while').split(' '));
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A Lua string literal for text or bytes that reads back to the same bytes. */
export function luaQuote(value) {
  const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22 || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b < 0x20 || b === 0x7f) out += '\\' + String(b).padStart(3, '0');
    else if (b < 0x80) out += String.fromCharCode(b);
    else {
      // valid UTF-8 stays readable; a stray byte is escaped
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
      let text = null;
      if (len && i + len <= bytes.length) {
        try { text = utf8.decode(bytes.subarray(i, i + len)); } catch { text = null; }
      }
      if (text !== null) { out += text; i += len - 1; } else out += '\\' + b;
    }
  }
  return out + '"';
}

/**
 * A number as Lua's tostring writes it. A JS number does not say whether it was a Lua
 * integer or float: one with a fraction is a float, written as Lua does ("%.14g", so
 * 1/3 is 0.33333333333333); an integral one is written as an integer unless `isFloat`
 * says it was a float (then 4 is "4.0" and 1e15 is "1e+15").
 */
export function luaNumber(n, isFloat = false) {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Object.is(n, -0)) return '-0.0';
  if (Number.isInteger(n) && !isFloat) return String(n);
  // %.14g: exponent form below 1e-4 and from 1e14 on, trailing zeros dropped
  const [mantissa, exp] = n.toExponential(13).split('e');
  const e = Number(exp);
  const trim = (t) => (t.includes('.') ? t.replace(/\.?0+$/, '') : t);
  const text = e < -4 || e >= 14
    ? `${trim(mantissa)}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`
    : trim(n.toFixed(13 - e));
  return /^-?\d+$/.test(text) ? text + '.0' : text;  // Lua marks an integral float so
}

/**
 * Text for a nested value, written without recursion, so no depth overflows the JS stack
 * (Cu returns values of any depth). `expand(task)` gives a task's text, or the list of
 * what it is made of, in order: strings to write, further tasks (objects), and functions,
 * called when the walk reaches them (to leave a table). Writing stops once the text is
 * longer than maxLength.
 * @param {object} first  the first task
 * @param {(task: object) => string | Array<string | object | (() => void)>} expand
 */
export function writeNested(first, expand, maxLength = Infinity) {
  const out = [];
  let length = 0;
  const work = [first];
  while (work.length > 0 && length <= maxLength) {
    const w = work.pop();
    if (typeof w === 'function') { w(); continue; }
    const got = typeof w === 'string' ? w : expand(w);
    if (typeof got === 'string') {
      out.push(got);
      length += got.length;
    } else for (let i = got.length - 1; i >= 0; i--) work.push(got[i]);
  }
  return out.join('');
}

/**
 * value in Lua's notation: tables as constructors with their array part first
 * ({1, 2, x = {true}}), strings quoted (bare at the top when `bareString`), functions
 * and other opaque values as their description, a table met again inside itself as
 * <cycle>. Deeper than maxDepth a table shows as {…}; text beyond maxLength is cut
 * with an ellipsis. isFloat: value is a number that was a Lua float (see luaNumber);
 * innerFloats: for each table inside value, the keys whose numbers were Lua floats
 * (run()'s innerFloats).
 * @param {unknown} value
 * @param {{ bareString?: boolean, maxDepth?: number, maxLength?: number, isFloat?: boolean, innerFloats?: Map<object, Set<unknown>> }} [options]
 */
export function showLua(value, { bareString = false, maxDepth = Infinity, maxLength = Infinity, isFloat = false, innerFloats = undefined } = {}) {
  const inside = new Set();  // the tables being written, to tell a cycle
  const key = (k, depth) => (typeof k === 'string' && IDENT.test(k) && !KEYWORDS.has(k) ? [`${k} = `] : ['[', { v: k, depth }, '] = ']);
  function expand({ v, depth, float = false }) {
    if (v === null || v === undefined) return 'nil';
    switch (typeof v) {
      case 'string': return luaQuote(v);
      case 'number': return luaNumber(v, float);
      case 'bigint': case 'boolean': return String(v);
    }
    if (v instanceof LuaOpaque) return v.description;
    if (v instanceof Uint8Array) return luaQuote(v);
    if (inside.has(v)) return '<cycle>';
    if (depth >= maxDepth) return '{…}';
    inside.add(v);
    const floats = innerFloats?.get(v);
    const parts = ['{'];
    const item = (prefix, k, x) => {
      if (parts.length > 1) parts.push(', ');
      if (prefix !== null) parts.push(...prefix);
      parts.push({ v: x, depth: depth + 1, float: floats?.has(k) });
    };
    if (Array.isArray(v)) v.forEach((x, i) => item(null, i, x));
    else if (v instanceof Map) {
      let n = 1;
      while (v.has(n)) { item(null, n, v.get(n)); n++; }
      for (const [k, x] of v) {
        if (!(Number.isInteger(k) && k >= 1 && k < n)) item(key(k, depth + 1), k, x);
      }
    } else for (const [k, x] of Object.entries(v)) item(key(k, depth + 1), k, x);
    parts.push('}', () => inside.delete(v));
    return parts;
  }
  const text = bareString && typeof value === 'string' ? value
    : writeNested({ v: value, depth: 0, float: isFloat }, expand, maxLength);
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
