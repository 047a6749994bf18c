/**
 * @module
 * Watchlists for hunts too large to inline: the alias a query names in `_GetWatchlist` and the
 * CSV a user uploads to Sentinel under that alias.
 */

import { createHash } from 'node:crypto'

/** Sentinel's rule for aliases: 3 to 64 characters, a letter first, a letter or digit last. */
export const WATCHLIST_ALIAS = /^[A-Za-z][A-Za-z0-9_-]{1,62}[A-Za-z0-9]$/

const ALIAS_MAX = 64

/**
 * A valid, stable alias for a pack's hunt: `huntpack-<pack>-<hunt>`, with characters Sentinel
 * refuses replaced by `-`. When that is too long it is cut and ends in a short hash of the full
 * name, so two long pack ids never share an alias.
 */
export function watchlistAlias(packId: string, huntId: string): string {
  const full = `huntpack-${packId}-${huntId}`
  let alias = full.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/[-_]+$/, '')
  if (alias.length > ALIAS_MAX || alias !== full) {
    const hash = createHash('sha256').update(full).digest('hex').slice(0, 8)
    alias = `${alias.slice(0, ALIAS_MAX - hash.length - 1).replace(/[-_]+$/, '')}-${hash}`
  }
  if (!WATCHLIST_ALIAS.test(alias)) throw new Error(`cannot derive a watchlist alias from ${full}`)
  return alias
}

/**
 * Characters that make a spreadsheet read a cell as a formula. A cell starting with one gets a
 * leading `'`, which defuses it in Excel; no canonical indicator starts with `'`, so the
 * watchlist queries take it off again (`trim_start`). Hostnames can start with `-`, so this is
 * not only for hostile values.
 */
const FORMULA_START = /^[=+\-@\t\r]/

/** One CSV cell per RFC 4180, with formula injection neutralised. */
export function csvCell(value: string): string {
  // A letter or digit first is the common case and never a formula: skip the regex for it.
  const first = value.charCodeAt(0)
  const plain = (first >= 48 && first <= 57) || (first >= 97 && first <= 122)
  const safe = !plain && FORMULA_START.test(value) ? `'${value}` : value
  return CSV_QUOTED.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

const CSV_QUOTED = /[",\r\n]/

/** A CSV document: the header row, then one line per row, each ending in `\n`. */
export function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  let csv = ''
  for (const row of [header, ...rows]) csv += `${row.map(csvCell).join(',')}\n`
  return csv
}
