/**
 * @module
 * The MISP warninglist file format (`lists/<name>/list.json` in MISP/misp-warninglists) and its
 * validation. A file that does not fit is refused whole, naming the file and the field.
 */

import { IntelFormatError } from '../errors.ts'

export const WARNINGLIST_TYPES = ['string', 'substring', 'hostname', 'cidr', 'regex'] as const

export type WarninglistType = (typeof WARNINGLIST_TYPES)[number]

/** One list as MISP writes it; field names are MISP's own. */
export interface MispWarninglist {
  name: string
  version: number
  description: string
  /** `string` exact, `substring`, `hostname` (and its subdomains), `cidr` (IP or range), `regex`. */
  type: WarninglistType
  /** MISP attribute types the list applies to; absent means every type. */
  matching_attributes?: string[]
  list: string[]
}

/** An entry left out because it cannot be used, with why. */
export interface SkippedEntry {
  entry: string
  reason: string
}

/** What a loaded list is, for `huntpack` to show and for tests to check. */
export interface WarninglistInfo {
  name: string
  version: number
  description: string
  type: WarninglistType
  matchingAttributes?: readonly string[]
  /** Entries in the file, skipped ones included. */
  entries: number
  /** The file it came from; undefined for built-ins and lists added in code. */
  file?: string
  builtIn: boolean
  skipped: readonly SkippedEntry[]
}

/**
 * `data` checked against MISP's schema. Unknown extra fields are tolerated: MISP has added
 * fields before, and ignoring them loses nothing we match on.
 *
 * @throws IntelFormatError naming `file` and the first field that is wrong.
 */
export function parseWarninglist(data: unknown, file: string): MispWarninglist {
  const refuse = (problem: string): never => {
    throw new IntelFormatError(`not a MISP warninglist: ${problem}`, { file })
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return refuse('the top level must be a JSON object')
  }
  const fields = data as Record<string, unknown>
  const { name, version, description, type, list } = fields
  const attributes = fields.matching_attributes

  if (typeof name !== 'string' || name.trim() === '') refuse('"name" must be a non-empty string')
  if (typeof version !== 'number' || !Number.isInteger(version)) {
    refuse('"version" must be an integer')
  }
  if (typeof description !== 'string') refuse('"description" must be a string')
  if (!WARNINGLIST_TYPES.includes(type as WarninglistType)) {
    refuse(`"type" must be one of ${WARNINGLIST_TYPES.join(', ')}; found ${JSON.stringify(type)}`)
  }
  if (!Array.isArray(list)) return refuse('"list" must be an array of strings')
  const bad = list.findIndex((entry) => typeof entry !== 'string')
  if (bad >= 0) refuse(`"list" entry ${bad} is ${JSON.stringify(list[bad])}, not a string`)
  if (
    attributes !== undefined &&
    (!Array.isArray(attributes) || attributes.some((a) => typeof a !== 'string'))
  ) {
    refuse('"matching_attributes" must be an array of strings')
  }

  return {
    name: name as string,
    version: version as number,
    description: description as string,
    type: type as WarninglistType,
    ...(attributes === undefined ? {} : { matching_attributes: attributes as string[] }),
    list: list as string[],
  }
}
