/**
 * @module
 * What a hunt asks of an engine: take the indicators once, then match batches of normalised
 * events. DuckDB (embedded) and ClickHouse (a server, or chdb in-process) implement it with
 * the same semantics; the equivalence tests hold them to identical findings.
 */
import type { LogEvent } from '../logs/event.ts'
import type { Finding } from './finding.ts'
import type { IndicatorTables } from './indicator-tables.ts'

export interface Engine {
  /** Loads the indicators to hunt; replaces any loaded before. */
  setIndicators(tables: IndicatorTables): Promise<void>
  /** Matches one batch of normalised events; findings in event order. */
  matchEvents(events: readonly LogEvent[]): Promise<Finding[]>
  close(): void | Promise<void>
}
