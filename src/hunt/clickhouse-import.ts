/**
 * @module
 * `logs import --into clickhouse://host:8123/db`: normalised events into a ClickHouse events
 * table, all or nothing, as an import into a lake is.
 *
 * Batches (from `readInBatches`, so reading pauses while two wait) are inserted into a staging
 * table of the events table's layout, created for this import. A batch the server refuses
 * stops the import: the staging table is dropped, the error names the batch and its first and
 * last event, and the events table holds nothing of the import. When every batch is in, the
 * staging table's partitions (days) are attached to the events table one by one with
 * `ATTACH PARTITION … FROM`, which adds a day's parts at once; a `Distributed` table, or one
 * laid out differently, gets one `INSERT … SELECT` instead. Should the server fail between two
 * days, the error lists what was attached and keeps the staging table to finish by hand.
 *
 * Deduplication tokens were the other way: they make a retried batch harmless but still leave
 * a failed import's earlier batches in the table, so they do not give all or nothing.
 */
import { randomBytes } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { HuntpackError, UsageError } from '../errors.ts'
import { type BatchOptions, type BatchResult, readInBatches } from '../logs/batches.ts'
import { EVENT_COLUMNS, type LogEvent } from '../logs/event.ts'
import { allRows, type ClickHouseConnection, type ClickHouseRow } from './clickhouse-connection.ts'
import { clickHouseIdentifier, clickHouseString, eventsTableDdl } from './clickhouse-sql.ts'

/** Where `--into clickhouse://[user:password@]host:port/database[?table=name]` points. */
export interface ClickHouseTarget {
  /** `http://…` (`https://…` for `clickhouses://`), credentials kept for the client. */
  url: string
  database: string
  table: string
}

/** Table names huntpack creates and reads: plain identifiers, so no quoting is ever needed. */
const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

export function checkTableName(table: string, option: string): string {
  if (!TABLE_NAME.test(table)) {
    throw new UsageError(
      `${option}: table ${JSON.stringify(table)} is not a plain name (letters, digits, _)`,
    )
  }
  return table
}

export function isClickHouseUrl(value: string): boolean {
  return /^clickhouses?:\/\//i.test(value)
}

export function parseClickHouseTarget(value: string): ClickHouseTarget {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError('--into: not a URL (expected clickhouse://host:8123/database)')
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (database === '' || database.includes('/')) {
    throw new UsageError(
      `--into clickhouse://${url.host}${url.pathname}: name one database, as clickhouse://host:8123/database`,
    )
  }
  const table = checkTableName(url.searchParams.get('table') ?? 'events', '--into')
  const scheme = url.protocol.toLowerCase() === 'clickhouses:' ? 'https' : 'http'
  const auth = url.username === '' ? '' : `${url.username}:${url.password}@`
  return { url: `${scheme}://${auth}${url.host}`, database, table }
}

export interface ClickHouseImportOptions extends BatchOptions {
  /** The events table; created (one server, `eventsTableDdl`) when missing. */
  table?: string
}

export interface ClickHouseImportResult extends BatchResult {
  table: string
  created: boolean
  /** Events this import added. */
  events: number
  /** Named files left out because the table already holds events from a file of that name. */
  alreadyInTable: string[]
  /** Events in the table after the import. */
  total: number
}

/** Imports logs under `paths` into the events table of `connection`'s database. */
export async function importIntoClickHouse(
  paths: readonly string[],
  connection: ClickHouseConnection,
  options: ClickHouseImportOptions = {},
): Promise<ClickHouseImportResult> {
  const table = checkTableName(options.table ?? 'events', 'table')
  const target = clickHouseIdentifier(table)
  const database = String((await allRows(connection, 'SELECT currentDatabase() AS db'))[0]?.db)
  let info = await tableInfo(connection, table)
  const created = info === undefined
  if (info === undefined) {
    for (const sql of eventsTableDdl({ database, table })) await connection.command(sql)
    info = await tableInfo(connection, table)
  }
  if (info === undefined) throw failed(connection, `${table} was created but cannot be found`)

  const alreadyInTable = await alreadyImported(connection, target, paths)
  const wanted = paths.filter((p) => !alreadyInTable.includes(p))

  const staging = `${table}_import_${randomBytes(6).toString('hex')}`
  const stagingId = clickHouseIdentifier(staging)
  const [stagingDdl] = eventsTableDdl({ database, table: staging })
  await connection.command(stagingDdl as string)
  let keepStaging = false
  try {
    let batches = 0
    // readInBatches may surface a consumer's error as a read error of the file being read;
    // the batch's own error is the one to report.
    let refused: HuntpackError | undefined
    const read = await readInBatches(
      wanted,
      async (events) => {
        batches++
        try {
          await connection.insert(staging, events.map(eventRow))
        } catch (error) {
          refused = failed(
            connection,
            `batch ${batches} (${events.length} events, ${place(events[0])} to ` +
              `${place(events.at(-1))}) could not be written, so nothing of this import is in ` +
              `${table}: ${(error as Error).message}`,
            error,
          )
          throw refused
        }
      },
      options,
    ).catch((error: unknown) => {
      throw refused ?? error
    })
    const staged = await tableInfo(connection, staging)
    if (info.engine.endsWith('MergeTree') && sameLayout(info, staged)) {
      const partitions = await allRows(
        connection,
        `SELECT DISTINCT partition_id FROM system.parts
         WHERE database = currentDatabase() AND table = ${clickHouseString(staging)} AND active
         ORDER BY partition_id`,
      )
      const attached: string[] = []
      for (const { partition_id } of partitions) {
        const id = String(partition_id)
        try {
          await connection.command(
            `ALTER TABLE ${target} ATTACH PARTITION ID ${clickHouseString(id)} FROM ${stagingId}`,
          )
        } catch (error) {
          keepStaging = attached.length > 0
          throw failed(
            connection,
            `attaching partition ${id} of ${staging} to ${table} failed after ` +
              `${attached.length} of ${partitions.length} partitions` +
              (keepStaging
                ? ` (${attached.join(', ')}); ${staging} is kept: attach the rest with ` +
                  `ALTER TABLE ${table} ATTACH PARTITION ID '…' FROM ${staging}`
                : '; nothing of this import is in the table') +
              `: ${(error as Error).message}`,
            error,
          )
        }
        attached.push(id)
      }
    } else {
      await connection.command(`INSERT INTO ${target} SELECT * FROM ${stagingId}`)
    }
    const total = await allRows(connection, `SELECT count() AS n FROM ${target}`)
    return {
      ...read,
      table,
      created,
      alreadyInTable,
      total: Number(total[0]?.n ?? 0),
    }
  } finally {
    if (!keepStaging) await connection.command(`DROP TABLE IF EXISTS ${stagingId}`)
  }
}

interface TableInfo {
  engine: string
  partitionKey: string
  sortingKey: string
}

async function tableInfo(
  connection: ClickHouseConnection,
  table: string,
): Promise<TableInfo | undefined> {
  const rows = await allRows(
    connection,
    `SELECT engine, partition_key, sorting_key FROM system.tables
     WHERE database = currentDatabase() AND name = ${clickHouseString(table)}`,
  )
  const row = rows[0]
  if (row === undefined) return undefined
  return {
    engine: String(row.engine),
    partitionKey: String(row.partition_key),
    sortingKey: String(row.sorting_key),
  }
}

function sameLayout(a: TableInfo, b: TableInfo | undefined): boolean {
  return b !== undefined && a.partitionKey === b.partitionKey && a.sortingKey === b.sortingKey
}

/** Files named on the command line whose name the table already holds as a source. */
async function alreadyImported(
  connection: ClickHouseConnection,
  target: string,
  paths: readonly string[],
): Promise<string[]> {
  const files: string[] = []
  for (const path of paths) {
    if ((await stat(path).catch(() => undefined))?.isFile()) files.push(path)
  }
  if (files.length === 0) return []
  const rows = await allRows(
    connection,
    `SELECT DISTINCT SourceFile AS f FROM ${target}
     WHERE SourceFile IN (${files.map(clickHouseString).join(', ')})`,
  )
  const present = new Set(rows.map((r) => r.f as string))
  return files.filter((f) => present.has(f))
}

function eventRow(event: LogEvent): ClickHouseRow {
  const row: ClickHouseRow = {}
  for (const column of EVENT_COLUMNS) row[column] = event[column]
  return row
}

function place(event: LogEvent | undefined): string {
  if (!event) return '?'
  return event.SourceLine !== null
    ? `${event.SourceFile}:${event.SourceLine}`
    : `${event.SourceFile} record ${event.SourceRecord}`
}

function failed(connection: ClickHouseConnection, message: string, cause?: unknown): HuntpackError {
  return new HuntpackError('ERR_OUTPUT', `${connection.describe}: ${message}`, undefined, {
    cause,
  })
}
