// format.js: how the `cu` command shows values. Results print the way Lua's REPL prints
// them (strings bare, the rest in Lua's notation, js/show.js), and `--output json` writes
// them as JSON with a fixed rule for each value JSON has no place for (docs/cli.md).

import { LuaOpaque } from '../js/index.js';
import { showLua, luaNumber } from '../js/show.js';

export { luaQuote } from '../js/show.js';

/** All of run()'s results on one line, tab-separated, as lua.c prints them: a string
    bare, anything else in Lua's notation, floats marked as floats at any depth. */
export const showResults = ({ values, floats, innerFloats }) =>
  values.map((v, i) => showLua(v, { bareString: true, isFloat: floats.includes(i), innerFloats })).join('\t');

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
    case 'number': return Number.isFinite(value) ? value : luaNumber(value);
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
