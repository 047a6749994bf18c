import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type BuildOptions, buildPack, buildPacks, loadIntel } from '../src/build.ts'
import { chdbConnection } from '../src/hunt/clickhouse-chdb.ts'
import { allRows, type ClickHouseConnection } from '../src/hunt/clickhouse-connection.ts'
import { importIntoClickHouse } from '../src/hunt/clickhouse-import.ts'
import { eventsTableDdl } from '../src/hunt/clickhouse-sql.ts'
import { DuckDbEngine } from '../src/hunt/duckdb.ts'
import type { Finding } from '../src/hunt/finding.ts'
import { huntLogs } from '../src/hunt/hunt.ts'
import { indicatorTables } from '../src/hunt/indicator-tables.ts'
import type { Indicator } from '../src/intel/indicator.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import { EVENT_COLUMNS, type LogEvent } from '../src/logs/event.ts'
import type { Pack } from '../src/pack/pack.ts'
import { clickHouseHuntSql, huntedSql } from '../src/targets/clickhouse/query.ts'
import { assertGoldenTree } from './support/golden.ts'
import { CASES, event, INDICATORS } from './support/hunt-cases.ts'
import { indicator } from './support/indicators.ts'
import { requireSharedData } from './support/shared-data.ts'

const GOLDEN = fileURLToPath(new URL('./golden/targets/clickhouse/', import.meta.url))

function options(more: Partial<BuildOptions> = {}): BuildOptions {
  return {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 200,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
    targets: ['clickhouse'],
    ...more,
  }
}

function pack(id: string, title: string, indicators: Indicator[]): Pack {
  return {
    id,
    name: title,
    title,
    groupBy: 'family',
    aliases: [],
    feeds: ['feed.csv'],
    indicators,
    warninglisted: [],
    rejections: [],
  }
}

function clickhouseFiles(built: { files: { path: string; content: string | string[] }[] }[]) {
  const files = new Map<string, string>()
  for (const b of built) {
    for (const f of b.files) {
      if (f.path.includes('/clickhouse/')) {
        files.set(f.path, Array.isArray(f.content) ? f.content.join('') : f.content)
      }
    }
  }
  return files
}

/** The statement over every event, whatever its time: the fixtures are old. */
function anyTime(sql: string, table = 'events'): string {
  const hunted = huntedSql('events', '14d')
  assert.equal(sql.split(hunted).length, 2, 'the hunted line is there once')
  return sql.replace(hunted, `hunted AS (SELECT * FROM ${table})`)
}

function engineRow(f: Finding): string {
  return `${f.event.SourceFile}#${f.event.SourceRecord} ${f.indicator.kind} ${f.indicator.value} ${f.match} ${f.field} ${f.matched}`
}

async function sqlRows(connection: ClickHouseConnection, sql: string): Promise<string[]> {
  return (await allRows(connection, sql)).map(
    (r) =>
      `${r.SourceFile}#${Number(r.SourceRecord)} ${r.IndicatorKind} ${r.Indicator} ${r.Match} ${r.Field} ${r.Matched}`,
  )
}

describe('clickhouse target', () => {
  let connection: ClickHouseConnection
  before(() => {
    connection = chdbConnection()
  })
  after(async () => connection.close())

  test('the example packs and a pack of every kind give exactly the reviewed files', async () => {
    const load = await loadIntel(['examples/threatfox_recent.csv'])
    const built = buildPacks(load, options({ families: ['XWorm', 'Lumma Stealer'] })).built
    built.push(buildPack(pack('mixed', 'Test: Mixed IOCs', INDICATORS), options()))
    assertGoldenTree(GOLDEN, clickhouseFiles(built), (path) => path.endsWith('.sql'))
  })

  test('every case of the engine tests: the SQL gives the engine findings, one server and distributed', async () => {
    const events = CASES.map(([fields]) => event(fields))
    for (const sql of eventsTableDdl({ database: 'default', table: 'events' })) {
      await connection.command(sql)
    }
    await connection.command('TRUNCATE TABLE events')
    await connection.insert(
      'events',
      events.map((e) => Object.fromEntries(EVENT_COLUMNS.map((c) => [c, e[c]]))),
    )
    const duck = await DuckDbEngine.open({ threads: 1, prefilter: false })
    await duck.setIndicators(indicatorTables(INDICATORS))
    const expected = (await duck.matchEvents(events)).map(engineRow)
    duck.close()
    assert.ok(expected.some((r) => r.includes(' in-range ')))
    for (const distributed of [false, true]) {
      const sql = clickHouseHuntSql(INDICATORS, { table: 'events', lookback: '14d', distributed })
      assert.ok(sql)
      assert.deepEqual(
        await sqlRows(connection, anyTime(sql)),
        expected,
        `distributed ${distributed}`,
      )
    }
  })

  test('the packs built from the CLI fixture feed find what the hunt finds in the fixture logs', async () => {
    // chdb holds one session per process: the fixture events go to a table of their own.
    await importIntoClickHouse(['test/fixtures/hunt/logs'], connection, { table: 'fixture' })
    {
      const load = await loadIntel(['test/fixtures/hunt/iocs.csv'])
      const built = buildPacks(load, options()).built
      assert.ok(built.length >= 2)
      for (const b of built) {
        const files = clickhouseFiles([b])
        const sql = files.get(`${b.pack.id}/clickhouse/hunt.sql`)
        const hunt = await huntLogs(b.pack.indicators, ['test/fixtures/hunt/logs'], {
          parallel: false,
        })
        const expected = hunt.findings.map(engineRow)
        if (sql === undefined) {
          assert.deepEqual(expected, [])
          continue
        }
        assert.deepEqual(await sqlRows(connection, anyTime(sql, 'fixture')), expected, b.pack.id)
      }
    }
  })

  test('hostile values stay literals and comments stay comments', async () => {
    // As a log gives it once normalised; the quote and markup survive normalisation.
    const url = event({ Url: "http://evil.example/a'b?q=<script>&x==cmd|" }).Url ?? ''
    assert.match(url, /'/)
    const hostile = pack('hostile', "Evil\n-- DROP TABLE events; '\\", [
      indicator('url', url, { family: 'Hostile' }),
      indicator('domain', 'evil.example', { family: "Fam'ily\\\n" }),
    ])
    const built = buildPack(hostile, options())
    const sql = clickhouseFiles([built]).get('hostile/clickhouse/hunt.sql') ?? ''
    const header = sql.split('\n').filter((l) => l.startsWith('--'))
    assert.ok(header[0]?.startsWith('-- huntpack: Evil -- DROP TABLE'), header[0])
    assert.ok(!sql.includes('\nDROP'))
    const canonical = built.pack.indicators.find((i) => i.kind === 'url')?.value ?? ''
    const e: LogEvent = { ...event({ Url: url }), SourceFile: 'hostile.log' }
    await connection.command('TRUNCATE TABLE events')
    await connection.insert('events', [Object.fromEntries(EVENT_COLUMNS.map((c) => [c, e[c]]))])
    const rows = await sqlRows(connection, anyTime(sql))
    assert.deepEqual(rows, [
      `hostile.log#${e.SourceRecord} url ${canonical} exact Url ${url}`,
      `hostile.log#${e.SourceRecord} domain evil.example exact UrlHost evil.example`,
    ])
  })

  test('every pack of the real ThreatFox export: its SQL runs and finds what the hunt finds', async (t) => {
    const feed = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
    const logs = requireSharedData(t, 'logs')
    if (!feed || !logs) return
    await importIntoClickHouse([logs], connection, { table: 'real' })
    const load = await loadIntel([feed, 'test/fixtures/hunt/real-samples.txt'])
    const built = buildPacks(load, options()).built
    const hunt = await huntLogs(
      built.flatMap((b) => b.pack.indicators),
      [logs],
      { parallel: false },
    )
    const expected = new Set(hunt.findings.map(engineRow))
    const hunted = new Set(hunt.findings.map((f) => f.indicator))
    // Every statement runs (an empty table checks names and types quickly); those of packs
    // with findings run over the real events.
    await connection.command('CREATE TABLE real_empty AS real')
    let statements = 0
    const found = new Set<string>()
    for (const b of built) {
      const table = b.pack.indicators.some((i) => hunted.has(i)) ? 'real' : 'real_empty'
      for (const [path, sql] of clickhouseFiles([b])) {
        if (path.endsWith('.distributed.sql')) continue
        for (const row of await sqlRows(connection, anyTime(sql, table))) found.add(row)
        statements++
      }
    }
    assert.ok(statements > 10, String(statements))
    assert.ok(expected.size > 50, String(expected.size))
    assert.deepEqual([...found].sort(), [...expected].sort())
  })
})
