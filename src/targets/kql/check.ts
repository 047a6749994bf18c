/**
 * @module
 * Parses and analyses generated KQL with Microsoft's own language service, against the column
 * schemas in `tables/`, a model of Sentinel's `_GetWatchlist` and the ASIM parsers in `asim/`, or
 * against the Defender XDR tables in `defender-tables/`. A query with any diagnostic is a
 * huntpack bug, so the emitter refuses to write one.
 */

import { KqlCheckError } from '../../errors.ts'
import { type BridgeGlobalState, type KustoLanguage, kustoLanguage } from './bridge.ts'
import {
  defenderTableSchemas,
  functionSchemas,
  parameterText,
  schemaText,
  type TableColumn,
  tableSchemas,
} from './tables.ts'

export interface KqlDiagnostic {
  severity: string
  code: string
  message: string
  /** 1-based. */
  line: number
  /** 1-based, in UTF-16 code units. */
  column: number
  /** Offset into the query text. */
  start: number
  length: number
}

/** A string literal as the parser read it back: its source text and the value it denotes. */
export interface KqlStringLiteral {
  text: string
  value: string
  start: number
}

export interface KqlCheckContext {
  /**
   * The CSV header of the watchlist the query reads, so `_GetWatchlist` exposes exactly those
   * columns besides the fixed ones Sentinel adds. Without it, `_GetWatchlist` has only those.
   */
  watchlistColumns?: readonly string[]
  /**
   * `sentinel` (the default): the Log Analytics tables, `_GetWatchlist` and the ASIM parsers.
   * `defender`: the tables as Defender XDR advanced hunting has them, nothing else.
   */
  database?: 'sentinel' | 'defender'
}

/** Columns Sentinel adds to every `_GetWatchlist` row; `SearchKey` is the indexed one. */
const WATCHLIST_FIXED_COLUMNS: readonly TableColumn[] = [
  { name: '_DTItemId', type: 'string' },
  { name: 'LastUpdatedTimeUTC', type: 'datetime' },
  { name: 'SearchKey', type: 'string' },
  { name: 'WatchlistItem', type: 'dynamic' },
]

export class KqlChecker {
  readonly #kusto: KustoLanguage
  readonly #globals = new Map<string, BridgeGlobalState>()

  constructor(kusto: KustoLanguage = kustoLanguage()) {
    this.#kusto = kusto
  }

  /** Every diagnostic (errors and warnings) Kusto reports for the query. */
  check(query: string, context: KqlCheckContext = {}): KqlDiagnostic[] {
    const code = this.#kusto.KustoCode.ParseAndAnalyze(query, this.#globalsFor(context))
    const found = code.GetDiagnostics()
    const diagnostics: KqlDiagnostic[] = []
    for (let i = 0; i < found.Count; i++) {
      const d = found.getItem(i)
      const { line, column } = lineColumn(query, d.Start)
      diagnostics.push({
        severity: d.Severity,
        code: d.Code,
        message: d.Message,
        line,
        column,
        start: d.Start,
        length: d.Length,
      })
    }
    return diagnostics
  }

  /** The string literals of a query, in source order, with the values the parser gives them. */
  stringLiterals(query: string, context: KqlCheckContext = {}): KqlStringLiteral[] {
    const code = this.#kusto.KustoCode.ParseAndAnalyze(query, this.#globalsFor(context))
    const literals = code.Syntax.GetDescendants(this.#kusto.Syntax.LiteralExpression)
    const found: KqlStringLiteral[] = []
    for (let i = 0; i < literals.Count; i++) {
      const literal = literals.getItem(i)
      if (typeof literal.LiteralValue !== 'string' || !literal.Token) continue
      found.push({
        text: literal.Token.Text,
        value: literal.LiteralValue,
        start: literal.Token.TextStart,
      })
    }
    return found.sort((a, b) => a.start - b.start)
  }

  #globalsFor(context: KqlCheckContext): BridgeGlobalState {
    const extra = context.watchlistColumns ?? []
    const key = [context.database ?? 'sentinel', ...extra].join('\u0000')
    const cached = this.#globals.get(key)
    if (cached) return cached

    const { Symbols, GlobalState } = this.#kusto
    if (context.database === 'defender') {
      const tables = [...defenderTableSchemas().values()].map(
        (t) => new Symbols.TableSymbol.$ctor7(t.name, schemaText(t.columns), t.connector),
      )
      const defender = new Symbols.DatabaseSymbol.$ctor1('defender', tables, false)
      const globals = GlobalState.Default.WithDatabase(defender)
      this.#globals.set(key, globals)
      return globals
    }
    const tables = [...tableSchemas().values()].map(
      (t) => new Symbols.TableSymbol.$ctor7(t.name, schemaText(t.columns), t.connector),
    )
    // Watchlist columns arrive from CSV, so Sentinel types them as strings; queries convert.
    const fixed = new Set(WATCHLIST_FIXED_COLUMNS.map((c) => c.name))
    const watchlistColumns = [
      ...WATCHLIST_FIXED_COLUMNS,
      ...extra
        .filter((name) => !fixed.has(name))
        .map((name) => ({ name, type: 'string' as const })),
    ]
    const getWatchlist = new Symbols.FunctionSymbol.$ctor16(
      '_GetWatchlist',
      '(watchlistAlias:string)',
      `{ datatable${schemaText(watchlistColumns)}[] }`,
      'Rows of a Microsoft Sentinel watchlist',
    )
    const parsers = [...functionSchemas().values()].map(
      (f) =>
        new Symbols.FunctionSymbol.$ctor16(
          f.name,
          parameterText(f.parameters),
          `{ datatable${schemaText(f.columns)}[] }`,
          f.description,
        ),
    )
    const database = new Symbols.DatabaseSymbol.$ctor1(
      'sentinel',
      [...tables, getWatchlist, ...parsers],
      false,
    )
    const globals = GlobalState.Default.WithDatabase(database)
    this.#globals.set(key, globals)
    return globals
  }
}

let shared: KqlChecker | undefined

/** The process-wide checker: loading Kusto's bundle costs a fraction of a second, paid once. */
export function kqlChecker(): KqlChecker {
  shared ??= new KqlChecker()
  return shared
}

/** Throws a KqlCheckError listing every diagnostic with `line:column` and the offending text. */
export function assertKqlClean(query: string, label: string, context: KqlCheckContext = {}): void {
  const diagnostics = kqlChecker().check(query, context)
  if (diagnostics.length === 0) return
  const lines = diagnostics.map(
    (d) => `  ${label}:${d.line}:${d.column} ${d.code} ${d.message}${offending(query, d)}`,
  )
  throw new KqlCheckError(
    `generated KQL for ${label} has ${diagnostics.length} diagnostic(s):\n${lines.join('\n')}`,
  )
}

function offending(query: string, d: KqlDiagnostic): string {
  if (d.length > 0) return ` at ${JSON.stringify(query.slice(d.start, d.start + d.length))}`
  if (d.start >= query.length) return ' at end of query'
  return ` before ${JSON.stringify(query.slice(d.start, d.start + 20))}`
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: end - lineStart + 1 }
}
