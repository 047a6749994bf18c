/**
 * @module
 * Exit codes, documented in the README so scripts can act on them.
 */
import { HuntpackError } from '../errors.ts'

export const EXIT = {
  ok: 0,
  /** `hunt` found something (after exclusions); scripts act on it. */
  findings: 1,
  usage: 2,
  /** An input file is missing, unreadable or not in the format it claims. */
  input: 3,
  /** An output could not be written; nothing half-written is left behind. */
  output: 4,
  /**
   * A generated query failed Microsoft's parser (a huntpack bug), or an artefact could not be
   * made within its target's limits (a rule query over 10,000 characters): that pack is not
   * written.
   */
  kql: 5,
  /** A bug or an unexpected failure; the message says what was being done (EX_SOFTWARE). */
  unexpected: 70,
  /** The store is busy: another process writes it (EX_TEMPFAIL); try again or `--wait`. */
  busy: 75,
} as const

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof HuntpackError)) return EXIT.unexpected
  switch (error.code) {
    case 'ERR_USAGE':
      return EXIT.usage
    case 'ERR_INPUT':
    case 'ERR_INTEL_FORMAT':
    case 'ERR_LOG_FORMAT':
      return EXIT.input
    case 'ERR_OUTPUT':
      return EXIT.output
    case 'ERR_KQL_CHECK':
    case 'ERR_TARGET':
      return EXIT.kql
    case 'ERR_STORE_BUSY':
      return EXIT.busy
    default:
      return EXIT.unexpected
  }
}
