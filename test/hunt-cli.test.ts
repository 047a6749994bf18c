import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { huntpack, REPO } from './support/cli.ts'
import { assertGoldenTree } from './support/golden.ts'

const DIR = 'test/fixtures/hunt'
const IOCS = `${DIR}/iocs.csv`
const LOGS = `${DIR}/logs`

interface Row {
  file: string
  line: number | null
  indicator: string
  match: string
  field: string
  direction: string | null
  matched: string
  excluded: boolean
  exclusionReason: string | null
  family: string | null
  reference: string | null
}

function rows(stdout: string): Row[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Row)
}

function brief(r: Row): string {
  return `${r.file.split('/').at(-1)}:${r.line} ${r.indicator} ${r.match} ${r.field} ${r.direction}`
}

/** Every finding the fixture logs hold for the fixture feed, worked out by hand. */
const EXPECTED = [
  'eve.json:1 91.215.85.7:443 exact DstIpAddr to',
  'eve.json:2 91.215.85.7:443 address-only DstIpAddr to',
  'eve.json:3 c2-relay.hunt-fixture.net subdomain DnsQuery to',
  'eve.json:3 45.137.21.23:8080 address-only DnsResponse answer',
  'eve.json:4 http://payload.hunt-fixture.org/drop/stage2.bin exact Url to',
  'eve.json:5 http://payload.hunt-fixture.org/drop/stage2.bin host-only TargetHostname to',
  'eve.json:9 91.215.85.7:443 exact DstIpAddr to',
  'eve.json:9 c2-relay.hunt-fixture.net exact TargetHostname to',
  'firewall.cef:1 45.137.21.23:8080 exact DstIpAddr to',
  'firewall.cef:2 http://payload.hunt-fixture.org/drop/stage2.bin exact Url to',
]

describe('huntpack hunt', () => {
  test('finds exactly the expected findings, exits 1, and reports the broken line', () => {
    const run = huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--format', 'ndjson')
    assert.equal(run.status, 1, run.stderr)
    const found = rows(run.stdout)
    assert.deepEqual(found.map(brief), EXPECTED)
    assert.equal(found[0]?.family, 'XWorm')
    assert.equal(found[0]?.reference, 'https://threatfox.abuse.ch/ioc/910001/')
    assert.match(run.stderr, /eve\.json:8: not JSON/)
    assert.match(run.stderr, /1 warninglisted left out/)
    assert.match(run.stderr, /10 findings in 10 events/)
  })

  test('exit 0 and an empty result when nothing matches', () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-hunt-'))
    const feed = join(dir, 'other.txt')
    writeFileSync(feed, 'never-seen.hunt-fixture.net\n')
    const run = huntpack('hunt', '--intel', feed, '--logs', LOGS, '--format', 'ndjson', '-q')
    assert.equal(run.status, 0, run.stderr)
    assert.equal(run.stdout, '')
  })

  test('exclusions drop findings, --show-excluded lists them marked with the reason', () => {
    const exclude = `${DIR}/allow.yaml`
    const run = huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--format',
      'ndjson',
      '--exclude',
      exclude,
    )
    assert.equal(run.status, 1, run.stderr)
    assert.deepEqual(
      rows(run.stdout).map(brief),
      EXPECTED.filter((f) => !f.startsWith('firewall.cef')),
    )
    assert.match(run.stderr, /8 findings in 10 events; 2 excluded/)
    const shown = huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--format',
      'ndjson',
      '--exclude',
      exclude,
      '--show-excluded',
    )
    const excluded = rows(shown.stdout).filter((r) => r.excluded)
    assert.equal(excluded.length, 2)
    assert.ok(excluded.every((r) => r.exclusionReason === 'the lab firewall replays old traffic'))
  })

  test('--no-weak-matches drops address-only and host-only findings', () => {
    const run = huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--format',
      'ndjson',
      '--no-weak-matches',
      '-q',
    )
    assert.deepEqual(
      rows(run.stdout).map(brief),
      EXPECTED.filter((f) => !/address-only|host-only/.test(f)),
    )
  })

  test('a lake gives the same findings as the raw logs', () => {
    const lake = join(mkdtempSync(join(tmpdir(), 'huntpack-lake-')), 'lake')
    const imported = huntpack('logs', 'import', LOGS, '--into', lake)
    assert.equal(imported.status, 0, imported.stderr)
    assert.match(imported.stderr, /10 events from 2 files imported/)
    const again = huntpack('logs', 'import', `${LOGS}/eve.json`, '--into', lake)
    assert.match(again.stderr, /already in the lake/)
    // However the path is spelled, a file the lake holds is not imported again.
    const spelled = huntpack('logs', 'import', join(REPO, LOGS), '--into', lake)
    assert.match(spelled.stderr, /0 events from 0 files imported; the lake holds 10 events/)
    const raw = huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--format', 'ndjson', '-q')
    const fromLake = huntpack('hunt', '--intel', IOCS, '--logs', lake, '--format', 'ndjson', '-q')
    assert.equal(fromLake.status, 1, fromLake.stderr)
    assert.deepEqual(rows(fromLake.stdout), rows(raw.stdout))
    // Steps of two events gathered until a part passes three: parts of 4, 4 and 2 events.
    const parted = join(mkdtempSync(join(tmpdir(), 'huntpack-lake-')), 'lake')
    const small = huntpack(
      'logs',
      'import',
      LOGS,
      '--into',
      parted,
      '--batch-size',
      '2',
      '--part-rows',
      '3',
    )
    assert.match(small.stderr, /the lake holds 10 events in 3 parts/)
    const fromParts = huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      parted,
      '--format',
      'ndjson',
      '-q',
    )
    assert.deepEqual(rows(fromParts.stdout), rows(raw.stdout))
  })

  test('packs written by build hunt the same as their feed', () => {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-packs-'))
    assert.equal(huntpack('build', IOCS, '--out', out, '-q').status, 0)
    const run = huntpack('hunt', '--intel', out, '--logs', LOGS, '--format', 'ndjson', '-q')
    assert.equal(run.status, 1, run.stderr)
    assert.deepEqual(rows(run.stdout).map(brief), EXPECTED)
  })

  test('--out writes the file whole; a failing hunt leaves an earlier one as it was', () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-out-'))
    const out = join(dir, 'findings.csv')
    const run = huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--format',
      'csv',
      '--out',
      out,
      '-q',
    )
    assert.equal(run.status, 1, run.stderr)
    assert.equal(run.stdout, '')
    const written = readFileSync(out, 'utf8')
    assert.equal(written.trim().split('\n').length, 1 + EXPECTED.length)
    const bad = join(dir, 'bad.yaml')
    writeFileSync(bad, 'exclusions:\n  - host: fw01\n')
    const failed = huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--out', out, '--exclude', bad)
    assert.equal(failed.status, 3)
    assert.match(failed.stderr, /bad\.yaml:2/)
    assert.equal(readFileSync(out, 'utf8'), written)
  })

  test('a file named on the command line that is no log is an input error', () => {
    const run = huntpack('hunt', '--intel', IOCS, '--logs', IOCS)
    assert.equal(run.status, 3)
    assert.match(run.stderr, /iocs\.csv: not a log format huntpack reads/)
    const usage = huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--format', 'xml')
    assert.equal(usage.status, 2)
    for (const [option, value] of [
      ['--memory-limit', 'lots'],
      ['--memory-limit', '1KB'],
      ['--log-format', 'nope'],
    ] as const) {
      const bad = huntpack('hunt', '--intel', IOCS, '--logs', LOGS, option, value)
      assert.equal(bad.status, 2, bad.stderr)
      assert.match(bad.stderr, new RegExp(`${option} ${value}: expected`))
    }
    assert.ok(!existsSync(join(LOGS, 'findings')))
  })

  test('the table names each finding with its source line', () => {
    const run = huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '-q')
    assert.equal(run.status, 1)
    assert.match(run.stdout, /firewall\.cef:2/)
    assert.match(run.stdout, /address-only/)
  })

  test('the README example: the example feed over the example logs, table and NDJSON', () => {
    const args = ['hunt', '--intel', 'examples/threatfox_recent.csv', '--logs', 'examples/logs/']
    const table = huntpack(...args, '-q')
    assert.equal(table.status, 1, table.stderr)
    const ndjson = huntpack(...args, '--format', 'ndjson', '-q')
    assertGoldenTree(
      'test/golden/hunt',
      new Map([
        ['examples.txt', table.stdout],
        ['examples.ndjson', ndjson.stdout],
      ]),
    )
  })

  test('a reader that stops early (| head) is no error: the exit code still says findings', async () => {
    const child = spawn(process.execPath, [
      'bin/huntpack.js',
      'hunt',
      '--intel',
      'examples/threatfox_recent.csv',
      '--logs',
      'examples/logs/',
      '--format',
      'ndjson',
      '-q',
    ])
    let stderr = ''
    child.stderr.on('data', (data) => {
      stderr += data
    })
    // Closed before the first finding is written: that write meets a closed pipe.
    child.stdout.destroy()
    const [code] = (await once(child, 'close')) as [number]
    assert.equal(code, 1, stderr)
    assert.doesNotMatch(stderr, /EPIPE|unexpected/)
  })
})
