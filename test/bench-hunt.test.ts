import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  checkFindings,
  type FoundFinding,
  generateHuntBench,
  type HuntBench,
  strongest,
} from '../bench/generate-logs.ts'
import { huntLogs } from '../src/hunt/hunt.ts'
import { loadHuntIntel } from '../src/hunt/intel.ts'
import { listLogInputs } from '../src/logs/input.ts'
import { detectLogFormat } from '../src/logs/readers/index.ts'

const OPTIONS = { bytes: 1_000_000, seed: 7, indicators: 5000 }

describe('hunt benchmark inputs', () => {
  let dir: string
  let bench: HuntBench
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'huntpack-bench-'))
    bench = await generateHuntBench(dir, OPTIONS)
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  test('the same seed gives the same files; a set is reused only with the same parameters', async () => {
    const again = await generateHuntBench(join(dir, 'again'), OPTIONS)
    for (const [i, log] of bench.logs.entries()) {
      assert.ok(readFileSync(log.path).equals(readFileSync(again.logs[i]?.path ?? '')), log.name)
    }
    assert.deepEqual(again.findings, bench.findings)
    const reused = await generateHuntBench(dir, OPTIONS)
    assert.deepEqual(reused.params, bench.params)
    const other = await generateHuntBench(join(dir, 'again'), { ...OPTIONS, seed: 8 })
    assert.notDeepEqual(other.findings, bench.findings)
  })

  test('each log is about the size asked and holds its plants', () => {
    for (const log of bench.logs) {
      assert.ok(log.bytes >= OPTIONS.bytes && log.bytes < OPTIONS.bytes * 1.01, log.name)
      const planted = new Set(bench.findings.filter((f) => f.file === log.name).map((f) => f.line))
      assert.equal(planted.size, bench.params.plants, log.name)
    }
  })

  test('every indicator is hunted: none rejected, none warninglisted', async () => {
    const intel = await loadHuntIntel([bench.feed])
    assert.equal(intel.indicators.length, OPTIONS.indicators)
    assert.equal(intel.rejected, 0)
    assert.equal(intel.warninglisted.length, 0)
  })

  for (const name of ['eve.json', 'CommonSecurityLog.csv']) {
    test(`hunting ${name} finds every planted hit and nothing else`, async (t) => {
      const log = bench.logs.find((l) => l.name === name)
      assert.ok(log)
      const [input] = await listLogInputs([log.path])
      try {
        await detectLogFormat(input as never)
      } catch (error) {
        if (name === 'eve.json') throw error
        t.skip(`no log reader recognises the CommonSecurityLog export yet: ${error}`)
        return
      }
      const intel = await loadHuntIntel([bench.feed])
      const result = await huntLogs(intel.indicators, [log.path], { engine: { threads: 1 } })
      assert.deepEqual(result.broken, [])
      assert.equal(result.events, log.events)
      const found: FoundFinding[] = result.findings.map((f) => ({
        file: basename(f.event.SourceFile),
        line: f.event.SourceLine,
        indicator: f.indicator.value,
        match: f.match,
        field: f.field,
      }))
      const check = checkFindings(bench.findings, found, [name])
      assert.deepEqual(
        { missing: check.missing, unexpected: check.unexpected },
        {
          missing: [],
          unexpected: [],
        },
      )
      assert.equal(check.expected, bench.params.plants)
    })
  }

  test('a planted event gives one finding: the strongest match on the most telling field', () => {
    const url = 'http://a-1.top/x'
    assert.deepEqual(
      strongest([
        { indicator: url, match: 'host-only', field: 'TargetHostname' },
        { indicator: url, match: 'exact', field: 'Url' },
      ]),
      { indicator: url, match: 'exact', field: 'Url' },
    )
    assert.deepEqual(
      strongest([
        { indicator: 'b-2.top', match: 'subdomain', field: 'UrlHost' },
        { indicator: 'b-2.top', match: 'subdomain', field: 'TargetHostname' },
      ]),
      { indicator: 'b-2.top', match: 'subdomain', field: 'TargetHostname' },
    )
  })

  test('the check reports a missing and an unexpected finding', () => {
    const [first, ...rest] = bench.findings
    assert.ok(first)
    const found: FoundFinding[] = rest.map((f) => ({ ...f }))
    found.push({ ...first, line: first.line + 1 })
    const check = checkFindings(bench.findings, found)
    assert.equal(check.ok, false)
    assert.deepEqual(check.missing, [first])
    assert.deepEqual(check.unexpected, [{ ...first, line: first.line + 1 }])
  })
})
