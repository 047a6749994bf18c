/**
 * @module
 * One root error for everything huntpack refuses, subclasses by stage, and a location that
 * prints as `file:line` (or `file record 1784524`) so a user can open the offending input.
 */

export interface InputLocation {
  file: string
  /** 1-based. */
  line?: number
  /** 1-based. */
  column?: number
  /** A record id or JSON path when the input has no useful line. */
  record?: string
}

export function formatLocation(at: InputLocation): string {
  let text = at.file
  if (at.line !== undefined) text += `:${at.line}`
  if (at.line !== undefined && at.column !== undefined) text += `:${at.column}`
  if (at.record !== undefined) text += ` (record ${at.record})`
  return text
}

export class HuntpackError extends Error {
  /** Stable, for tests and scripts: `ERR_INTEL_FORMAT`, `ERR_KQL_CHECK`… */
  readonly code: string
  readonly location?: InputLocation

  constructor(code: string, message: string, location?: InputLocation, options?: ErrorOptions) {
    super(location ? `${formatLocation(location)}: ${message}` : message, options)
    this.name = new.target.name
    this.code = code
    this.location = location
  }
}

/** An intel file that cannot be read as the format it is (or was forced to be). */
export class IntelFormatError extends HuntpackError {
  constructor(message: string, location: InputLocation, options?: ErrorOptions) {
    super('ERR_INTEL_FORMAT', message, location, options)
  }
}

/** A command-line option or configuration value that makes no sense. */
export class UsageError extends HuntpackError {
  constructor(message: string) {
    super('ERR_USAGE', message)
  }
}

/** A query we generated that Microsoft's parser does not accept: always our bug. */
export class KqlCheckError extends HuntpackError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_KQL_CHECK', message, undefined, options)
  }
}
