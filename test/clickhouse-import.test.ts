import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { chdbConnection } from '../src/hunt/clickhouse-chdb.ts'
import type { ClickHouseConnection } from '../src/hunt/clickhouse-connection.ts'
import { huntOnClickHouse } from '../src/hunt/clickhouse-hunt.ts'
import { importIntoClickHouse, parseClickHouseTarget } from '../src/hunt/clickhouse-import.ts'
import type { Finding } from '../src/hunt/finding.ts'
import { huntLogs } from '../src/hunt/hunt.ts'
import { loadHuntIntel } from '../src/hunt/intel.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import { requireSharedData } from './support/shared-data.ts'

const IOCS = 'test/fixtures/hunt/iocs.csv'
const LOGS = 'test/fixtures/hunt/logs'

function plain(f: Finding): string {
  const e = f.event
  return `${e.SourceFile}:${e.SourceLine}#${e.SourceRecord} ${f.indicator.value} ${f.match} ${f.field} ${f.direction} ${f.matched}`
}

async function intel(paths: string[]) {
  return (await loadHuntIntel(paths, { warninglists: WarninglistSet.builtIn() })).indicators
}

/** Passes everything through, except inserts into the staging table after the first `n`. */
function failingAfter(connection: ClickHouseConnection, n: number): ClickHouseConnection {
  let inserts = 0
  return {
    ...connection,
    describe: connection.describe,
    command: (sql) => connection.command(sql),
    rows: (sql) => connection.rows(sql),
    close: () => connection.close(),
    async insert(table, rows, settings) {
      if (table.includes('_import_') && ++inserts > n) throw new Error('disk full (simulated)')
      return connection.insert(table, rows, settings)
    },
  }
}

async function count(connection: ClickHouseConnection, sql: string): Promise<number> {
  for await (const block of connection.rows(sql)) return Number(block[0]?.n)
  return Number.NaN
}

describe('logs import into ClickHouse (chdb)', () => {
  let connection: ClickHouseConnection
  before(() => {
    connection = chdbConnection()
  })
  after(async () => connection.close())

  test('imports the fixture logs, creating the table; a named file is not imported twice', async () => {
    const first = await importIntoClickHouse([LOGS], connection, { batchSize: 3 })
    assert.equal(first.created, true)
    assert.equal(first.events, 10)
    assert.equal(first.total, 10)
    assert.deepEqual(
      first.files.map((f) => f.name),
      [`${LOGS}/eve.json`, `${LOGS}/firewall.cef`],
    )
    const again = await importIntoClickHouse([`${LOGS}/eve.json`], connection)
    assert.equal(again.created, false)
    assert.deepEqual(again.alreadyInTable, [`${LOGS}/eve.json`])
    assert.equal(again.total, 10)
    assert.equal(
      await count(
        connection,
        "SELECT count() AS n FROM system.tables WHERE name LIKE 'events_import_%'",
      ),
      0,
    )
  })

  test('a hunt of the table gives the findings of a DuckDB hunt of the raw logs', async () => {
    const indicators = await intel([IOCS])
    const raw = await huntLogs(indicators, [LOGS], { parallel: false })
    const stored = await huntOnClickHouse(indicators, ['clickhouse:events'], {
      connection: chdbWithEvents(connection),
    })
    assert.equal(stored.events, 10)
    assert.equal(raw.findings.length, 10)
    assert.deepEqual(stored.findings.map(plain), raw.findings.map(plain))
    for (const [i, f] of stored.findings.entries()) {
      assert.deepEqual(f.event, raw.findings[i]?.event)
    }
  })

  test('a table laid out otherwise (another sort key) gets the import by INSERT … SELECT', async () => {
    await connection.command(
      'CREATE TABLE plain AS events ENGINE = MergeTree ORDER BY SourceFile SETTINGS allow_nullable_key = 1',
    )
    const result = await importIntoClickHouse([LOGS], connection, { table: 'plain' })
    assert.equal(result.created, false)
    assert.equal(result.total, 10)
  })

  test('a failed batch is reported and nothing of the import is in the table', async () => {
    const examples = 'examples/logs'
    await assert.rejects(
      importIntoClickHouse([examples], failingAfter(connection, 1), { batchSize: 5 }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, 'ERR_OUTPUT')
        assert.match(error.message, /batch 2 \(5 events, examples\/logs\/\S+:\d+ to /)
        assert.match(error.message, /nothing of this import is in events: .*disk full/)
        return true
      },
    )
    assert.equal(await count(connection, 'SELECT count() AS n FROM events'), 10)
    assert.equal(
      await count(
        connection,
        "SELECT count() AS n FROM system.tables WHERE name LIKE 'events_import_%'",
      ),
      0,
    )
  })
})

describe('ClickHouse raw-log hunt (chdb): the CLI fixture logs and the examples', () => {
  for (const [feed, logs] of [
    [IOCS, LOGS],
    ['examples/threatfox_recent.csv', 'examples/logs'],
  ] as const) {
    for (const prefilter of [true, false]) {
      test(`${logs}, prefilter ${prefilter ? 'on' : 'off'}: the same findings as DuckDB`, async () => {
        const indicators = await intel([feed])
        const duck = await huntLogs(indicators, [logs], { parallel: false, batchSize: 7 })
        const click = await huntOnClickHouse(
          indicators,
          [logs],
          { connection: chdbConnection(), prefilter },
          { batchSize: 7 },
        )
        assert.ok(duck.findings.length > 0)
        assert.deepEqual(click.findings.map(plain), duck.findings.map(plain))
        assert.equal(click.events, duck.events)
        assert.deepEqual(click.broken, duck.broken)
      })
    }
  }
})

test('the real log samples with their known indicators and the real ThreatFox export: the same findings as DuckDB', async (t) => {
  const logs = requireSharedData(t, 'logs')
  const threatfox = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
  if (!logs || !threatfox) return
  const indicators = await intel(['test/fixtures/hunt/real-samples.txt', threatfox])
  const duck = await huntLogs(indicators, [logs], { parallel: false })
  const click = await huntOnClickHouse(indicators, [logs], { connection: chdbConnection() })
  assert.ok(duck.findings.length > 50, String(duck.findings.length))
  assert.equal(click.events, duck.events)
  assert.deepEqual(click.findings.map(plain), duck.findings.map(plain))
})

describe('--into clickhouse:// URLs', () => {
  test('host, port, database, table and credentials', () => {
    assert.deepEqual(parseClickHouseTarget('clickhouse://127.0.0.1:8123/logs'), {
      url: 'http://127.0.0.1:8123',
      database: 'logs',
      table: 'events',
    })
    assert.deepEqual(parseClickHouseTarget('clickhouses://u:p%40ss@127.0.0.1:8443/db?table=ev'), {
      url: 'https://u:p%40ss@127.0.0.1:8443',
      database: 'db',
      table: 'ev',
    })
  })

  test('no database, or a path, is a usage error', () => {
    for (const bad of ['clickhouse://127.0.0.1:8123', 'clickhouse://127.0.0.1:8123/a/b']) {
      assert.throws(() => parseClickHouseTarget(bad), { code: 'ERR_USAGE' })
    }
  })

  test('a table name that would need quoting (quotes, backquotes, ;) is refused', async () => {
    const hostile = ["ev`il'; DROP TABLE x; --", 'a.b', 'new\nline', '<script>', '=cmd|x']
    for (const table of hostile) {
      assert.throws(
        () =>
          parseClickHouseTarget(
            `clickhouse://127.0.0.1:8123/db?table=${encodeURIComponent(table)}`,
          ),
        { code: 'ERR_USAGE' },
      )
      const connection = chdbConnection()
      try {
        await assert.rejects(
          importIntoClickHouse([`${LOGS}/firewall.cef`], connection, { table }),
          {
            code: 'ERR_USAGE',
          },
        )
        await assert.rejects(
          huntOnClickHouse([], [`clickhouse:${table}`], { connection: chdbWithEvents(connection) }),
          { code: 'ERR_USAGE' },
        )
      } finally {
        await connection.close()
      }
    }
  })
})

/** The same session, for a hunt that closes its connection when done. */
function chdbWithEvents(connection: ClickHouseConnection): ClickHouseConnection {
  return { ...connection, close: async () => {} }
}
