/**
 * @module
 * A hunt on ClickHouse: raw logs read here and matched batch by batch on the server (the
 * indicators sent once, as temporary tables), and events tables written by
 * `logs import --into clickhouse://…` matched in place, named `clickhouse:<table>`. Lakes are
 * Parquet files on this machine, which a server cannot read: they are hunted with DuckDB.
 */
import { UsageError } from '../errors.ts'
import type { Indicator } from '../intel/indicator.ts'
import { type BatchOptions, readInBatches } from '../logs/batches.ts'
import { ClickHouseEngine } from './clickhouse.ts'
import {
  allRows,
  type ClickHouseConnection,
  ClickHouseError,
  serverConnection,
} from './clickhouse-connection.ts'
import { checkTableName } from './clickhouse-import.ts'
import { clickHouseIdentifier, clickHouseString } from './clickhouse-sql.ts'
import { emptyHuntResult, type HuntResult } from './hunt.ts'
import { indicatorTables } from './indicator-tables.ts'
import { isLake } from './lake.ts'

/** How `--logs` names a stored events table. */
export const TABLE_PREFIX = 'clickhouse:'

export interface ClickHouseHunt {
  /** The session to hunt in; the hunt closes it. */
  connection: ClickHouseConnection
  /** Send only the events the prefilter keeps (default); findings are the same without. */
  prefilter?: boolean
}

/** Hunts `paths` (log files, folders, `clickhouse:<table>`) on a ClickHouse. */
export async function huntOnClickHouse(
  indicators: readonly Indicator[],
  paths: readonly string[],
  hunt: ClickHouseHunt,
  options: BatchOptions = {},
): Promise<HuntResult> {
  const engine = await ClickHouseEngine.open(hunt.connection, {
    prefilter: hunt.prefilter,
  }).catch(async (error: unknown) => {
    await hunt.connection.close()
    throw error
  })
  try {
    await engine.setIndicators(indicatorTables(indicators))
    const result = emptyHuntResult()
    const raw: string[] = []
    const stored: string[] = []
    for (const path of paths) {
      if (path.startsWith(TABLE_PREFIX)) {
        stored.push(checkTableName(path.slice(TABLE_PREFIX.length), `--logs ${path}`))
      } else if (await isLake(path)) {
        throw new UsageError(
          `${path} is a lake (Parquet files here), which a ClickHouse server cannot read: ` +
            'hunt it with --engine duckdb, or import its logs with logs import --into clickhouse://',
        )
      } else raw.push(path)
    }
    for (const table of stored) {
      const { engine: kind, rows } = await describeTable(hunt.connection, table)
      for await (const block of engine.streamTable({
        table,
        distributed: kind === 'Distributed',
      })) {
        for (const finding of block) result.findings.push(finding)
      }
      result.files.push({
        name: `${TABLE_PREFIX}${table}`,
        format: `ClickHouse ${kind}`,
        events: rows,
      })
      result.events += rows
    }
    if (raw.length > 0) {
      const read = await readInBatches(
        raw,
        async (events) => {
          for (const finding of await engine.matchEvents(events)) result.findings.push(finding)
        },
        options,
      )
      result.events += read.events
      result.files.push(...read.files)
      result.broken = read.broken
      result.skipped = read.skipped
    }
    return result
  } finally {
    await engine.close()
  }
}

/** The table's engine and row count; a table that is not there is an input error. */
export async function describeTable(
  connection: ClickHouseConnection,
  table: string,
): Promise<{ engine: string; rows: number }> {
  const found = await allRows(
    connection,
    `SELECT engine FROM system.tables
     WHERE database = currentDatabase() AND name = ${clickHouseString(table)}`,
  )
  const engine = found[0]?.engine as string | undefined
  if (engine === undefined) {
    throw new ClickHouseError(
      `${connection.describe}: no table ${JSON.stringify(table)} (logs import --into creates it)`,
    )
  }
  const counted = await allRows(
    connection,
    `SELECT count() AS n FROM ${clickHouseIdentifier(table)}`,
  )
  return { engine, rows: Number(counted[0]?.n ?? 0) }
}

export const ENGINES = ['duckdb', 'clickhouse'] as const

/**
 * The ClickHouse hunt the `hunt` options ask for, or undefined for DuckDB. There is no default
 * server: `--engine clickhouse` needs `--clickhouse-url`.
 */
export function clickHouseHuntFor(flags: {
  engine: string
  clickhouseUrl?: string
  database?: string
  logs: readonly string[]
}): ClickHouseHunt | undefined {
  if (!(ENGINES as readonly string[]).includes(flags.engine)) {
    throw new UsageError(`--engine ${flags.engine}: expected one of ${ENGINES.join(', ')}`)
  }
  if (flags.engine === 'duckdb') {
    if (flags.clickhouseUrl !== undefined) {
      throw new UsageError('--clickhouse-url is for --engine clickhouse')
    }
    const stored = flags.logs.find((p) => p.startsWith(TABLE_PREFIX))
    if (stored !== undefined) {
      throw new UsageError(
        `--logs ${stored}: a ClickHouse table is hunted with --engine clickhouse`,
      )
    }
    return undefined
  }
  if (flags.clickhouseUrl === undefined) {
    throw new UsageError('--engine clickhouse needs --clickhouse-url (e.g. http://host:8123)')
  }
  return {
    connection: serverConnection({
      url: flags.clickhouseUrl,
      database: flags.database ?? 'default',
    }),
  }
}
