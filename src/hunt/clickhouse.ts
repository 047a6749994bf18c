/**
 * @module
 * The ClickHouse engine: the DuckDB engine's methods and semantics over a ClickHouse session.
 * Indicators are shipped once as temporary tables; a batch of events goes to a temporary table
 * of the columns matching reads, is matched with `clickHouseMatchSql` and emptied, the rest of
 * each event staying in JavaScript. A stored events table (`logs import --into clickhouse://`)
 * is matched in place, and whole events are fetched only for the matches, streamed back.
 */
import { EVENT_COLUMNS, type EventKind, type LogEvent } from '../logs/event.ts'
import {
  allRows,
  type ClickHouseConnection,
  ClickHouseError,
  type ClickHouseRow,
} from './clickhouse-connection.ts'
import {
  CLICKHOUSE_EVENT_TYPES,
  CLICKHOUSE_INDICATOR_TABLES,
  clickHouseAddressesSql,
  clickHouseIdentifier,
  clickHouseMatchSql,
} from './clickhouse-sql.ts'
import type { Engine } from './engine.ts'
import { directionOf, type Finding, type MatchField, type MatchKind } from './finding.ts'
import { familyKey, type IndicatorTables, rangeHits } from './indicator-tables.ts'
import {
  FIELD_PRIORITY,
  MATCH_COLUMNS,
  NO_SHAPES,
  type PresentShapes,
  presentShapes,
  rankSql,
} from './match-sql.ts'
import { candidateFilter, type EventFilter } from './prefilter.ts'

const FIELD_RANK = rankSql('field', FIELD_PRIORITY)

export interface StoredTable {
  /** The events table (or `Distributed` table) in the connection's database. */
  table: string
  /** Read with `GLOBAL JOIN`s, sending the indicator tables to the shards. */
  distributed?: boolean
}

export class ClickHouseEngine implements Engine {
  private tables: IndicatorTables | undefined
  private present: PresentShapes = NO_SHAPES
  private batchSql = ''
  private filter: EventFilter | undefined

  private constructor(
    private readonly connection: ClickHouseConnection,
    private readonly prefilter: boolean,
  ) {}

  /**
   * Takes over `connection`: closing the engine closes it. With `prefilter` (the default) only
   * the events `candidateFilter` keeps are sent, as the DuckDB engine does; findings are the
   * same without it.
   */
  static async open(
    connection: ClickHouseConnection,
    options: { prefilter?: boolean } = {},
  ): Promise<ClickHouseEngine> {
    const columns = MATCH_COLUMNS.map((c) => `${c} ${CLICKHOUSE_EVENT_TYPES[c]}`)
    await connection.command('DROP TEMPORARY TABLE IF EXISTS batch')
    await connection.command(`CREATE TEMPORARY TABLE batch (rid UInt32, ${columns.join(', ')})`)
    return new ClickHouseEngine(connection, options.prefilter ?? true)
  }

  async close(): Promise<void> {
    await this.connection.close()
  }

  async setIndicators(tables: IndicatorTables): Promise<void> {
    this.tables = tables
    for (const [name, columns] of Object.entries(CLICKHOUSE_INDICATOR_TABLES)) {
      await this.connection.command(`DROP TEMPORARY TABLE IF EXISTS ${name}`)
      await this.connection.command(`CREATE TEMPORARY TABLE ${name} (${columns})`)
    }
    await this.connection.insert(
      'ind_ip',
      tables.addresses.map((r) => ({ ind: r.ind, address: r.address, port: r.port })),
    )
    await this.connection.insert(
      'ind_domain',
      tables.domains.map((r) => ({ ind: r.ind, domain: r.domain })),
    )
    await this.connection.insert(
      'ind_url',
      tables.urls.map((r) => ({ ind: r.ind, key: r.key, host: r.host, shared: r.shared })),
    )
    await this.connection.insert(
      'ind_hash',
      tables.hashes.map((r) => ({ ind: r.ind, algorithm: r.algorithm, hash: r.hash })),
    )
    await this.connection.insert(
      'ind_family',
      tables.indicators.map((i, ind) => ({
        ind,
        family: familyKey(i),
      })),
    )
    this.present = presentShapes(tables)
    this.batchSql = clickHouseMatchSql('batch', ['rid'], this.present)
    this.filter = this.prefilter ? candidateFilter(tables) : undefined
  }

  async matchEvents(events: readonly LogEvent[]): Promise<Finding[]> {
    const tables = this.requireTables()
    if (this.batchSql === '' || events.length === 0) return []
    const rows: ClickHouseRow[] = []
    for (let rid = 0; rid < events.length; rid++) {
      const event = events[rid] as LogEvent
      if (this.filter && !this.filter(event)) continue
      const row: ClickHouseRow = { rid }
      for (const column of MATCH_COLUMNS) row[column] = event[column]
      rows.push(row)
    }
    if (rows.length === 0) return []
    await this.connection.command('TRUNCATE TABLE batch')
    await this.connection.insert('batch', rows)
    await this.fillRangeHits('batch')
    const findings: Finding[] = []
    const sql = `SELECT rid, ind, field, match, matched FROM (${this.batchSql})
      ORDER BY rid, ${FIELD_RANK}, ind`
    for await (const block of this.connection.rows(sql)) {
      for (const row of block) {
        findings.push(finding(tables, events[Number(row.rid)] as LogEvent, row))
      }
    }
    await this.connection.command('TRUNCATE TABLE batch')
    return findings
  }

  /**
   * Matches every event of a stored events table; findings in (SourceFile, SourceRecord)
   * order, each with its whole event as stored.
   */
  async matchTable(stored: StoredTable): Promise<Finding[]> {
    const findings: Finding[] = []
    for await (const block of this.streamTable(stored)) findings.push(...block)
    return findings
  }

  /** `matchTable`, findings streamed back a block at a time. */
  async *streamTable(stored: StoredTable): AsyncIterable<Finding[]> {
    const tables = this.requireTables()
    const relation = clickHouseIdentifier(stored.table)
    const key = ['SourceFile', 'SourceRecord']
    const sql = clickHouseMatchSql(relation, key, this.present, {
      distributed: stored.distributed,
    })
    if (sql === '') return
    await this.fillRangeHits(relation)
    await this.connection.command('DROP TEMPORARY TABLE IF EXISTS table_matches')
    await this.connection.command(`CREATE TEMPORARY TABLE table_matches ENGINE = Memory AS ${sql}`)
    const columns = EVENT_COLUMNS.map((c) =>
      c === 'TimeGenerated' ? 'toString(e.TimeGenerated) AS TimeGenerated' : `e.${c} AS ${c}`,
    )
    const global = stored.distributed ? 'GLOBAL ' : ''
    const rows = this.connection.rows(
      `SELECT m.ind AS ind, m.field AS field, m.match AS match, m.matched AS matched,
         ${columns.join(', ')}
       FROM (
         SELECT * FROM ${relation}
         WHERE (SourceFile, SourceRecord) ${global}IN (SELECT SourceFile, SourceRecord FROM table_matches)
       ) e ${global}JOIN table_matches m
         ON e.SourceFile = m.SourceFile AND e.SourceRecord = m.SourceRecord
       ORDER BY e.SourceFile, e.SourceRecord, ${FIELD_RANK.replace('field', 'm.field')}, m.ind`,
    )
    for await (const block of rows) {
      yield block.map((row) => finding(tables, storedEvent(row), row))
    }
  }

  private requireTables(): IndicatorTables {
    if (!this.tables) throw new Error('setIndicators must come before matching')
    return this.tables
  }

  private async fillRangeHits(relation: string): Promise<void> {
    const tables = this.requireTables()
    if (!this.present.ranges) return
    await this.connection.command('TRUNCATE TABLE range_hits')
    const addresses = (await allRows(this.connection, clickHouseAddressesSql(relation))).map(
      (row) => row.a as string,
    )
    await this.connection.insert('range_hits', rangeHits(addresses, tables.ranges))
  }
}

/** An event as the events table returns it, in the shape readers give. */
function storedEvent(row: ClickHouseRow): LogEvent {
  const event = {} as Record<string, unknown>
  for (const name of EVENT_COLUMNS) event[name] = row[name] ?? null
  const time = row.TimeGenerated as string | null
  event.TimeGenerated = time === null ? null : `${time.replace(' ', 'T')}Z`
  event.SourceRecord = Number(row.SourceRecord)
  event.SourceLine = row.SourceLine === null ? null : Number(row.SourceLine)
  event.DnsResponse = (row.DnsResponse as string[] | null) ?? []
  event.EventType = (row.EventType as EventKind | null) ?? 'other'
  return event as unknown as LogEvent
}

function finding(tables: IndicatorTables, event: LogEvent, row: ClickHouseRow): Finding {
  const indicator = tables.indicators[Number(row.ind)]
  if (!indicator) throw new ClickHouseError(`match on unknown indicator row ${String(row.ind)}`)
  const field = row.field as MatchField
  return {
    indicator,
    match: row.match as MatchKind,
    field,
    direction: directionOf(field),
    matched: row.matched as string,
    event,
  }
}
