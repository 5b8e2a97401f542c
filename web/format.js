// format.js: how the playground shows errors, sizes and durations: the editor line an
// error points at, and units. (Values are shown by the runtime's showLua, js/show.js.) No
// DOM, so Node tests import it too.

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
