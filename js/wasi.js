// wasi.js: the WASI preview-1 imports cu.wasm uses, and nothing more. A unit has no
// files, no environment and no preopened directories: stdout and stderr go to the
// unit's output, stdin is empty, and every path operation is refused.

const ERRNO = { SUCCESS: 0, BADF: 8, IO: 29, NOSYS: 52, SPIPE: 70, NOTCAPABLE: 76 };

/** Thrown by proc_exit; os.exit is replaced in every profile, so this is a last resort. */
export class WasiExit extends Error {
  constructor(code) { super(`the unit called exit(${code})`); this.code = code; }
}

/** Fresh bytes from the platform's cryptographic source, drawn 4 KiB at a time: a unit
    asks for 8 bytes a few times as it starts, and each getRandomValues call costs about
    5 µs in Node, which was a tenth of a new unit. Every byte is handed out once. */
const pool = new Uint8Array(4096);
let poolAt = pool.length;

const isNode = typeof process !== 'undefined' && !!process.versions?.node;
let primed = null;

/**
 * Fills the pool from /dev/urandom in Node, once per process, without blocking: Node
 * loads its WebCrypto module on the first crypto.getRandomValues, about 1.5 ms that a
 * process's first unit would wait for. Cu.create runs this alongside the module's
 * compile. Where the file cannot be read (not Linux or macOS), getRandomValues does it.
 */
export function primeRandom() {
  primed ??= (async () => {
    if (!isNode) return;
    const fresh = new Uint8Array(pool.length);
    try {
      const { open } = await import('node:fs/promises');
      const file = await open('/dev/urandom');
      try {
        const { bytesRead } = await file.read(fresh, 0, fresh.length, null);
        // read into a buffer of its own and adopted whole: the pool may have been drawn from meanwhile
        if (bytesRead === fresh.length && poolAt === pool.length) {
          pool.set(fresh);
          poolAt = 0;
        }
      } finally {
        fresh.fill(0);
        await file.close();
      }
    } catch { /* no /dev/urandom: the pool fills from getRandomValues when first drawn */ }
  })();
  return primed;
}

/** Fills bytes from the platform's cryptographic source (at most 64 KiB per call). */
function secureRandom(bytes) {
  if (bytes.length > 256) {
    for (let at = 0; at < bytes.length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
    return;
  }
  if (poolAt + bytes.length > pool.length) {
    crypto.getRandomValues(pool);
    poolAt = 0;
  }
  bytes.set(pool.subarray(poolAt, poolAt + bytes.length));
  pool.fill(0, poolAt, poolAt + bytes.length);
  poolAt += bytes.length;
}

/**
 * A deterministic source for a unit made with a seed (splitmix64): the same seed gives
 * the same string-hash seed and the same math.random sequence, hence the same runs.
 * @param {bigint} seed  0 to 2^64 - 1
 */
export function seededRandom(seed) {
  let state = seed;
  return (bytes) => {
    for (let at = 0; at < bytes.length; at += 8) {
      state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
      let z = state;
      z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
      z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
      z ^= z >> 31n;
      for (let i = at; i < Math.min(at + 8, bytes.length); i++, z >>= 8n) bytes[i] = Number(z & 0xffn);
    }
  };
}

/**
 * @param {() => DataView} view  the unit's memory
 * @param {(stream: 1|2, bytes: Uint8Array) => boolean} write  false when the host failed
 * @param {(bytes: Uint8Array) => void} [random]  the unit's random source (random_get)
 */
export function wasiImports(view, write, random = secureRandom) {
  const nowNs = () => BigInt(Math.round(performance.now() * 1e6));
  return {
    fd_write(fd, iovs, iovsLen, nwritten) {
      if (fd !== 1 && fd !== 2) return ERRNO.BADF;
      const v = view();
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = v.getUint32(iovs + i * 8, true);
        const len = v.getUint32(iovs + i * 8 + 4, true);
        if (len > 0 && !write(fd, new Uint8Array(v.buffer, ptr, len))) return ERRNO.IO;
        total += len;
      }
      v.setUint32(nwritten, total, true);
      return ERRNO.SUCCESS;
    },
    fd_read(fd, iovs, iovsLen, nread) {
      if (fd !== 0) return ERRNO.BADF;
      view().setUint32(nread, 0, true);  // end of file
      return ERRNO.SUCCESS;
    },
    clock_time_get(id, precision, out) {
      const ns = id === 0 ? BigInt(Date.now()) * 1000000n : nowNs();
      view().setBigUint64(out, ns, true);
      return ERRNO.SUCCESS;
    },
    random_get(buf, len) {
      random(new Uint8Array(view().buffer, buf, len));
      return ERRNO.SUCCESS;
    },
    environ_sizes_get(count, size) {
      const v = view();
      v.setUint32(count, 0, true);
      v.setUint32(size, 0, true);
      return ERRNO.SUCCESS;
    },
    environ_get: () => ERRNO.SUCCESS,
    fd_fdstat_get(fd, out) {
      if (fd > 2) return ERRNO.BADF;
      const v = view();
      for (let i = 0; i < 24; i++) v.setUint8(out + i, 0);
      v.setUint8(out, 2);  // character device
      v.setBigUint64(out + 8, fd === 0 ? 2n : 64n, true);  // fd_read or fd_write rights
      return ERRNO.SUCCESS;
    },
    fd_fdstat_set_flags: () => ERRNO.NOSYS,
    fd_prestat_get: () => ERRNO.BADF,
    fd_prestat_dir_name: () => ERRNO.BADF,
    fd_renumber: () => ERRNO.BADF,
    fd_seek: (fd) => (fd <= 2 ? ERRNO.SPIPE : ERRNO.BADF),
    fd_close: (fd) => (fd <= 2 ? ERRNO.SUCCESS : ERRNO.BADF),
    path_open: () => ERRNO.NOTCAPABLE,
    path_remove_directory: () => ERRNO.NOTCAPABLE,
    path_rename: () => ERRNO.NOTCAPABLE,
    path_unlink_file: () => ERRNO.NOTCAPABLE,
    proc_exit(code) { throw new WasiExit(code); },
  };
}
