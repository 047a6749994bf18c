/**
 * @module
 * What the ClickHouse engine needs from a ClickHouse: run a statement, stream the rows of a
 * query, insert JSON rows, all in one session (indicator tables are temporary tables, which
 * live as long as the session). A server is reached over HTTP with `@clickhouse/client`; the
 * tests and the benchmark use `chdb`, ClickHouse inside Node.js (`clickhouse-chdb.ts`).
 */
import { randomUUID } from 'node:crypto'
import { createClient } from '@clickhouse/client'
import { HuntpackError, UsageError } from '../errors.ts'

/** A row as `JSONEachRow` gives it: 64-bit integers may come as strings. */
export type ClickHouseRow = Record<string, unknown>

export interface ClickHouseConnection {
  /** Where the connection goes, for messages (never with a password). */
  readonly describe: string
  /** Runs a statement that returns no rows. */
  command(sql: string): Promise<void>
  /** Streams the rows of a query, a block at a time. */
  rows(sql: string): AsyncIterable<ClickHouseRow[]>
  /** Inserts rows (objects keyed by column) as one `INSERT … FORMAT JSONEachRow`. */
  insert(table: string, rows: readonly ClickHouseRow[], settings?: InsertSettings): Promise<void>
  close(): Promise<void>
}

export interface InsertSettings {
  /** With `non_replicated_deduplication_window` or a replicated table, a retry is dropped. */
  insert_deduplication_token?: string
}

/** Settings every insert needs: ISO times with `Z` parse into `DateTime64`. */
export const INSERT_SETTINGS = { date_time_input_format: 'best_effort' } as const

/**
 * A ClickHouse said no, or could not be reached; the message names where and what. For a hunt
 * it is an input that cannot be read (exit 3); imports report it as an output error.
 */
export class ClickHouseError extends HuntpackError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INPUT', message, undefined, options)
  }
}

/** All rows of a query, for the small results the engine reads whole. */
export async function allRows(
  connection: ClickHouseConnection,
  sql: string,
): Promise<ClickHouseRow[]> {
  const rows: ClickHouseRow[] = []
  for await (const block of connection.rows(sql)) for (const row of block) rows.push(row)
  return rows
}

export interface ServerOptions {
  /** `http://host:8123`; the user and password may be in it. */
  url: string
  database: string
  /** Seconds a query may take; hunts over a large table take a while. */
  timeoutSeconds?: number
}

/** A ClickHouse server over HTTP, one session for the connection's life. */
export function serverConnection(options: ServerOptions): ClickHouseConnection {
  let url: URL
  try {
    url = new URL(options.url)
  } catch {
    throw new UsageError('ClickHouse URL: not a URL (expected http://host:8123)')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`ClickHouse URL: ${url.protocol} given, expected http: or https:`)
  }
  const username = decodeURIComponent(url.username) || undefined
  const password = decodeURIComponent(url.password) || undefined
  url.username = ''
  url.password = ''
  const describe = `${url.origin}/${options.database}`
  const client = createClient({
    url: url.origin,
    username,
    password,
    database: options.database,
    session_id: randomUUID(),
    request_timeout: (options.timeoutSeconds ?? 3600) * 1000,
    application: 'huntpack',
    compression: { request: false, response: false },
  })
  const failed = (what: string, error: unknown): ClickHouseError =>
    new ClickHouseError(`${describe}: ${what} failed: ${(error as Error).message}`, {
      cause: error,
    })
  return {
    describe,
    async command(sql) {
      try {
        await client.command({ query: sql })
      } catch (error) {
        throw failed(firstWords(sql), error)
      }
    },
    async *rows(sql) {
      let result: Awaited<ReturnType<typeof client.query>>
      try {
        result = await client.query({ query: sql, format: 'JSONEachRow' })
      } catch (error) {
        throw failed(firstWords(sql), error)
      }
      for await (const block of result.stream<ClickHouseRow>()) {
        yield block.map((row) => row.json())
      }
    },
    async insert(table, rows, settings = {}) {
      if (rows.length === 0) return
      try {
        await client.insert({
          table,
          values: rows as ClickHouseRow[],
          format: 'JSONEachRow',
          clickhouse_settings: { ...INSERT_SETTINGS, ...settings },
        })
      } catch (error) {
        throw failed(`insert into ${table}`, error)
      }
    },
    async close() {
      await client.close()
    },
  }
}

/** The statement's first words, to say which one failed without printing indicator lists. */
export function firstWords(sql: string): string {
  const words = sql.trim().split(/\s+/).slice(0, 4).join(' ')
  return words.length > 60 ? `${words.slice(0, 60)}…` : words
}
