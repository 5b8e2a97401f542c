// format.js: how the playground shows results and errors: values in Lua's notation, the
// editor line an error points at, sizes and durations. No DOM, so Node tests import it too.

/** The line in this run's chunk an error points at: the message's own position, or else
 * the innermost frame of this chunk in the traceback (an error inside a stored function
 * from an earlier run is shown at the line that called it). */
export function errorLine(err, chunk) {
  const esc = chunk.replace(/[[\]]/g, '\\$&');
  const own = new RegExp(`^${esc}:(\\d+):`).exec(err.message);
  if (own) return Number(own[1]);
  const frame = new RegExp(`^\\s*${esc}:(\\d+):`, 'm').exec(err.traceback ?? '');
  return frame ? Number(frame[1]) : null;
}

export const fmtMs = (ms) => (ms < 1 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(1)} ms` : `${(ms / 1000).toFixed(2)} s`);
/** Binary units, as the memory is sized: 2097152 -> "2 MiB". */
export function fmtBytes(b) {
  const trim = (x) => x.toFixed(x < 10 ? 1 : 0).replace(/\.0$/, '');
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${trim(b / 1024)} KiB`;
  return `${trim(b / 1024 / 1024)} MiB`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
// Functions, userdata and threads arrive as LuaOpaque; nested ones cross the worker's
// structured clone as plain { type, description } objects.
const isOpaque = (v) => v && typeof v === 'object' && typeof v.description === 'string'
  && ['function', 'userdata', 'thread'].includes(v.type) && Object.keys(v).length === 2;

/** A result in Lua's notation: nil, 1, "s", {1, 2}, {a = 1}; a table inside itself shows as <cycle>. */
export function formatValue(v, seen = new Set(), depth = 0) {
  if (v === null || v === undefined) return 'nil';
  switch (typeof v) {
    case 'string': return JSON.stringify(v);
    case 'bigint': return String(v);
    case 'number':
      if (Number.isNaN(v)) return 'nan';
      if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
      return Object.is(v, -0) ? '-0.0' : String(v);
    case 'boolean': return String(v);
    default: break;
  }
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (isOpaque(v)) return v.description ?? v.type;
  if (seen.has(v)) return '<cycle>';
  if (depth > 6) return '{…}';
  seen.add(v);
  const items = [];
  if (Array.isArray(v)) for (const x of v) items.push(formatValue(x, seen, depth + 1));
  else if (v instanceof Map) for (const [k, x] of v) items.push(`[${formatValue(k, seen, depth + 1)}] = ${formatValue(x, seen, depth + 1)}`);
  else for (const [k, x] of Object.entries(v)) items.push(`${IDENT.test(k) ? k : `[${JSON.stringify(k)}]`} = ${formatValue(x, seen, depth + 1)}`);
  seen.delete(v);
  const text = `{${items.join(', ')}}`;
  return text.length > 4000 ? `${text.slice(0, 4000)}…}` : text;
}

