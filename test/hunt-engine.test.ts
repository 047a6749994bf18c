import assert from 'node:assert/strict'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { DuckDbEngine } from '../src/hunt/duckdb.ts'
import type { Finding } from '../src/hunt/finding.ts'
import { indicatorTables, urlKey } from '../src/hunt/indicator-tables.ts'
import { candidateFilter } from '../src/hunt/prefilter.ts'
import type { LogEvent } from '../src/logs/event.ts'
import { CASES, describeFinding, event, INDICATORS } from './support/hunt-cases.ts'
import { indicator } from './support/indicators.ts'

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
