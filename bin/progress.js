// progress.js: a line on stderr while something slow runs (opening a large home, loading
// a snapshot), so a terminal user sees the command is working. It appears only on a
// terminal and only after a moment, and it erases itself: pipes and logs stay clean.

const FRAMES = '|/-\\';

/** Resolves like promise; meanwhile, on a TTY, shows label and the time spent so far. */
export async function withProgress(label, promise, stream = process.stderr) {
  if (!stream.isTTY) return promise;
  // CU_PROGRESS_DELAY_MS lets the tests see the line without a slow operation.
  const delay = Number(process.env.CU_PROGRESS_DELAY_MS ?? 300);
  const started = performance.now();
  let frame = 0;
  let shown = false;
  const draw = () => {
    const s = ((performance.now() - started) / 1000).toFixed(1);
    stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label} (${s} s)`);
    shown = true;
  };
  let ticker = null;
  const timer = setTimeout(() => { draw(); ticker = setInterval(draw, 100); }, delay);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
    clearInterval(ticker);
    if (shown) stream.write('\r\x1b[K');
  }
}
