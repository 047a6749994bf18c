/**
 * @module
 * What the store and the feed clients refuse. A feed that cannot be reached or refuses us, and a
 * store that cannot be read, are input problems (`ERR_INPUT`, exit 3); a store another process
 * holds is `ERR_STORE_BUSY`.
 */
import { HuntpackError } from '../errors.ts'

/** Another process is writing to the store (DuckDB allows one writer process per file). */
export class StoreBusyError extends HuntpackError {
  constructor(path: string, options?: ErrorOptions) {
    super(
      'ERR_STORE_BUSY',
      `store is busy: another huntpack process is using ${path}; ` +
        'try again when it is done, or pass --wait to wait for it',
      undefined,
      options,
    )
  }
}

/**
 * A store that cannot be opened or used: missing, unreadable, or of a newer schema. It is the
 * input of the command, so it shares the input code (exit 3).
 */
export class StoreError extends HuntpackError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INPUT', message, undefined, options)
  }
}

/** A feed that could not be fetched, or that refused the request (a rejected key included). */
export class FeedError extends HuntpackError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INPUT', message, undefined, options)
  }
}
