import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Session } from 'chdb'
import { REPO } from './support/cli.ts'

const BIN = fileURLToPath(new URL('../bin/huntpack.js', import.meta.url))
const IOCS = 'test/fixtures/hunt/iocs.csv'
const LOGS = 'test/fixtures/hunt/logs'

/** Parameters of ClickHouse's HTTP interface that are not settings. */
const NOT_SETTINGS = new Set(['query', 'database', 'session_id', 'query_id', 'default_format'])

interface Mock {
  url: string
  server: Server
  session: Session
  requests: string[]
}

/**
 * ClickHouse's HTTP interface, as much of it as `@clickhouse/client` uses, answered by chdb
 * and listening on 127.0.0.1 only: statements and queries in the body, inserts as
 * `?query=INSERT … FORMAT JSONEachRow` with the rows in the body, errors as ClickHouse sends
 * them (status 500, `Code: n. DB::Exception: …`).
 */
async function mockClickHouse(database: string): Promise<Mock> {
  const session = new Session()
  session.query(`CREATE DATABASE IF NOT EXISTS ${database}`)
  const requests: string[] = []
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks)
    const params = new URL(request.url ?? '/', 'http://127.0.0.1').searchParams
    const settings: Record<string, string> = {}
    for (const [name, value] of params) if (!NOT_SETTINGS.has(name)) settings[name] = value
    const query = params.get('query')
    try {
      await session.queryAsync(`USE ${params.get('database') ?? 'default'}`, { format: 'Null' })
      let output = ''
      const insert = query?.match(/^INSERT INTO (\S+)(?: \([^)]*\))? FORMAT JSONEachRow/i)
      if (insert) {
        requests.push(`insert ${insert[1]}`)
        await session.insert({
          table: (insert[1] as string).replaceAll('`', ''),
          values: body,
          format: 'JSONEachRow',
          settings,
        })
      } else {
        const sql = query ?? body.toString('utf8')
        requests.push(sql.trim().split(/\s+/).slice(0, 3).join(' '))
        const hasFormat = /\bFORMAT\s+\w+\s*$/i.test(sql)
        const sets = Object.entries(settings)
          .filter(([name]) => !['enable_http_compression', 'wait_end_of_query'].includes(name))
          .map(([name, value]) => `${name} = '${value.replaceAll("'", "\\'")}'`)
        const withSettings =
          sets.length > 0 && !/^\s*(CREATE|DROP|ALTER|TRUNCATE|USE)/i.test(sql)
            ? sql.replace(/(\bFORMAT\s+\w+\s*)$/i, `SETTINGS ${sets.join(', ')} $1`)
            : sql
        output = (
          await session.queryAsync(withSettings, { format: hasFormat ? 'CSV' : 'Null' })
        ).text()
      }
      response.writeHead(200, {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Summary': '{"read_rows":"0","written_rows":"0"}',
      })
      response.end(output)
    } catch (error) {
      const message = (error as Error).message
      response.writeHead(500, { 'X-ClickHouse-Exception-Code': '1' })
      response.end(`Code: 1. DB::Exception: ${message}`)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, server, session, requests }
}

interface Run {
  status: number | null
  stdout: string
  stderr: string
}

/** The `huntpack` bin in a child process, without blocking this one (the mock serves it). */
function huntpack(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: REPO }, (error, stdout, stderr) => {
      const status = error ? ((error as { code?: number }).code ?? 70) : 0
      resolve({ status: typeof status === 'number' ? status : 70, stdout, stderr })
    })
  })
}

function lines(stdout: string): string[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
}

describe('huntpack with a ClickHouse server (a chdb-backed mock on 127.0.0.1)', () => {
  let mock: Mock
  before(async () => {
    mock = await mockClickHouse('hunts')
  })
  after(() => {
    mock.server.close()
    mock.session.close()
  })

  test('logs import --into clickhouse:// creates the table and imports every event', async () => {
    const host = mock.url.replace('http://', '')
    const run = await huntpack('logs', 'import', LOGS, '--into', `clickhouse://${host}/hunts`)
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /10 events from 2 files imported into .*hunts table events/)
    assert.ok(mock.requests.some((r) => r.startsWith('CREATE TABLE IF')))
    assert.ok(mock.requests.some((r) => /^insert events_import_/.test(r)))
    assert.ok(mock.requests.some((r) => r.startsWith('ALTER TABLE `events`')))
    const again = await huntpack(
      'logs',
      'import',
      `${LOGS}/eve.json`,
      '--into',
      `clickhouse://${host}/hunts`,
    )
    assert.match(again.stderr, /already in events; not imported again/)
  })

  test('hunt --engine clickhouse of the table: the findings of the DuckDB hunt of the raw logs', async () => {
    const duck = await huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--format', 'ndjson', '-q')
    assert.equal(duck.status, 1, duck.stderr)
    const args = ['--engine', 'clickhouse', '--clickhouse-url', mock.url, '--database', 'hunts']
    const stored = await huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      'clickhouse:events',
      '--format',
      'ndjson',
      ...args,
    )
    assert.equal(stored.status, 1, stored.stderr)
    assert.deepEqual(lines(stored.stdout), lines(duck.stdout))
    assert.match(stored.stderr, /clickhouse:events: ClickHouse MergeTree, 10 events/)
    const raw = await huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--format',
      'ndjson',
      '-q',
      ...args,
    )
    assert.equal(raw.status, 1, raw.stderr)
    assert.deepEqual(lines(raw.stdout), lines(duck.stdout))
  })

  test('a missing table is an input error naming it; a server error names the server', async () => {
    const args = ['--engine', 'clickhouse', '--clickhouse-url', mock.url, '--database', 'hunts']
    const missing = await huntpack('hunt', '--intel', IOCS, '--logs', 'clickhouse:nothere', ...args)
    assert.equal(missing.status, 3, missing.stderr)
    assert.match(missing.stderr, /127\.0\.0\.1:\d+\/hunts: no table "nothere"/)
    const noDb = await huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      'clickhouse:events',
      '--engine',
      'clickhouse',
      '--clickhouse-url',
      mock.url,
      '--database',
      'absent',
    )
    assert.equal(noDb.status, 3, noDb.stderr)
    assert.match(noDb.stderr, /127\.0\.0\.1:\d+\/absent: .* failed/)
  })

  test('usage: --engine clickhouse needs a URL; a ClickHouse table needs that engine', async () => {
    const noUrl = await huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--engine', 'clickhouse')
    assert.equal(noUrl.status, 2)
    assert.match(noUrl.stderr, /needs --clickhouse-url/)
    const duck = await huntpack('hunt', '--intel', IOCS, '--logs', 'clickhouse:events')
    assert.equal(duck.status, 2)
    assert.match(duck.stderr, /hunted with --engine clickhouse/)
    const other = await huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--engine', 'spark')
    assert.equal(other.status, 2)
    const url = await huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--engine',
      'clickhouse',
      '--clickhouse-url',
      'ftp://127.0.0.1/',
    )
    assert.equal(url.status, 2)
  })
})
