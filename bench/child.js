// child.js: one benchmark job in a fresh Node process (bench/node-child.js and the
// native interpreter), its JSON result read from the last line it prints. Shared by
// bench/run.js and test/bench.test.js, which runs each job once, small.
import { spawn } from 'node:child_process';

const ROOT = new URL('..', import.meta.url).pathname;

export function runChild(cmd, argv, execArgv = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, [...execArgv, ...argv], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '', result, grace = null;
    // A child that hangs is killed. Node 20 sometimes never finishes exiting after a
    // wasmoon start-up job, even after process.exit() has run its 'exit' handlers (seen
    // in about one run in three here), so once a child has printed its result it gets
    // two seconds to exit and is then killed, keeping the result.
    const timer = setTimeout(() => { err += 'killed after 180 s'; child.kill('SIGKILL'); }, 180000);
    child.stdout.on('data', (d) => {
      out += d;
      if (result === undefined && out.endsWith('\n')) {
        try { result = JSON.parse(out.trim().split('\n').pop()); } catch { return; }
        grace = setTimeout(() => child.kill('SIGKILL'), 2000);
      }
    });
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(grace);
      if (result !== undefined && (code === 0 || code === null)) resolve(result);
      else reject(new Error(`${cmd} ${argv.join(' ')} exited ${code}${result === undefined ? ' without a result' : ''}: ${err.slice(-500)}`));
    });
  });
}
