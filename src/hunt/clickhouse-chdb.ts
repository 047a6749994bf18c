/**
 * @module
 * ClickHouse inside Node.js: a `chdb` session as a `ClickHouseConnection`, so the ClickHouse
 * engine runs in-process in tests and benchmarks. `chdb` is a development dependency (its
 * library is half a gigabyte); a hunt against a real server uses `serverConnection`.
 */
import { Session } from 'chdb'
import {
  type ClickHouseConnection,
  ClickHouseError,
  firstWords,
  INSERT_SETTINGS,
} from './clickhouse-connection.ts'

/** A new chdb session in a temporary folder, removed on `close`. */
export function chdbConnection(): ClickHouseConnection {
  const session = new Session()
  const failed = (what: string, error: unknown): ClickHouseError =>
    new ClickHouseError(`chdb: ${what} failed: ${(error as Error).message}`, { cause: error })
  return {
    describe: 'chdb (in-process)',
    async command(sql) {
      try {
        await session.queryAsync(sql, { format: 'Null' })
      } catch (error) {
        throw failed(firstWords(sql), error)
      }
    },
    async *rows(sql) {
      const stream = session.queryStream(sql, { format: 'JSONEachRow' })
      try {
        for await (const chunk of stream) yield chunk.rows<Record<string, unknown>>()
      } catch (error) {
        throw failed(firstWords(sql), error)
      } finally {
        stream.cancel()
      }
    },
    async insert(table, rows, settings = {}) {
      if (rows.length === 0) return
      const body = rows.map((row) => JSON.stringify(row)).join('\n')
      try {
        await session.insert({
          table,
          values: Buffer.from(body),
          format: 'JSONEachRow',
          settings: { ...INSERT_SETTINGS, ...settings },
        })
      } catch (error) {
        throw failed(`insert into ${table}`, error)
      }
    },
    async close() {
      session.close()
    },
  }
}
