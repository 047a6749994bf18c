import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { intake } from '../src/intel/intake.ts'
import { readIntel } from '../src/intel/readers/index.ts'
import { kqlChecker } from '../src/targets/kql/check.ts'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'
import { checkWrittenQuery } from './support/written-queries.ts'

const FEED = 'intel/threatfox_recent_export_2026-04-12.csv'

/** Every `.kql` under `dir`, each checked in full (no shape cache) with its watchlist's columns. */
function checkAllQueries(dir: string): number {
  let checked = 0
  for (const pack of readdirSync(dir, { withFileTypes: true })) {
    if (!pack.isDirectory()) continue
    for (const file of readdirSync(join(dir, pack.name))) {
      if (!file.endsWith('.kql')) continue
      assert.deepEqual(checkWrittenQuery(join(dir, pack.name), file), [], `${pack.name}/${file}`)
      checked++
    }
  }
  return checked
}

test('build on the real ThreatFox export: a pack per family, every query clean', (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  const out = mkdtempSync(join(tmpdir(), 'huntpack-tf-'))
  const run = huntpack('build', feed, '--out', out)
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stderr, /862 records/)
  assert.match(run.stderr, /859 indicators, 3 rejected, 42 packs /)
  assert.match(run.stderr, /wrote 42 packs, \d+ checked queries/)
  assert.equal(run.stdout, '')

  const packs = readdirSync(out, { withFileTypes: true }).filter((e) => e.isDirectory())
  assert.equal(packs.length, 42)
  assert.ok(checkAllQueries(out) >= 150)
  assert.deepEqual(
    readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.tmp')),
    [],
  )

  // XWorm: 5 domains under portmap.host and one address:port, as in the feed.
  const xworm = JSON.parse(readFileSync(join(out, 'xworm', 'pack.json'), 'utf8'))
  assert.equal(xworm.title, 'ThreatFox: XWorm IOCs')
  assert.equal(xworm.familyId, 'win.xworm')
  assert.deepEqual(xworm.summary.byKind, { domain: 5, 'ip:port': 1 })
  assert.ok(
    xworm.indicators
      .filter((i: { kind: string }) => i.kind === 'domain')
      .every((i: { value: string }) => i.value.endsWith('.portmap.host')),
  )
  assert.ok(xworm.indicators.every((i: { sources: { record: string }[] }) => i.sources[0]?.record))
  const guidance = xworm.guidance.map((g: { id: string }) => g.id)
  assert.ok(guidance.includes('shared-service:portmap.host'), guidance.join())
  assert.ok(guidance.includes('address-only'), guidance.join())
  assert.deepEqual(
    xworm.hunts.map((h: { id: string }) => h.id),
    [
      'csl-ip',
      'mde-network-ip',
      'dns-resolved-ip',
      'dns-domain',
      'mde-network-domain',
      'csl-domain',
    ],
  )

  // Every exclusion the guidance offers parses when appended to each of the pack's hunts.
  for (const item of xworm.guidance as { id: string; exclusion?: { kql: string } }[]) {
    if (!item.exclusion) continue
    for (const hunt of xworm.hunts as { id: string; query: string; watchlist: null }[]) {
      const extended: string = `${hunt.query.trimEnd()}\n${item.exclusion.kql}\n`
      assert.deepEqual(kqlChecker().check(extended), [], `${item.id} on ${hunt.id}`)
    }
  }

  const page = readFileSync(join(out, 'xworm', 'README.md'), 'utf8')
  assert.match(page, /^# ThreatFox: XWorm IOCs\n/)
  assert.match(page, /## IOC Summary/)
  assert.match(page, /\[\.\]portmap\[\.\]host/)
  assert.match(page, /```kql\n/)
  assert.match(page, /\| `DnsEvents` \| DNS/)
  assert.match(page, /### Names under portmap\.host/)

  // Our page is an intel format too: reading it back gives the same indicators.
  const back = readIntel(page, join(out, 'xworm', 'README.md'))
  assert.equal(back.format, 'markdown')
  const again = intake(back.records)
  assert.deepEqual(again.rejections, [])
  assert.deepEqual(
    again.indicators.map((i) => `${i.kind} ${i.value}`).sort(),
    xworm.indicators.map((i: { kind: string; value: string }) => `${i.kind} ${i.value}`).sort(),
  )

  // The rejected values are shown: on their family's page or in the index.
  const index = readFileSync(join(out, 'index.md'), 'utf8')
  assert.match(index, /^# ThreatFox: hunt packs\n\n42 packs, 859 hunted indicators\./)
  const everything = [
    index,
    ...packs.map((p) => readFileSync(join(out, p.name, 'README.md'), 'utf8')),
  ]
  for (const rejected of [
    'hostname.domain.tld',
    'hxxps://test-dummy-validation-99999.com/test',
    'hxxps://download-version.1-5-8.com/claude.msixbundle',
  ]) {
    assert.ok(
      everything.some((text) => text.includes(`\`${rejected}\``)),
      `${rejected} is not shown`,
    )
  }
})

test('the same input builds byte-identical packs', (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  const [a, b] = [1, 2].map(() => {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-det-'))
    assert.equal(huntpack('build', feed, '--out', out, '-q').status, 0)
    return out
  }) as [string, string]
  const files = readdirSync(a, { recursive: true }).map(String).sort()
  assert.deepEqual(files, readdirSync(b, { recursive: true }).map(String).sort())
  for (const file of files) {
    if (!file.includes('.')) continue
    assert.equal(readFileSync(join(a, file), 'utf8'), readFileSync(join(b, file), 'utf8'), file)
  }
})

test('large hunts read watchlists, and those queries are clean too', (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  const out = mkdtempSync(join(tmpdir(), 'huntpack-wl-'))
  const run = huntpack('build', feed, '--out', out, '--inline-limit', '20', '-q')
  assert.equal(run.status, 0, run.stderr)
  const clearfake = readdirSync(join(out, 'clearfake'))
  assert.ok(clearfake.includes('domains.watchlist.csv'), clearfake.join())
  const query = readFileSync(join(out, 'clearfake', 'dns-domain.kql'), 'utf8')
  assert.match(query, /_GetWatchlist\('huntpack-clearfake-domains'\)/)
  const csv = readFileSync(join(out, 'clearfake', 'domains.watchlist.csv'), 'utf8').split(/\r?\n/)
  assert.equal(csv[0], 'SearchKey,IndicatorKind')
  assert.equal(csv.filter((line) => line !== '').length, 508 + 1)
  checkAllQueries(out)
})

test('warninglists keep benign values out of hunts and name the list', (t) => {
  const feed = requireSharedData(t, FEED)
  const lists = requireSharedData(t, 'warninglists')
  if (feed === undefined || lists === undefined) return
  const run = huntpack('inspect', feed, '--warninglists', lists, '--json', '-q')
  assert.equal(run.status, 0, run.stderr)
  const report = JSON.parse(run.stdout)
  assert.equal(report.records, 862)
  assert.equal(report.indicators, 859)
  assert.equal(report.rejected, 3)
  assert.equal(report.warninglisted, 12)
  const aws = report.warninglistedValues.find(
    (w: { value: string }) => w.value === '18.157.68.73:19828',
  )
  assert.deepEqual(aws.lists, ['List of known Amazon AWS IP address ranges'])
  // XWorm's portmap.host names are on no list: a tunnelling service is not a benign value.
  assert.ok(
    !report.warninglistedValues.some((w: { value: string }) => w.value.endsWith('portmap.host')),
  )
  assert.deepEqual(report.byKind, { domain: 646, url: 112, 'ip:port': 100, sha256: 1 })
  assert.equal(report.byFamily['XWorm (win.xworm)'], 6)
})
