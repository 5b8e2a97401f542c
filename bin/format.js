// format.js: how the `cu` command shows values. Results print the way Lua's REPL prints
// them (strings bare, tables written as Lua constructors), and `--output json` writes
// them as JSON with a fixed rule for each value JSON has no place for (docs/cli.md).

import { LuaOpaque } from '../js/index.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(('and break do else elseif end false for function goto if in local nil not or ' +
  'repeat return then true until while').split(' '));

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
      // keep valid UTF-8 readable; escape stray bytes
      const len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
      const seq = len ? bytes.subarray(i, i + len) : null;
      let text = null;
      if (seq && seq.length === len) {
        try { text = new TextDecoder('utf-8', { fatal: true }).decode(seq); } catch { text = null; }
      }
      if (text !== null) { out += text; i += len - 1; } else out += '\\' + b;
    }
  }
  return out + '"';
}

function number(n) {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Object.is(n, -0)) return '-0.0';
  return String(n);
}

function key(k, seen) {
  if (typeof k === 'string' && IDENT.test(k) && !KEYWORDS.has(k)) return k;
  return `[${lua(k, seen, true)}]`;
}

/** A value as Lua source; a table met again inside itself shows as <cycle>. */
function lua(value, seen, nested) {
  if (value === null || value === undefined) return 'nil';
  switch (typeof value) {
    case 'string': return nested ? luaQuote(value) : value;
    case 'number': return number(value);
    case 'bigint': case 'boolean': return String(value);
  }
  if (value instanceof LuaOpaque) return value.description;
  if (value instanceof Uint8Array) return luaQuote(value);
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  let parts;
  if (Array.isArray(value)) parts = value.map((v) => lua(v, seen, true));
  else if (value instanceof Map) {
    // the array part first, positionally, as a Lua constructor would have it
    parts = [];
    let n = 1;
    while (value.has(n)) parts.push(lua(value.get(n++), seen, true));
    for (const [k, v] of value) if (!(typeof k === 'number' && Number.isInteger(k) && k >= 1 && k < n)) parts.push(`${key(k, seen)} = ${lua(v, seen, true)}`);
  }
  else parts = Object.entries(value).map(([k, v]) => `${key(k, seen)} = ${lua(v, seen, true)}`);
  seen.delete(value);
  return parts.length === 0 ? '{}' : `{${parts.join(', ')}}`;
}

/** One result as the REPL shows it: a string bare, anything else as Lua source. */
export function show(value) {
  return lua(value, new Set(), false);
}

/**
 * A value made JSON-safe, losing nothing silently: bigints become decimal strings,
 * NaN and infinities the strings "nan", "inf" and "-inf", byte strings
 * { bytes: [..] }, Maps arrays of [key, value] pairs, and functions or other opaque
 * values their description. A cycle cannot be written and throws.
 */
export function toJson(value, path = new Set()) {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string': case 'boolean': return value;
    case 'number': return Number.isFinite(value) ? value : number(value);
    case 'bigint': return value.toString();
  }
  if (value instanceof LuaOpaque) return value.description;
  if (value instanceof Uint8Array) return { bytes: [...value] };
  if (path.has(value)) throw new TypeError('a table contains itself, which JSON cannot express');
  path.add(value);
  let out;
  if (Array.isArray(value)) out = value.map((v) => toJson(v, path));
  else if (value instanceof Map) out = [...value].map(([k, v]) => [toJson(k, path), toJson(v, path)]);
  else out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v, path)]));
  path.delete(value);
  return out;
}
