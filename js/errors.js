// errors.js: CuError, the one error type a compute fails with.

/** @typedef {'syntax'|'runtime'|'memory'|'limit'|'host'|'store'|'conflict'} CuErrorKind */

export class CuError extends Error {
  /**
   * @param {CuErrorKind} kind
   * @param {string} message
   * @param {{ traceback?: string, value?: unknown, cause?: unknown }} [details]
   */
  constructor(kind, message, details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CuError';
    this.kind = kind;
    this.traceback = details.traceback ?? '';
    if ('value' in details) this.value = details.value;
  }
}

/** The status codes eval returns (CU_* in src/cu.h), as error kinds. */
export const STATUS_KIND = [null, 'runtime', 'syntax', 'memory', 'limit', 'host'];
