import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { huntpack } from './support/cli.ts'
import { checkWrittenQuery } from './support/written-queries.ts'

const HOSTILE = 'test/fixtures/build/hostile_threatfox.csv'

function outDir(): string {
  return mkdtempSync(join(tmpdir(), 'huntpack-cli-'))
}

test('the README example builds packs from the shipped examples', () => {
  const out = outDir()
  const run = huntpack(
    'build',
    'examples/threatfox_recent.csv',
    'examples/notes_defanged.txt',
    '--out',
    out,
  )
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stderr, /\[\+\] examples\/threatfox_recent\.csv: threatfox-csv, 26 records/)
  assert.deepEqual(readdirSync(out).sort(), [
    'clearfake',
    'cobalt-strike',
    'index.md',
    'lumma-stealer',
    'remcos',
    'unknown-family',
    'xworm',
  ])
  const xworm = JSON.parse(readFileSync(join(out, 'xworm', 'pack.json'), 'utf8'))
  assert.deepEqual(
    xworm.rejected.map((r: { code: string; original: string }) => [r.code, r.original]),
    [['base64-not-hostname', 'frBvNnnFYR6XR622pBE0NQ==']],
  )
  const lumma = JSON.parse(readFileSync(join(out, 'lumma-stealer', 'pack.json'), 'utf8'))
  assert.deepEqual(lumma.rejected.map((r: { code: string }) => r.code).sort(), [
    'bad-hash',
    'defanged-in-feed',
    'placeholder',
  ])
  // Two spellings of one URL merge: default port and fragment go, the highest confidence stays.
  const urls = lumma.indicators.filter((i: { kind: string }) => i.kind === 'url')
  assert.deepEqual(
    urls.map((u: { value: string }) => u.value),
    [
      'https://cdn-update.brivelto.shop/files/setup_x64.msi',
      'https://cdn-update.brivelto.shop/files/Setup%20x64.msi?ref=ad',
    ],
  )
  const remcos = JSON.parse(readFileSync(join(out, 'remcos', 'pack.json'), 'utf8'))
  assert.deepEqual(
    remcos.warninglisted.map((i: { value: string }) => i.value),
    ['192.168.13.37:2404'],
  )
  const clearfake = JSON.parse(readFileSync(join(out, 'clearfake', 'pack.json'), 'utf8'))
  const merged = clearfake.indicators.find(
    (i: { value: string }) => i.value === 'updates-cdn.vextria.xyz',
  )
  assert.equal(merged.sources.length, 2)
  assert.equal(merged.confidence, 100)
  assert.equal(merged.lastSeen, '2026-12-02T10:00:00Z')
  assert.ok(
    clearfake.indicators.some(
      (i: { value: string }) => i.value === 'xn--bcher-rechnung-gsb.vextria.xyz',
    ),
  )
})

test('hostile feed values stay inert in pages, pack.json and queries', () => {
  const out = outDir()
  const run = huntpack('build', HOSTILE, '--out', out, '--inline-limit', '1')
  assert.equal(run.status, 0, run.stderr)
  const [pack] = readdirSync(out).filter((name) => name !== 'index.md')
  assert.equal(pack, 'evil-script-alert-1-script-rat')
  const dir = join(out, pack as string)

  for (const file of [join(dir, 'README.md'), join(out, 'index.md')]) {
    const page = readFileSync(file, 'utf8')
    // Code blocks and spans show their text verbatim; everything else must carry no markup.
    const prose = page
      .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, '')
      .replace(/(`+)[^`][\s\S]*?\1/g, '')
    assert.doesNotMatch(prose, /<script|<img|onerror=/i, file)
    assert.doesNotMatch(page, /\]\(<?javascript:/, file)
    assertTablesIntact(page, file)
  }
  const page = readFileSync(join(dir, 'README.md'), 'utf8')
  assert.match(page, /^# ThreatFox: Evil&lt;script&gt;alert\(1\)&lt;/)
  assert.match(page, /`javascript:alert\(1\)`/)

  const json = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8'))
  assert.equal(json.name, 'Evil<script>alert(1)</script> "RAT"')
  assert.deepEqual(json.indicators[0].tags, ['<img src=x onerror=alert(1)>', '=HYPERLINK("x")'])
  assert.equal(json.rejected[0].original, "x'y|z<script>.hostile-feed.top")

  for (const file of readdirSync(dir).filter((f) => f.endsWith('.kql'))) {
    const text = readFileSync(join(dir, file), 'utf8')
    assert.deepEqual(checkWrittenQuery(dir, file), [], file)
    for (const line of text.split('\n').filter((l) => l.startsWith('//'))) {
      assert.doesNotMatch(line.slice(2), /\n/)
    }
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv'))) {
    for (const line of readFileSync(join(dir, file), 'utf8').split(/\r?\n/).slice(1)) {
      assert.doesNotMatch(line, /(^|,)"?[=+\-@\t\r]/, `${file}: ${line}`)
    }
  }
})

test('bad input: a clear message with file and line, exit code 3, nothing written', () => {
  const out = outDir()
  const bad = join(out, 'broken.csv')
  writeFileSync(
    bad,
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware","malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised","reference","tags","anonymous","reporter"\r\n' +
      '"2026-12-01 01:00:00", "1", "a.example.net", "domain"\r\n',
  )
  const run = huntpack('build', bad, '--out', join(out, 'packs'))
  assert.equal(run.status, 3)
  assert.match(run.stderr, /^\[x\] .*broken\.csv:2: /m)
  assert.equal(existsSync(join(out, 'packs')), false)

  const missing = huntpack('build', join(out, 'nope.csv'), '--out', join(out, 'packs'))
  assert.equal(missing.status, 3)
  assert.match(missing.stderr, /nope\.csv/)
})

test('bad options exit with code 2 and name the option', () => {
  const cases: [string[], RegExp][] = [
    [['build', HOSTILE, '--lookback', '2w'], /--lookback 2w/],
    [['build', HOSTILE, '--min-confidence', '500'], /--min-confidence 500/],
    [['build', HOSTILE, '--group-by', 'colour'], /--group-by colour/],
    [['build', HOSTILE, '--format', 'xml'], /--format xml/],
    [['build', HOSTILE, '--since', 'soon'], /--since soon/],
    [['build', HOSTILE, '--no-such-flag'], /unknown option/],
    [['build'], /name intel files, or --from-store/],
  ]
  for (const [args, message] of cases) {
    const run = huntpack(...args, '--out', join(outDir(), 'p'))
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`)
    assert.match(run.stderr, message)
  }
})

test('inspect prints tables on stdout, progress on stderr', () => {
  const run = huntpack('inspect', 'examples/threatfox_recent.csv')
  assert.equal(run.status, 0, run.stderr)
  assert.match(
    run.stdout,
    /^Feeds\n {2}examples\/threatfox_recent\.csv {2}threatfox-csv, 26 records, updated 2026-12-01T10:00:00Z\n/,
  )
  assert.match(
    run.stdout,
    /26 records: 20 indicators \(1 duplicate merged\), 5 rejected, 4 warninglisted/,
  )
  assert.match(run.stdout, /threatfox_recent\.csv:14 +domain +frBvNnnFYR6XR622pBE0NQ== +"frBvNnn/)
  assert.match(run.stderr, /^\[\+\] /)
})

test('--clean removes only packs that huntpack wrote', () => {
  const out = outDir()
  assert.equal(huntpack('build', 'examples/threatfox_recent.csv', '--out', out, '-q').status, 0)
  writeFileSync(join(out, 'notes.txt'), 'mine')
  const run = huntpack(
    'build',
    'examples/threatfox_recent.csv',
    '--family',
    'XWorm',
    '--out',
    out,
    '--clean',
  )
  assert.equal(run.status, 0, run.stderr)
  assert.deepEqual(readdirSync(out).sort(), ['index.md', 'notes.txt', 'xworm'])
})

/** Every Markdown table outside code fences has as many cells in each row as in its header. */
function assertTablesIntact(page: string, file: string): void {
  let fenced = false
  let columns: number | undefined
  const lines = page.split('\n')
  lines.forEach((line, i) => {
    if (line.startsWith('```')) fenced = !fenced
    if (fenced || !line.startsWith('|')) {
      columns = undefined
      return
    }
    const cells = line.replace(/\\\|/g, '').split('|').length - 2
    if (columns === undefined) {
      assert.match(lines[i + 1] ?? '', /^\| --- \|/, `${file}:${i + 1} starts no table`)
      columns = cells
    }
    assert.equal(cells, columns, `${file}:${i + 1}: ${line}`)
  })
}

test('a rebuild leaves no query or watchlist of hunts it no longer has', () => {
  const out = outDir()
  const feed = 'examples/threatfox_recent.csv'
  assert.equal(huntpack('build', feed, '--out', out, '--inline-limit', '1', '-q').status, 0)
  assert.ok(readdirSync(join(out, 'lumma-stealer')).includes('urls.watchlist.csv'))
  assert.ok(readdirSync(join(out, 'lumma-stealer')).includes('csl-url.kql'))
  writeFileSync(join(out, 'lumma-stealer', 'my-notes.md'), 'kept')
  writeFileSync(join(out, 'lumma-stealer', 'my-own.kql'), 'kept')
  const run = huntpack('build', feed, '--out', out, '--min-confidence', '100', '-q')
  assert.equal(run.status, 0, run.stderr)
  const files = readdirSync(join(out, 'lumma-stealer')).sort()
  assert.deepEqual(files, [
    'README.md',
    'csl-domain.kql',
    'csl-url.kql',
    'dns-domain.kql',
    'email-url-click.kql',
    'mde-file-hash.kql',
    'mde-network-domain.kql',
    'mde-network-url.kql',
    'mde-process-hash.kql',
    'my-notes.md',
    'my-own.kql',
    'pack.json',
  ])
})

test('filters that leave nothing say so', () => {
  const out = outDir()
  const run = huntpack(
    'build',
    'examples/threatfox_recent.csv',
    '--family',
    'NoSuchRAT',
    '--out',
    out,
  )
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stderr, /\[!\] no indicator is left to hunt/)
  assert.match(run.stderr, /\[!\] --family NoSuchRAT: no family of these feeds has that name/)
  assert.match(run.stderr, /left out by filters: 20 by family/)
  assert.match(readFileSync(join(out, 'index.md'), 'utf8'), /0 packs, 0 hunted indicators/)
})

test('grouping by threat type keeps each indicator’s family on the page and in pack.json', () => {
  const out = outDir()
  const run = huntpack(
    'build',
    'examples/threatfox_recent.csv',
    '--group-by',
    'threat-type',
    '--out',
    out,
  )
  assert.equal(run.status, 0, run.stderr)
  const page = readFileSync(join(out, 'botnet-cc', 'README.md'), 'utf8')
  assert.match(
    page,
    /\| Type \| Value \| Threat Type \| First Seen \| Confidence \| Reference \| Family \|/,
  )
  assert.match(page, /`kvq7-relay\[\.\]portmap\[\.\]host` .*\| XWorm \|$/m)
  const json = JSON.parse(readFileSync(join(out, 'botnet-cc', 'pack.json'), 'utf8'))
  assert.ok(json.indicators.some((i: { family: string }) => i.family === 'Remcos'))
})
