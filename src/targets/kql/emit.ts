/**
 * @module
 * Hunts to Sentinel KQL: one query per hunt, its indicators inline when few and in a watchlist
 * when many, every query checked by Kusto's parser before it leaves this module.
 */

import type { IndicatorKind } from '../../intel/indicator.ts'
import type { Hunt } from '../../pack/hunts.ts'
import { assertKqlClean } from './check.ts'
import { kqlCommentText, kqlLookback } from './literal.ts'
import { type HuntBody, huntBody, iocSource, type Shape, shapeOf } from './queries.ts'
import { tableSchema } from './tables.ts'
import { toCsv, watchlistAlias } from './watchlist.ts'

export interface KqlOptions {
  /** The time window every query is bounded by: `14d`, `12h`, `30m`. */
  lookback: string
  /** The most values a query holds inline; above it the hunt reads a watchlist. */
  inlineLimit: number
}

export interface PackInfo {
  id: string
  title: string
  feeds: string[]
}

export interface EmittedWatchlist {
  /** What the query passes to `_GetWatchlist`; upload the CSV under this alias. */
  alias: string
  /** The CSV's file name, written beside the pack's queries. */
  file: string
  csv: string
  /** The CSV column Sentinel indexes: always the first, holding the indicator value. */
  searchKey: string
}

export interface EmittedQuery {
  hunt: Hunt
  /** `<hunt.id>.kql`. */
  file: string
  text: string
  watchlist?: EmittedWatchlist
}

/** The query for one hunt. Throws UsageError on a bad lookback; does not run the checker. */
export function emitKql(hunt: Hunt, pack: PackInfo, options: KqlOptions): EmittedQuery {
  return compose(hunt, pack, options).emitted
}

interface Composed {
  emitted: EmittedQuery
  body: HuntBody
  watchlistColumns?: string[]
}

function compose(hunt: Hunt, pack: PackInfo, options: KqlOptions): Composed {
  const lookback = kqlLookback(options.lookback)
  if (!Number.isSafeInteger(options.inlineLimit) || options.inlineLimit < 0) {
    throw new RangeError(`inlineLimit must be a whole number, got ${options.inlineLimit}`)
  }
  const table = tableSchema(hunt.table)
  const useWatchlist = hunt.indicators.length > options.inlineLimit
  // Hunts of one shape in a pack hunt the same values, so they share one watchlist.
  const watchlistName = WATCHLIST_NAMES[shapeOf(hunt)]
  const alias = useWatchlist ? watchlistAlias(pack.id, watchlistName) : undefined

  const header = [
    hunt.title,
    hunt.purpose,
    `Pack: ${pack.title} (${pack.id})`,
    `Feeds: ${pack.feeds.length > 0 ? pack.feeds.join(', ') : 'none named'}`,
    `Table: ${table.name}, filled by the ${table.connector} connector`,
    `Lookback: ${lookback}`,
    `Indicators: ${hunt.indicators.length} (${kindCounts(hunt)})`,
    alias
      ? `Indicators are read from watchlist '${alias}': upload ${watchlistName}.watchlist.csv under that alias`
      : 'Indicators are inline below',
  ]
  const body = huntBody(hunt, table, { lookback, watchlistAlias: alias })
  const comments = header.map((line) => `// ${kqlCommentText(line)}`)
  const text = `${[...comments, ...body.iocs, ...body.rest].join('\n')}\n`

  const emitted: EmittedQuery = { hunt, file: `${hunt.id}.kql`, text }
  if (!alias) return { emitted, body }
  const { header: columns, csv } = watchlistCsv(hunt)
  emitted.watchlist = {
    alias,
    file: `${watchlistName}.watchlist.csv`,
    csv,
    searchKey: columns[0] ?? 'SearchKey',
  }
  return { emitted, body, watchlistColumns: columns }
}

/**
 * Every hunt's query, checked by Kusto against the table schemas first: a diagnostic is our
 * bug, so it throws KqlCheckError instead of writing a broken rule.
 *
 * Queries of one shape differ only in their comments (single lines by construction) and in the
 * values of `let iocs = ...`, which reach the text only through `kqlString`/`kqlInt`, literals
 * no value can leave. So each shape is parsed and analysed once, with its first indicator row;
 * a build of many packs would otherwise spend most of its time re-analysing the same query.
 */
export function emitPackKql(hunts: Hunt[], pack: PackInfo, options: KqlOptions): EmittedQuery[] {
  return hunts.map((hunt) => {
    const { emitted, body, watchlistColumns } = compose(hunt, pack, options)
    const shape = shapeKey(body, watchlistColumns)
    if (!checkedShapes.has(shape)) {
      const sample = [...firstRowOnly(body.iocs), ...body.rest].join('\n')
      assertKqlClean(sample, `${pack.id}/${emitted.file}`, { watchlistColumns })
      checkedShapes.add(shape)
    }
    return emitted
  })
}

const checkedShapes = new Set<string>()

/**
 * The watchlist of a hunt's indicators. Hunts of one shape in a pack share their indicator
 * array, so the CSV of a large pack is written out once, not once per table.
 */
function watchlistCsv(hunt: Hunt): { header: string[]; csv: string } {
  const cached = csvByIndicators.get(hunt.indicators)
  if (cached) return cached
  const source = iocSource(hunt)
  const made = {
    header: source.watchlistHeader,
    csv: toCsv(source.watchlistHeader, source.watchlistRows),
  }
  csvByIndicators.set(hunt.indicators, made)
  return made
}

const csvByIndicators = new WeakMap<readonly unknown[], { header: string[]; csv: string }>()

const WATCHLIST_NAMES: Record<Shape, string> = {
  ip: 'addresses',
  domain: 'domains',
  url: 'urls',
  hash: 'hashes',
}

/** The query with its feed values taken out: two queries with one key differ only in values. */
function shapeKey(body: HuntBody, watchlistColumns: string[] | undefined): string {
  const [opening = '', second = ''] = body.iocs
  const source = watchlistColumns
    ? `watchlist ${watchlistColumns.join(',')}\n${second}`
    : `inline ${opening}`
  return `${source}\n${body.rest.join('\n')}`
}

/** A datatable statement cut to its first row; a watchlist statement as it is. */
function firstRowOnly(iocs: string[]): string[] {
  const [opening, first, ...rest] = iocs
  if (opening === undefined || !opening.startsWith('let iocs = datatable(') || rest.length < 2) {
    return iocs
  }
  return [opening, (first ?? '').replace(/,$/, ''), '];']
}

function kindCounts(hunt: Hunt): string {
  const counts = new Map<IndicatorKind, number>()
  for (const indicator of hunt.indicators) {
    counts.set(indicator.kind, (counts.get(indicator.kind) ?? 0) + 1)
  }
  return [...counts].map(([kind, count]) => `${kind} ${count}`).join(', ')
}
