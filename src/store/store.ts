/**
 * @module
 * The store: one DuckDB file holding indicators, their sightings in each pull, the pulls and the
 * packs built from them. DuckDB lets one process write a file at a time and locks it; a second
 * process gets `StoreBusyError` at once, or waits for the lock with `wait`.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api'
import { StoreBusyError, StoreError } from './errors.ts'
import { MIGRATIONS, SCHEMA_VERSION } from './schema.ts'

export interface StoreOptions {
  /** Open for reading only: several readers may share a store no one writes. */
  readOnly?: boolean
  /** How long to wait for another process's lock, in ms; 0 (default) fails at once. */
  waitMs?: number
  /** Poll interval while waiting, in ms. */
  pollMs?: number
  /** DuckDB threads; default: DuckDB's choice (the cores). */
  threads?: number
}

/** `$XDG_DATA_HOME/huntpack/store.duckdb`, else `~/.local/share/huntpack/store.duckdb`. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  const data = env.XDG_DATA_HOME?.startsWith('/')
    ? env.XDG_DATA_HOME
    : join(homedir(), '.local', 'share')
  return join(data, 'huntpack', 'store.duckdb')
}

export type Row = Record<string, string | number | boolean | null | string[]>

export class Store {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
    readonly db: DuckDBConnection,
    readonly readOnly: boolean,
  ) {}

  /**
   * Opens (and, to write, creates) the store at `path`, migrated to the current schema. Fails
   * with StoreBusyError when another process holds it, unless `waitMs` allows waiting.
   */
  static async open(path: string, options: StoreOptions = {}): Promise<Store> {
    const readOnly = options.readOnly ?? false
    if (readOnly && !existsSync(path)) {
      throw new StoreError(`no store at ${path}: pull a feed into it first (huntpack pull)`)
    }
    if (!readOnly) mkdirSync(dirname(path), { recursive: true })
    let store = await Store.openOnce(path, readOnly, options)
    const version = await store.schemaVersion()
    if (version > SCHEMA_VERSION) {
      store.close()
      throw new StoreError(
        `${path} has schema version ${version}, newer than this huntpack knows ` +
          `(${SCHEMA_VERSION}): upgrade huntpack`,
      )
    }
    if (version < SCHEMA_VERSION) {
      if (readOnly) {
        // Migrating needs the write lock for a moment.
        store.close()
        store = await Store.openOnce(path, false, options)
        await store.migrate()
        store.close()
        return Store.openOnce(path, true, options)
      }
      await store.migrate()
    }
    return store
  }

  private static async openOnce(
    path: string,
    readOnly: boolean,
    options: StoreOptions,
  ): Promise<Store> {
    const config: Record<string, string> = {}
    if (readOnly) config.access_mode = 'READ_ONLY'
    if (options.threads !== undefined) config.threads = String(options.threads)
    const deadline = Date.now() + (options.waitMs ?? 0)
    for (;;) {
      try {
        const instance = await DuckDBInstance.create(path, config)
        return new Store(path, instance, await instance.connect(), readOnly)
      } catch (error) {
        const message = (error as Error).message
        if (!/Could not set lock|Conflicting lock/i.test(message)) {
          throw new StoreError(`cannot open the store ${path}: ${message}`, { cause: error })
        }
        if (Date.now() >= deadline) throw new StoreBusyError(path, { cause: error })
        await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200))
      }
    }
  }

  close(): void {
    this.db.closeSync()
    this.instance.closeSync()
  }

  async run(sql: string, params?: DuckDBValue[]): Promise<void> {
    await this.db.run(sql, params)
  }

  /** Rows as plain objects; BIGINT and HUGEINT come back as numbers. */
  async all(sql: string, params?: DuckDBValue[]): Promise<Row[]> {
    const reader = await this.db.runAndReadAll(sql, params)
    const rows = reader.getRowObjectsJS() as Record<string, unknown>[]
    for (const row of rows) {
      for (const key in row) {
        if (typeof row[key] === 'bigint') row[key] = Number(row[key])
      }
    }
    return rows as Row[]
  }

  async one(sql: string, params?: DuckDBValue[]): Promise<Row> {
    const rows = await this.all(sql, params)
    return rows[0] ?? {}
  }

  /**
   * Runs `work` in one transaction: committed whole, or rolled back whole when it throws (and,
   * if the process dies, never committed).
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    await this.db.run('BEGIN TRANSACTION')
    let result: T
    try {
      result = await work()
    } catch (error) {
      await this.db.run('ROLLBACK').catch(() => undefined)
      throw error
    }
    await this.db.run('COMMIT')
    return result
  }

  async schemaVersion(): Promise<number> {
    const tables = await this.all(
      "SELECT 1 FROM information_schema.tables WHERE table_name = 'meta' AND table_schema = 'main'",
    )
    if (tables.length === 0) return 0
    const row = await this.one("SELECT value FROM meta WHERE key = 'schema_version'")
    return Number(row.value ?? 0)
  }

  private async migrate(): Promise<void> {
    await this.transaction(async () => {
      await this.run('CREATE TABLE IF NOT EXISTS meta (key VARCHAR NOT NULL, value VARCHAR)')
      const from = await this.schemaVersion()
      for (let version = from; version < MIGRATIONS.length; version++) {
        for (const sql of MIGRATIONS[version] ?? []) await this.run(sql)
      }
      await this.run("DELETE FROM meta WHERE key = 'schema_version'")
      await this.run("INSERT INTO meta VALUES ('schema_version', ?)", [String(SCHEMA_VERSION)])
    })
  }
}
