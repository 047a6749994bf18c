import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DuckDbEngine } from '../src/hunt/duckdb.ts'
import type { Finding } from '../src/hunt/finding.ts'
import { indicatorTables, urlKey } from '../src/hunt/indicator-tables.ts'
import { candidateFilter } from '../src/hunt/prefilter.ts'
import { blankEvent, type LogEvent } from '../src/logs/event.ts'
import { normaliseEvent } from '../src/logs/normalise.ts'
import { indicator } from './support/indicators.ts'

const INDICATORS = [
  indicator('ip:port', '203.0.113.7:443', { family: 'XWorm' }),
  indicator('ip:port', '203.0.113.7:8443', { family: 'XWorm' }),
  indicator('ip:port', '198.51.100.9:80', { family: 'Remcos' }),
  indicator('ipv4', '198.51.100.9', { family: 'AsyncRAT' }),
  indicator('ipv6', '2001:db8::66', { family: 'AsyncRAT' }),
  indicator('domain', 'evil.example', { family: 'Lumma' }),
  indicator('url', 'http://payload.example/drop/a.exe?x=1', { family: 'Lumma' }),
  indicator('url', 'https://github.com/bad/repo/raw/a.zip', { family: 'Lumma' }),
  indicator('sha256', 'a'.repeat(64), { family: 'XWorm' }),
  indicator('md5', 'b'.repeat(32), { family: 'XWorm' }),
  indicator('cidr', '192.0.2.0/28', { family: 'Range' }),
  indicator('cidr', '2001:db8:ff::/48', { family: 'Range' }),
]

let record = 0
function event(fields: Partial<LogEvent>): LogEvent {
  record++
  return normaliseEvent({ ...blankEvent('test', 'events.log', record, record), ...fields })
}

/** Each event names the findings it must give, as `value match field` strings. */
const CASES: [Partial<LogEvent>, string[]][] = [
  [{ DstIpAddr: '203.0.113.7', DstPortNumber: 443 }, ['203.0.113.7:443 exact DstIpAddr']],
  [{ DstIpAddr: '203.0.113.7', DstPortNumber: 80 }, ['203.0.113.7:443 address-only DstIpAddr']],
  [
    { SrcIpAddr: '203.0.113.7', SrcPortNumber: 443, DstPortNumber: 51000 },
    ['203.0.113.7:443 exact SrcIpAddr'],
  ],
  // Each family's best indicator for the field: Remcos's ip:port still shows, weaker.
  [
    { SrcIpAddr: '::ffff:198.51.100.9' },
    ['198.51.100.9 exact SrcIpAddr', '198.51.100.9:80 address-only SrcIpAddr'],
  ],
  // XWorm's :8443 on the same address is not reported again as address-only.
  [{ DstIpAddr: '203.0.113.7', DstPortNumber: 8443 }, ['203.0.113.7:8443 exact DstIpAddr']],
  [{ DstIpAddr: '2001:DB8:0:0::66' }, ['2001:db8::66 exact DstIpAddr']],
  [
    { DnsQuery: 'cdn.example', DnsResponse: ['198.51.100.9', '203.0.113.7'] },
    [
      '198.51.100.9 exact DnsResponse',
      '198.51.100.9:80 address-only DnsResponse',
      '203.0.113.7:443 address-only DnsResponse',
    ],
  ],
  [{ DnsQuery: 'EVIL.example.' }, ['evil.example exact DnsQuery']],
  [{ DnsQuery: 'a.b.evil.example' }, ['evil.example subdomain DnsQuery']],
  [{ DnsQuery: 'notevil.example' }, []],
  [{ DnsQuery: 'evil.example.com' }, []],
  [
    { DnsQuery: 'x.example', DnsResponse: ['sink.evil.example'] },
    ['evil.example subdomain DnsResponse'],
  ],
  [{ TargetHostname: 'www.evil.example' }, ['evil.example subdomain TargetHostname']],
  [
    { Url: 'http://payload.example:80/drop/a.exe?x=1#frag' },
    ['http://payload.example/drop/a.exe?x=1 exact Url'],
  ],
  [{ Url: 'payload.example/drop/a.exe?x=1' }, ['http://payload.example/drop/a.exe?x=1 exact Url']],
  [
    { Url: 'https://payload.example/other' },
    ['http://payload.example/drop/a.exe?x=1 host-only UrlHost'],
  ],
  [
    { Url: 'http://payload.example/drop/a.exe?x=2' },
    ['http://payload.example/drop/a.exe?x=1 host-only UrlHost'],
  ],
  [{ Url: 'https://github.com/someone/else' }, []],
  [
    { Url: 'https://github.com/bad/repo/raw/a.zip' },
    ['https://github.com/bad/repo/raw/a.zip exact Url'],
  ],
  [{ TargetHostname: 'github.com' }, []],
  [{ Url: 'https://login.evil.example/x' }, ['evil.example subdomain UrlHost']],
  [
    { FileSHA256: 'A'.repeat(64), FileMD5: 'B'.repeat(32) },
    [`${'b'.repeat(32)} exact FileMD5`, `${'a'.repeat(64)} exact FileSHA256`],
  ],
  [{ FileSHA1: 'a'.repeat(40) }, []],
  [{ DstIpAddr: '192.0.2.15' }, ['192.0.2.0/28 in-range DstIpAddr']],
  [{ DstIpAddr: '192.0.2.16' }, []],
  [{ SrcIpAddr: '2001:db8:ff:1::2' }, ['2001:db8:ff::/48 in-range SrcIpAddr']],
  [{ DstIpAddr: '10.0.0.1', DnsQuery: 'benign.example' }, []],
  // A weak match is left out when the event has a stronger finding of the same family.
  [
    { DstIpAddr: '203.0.113.7', DstPortNumber: 80, FileSHA256: 'a'.repeat(64) },
    [`${'a'.repeat(64)} exact FileSHA256`],
  ],
  // One event meets one indicator once: its strongest match on the most telling field.
  [
    { Url: 'http://payload.example/drop/a.exe?x=1', TargetHostname: 'payload.example' },
    ['http://payload.example/drop/a.exe?x=1 exact Url'],
  ],
  [
    { DnsQuery: 'cdn.evil.example', DnsResponse: ['evil.example', '198.51.100.9'] },
    [
      '198.51.100.9 exact DnsResponse',
      '198.51.100.9:80 address-only DnsResponse',
      'evil.example exact DnsResponse',
    ],
  ],
  [
    {
      SrcIpAddr: '203.0.113.7',
      SrcPortNumber: 50000,
      DstIpAddr: '203.0.113.7',
      DstPortNumber: 443,
    },
    ['203.0.113.7:443 exact DstIpAddr'],
  ],
]

function describeFinding(f: Finding): string {
  return `${f.indicator.value} ${f.match} ${f.field}`
}

for (const prefilter of [true, false]) {
  describe(`DuckDB engine: matching semantics (prefilter ${prefilter ? 'on' : 'off'})`, () => {
    let engine: DuckDbEngine
    const events = CASES.map(([fields]) => event(fields))
    before(async () => {
      engine = await DuckDbEngine.open({ threads: 1, prefilter })
      await engine.setIndicators(indicatorTables(INDICATORS))
    })
    after(() => engine.close())

    function expected(): string[][] {
      return CASES.map(([, want]) => [...want].sort())
    }

    function grouped(findings: Finding[]): string[][] {
      return events.map((e) =>
        findings
          .filter((f) => f.event.SourceRecord === e.SourceRecord)
          .map(describeFinding)
          .sort(),
      )
    }

    test('a batch of events gives exactly the findings the semantics call for', async () => {
      const findings = await engine.matchEvents(events)
      assert.deepEqual(grouped(findings), expected())
      const fromC2 = findings.find((f) => f.field === 'SrcIpAddr' && f.match === 'exact')
      assert.equal(fromC2?.direction, 'from')
      assert.equal(findings.find((f) => f.field === 'DnsResponse')?.direction, 'answer')
    })

    test('the same events through a Parquet lake give the same findings', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'huntpack-lake-'))
      const file = join(dir, 'events-00001.parquet')
      await engine.writeParquet(events, file)
      const findings = await engine.matchLake([file])
      assert.deepEqual(grouped(findings), expected())
      const lakeEvent = findings[0]?.event
      const original = events.find((e) => e.SourceRecord === lakeEvent?.SourceRecord)
      assert.deepEqual(lakeEvent, original)
    })

    test('the SQL URL key equals the JavaScript one', async () => {
      for (const url of [
        'https://u:p@evil.com:443/a?b=1',
        'http://evil.com:8080/x@y',
        'http://evil.com/',
      ]) {
        const e = event({ Url: url })
        const tables = indicatorTables([indicator('url', e.Url ?? '')])
        const own = await DuckDbEngine.open({ threads: 1, prefilter })
        await own.setIndicators(tables)
        const found = await own.matchEvents([e])
        own.close()
        assert.deepEqual(
          found.map((f) => f.match),
          ['exact'],
          url,
        )
        assert.equal(tables.urls[0]?.key, urlKey(url))
      }
    })
  })
}

test('the prefilter keeps every event that can match and drops those that cannot', () => {
  const keep = candidateFilter(indicatorTables(INDICATORS))
  const plain = (fields: Partial<LogEvent>) => keep(event(fields))
  assert.ok(plain({ DstIpAddr: '203.0.113.7', DstPortNumber: 1 }))
  assert.ok(plain({ DnsQuery: 'deep.a.b.evil.example' }))
  assert.ok(plain({ DnsResponse: ['10.0.0.1', '198.51.100.9'] }))
  assert.ok(plain({ Url: 'https://payload.example/anything' }))
  assert.ok(plain({ FileMD5: 'b'.repeat(32) }))
  // Ranges are hunted, so any address is a candidate; names and hashes are not.
  assert.ok(plain({ SrcIpAddr: '10.9.9.9' }))
  assert.ok(!plain({ DnsQuery: 'notevil.example', TargetHostname: 'evil.example.com' }))
  assert.ok(!plain({ Url: 'https://benign.example/payload.example' }))
  assert.ok(!plain({ FileSHA1: 'a'.repeat(40) }))
  const noRanges = candidateFilter(indicatorTables(INDICATORS.filter((i) => i.kind !== 'cidr')))
  assert.ok(!noRanges(event({ SrcIpAddr: '10.9.9.9', DstIpAddr: '10.9.9.8' })))
})
