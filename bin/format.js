// format.js: how the `cu` command shows values. Results print the way Lua's REPL prints
// them (strings bare, the rest in Lua's notation, js/show.js), and `--output json` writes
// them as JSON with a fixed rule for each value JSON has no place for (docs/cli.md).

import { LuaOpaque } from '../js/index.js';
import { showLua, luaNumber, writeNested } from '../js/show.js';

export { luaQuote } from '../js/show.js';

/** All of run()'s results on one line, tab-separated, as lua.c prints them: a string
    bare, anything else in Lua's notation, floats marked as floats at any depth. */
export const showResults = ({ values, floats, innerFloats }) =>
  values.map((v, i) => showLua(v, { bareString: true, isFloat: floats.includes(i), innerFloats })).join('\t');

/**
 * A value as JSON text, losing nothing silently: bigints become decimal strings, NaN
 * and infinities the strings "nan", "inf" and "-inf", byte strings { "bytes": [..] },
 * Maps arrays of [key, value] pairs, and functions or other opaque values their
 * description. Any depth is written (js/show.js writeNested); a table inside itself
 * cannot be, and throws.
 */
export function jsonText(value) {
  const path = new Set();  // the tables being written
  return writeNested({ v: value }, ({ v }) => {
    if (v === null || v === undefined) return 'null';
    switch (typeof v) {
      case 'string': case 'boolean': return JSON.stringify(v);
      case 'number': return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(luaNumber(v));
      case 'bigint': return `"${v}"`;
    }
    if (v instanceof LuaOpaque) return JSON.stringify(v.description);
    if (v instanceof Uint8Array) return JSON.stringify({ bytes: [...v] });
    if (path.has(v)) throw new TypeError('a table contains itself, which JSON cannot express');
    path.add(v);
    const items = Array.isArray(v) ? Array.from(v, (x) => [{ v: x }])
      : v instanceof Map ? [...v].map(([k, x]) => ['[', { v: k }, ',', { v: x }, ']'])
        : Object.entries(v).map(([k, x]) => [`${JSON.stringify(k)}:`, { v: x }]);
    const [open, close] = Array.isArray(v) || v instanceof Map ? '[]' : '{}';
    return [open, ...items.flatMap((item, i) => (i === 0 ? item : [',', ...item])), close, () => path.delete(v)];
  });
}
