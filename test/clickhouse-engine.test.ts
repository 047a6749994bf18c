import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ClickHouseEngine } from '../src/hunt/clickhouse.ts'
import { chdbConnection } from '../src/hunt/clickhouse-chdb.ts'
import type { ClickHouseConnection } from '../src/hunt/clickhouse-connection.ts'
import { clickHouseMatchSql, clickHouseString, eventsTableDdl } from '../src/hunt/clickhouse-sql.ts'
import { DuckDbEngine } from '../src/hunt/duckdb.ts'
import type { Engine } from '../src/hunt/engine.ts'
import type { Finding } from '../src/hunt/finding.ts'
import { indicatorTables, urlKey } from '../src/hunt/indicator-tables.ts'
import {
  FIELD_PRIORITY,
  MATCH_STRENGTH,
  matchSql,
  type PresentShapes,
  rankSql,
} from '../src/hunt/match-sql.ts'
import { EVENT_COLUMNS, type LogEvent } from '../src/logs/event.ts'
import { CASES, describeFinding, event, INDICATORS } from './support/hunt-cases.ts'
import { indicator } from './support/indicators.ts'

/** A finding as plain data: indicator row, match, field, direction, value and source. */
function plain(f: Finding): string {
  const e = f.event
  return `${e.SourceFile}#${e.SourceRecord} ${describeFinding(f)} ${f.direction} ${f.matched}`
}

async function run(engine: Engine, events: LogEvent[]): Promise<Finding[]> {
  await engine.setIndicators(indicatorTables(INDICATORS))
  return engine.matchEvents(events)
}

describe('ClickHouse engine (chdb): the same findings as DuckDB', () => {
  const events = CASES.map(([fields]) => event(fields))
  let duck: DuckDbEngine
  let click: ClickHouseEngine
  before(async () => {
    duck = await DuckDbEngine.open({ threads: 1, prefilter: false })
    click = await ClickHouseEngine.open(chdbConnection())
  })
  after(async () => {
    duck.close()
    await click.close()
  })

  test('every case of the engine tests gives identical findings, in the same order', async () => {
    const expected = (await run(duck, events)).map(plain)
    const found = (await run(click, events)).map(plain)
    assert.deepEqual(found, expected)
    // And they are the findings the cases call for, so both are not wrong the same way.
    const byEvent = events.map(
      (e) => (found.filter((f) => f.startsWith(`${e.SourceFile}#${e.SourceRecord} `)) ?? []).length,
    )
    assert.deepEqual(
      byEvent,
      CASES.map(([, want]) => want.length),
    )
  })

  test('each event of a finding is the event given, not a copy rebuilt from SQL', async () => {
    const found = await run(click, events)
    for (const f of found) assert.ok(events.includes(f.event))
  })

  test('batch after batch: the batch table is emptied, row ids start again', async () => {
    await click.setIndicators(indicatorTables(INDICATORS))
    const first = await click.matchEvents(events.slice(0, 10))
    const second = await click.matchEvents(events.slice(10))
    const whole = await duck.matchEvents(events)
    assert.deepEqual([...first, ...second].map(plain), whole.map(plain))
  })

  test('no indicators, or no events, give no findings', async () => {
    await click.setIndicators(indicatorTables([]))
    assert.deepEqual(await click.matchEvents(events), [])
    await click.setIndicators(indicatorTables(INDICATORS))
    assert.deepEqual(await click.matchEvents([]), [])
  })

  test('the SQL URL key equals the JavaScript one', async () => {
    for (const url of [
      'https://u:p@evil.com:443/a?b=1',
      'http://evil.com:8080/x@y',
      'http://evil.com/',
      'http://evil.com:443',
    ]) {
      const e = event({ Url: url })
      const tables = indicatorTables([indicator('url', e.Url ?? '')])
      await click.setIndicators(tables)
      const found = await click.matchEvents([e])
      assert.deepEqual(
        found.map((f) => f.match),
        ['exact'],
        url,
      )
      assert.equal(tables.urls[0]?.key, urlKey(url))
    }
  })

  test('hostile values (quotes, backslashes, newlines, markup) travel as data', async () => {
    const hostile = [
      "evil'quote.example",
      'back\\slash.example',
      'new\nline.example',
      '<script>.example',
      '=cmd|.example',
    ]
    const hostileEvents = hostile.map((name, i) => ({
      ...event({}),
      DnsQuery: `www.${name}`,
      SourceFile: `file'${i}\\"\n.log`,
    }))
    const hostileIndicators = hostile.map((value) => ({
      ...indicator('domain', 'placeholder.example', { family: "Fam'ily\\" }),
      value,
    }))
    for (const engine of [duck, click] as Engine[]) {
      await engine.setIndicators(indicatorTables(hostileIndicators))
    }
    const expected = (await duck.matchEvents(hostileEvents)).map(plain)
    const found = (await click.matchEvents(hostileEvents)).map(plain)
    assert.equal(found.length, hostile.length)
    assert.deepEqual(found, expected)
  })
})

describe('ClickHouse engine (chdb): a stored events table', () => {
  const events = CASES.map(([fields]) => event(fields))
  let connection: ClickHouseConnection
  let click: ClickHouseEngine
  before(async () => {
    connection = chdbConnection()
    for (const sql of eventsTableDdl({ database: 'default', table: 'events' })) {
      await connection.command(sql)
    }
    await connection.insert(
      'events',
      events.map((e) => Object.fromEntries(EVENT_COLUMNS.map((c) => [c, e[c]]))),
    )
    click = await ClickHouseEngine.open(connection)
    await click.setIndicators(indicatorTables(INDICATORS))
  })
  after(async () => click.close())

  test('gives the findings of the same events matched in batches, whole events included', async () => {
    const duck = await DuckDbEngine.open({ threads: 1, prefilter: false })
    await duck.setIndicators(indicatorTables(INDICATORS))
    const expected = await duck.matchEvents(events)
    duck.close()
    const found = await click.matchTable({ table: 'events' })
    assert.deepEqual(found.map(plain), expected.map(plain))
    for (const f of found) {
      const original = events.find((e) => e.SourceRecord === f.event.SourceRecord)
      assert.deepEqual(f.event, original)
    }
  })

  test('read as a Distributed table would be (GLOBAL JOINs), the same findings', async () => {
    const local = await click.matchTable({ table: 'events' })
    const global = await click.matchTable({ table: 'events', distributed: true })
    assert.ok(local.length > 0)
    assert.deepEqual(global.map(plain), local.map(plain))
  })

  test('events with times come back with the same ISO time', async () => {
    const timed = {
      ...event({ DstIpAddr: '198.51.100.9' }),
      TimeGenerated: '2023-08-09T14:24:24.550Z',
    }
    await connection.insert('events', [Object.fromEntries(EVENT_COLUMNS.map((c) => [c, timed[c]]))])
    const found = await click.matchTable({ table: 'events' })
    const back = found.find((f) => f.event.SourceRecord === timed.SourceRecord)
    assert.deepEqual(back?.event, timed)
  })
})

test('the two dialects side by side: the same branches, fields and matches for every mix of shapes', () => {
  const shapes = ['addresses', 'ranges', 'domains', 'urls', 'hashes'] as const
  const ranks = [rankSql('match', MATCH_STRENGTH), rankSql('field', FIELD_PRIORITY)]
  /** Each UNION branch as its field and match literals (`'DstIpAddr'`, `'in-range'`…). */
  const branches = (sql: string) =>
    ranks
      .reduce((text, rank) => text.replaceAll(rank, ''), sql)
      .split('UNION ALL')
      .map((b) => (b.match(/'[A-Za-z0-9-]+'/g) ?? []).join(' '))
  let compared = 0
  for (let mask = 0; mask < 2 ** shapes.length; mask++) {
    const present = Object.fromEntries(
      shapes.map((s, i) => [s, (mask & (1 << i)) !== 0]),
    ) as unknown as PresentShapes
    const duck = matchSql('batch', ['rid'], present)
    const click = clickHouseMatchSql('batch', ['rid'], present)
    assert.equal(click === '', duck === '', JSON.stringify(present))
    if (duck === '') continue
    assert.deepEqual(branches(click), branches(duck), JSON.stringify(present))
    compared++
  }
  assert.equal(compared, 31)
})

test('the cluster DDL (ReplicatedMergeTree shards, a Distributed table) is ClickHouse SQL', async () => {
  const connection = chdbConnection()
  try {
    const ddl = eventsTableDdl({ database: 'db', table: 'events', cluster: 'hunts' })
    assert.equal(ddl.length, 2)
    assert.match(
      ddl[0] as string,
      /ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/db\/events_local'/,
    )
    assert.match(
      ddl[1] as string,
      /ENGINE = Distributed\(`hunts`, `db`, `events_local`, cityHash64\(SourceFile\)\)/,
    )
    for (const sql of ddl) {
      const rows: unknown[] = []
      for await (const block of connection.rows(
        `SELECT formatQuery(${clickHouseString(sql)}) AS f`,
      )) {
        rows.push(...block)
      }
      assert.equal(rows.length, 1)
    }
  } finally {
    await connection.close()
  }
})
