import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { crc32 } from 'node:zlib'
import { intake } from '../src/intel/intake.ts'
import { fileDocuments } from '../src/pull/file.ts'
import { type HttpOptions, request } from '../src/pull/http.ts'
import { mispPull } from '../src/pull/misp.ts'
import { taxiiPull } from '../src/pull/taxii.ts'
import { threatfoxPull } from '../src/pull/threatfox.ts'
import { FeedError } from '../src/store/errors.ts'
import { pullIntoStore, readDocuments } from '../src/store/ingest.ts'
import { Store } from '../src/store/store.ts'
import { requireSharedData } from './support/shared-data.ts'

const KEY = 'sekret-KEY-0123456789abcdef'

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void | Promise<void>

/** A server on 127.0.0.1 (port 0); every request is recorded. */
async function serve(handler: Handler) {
  const requests: {
    method: string
    url: string
    headers: IncomingMessage['headers']
    body: string
  }[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      void handler(req, body, res)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function http(retries = 2, timeoutMs = 3000): HttpOptions & { retried: string[] } {
  const retried: string[] = []
  return {
    timeoutMs,
    retries,
    backoffMs: 1,
    maxBackoffMs: 5,
    secrets: [],
    onRetry: (m) => retried.push(m),
    retried,
  }
}

function json(
  res: ServerResponse,
  value: unknown,
  status = 200,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(value)
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers })
  res.end(text)
}

/** Headers promising the whole body, half of it, then a dropped connection. */
function truncated(res: ServerResponse, text: string) {
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  })
  res.write(text.slice(0, Math.floor(text.length / 2)))
  setTimeout(() => res.destroy(), 10)
}

/** The ThreatFox recent CSV sample as the API would serve it (`get_iocs`). */
function apiReplyFromCsv(csv: string): { query_status: string; data: unknown[] } {
  const none = (v: string | undefined) => (v === undefined || v === 'None' ? null : v)
  const data = csv
    .split(/\r?\n/)
    .filter((line) => line.startsWith('"'))
    .map((line) => {
      const f = line.slice(1, -1).split('", "')
      return {
        id: f[1],
        ioc: f[2],
        ioc_type: f[3],
        threat_type: f[4],
        malware: f[5],
        malware_alias: none(f[6]),
        malware_printable: f[7],
        first_seen: `${f[0]} UTC`,
        last_seen: none(f[8]) === null ? null : `${f[8]} UTC`,
        confidence_level: Number(f[9]),
        reference: none(f[11]),
        tags: none(f[12])?.split(',') ?? null,
        reporter: f[14],
      }
    })
  return { query_status: 'ok', data }
}

/** A zip archive of one stored (uncompressed) member. */
function storedZip(name: string, data: Buffer): Buffer {
  const nameBytes = Buffer.from(name)
  const crc = crc32(data)
  const local = Buffer.alloc(30)
  local.writeUInt32LE(0x04034b50, 0)
  local.writeUInt16LE(20, 4)
  local.writeUInt32LE(crc, 14)
  local.writeUInt32LE(data.length, 18)
  local.writeUInt32LE(data.length, 22)
  local.writeUInt16LE(nameBytes.length, 26)
  const central = Buffer.alloc(46)
  central.writeUInt32LE(0x02014b50, 0)
  central.writeUInt16LE(20, 4)
  central.writeUInt16LE(20, 6)
  central.writeUInt32LE(crc, 16)
  central.writeUInt32LE(data.length, 20)
  central.writeUInt32LE(data.length, 24)
  central.writeUInt16LE(nameBytes.length, 28)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(1, 8)
  end.writeUInt16LE(1, 10)
  end.writeUInt32LE(46 + nameBytes.length, 12)
  end.writeUInt32LE(30 + nameBytes.length + data.length, 16)
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end])
}

function tempStore(): string {
  return join(mkdtempSync(join(tmpdir(), 'huntpack-pull-')), 'store.duckdb')
}

function indicatorCount(text: string, label: string): number {
  return intake(readDocuments([{ label, text }]).records).indicators.length
}

test('ThreatFox API: POST get_iocs with the Auth-Key, reply stored', async (t) => {
  const csvPath = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
  if (csvPath === undefined) return
  const csv = readFileSync(csvPath, 'utf8')
  const reply = apiReplyFromCsv(csv)
  const server = await serve((_req, _body, res) => json(res, reply))
  const path = tempStore()
  try {
    const input = await threatfoxPull({ mode: 'api', days: 3, key: KEY, url: server.url }, http())
    assert.equal(server.requests.length, 1)
    const sent = server.requests[0]
    assert.equal(sent?.method, 'POST')
    assert.equal(sent?.headers['auth-key'], KEY)
    assert.deepEqual(JSON.parse(sent?.body ?? ''), { query: 'get_iocs', days: 3 })
    const store = await Store.open(path)
    try {
      const result = await pullIntoStore(store, input)
      assert.equal(result.indicators, indicatorCount(csv, 'recent.csv'))
      assert.equal(result.format, 'threatfox-api')
      assert.equal(result.source, 'threatfox')
    } finally {
      store.close()
    }
  } finally {
    await server.close()
  }
})

test('ThreatFox: a missing key, days out of range, a rejected key; no key in any message', async () => {
  // Checked before any request; the URL is loopback all the same.
  const nowhere = 'http://127.0.0.1:9/'
  await assert.rejects(
    threatfoxPull({ mode: 'api', days: 3, key: undefined, url: nowhere }, http()),
    {
      code: 'ERR_USAGE',
      message: /THREATFOX_AUTH_KEY/,
    },
  )
  await assert.rejects(threatfoxPull({ mode: 'api', days: 8, key: KEY, url: nowhere }, http()), {
    code: 'ERR_USAGE',
  })
  let status = 401
  const server = await serve((_req, _body, res) =>
    status === 401
      ? json(res, { query_status: 'unknown_auth_key' }, 401)
      : json(res, { query_status: 'unknown_auth_key', data: `key ${KEY} unknown` }),
  )
  try {
    for (const s of [401, 200]) {
      status = s
      const error = await threatfoxPull(
        { mode: 'api', days: 1, key: KEY, url: server.url },
        http(),
      ).catch((e: Error) => e)
      assert.ok(error instanceof FeedError, String(error))
      assert.match(error.message, /rejected/)
      assert.match(error.message, /THREATFOX_AUTH_KEY/)
      assert.ok(!error.message.includes(KEY))
    }
  } finally {
    await server.close()
  }
})

test('retries: 429 and 500 then success; bounded; slow and truncated replies', async () => {
  const body = '{"query_status":"no_result","data":"Your search did not yield any results"}'
  const plan: string[] = ['429', '500', 'ok']
  const server = await serve(async (req, _b, res) => {
    const step = req.url?.startsWith('/slow') ? 'slow' : (plan.shift() ?? 'ok')
    if (step === '429') json(res, { error: 'slow down' }, 429, { 'Retry-After': '0' })
    else if (step === '500') json(res, { error: `boom ${KEY}` }, 500)
    else if (step === 'truncated') truncated(res, body.repeat(20))
    else if (step === 'slow') setTimeout(() => json(res, {}), 400)
    else res.end(body)
  })
  try {
    const options = http(3)
    const input = await threatfoxPull({ mode: 'api', days: 1, key: KEY, url: server.url }, options)
    assert.equal(readDocuments(input.documents).records.length, 0)
    assert.equal(options.retried.length, 2)
    assert.ok(options.retried.every((m) => !m.includes(KEY)))

    // Always 500: the tries are bounded and the message names the last failure.
    plan.push('500', '500', '500', '500')
    const always = await request(server.url, { what: 'test' }, http(2)).catch((e: Error) => e)
    assert.ok(always instanceof FeedError)
    assert.match(always.message, /failed after 3 tries \(last: HTTP 500\)/)
    plan.length = 0

    // Truncated once, then whole: retried; truncated every time: an error.
    plan.push('truncated', 'ok')
    const reply = await request(server.url, { what: 'test' }, http(2))
    assert.equal(reply.body.toString(), body)
    plan.push('truncated', 'truncated', 'truncated')
    await assert.rejects(request(server.url, { what: 'test' }, http(2)), FeedError)
    plan.length = 0

    // Slower than the timeout.
    const started = Date.now()
    await assert.rejects(request(`${server.url}slow`, { what: 'test' }, http(1, 100)), {
      message: /no complete reply within 0\.1 s/,
    })
    assert.ok(Date.now() - started < 2000)
  } finally {
    await server.close()
  }
})

test('ThreatFox exports: recent CSV, full zip; a newer full export removes what it lacks', async (t) => {
  const csvPath = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
  if (csvPath === undefined) return
  const csv = readFileSync(csvPath, 'utf8')
  const lines = csv.split('\n')
  let full = csv
  const server = await serve((req, _b, res) => {
    if (req.url === '/export/csv/recent/') res.end(csv)
    else if (req.url === '/export/csv/full/') res.end(storedZip('full.csv', Buffer.from(full)))
    else json(res, {}, 404)
  })
  const store = await Store.open(tempStore())
  try {
    const base = `${server.url}export/`
    const recent = await threatfoxPull(
      { mode: 'recent', days: 1, key: undefined, url: base },
      http(),
    )
    assert.equal(recent.full, false)
    const first = await pullIntoStore(store, recent)
    assert.equal(first.indicators, indicatorCount(csv, 'recent.csv'))

    const zipped = await threatfoxPull({ mode: 'full', days: 1, key: KEY, url: base }, http())
    assert.equal(zipped.full, true)
    assert.equal(server.requests.at(-1)?.headers['auth-key'], KEY)
    const second = await pullIntoStore(store, zipped)
    assert.deepEqual([second.added, second.removed], [0, 0])

    full = [...lines.slice(0, 9), ...lines.slice(19)].join('\n')
    const third = await pullIntoStore(
      store,
      await threatfoxPull({ mode: 'full', days: 1, key: KEY, url: base }, http()),
    )
    assert.equal(third.removed, 10)
  } finally {
    store.close()
    await server.close()
  }
})

test('MISP REST: restSearch page by page with the Authorization key', async (t) => {
  const eventPath = requireSharedData(t, 'intel/misp_feed_event_digitalside_001af28a.json')
  if (eventPath === undefined) return
  const event = JSON.parse(readFileSync(eventPath, 'utf8'))
  const other = JSON.parse(
    JSON.stringify(event)
      .replaceAll('001af28a-1aaa-48bc-8245-ccd1fd88dea7', '001af28a-1aaa-48bc-8245-ccd1fd88dea8')
      .replaceAll('13fe5ae878bee44638c93459548b4226', '13fe5ae878bee44638c93459548b4227'),
  )
  const pages = [[event], [other], []]
  const server = await serve((req, body, res) => {
    if (req.url !== '/events/restSearch' || req.headers.authorization !== KEY) {
      json(res, { message: 'Authentication failed.' }, 403)
      return
    }
    const { page } = JSON.parse(body) as { page: number }
    json(res, { response: pages[page - 1] ?? [] })
  })
  try {
    const input = await mispPull({ url: server.url, key: KEY, feed: false, pageSize: 1 }, http())
    assert.equal(input.documents.length, 2)
    assert.equal(server.requests.length, 3)
    assert.deepEqual(
      server.requests.map((r) => JSON.parse(r.body).page),
      [1, 2, 3],
    )
    const values = readDocuments(input.documents).records.map((r) => r.value)
    assert.ok(values.includes('13fe5ae878bee44638c93459548b4227'))
    assert.equal(input.source, `misp:${new URL(server.url).host}`)

    const refused = await mispPull(
      { url: server.url, key: 'wrong-key', feed: false },
      http(),
    ).catch((e: Error) => e)
    assert.ok(refused instanceof FeedError)
    assert.match(refused.message, /rejected the request \(HTTP 403\): check --key or MISP_KEY/)
    assert.ok(!refused.message.includes('wrong-key'))
    await assert.rejects(mispPull({ url: server.url, key: undefined, feed: false }, http()), {
      code: 'ERR_USAGE',
    })
  } finally {
    await server.close()
  }
})

test('MISP feed: manifest.json and event files; a hostile manifest key is refused', async (t) => {
  const eventPath = requireSharedData(t, 'intel/misp_feed_event_digitalside_001af28a.json')
  if (eventPath === undefined) return
  const eventText = readFileSync(eventPath, 'utf8')
  const uuid = '001af28a-1aaa-48bc-8245-ccd1fd88dea7'
  let manifest: Record<string, unknown> = { [uuid]: { info: 'x' } }
  const server = await serve((req, _b, res) => {
    if (req.url === '/feed/manifest.json') json(res, manifest)
    else if (req.url === `/feed/${uuid}.json`) res.end(eventText)
    else json(res, {}, 404)
  })
  try {
    const input = await mispPull({ url: `${server.url}feed`, key: undefined, feed: true }, http())
    assert.equal(input.full, true)
    assert.equal(input.documents.length, 1)
    const store = await Store.open(tempStore())
    try {
      const result = await pullIntoStore(store, input)
      assert.equal(result.indicators, indicatorCount(eventText, 'event.json'))
      assert.ok(result.indicators > 0)
    } finally {
      store.close()
    }
    manifest = { '../../etc/passwd': {} }
    await assert.rejects(
      mispPull({ url: `${server.url}feed`, key: undefined, feed: true }, http()),
      {
        message: /is not an event uuid/,
      },
    )
  } finally {
    await server.close()
  }
})

test('TAXII 2.1: discovery, collections, objects with more/next and added_after', async (t) => {
  const bundlePath = requireSharedData(t, 'intel/stix21_bundle_oasis_poisonivy.json')
  if (bundlePath === undefined) return
  const bundleText = readFileSync(bundlePath, 'utf8')
  const objects = JSON.parse(bundleText).objects as unknown[]
  const PAGE = 7
  const server = await serve((req, _b, res) => {
    assert.equal(req.headers.accept, 'application/taxii+json;version=2.1')
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (url.pathname === '/taxii2/')
      json(res, { title: 't', api_roots: ['/api1/'], default: '/api1/' })
    else if (url.pathname === '/api1/collections/')
      json(res, { collections: [{ id: 'c-1', title: 'Indicators', can_read: true }] })
    else if (url.pathname === '/api1/collections/c-1/objects/') {
      const start = Number(url.searchParams.get('next') ?? 0)
      const page = objects.slice(start, start + PAGE)
      const more = start + PAGE < objects.length
      json(
        res,
        more ? { more, next: String(start + PAGE), objects: page } : { objects: page },
        200,
        {
          'X-TAXII-Date-Added-Last': '2026-12-01T00:00:00.000Z',
        },
      )
    } else json(res, {}, 404)
  })
  try {
    const input = await taxiiPull({ url: `${server.url}taxii2/`, collection: 'Indicators' }, http())
    const objectRequests = server.requests.filter((r) => r.url.includes('/objects/'))
    assert.equal(objectRequests.length, Math.ceil(objects.length / PAGE))
    assert.equal(input.full, true)
    assert.equal(input.cursor, '2026-12-01T00:00:00.000Z')
    assert.equal(
      readDocuments(input.documents).records.length,
      readDocuments([{ label: 'bundle.json', text: bundleText }]).records.length,
    )
    const later = await taxiiPull(
      { url: `${server.url}taxii2/`, collection: 'c-1', addedAfter: '2026-12-01T00:00:00.000Z' },
      http(),
    )
    assert.equal(later.full, false)
    assert.match(server.requests.at(-1)?.url ?? '', /added_after=2026-12-01T00%3A00%3A00.000Z/)
    await assert.rejects(taxiiPull({ url: `${server.url}taxii2/`, collection: 'nope' }, http()), {
      message: /has no collection "nope"; it has: c-1 \(Indicators\)/,
    })
  } finally {
    await server.close()
  }
})

test('pull file reads zip archives and URLs', async (t) => {
  const csvPath = requireSharedData(t, 'intel/feodotracker_ipblocklist_2024-04-04.csv')
  if (csvPath === undefined) return
  const text = readFileSync(csvPath)
  const server = await serve((_req, _b, res) => {
    res.end(text)
  })
  try {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-zip-'))
    const zip = join(dir, 'feed.zip')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(zip, storedZip('ipblocklist.csv', text))
    const [fromZip] = await fileDocuments([zip], http())
    const [fromUrl] = await fileDocuments([`${server.url}ipblocklist.csv`], http())
    assert.equal(fromZip?.text, text.toString('utf8'))
    assert.equal(fromUrl?.text, text.toString('utf8'))
  } finally {
    await server.close()
  }
})

const BIN = fileURLToPath(new URL('../bin/huntpack.js', import.meta.url))

function run(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => {
      stdout += d
    })
    child.stderr.on('data', (d) => {
      stderr += d
    })
    child.on('close', (status) => resolve({ status, stdout, stderr }))
  })
}

test('CLI: pull threatfox against the local server; a rejected key exits 3 without the key', async (t) => {
  const csvPath = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
  if (csvPath === undefined) return
  const reply = apiReplyFromCsv(readFileSync(csvPath, 'utf8'))
  const server = await serve((req, _b, res) =>
    req.headers['auth-key'] === KEY
      ? json(res, reply)
      : json(res, { query_status: 'unknown_auth_key' }, 401),
  )
  const store = tempStore()
  try {
    const ok = await run(
      ['pull', 'threatfox', '--days', '3', '--url', server.url, '--store', store],
      {
        THREATFOX_AUTH_KEY: KEY,
      },
    )
    assert.equal(ok.status, 0, ok.stderr)
    assert.match(ok.stderr, /pull #1 threatfox: 862 records/)
    const bad = await run(['pull', 'threatfox', '--url', server.url, '--store', store], {
      THREATFOX_AUTH_KEY: `${KEY}x`,
    })
    assert.equal(bad.status, 3)
    assert.match(bad.stderr, /rejected/)
    assert.ok(!bad.stderr.includes(KEY))
    const missing = await run(['pull', 'threatfox', '--url', server.url, '--store', store], {
      THREATFOX_AUTH_KEY: '',
    })
    assert.equal(missing.status, 2)
    const stats = await run(['store', 'stats', '--json', '--store', store], {})
    assert.equal(JSON.parse(stats.stdout).pulls, 1)
  } finally {
    await server.close()
  }
})

test('MISP and TAXII ride out 429, 500, slow and truncated replies, within bounds', async (t) => {
  const eventPath = requireSharedData(t, 'intel/misp_feed_event_digitalside_001af28a.json')
  const bundlePath = requireSharedData(
    t,
    'intel/stix21_bundle_oasis_indicators-for-C2-with-COA.json',
  )
  if (eventPath === undefined || bundlePath === undefined) return
  const eventText = readFileSync(eventPath, 'utf8')
  const objects = JSON.parse(readFileSync(bundlePath, 'utf8')).objects as unknown[]
  const uuid = '001af28a-1aaa-48bc-8245-ccd1fd88dea7'
  // Each path fails in its own way the first time it is asked for, then answers.
  const faults = new Map<string, string>([
    ['/misp/manifest.json', '429'],
    [`/misp/${uuid}.json`, 'truncated'],
    ['/taxii2/', '500'],
    ['/api1/collections/', 'slow'],
    ['/api1/collections/c-1/objects/', 'truncated'],
  ])
  const server = await serve((req, _b, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const fault = faults.get(path)
    faults.delete(path)
    const reply = (text: string) => {
      if (fault === 'truncated') truncated(res, text)
      else if (fault === 'slow') setTimeout(() => res.end(text), 600)
      else if (fault === '429') json(res, {}, 429, { 'Retry-After': '1' })
      else if (fault === '500') json(res, {}, 500)
      else res.end(text)
    }
    if (path === '/misp/manifest.json') reply(JSON.stringify({ [uuid]: {} }))
    else if (path === `/misp/${uuid}.json`) reply(eventText)
    else if (path === '/taxii2/') reply(JSON.stringify({ api_roots: ['/api1/'] }))
    else if (path === '/api1/collections/')
      reply(JSON.stringify({ collections: [{ id: 'c-1', title: 'C2', can_read: true }] }))
    else if (path === '/api1/collections/c-1/objects/') reply(JSON.stringify({ objects }))
    else json(res, {}, 404)
  })
  try {
    const options = { ...http(2, 300), maxBackoffMs: 20 }
    const started = Date.now()
    const misp = await mispPull({ url: `${server.url}misp/`, key: KEY, feed: true }, options)
    assert.equal(misp.documents[0]?.text, eventText)
    const taxii = await taxiiPull(
      { url: `${server.url}taxii2/`, collection: 'C2', authorization: `Bearer ${KEY}` },
      options,
    )
    assert.equal(JSON.parse(taxii.documents[0]?.text ?? '{}').objects.length, objects.length)
    assert.equal(options.retried.length, 5)
    assert.ok(options.retried.every((m) => !m.includes(KEY)))
    // A Retry-After of a second is cut to the backoff ceiling: the test stays fast.
    assert.ok(Date.now() - started < 5000)
    assert.equal(server.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`)

    // Past the retries, the failure is reported, and no key is in it.
    const server500 = await serve((_req, _b, res) => json(res, { error: KEY }, 500))
    try {
      const error = await taxiiPull(
        { url: `${server500.url}taxii2/`, collection: 'C2', authorization: `Bearer ${KEY}` },
        options,
      ).catch((e: Error) => e)
      assert.ok(error instanceof FeedError)
      assert.match(error.message, /TAXII discovery: .* failed after 3 tries \(last: HTTP 500\)/)
      assert.ok(!error.message.includes(KEY))
    } finally {
      await server500.close()
    }
  } finally {
    await server.close()
  }
})
