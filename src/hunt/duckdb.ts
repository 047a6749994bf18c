/**
 * @module
 * The embedded engine. Indicators become small tables; events arrive in batches, each batch is
 * appended to a table of the columns matching needs, matched with one SQL statement, then
 * dropped, so memory stays flat however large the logs. A Parquet lake written by `logs import`
 * is matched in place, DuckDB reading only the columns each join needs.
 */

import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BOOLEAN,
  type DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  type DuckDBType,
  INTEGER,
  LIST,
  listValue,
  VARCHAR,
} from '@duckdb/node-api'
import { EVENT_COLUMNS, type EventKind, type LogEvent } from '../logs/event.ts'
import type { Engine } from './engine.ts'
import type { Finding, MatchField, MatchKind } from './finding.ts'
import { directionOf } from './finding.ts'
import { familyKey, type IndicatorTables, rangeHits } from './indicator-tables.ts'
import {
  addressesSql,
  FIELD_PRIORITY,
  INDICATOR_DDL,
  MATCH_COLUMNS,
  MATCH_MACROS,
  matchSql,
  NO_SHAPES,
  type PresentShapes,
  presentShapes,
  rankSql,
} from './match-sql.ts'
import { candidateFilter, type EventFilter } from './prefilter.ts'

/** Findings of one event are listed by field, in the order `FIELD_PRIORITY` gives. */
const FIELD_RANK = rankSql('field', FIELD_PRIORITY)

/** Keeps a hunt's peak memory well under 1 GB whatever the lake's size. */
export const DEFAULT_MEMORY_LIMIT = '512MB'

/** Rows per appended chunk: DuckDB's vector size. */
const CHUNK = 2048

type Column = { name: string; type: DuckDBType; get: (e: LogEvent) => unknown }

const text = (name: keyof LogEvent): Column => ({
  name,
  type: VARCHAR,
  get: (e) => e[name],
})
const int = (name: keyof LogEvent): Column => ({ name, type: INTEGER, get: (e) => e[name] })
const answers: Column = {
  name: 'DnsResponse',
  type: LIST(VARCHAR),
  get: (e) => listValue(e.DnsResponse),
}

const INT_COLUMNS = new Set(['SrcPortNumber', 'DstPortNumber', 'SourceLine', 'SourceRecord'])

function columnOf(name: keyof LogEvent): Column {
  return name === 'DnsResponse' ? answers : INT_COLUMNS.has(name) ? int(name) : text(name)
}

/** What matching reads from a batch; the rest of an event stays in JavaScript. */
const BATCH_COLUMNS: Column[] = MATCH_COLUMNS.map(columnOf)

/** Every event column, as the lake stores them (times as TIMESTAMP there). */
const EVENT_TABLE_COLUMNS: Column[] = EVENT_COLUMNS.map(columnOf)

export interface EngineOptions {
  /**
   * Drop events that cannot match before they reach DuckDB (`candidateFilter`); findings are
   * the same either way. On by default; tests switch it off to check that.
   */
  prefilter?: boolean
  /** DuckDB threads; default: what DuckDB picks (the cores). */
  threads?: number
  /** DuckDB's memory limit, e.g. `512MB`; it spills to a temporary folder above it. */
  memoryLimit?: string
}

export class DuckDbEngine implements Engine {
  private tables: IndicatorTables | undefined
  private present: PresentShapes = NO_SHAPES
  private batchSql = ''
  private filter: EventFilter | undefined

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly prefilter: boolean,
    private readonly cleanUp: () => void,
  ) {}

  static async open(options: EngineOptions = {}): Promise<DuckDbEngine> {
    // Joins over a large lake spill to a temporary folder of this run rather than growing
    // without bound; the folder goes when the engine closes.
    const temp = await mkdtemp(join(tmpdir(), 'huntpack-duckdb-'))
    // An interrupted run (Ctrl-C exits through 'exit', see the CLI) still removes it.
    const cleanUp = () => rmSync(temp, { recursive: true, force: true })
    process.once('exit', cleanUp)
    const config: Record<string, string> = {
      memory_limit: options.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
      temp_directory: temp,
    }
    if (options.threads !== undefined) config.threads = String(options.threads)
    const instance = await DuckDBInstance.create(':memory:', config)
    const db = await instance.connect()
    for (const sql of MATCH_MACROS) await db.run(sql)
    for (const sql of INDICATOR_DDL) await db.run(sql)
    await db.run(
      `CREATE TABLE batch (rid INTEGER, ${BATCH_COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')})`,
    )
    return new DuckDbEngine(instance, db, options.prefilter ?? true, cleanUp)
  }

  close(): void {
    this.db.closeSync()
    this.instance.closeSync()
    this.cleanUp()
    process.off('exit', this.cleanUp)
  }

  /** Loads the indicators to hunt; replaces any loaded before. */
  async setIndicators(tables: IndicatorTables): Promise<void> {
    this.tables = tables
    for (const sql of INDICATOR_DDL) await this.db.run(sql)
    await this.append(
      'ind_ip',
      [INTEGER, VARCHAR, INTEGER],
      tables.addresses.map((r) => [r.ind, r.address, r.port]),
    )
    await this.append(
      'ind_domain',
      [INTEGER, VARCHAR],
      tables.domains.map((r) => [r.ind, r.domain]),
    )
    await this.append(
      'ind_url',
      [INTEGER, VARCHAR, VARCHAR, BOOLEAN],
      tables.urls.map((r) => [r.ind, r.key, r.host, r.shared]),
    )
    await this.append(
      'ind_hash',
      [INTEGER, VARCHAR, VARCHAR],
      tables.hashes.map((r) => [r.ind, r.algorithm, r.hash]),
    )
    await this.append(
      'ind_family',
      [INTEGER, VARCHAR],
      tables.indicators.map((i, ind) => [ind, familyKey(i)]),
    )
    this.present = presentShapes(tables)
    this.batchSql = matchSql('batch', ['rid'], this.present)
    this.filter = this.prefilter ? candidateFilter(tables) : undefined
  }

  /** Matches one batch of normalised events; findings in event order. */
  async matchEvents(all: readonly LogEvent[]): Promise<Finding[]> {
    const tables = this.requireTables()
    const filter = this.filter
    const events = filter ? all.filter((e) => filter(e)) : all
    if (this.batchSql === '' || events.length === 0) return []
    await this.db.run('DELETE FROM batch')
    const appender = await this.db.createAppender('batch')
    const types = [INTEGER, ...BATCH_COLUMNS.map((c) => c.type)]
    for (let start = 0; start < events.length; start += CHUNK) {
      const end = Math.min(events.length, start + CHUNK)
      const chunk = DuckDBDataChunk.create(types, end - start)
      const rids = new Array(end - start)
      for (let i = start; i < end; i++) rids[i - start] = i
      chunk.setColumnValues(0, rids)
      BATCH_COLUMNS.forEach((column, c) => {
        const values = new Array(end - start)
        for (let i = start; i < end; i++) values[i - start] = column.get(events[i] as LogEvent)
        chunk.setColumnValues(c + 1, values as never)
      })
      appender.appendDataChunk(chunk)
    }
    appender.closeSync()
    await this.fillRangeHits('batch')
    const reader = await this.db.runAndReadAll(
      `SELECT * FROM (${this.batchSql}) ORDER BY rid, ${FIELD_RANK}, ind`,
    )
    const findings: Finding[] = []
    for (const [rid, ind, field, match, matched] of reader.getRows()) {
      findings.push(
        this.finding(tables, events[rid as number] as LogEvent, ind, field, match, matched),
      )
    }
    return findings
  }

  /** Matches every event of a Parquet lake written by `writeParquet`. */
  async matchLake(files: readonly string[]): Promise<Finding[]> {
    const tables = this.requireTables()
    if (files.length === 0) return []
    const relation = `read_parquet([${files.map(sqlString).join(', ')}])`
    const sql = matchSql('lake', ['SourceFile', 'SourceRecord'], this.present)
    if (sql === '') return []
    await this.db.run(`CREATE OR REPLACE TEMP VIEW lake AS SELECT * FROM ${relation}`)
    await this.fillRangeHits('lake')
    await this.db.run(`CREATE OR REPLACE TEMP TABLE lake_matches AS ${sql}`)
    const columns = EVENT_COLUMNS.map((c) =>
      c === 'TimeGenerated'
        ? `strftime(e.TimeGenerated, '%Y-%m-%dT%H:%M:%S.%gZ') AS TimeGenerated`
        : `e.${c}`,
    )
    const reader = await this.db.runAndReadAll(
      `SELECT m.ind, m.field, m.match, m.matched, ${columns.join(', ')}
       FROM lake_matches m JOIN lake e USING (SourceFile, SourceRecord)
       ORDER BY e.SourceFile, e.SourceRecord, ${FIELD_RANK.replace('field', 'm.field')}, m.ind`,
    )
    const findings: Finding[] = []
    for (const row of reader.getRowObjectsJS()) {
      const event = {} as Record<string, unknown>
      for (const name of EVENT_COLUMNS) event[name] = row[name] ?? null
      event.DnsResponse = (row.DnsResponse as string[] | null) ?? []
      event.EventType = (row.EventType as EventKind | null) ?? 'other'
      findings.push(
        this.finding(
          tables,
          event as unknown as LogEvent,
          row.ind,
          row.field,
          row.match,
          row.matched,
        ),
      )
    }
    return findings
  }

  /** Writes events, every column, to one Parquet file (zstd, times as TIMESTAMP). */
  async writeParquet(events: readonly LogEvent[], file: string): Promise<void> {
    await this.stageLakeRows(events)
    await this.flushLakePart(file)
  }

  /** Rows staged for the next Parquet part. */
  lakeRows = 0

  /**
   * Adds events to the part being gathered, so a part can hold many batches: JavaScript keeps
   * one small batch at a time while DuckDB holds (and, above its memory limit, spills) the part.
   */
  async stageLakeRows(events: readonly LogEvent[]): Promise<void> {
    if (this.lakeRows === 0) {
      await this.db.run(
        `CREATE OR REPLACE TEMP TABLE lake_part (${EVENT_TABLE_COLUMNS.map((c) => `${c.name} ${c.type}`).join(', ')})`,
      )
    }
    const appender = await this.db.createAppender('lake_part')
    const types = EVENT_TABLE_COLUMNS.map((c) => c.type)
    for (let start = 0; start < events.length; start += CHUNK) {
      const end = Math.min(events.length, start + CHUNK)
      const chunk = DuckDBDataChunk.create(types, end - start)
      EVENT_TABLE_COLUMNS.forEach((column, c) => {
        const values = new Array(end - start)
        for (let i = start; i < end; i++) values[i - start] = column.get(events[i] as LogEvent)
        chunk.setColumnValues(c, values as never)
      })
      appender.appendDataChunk(chunk)
    }
    appender.closeSync()
    this.lakeRows += events.length
  }

  /** Writes the staged rows to one Parquet file (zstd, times as TIMESTAMP) and starts anew. */
  async flushLakePart(file: string): Promise<void> {
    if (this.lakeRows === 0) return
    await this.db.run(
      `COPY (SELECT * REPLACE (CAST(TimeGenerated AS TIMESTAMP) AS TimeGenerated) FROM lake_part)
       TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
    )
    await this.db.run('DROP TABLE lake_part')
    this.lakeRows = 0
  }

  private requireTables(): IndicatorTables {
    if (!this.tables) throw new Error('setIndicators must come before matching')
    return this.tables
  }

  private async fillRangeHits(relation: string): Promise<void> {
    const tables = this.requireTables()
    if (!this.present.ranges) return
    await this.db.run('DELETE FROM range_hits')
    const reader = await this.db.runAndReadAll(addressesSql(relation))
    const hits = rangeHits(
      reader.getRows().map((r) => r[0] as string),
      tables.ranges,
    )
    await this.append(
      'range_hits',
      [VARCHAR, INTEGER],
      hits.map((h) => [h.address, h.ind]),
    )
  }

  private finding(
    tables: IndicatorTables,
    event: LogEvent,
    ind: unknown,
    field: unknown,
    match: unknown,
    matched: unknown,
  ): Finding {
    const indicator = tables.indicators[ind as number]
    if (!indicator) throw new Error(`match on unknown indicator row ${String(ind)}`)
    return {
      indicator,
      match: match as MatchKind,
      field: field as MatchField,
      direction: directionOf(field as MatchField),
      matched: matched as string,
      event,
    }
  }

  private async append(table: string, types: DuckDBType[], rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return
    const appender = await this.db.createAppender(table)
    for (let start = 0; start < rows.length; start += CHUNK) {
      const slice = rows.slice(start, start + CHUNK)
      const chunk = DuckDBDataChunk.create(types, slice.length)
      types.forEach((_, c) => {
        chunk.setColumnValues(c, slice.map((row) => row[c]) as never)
      })
      appender.appendDataChunk(chunk)
    }
    appender.closeSync()
  }
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`
}
