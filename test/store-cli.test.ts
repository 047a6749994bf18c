import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { diffMarkdown, diffTable } from '../src/cli/diff.ts'
import { intake } from '../src/intel/intake.ts'
import { readIntel } from '../src/intel/readers/index.ts'
import { defaultStorePath } from '../src/store/store.ts'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
  '"malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised",' +
  '"reference","tags","anonymous","reporter"\n'

test('the default store lives under the user data folder', () => {
  assert.equal(defaultStorePath({ XDG_DATA_HOME: '/data' }), '/data/huntpack/store.duckdb')
  assert.match(defaultStorePath({ HOME: '/home/u' }), /\.local\/share\/huntpack\/store\.duckdb$/)
  // A relative XDG_DATA_HOME is ignored, as the XDG spec says.
  assert.match(defaultStorePath({ XDG_DATA_HOME: 'rel' }), /\.local\/share\/huntpack/)
})

test('CLI: pull file, store stats, diff, build --from-store', async (t) => {
  const csv = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
  if (csv === undefined) return
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-cli-'))
  const store = join(dir, 'store.duckdb')
  const pulled = huntpack('pull', 'file', csv, '--store', store)
  assert.equal(pulled.status, 0, pulled.stderr)
  assert.match(
    pulled.stderr,
    /pull #1 file:threatfox_recent_export_2026-04-12\.csv: 862 records, 859 indicators \(859 new/,
  )
  const again = huntpack('pull', 'file', csv, '--store', store)
  assert.match(again.stderr, /the same feed content as pull #1; nothing to store/)

  const stats = JSON.parse(huntpack('store', 'stats', '--json', '--store', store).stdout)
  assert.equal(stats.indicators, 859)
  assert.equal(stats.pulls, 1)
  // The April sample is long past: only its hashes are still live under the defaults.
  assert.equal(stats.live, stats.byKind.find((k: { kind: string }) => k.kind === 'sha256').live)

  const diff = JSON.parse(huntpack('diff', '--since', '1d', '--json', '--store', store).stdout)
  const clearfake = diff.families.find((f: { family: string }) => f.family === 'ClearFake')
  assert.equal(clearfake.counts.new, 508)

  const out = join(dir, 'packs')
  const built = huntpack(
    'build',
    '--from-store',
    '--store',
    store,
    '--max-age',
    'never',
    '--out',
    out,
  )
  assert.equal(built.status, 0, built.stderr)
  assert.match(built.stderr, /859 indicators/)
  const page = readFileSync(join(out, 'clearfake', 'README.md'), 'utf8')
  assert.match(page, /ThreatFox/)
  assert.match(page, /threatfox\.abuse\.ch\/ioc\/1784524/)
  const after = JSON.parse(huntpack('store', 'stats', '--json', '--store', store).stdout)
  assert.equal(after.lastBuild.out, out)
  assert.equal(after.lastBuild.packs, readdirSync(out).filter((f) => f !== 'index.md').length)

  const none = huntpack('build', '--from-store', '--store', store, '--out', join(dir, 'p2'))
  assert.equal(none.status, 0, none.stderr)
  assert.ok(!existsSync(join(dir, 'p2', 'clearfake')))

  assert.equal(huntpack('build', '--out', out).status, 2)
  assert.equal(huntpack('build', csv, '--from-store', '--store', store).status, 2)
  assert.equal(
    huntpack('diff', '--since', '1d', '--store', join(dir, 'none.duckdb')).status,
    70 - 67,
  )
  assert.equal(huntpack('diff', '--since', '1d', '--max-age', 'x=1d', '--store', store).status, 2)
})

test('diff output escapes hostile families and values', async () => {
  const hostile = 'Evil`|<script>alert(1)</script>\n\u001b[31m'
  const diff = [
    {
      family: hostile,
      counts: { new: 1, changed: 0, expired: 0, removed: 0 },
      entries: [
        {
          change: 'new' as const,
          kind: 'url',
          value: 'http://x.example.com/a`b|c<d>',
          family: hostile,
          at: '2026-12-01T00:00:00.000Z',
          source: 'file:=cmd|x',
        },
      ],
    },
  ]
  const window = { since: '2026-11-30T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' }
  const table = diffTable(diff, window)
  assert.ok(!table.includes('\u001b'))
  assert.ok(!/<script>alert\(1\)<\/script>\n/.test(table))
  const md = diffMarkdown(diff, window)
  assert.ok(!md.includes('<script>'))
  assert.ok(!md.includes('\u001b'))
  for (const line of md.split('\n').filter((l) => l.startsWith('| new'))) {
    // Every row keeps its five cells: no value breaks the table.
    assert.equal(line.split(/(?<!\\)\|/).length - 2, 5, line)
  }
  assert.match(md, /hxxp/)
})

test('pull file of a hostile CSV stores the values exactly and reports them safely', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-hostile-'))
  const feed = join(dir, 'feed.csv')
  const value = 'http://x.example.com/"quote"\\back,comma?<script>=cmd|'
  writeFileSync(
    feed,
    `${HEADER}"2026-11-30 10:00:00", "1", "${value.replaceAll('"', '""')}", "url", "payload", ` +
      `"win.x", "None", "Fam \u001b[31m<b>", "None", "75", "False", "None", "t", "0", "r"\n`,
  )
  const store = join(dir, 'store.duckdb')
  const pulled = huntpack('pull', 'file', feed, '--store', store, '--source', 'src\u001b[2J')
  assert.equal(pulled.status, 0, pulled.stderr)
  assert.ok(!pulled.stderr.includes('\u001b'))
  const diff = huntpack('diff', '--since', '1d', '--json', '--store', store)
  const entries = JSON.parse(diff.stdout).families.flatMap((f: { entries: unknown[] }) => f.entries)
  assert.equal(entries.length, 1)
  const expected = intake(readIntel(readFileSync(feed, 'utf8'), feed).records).indicators
  assert.equal(entries[0].value, expected[0]?.value)
  assert.equal(entries[0].family, 'Fam \u001b[31m<b>')
  const table = huntpack('diff', '--since', '1d', '--store', store)
  assert.ok(!table.stdout.includes('\u001b'))
})
