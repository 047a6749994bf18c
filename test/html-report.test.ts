import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parseFindingRecords } from '../src/report/html/finding-records.ts'
import { renderHuntReport } from '../src/report/html/hunt-report.ts'
import { huntpack } from './support/cli.ts'
import { assertGoldenTree } from './support/golden.ts'

const GOLDEN = fileURLToPath(new URL('./golden/html/report/', import.meta.url))
const IOCS = 'test/fixtures/hunt/iocs.csv'
const LOGS = 'test/fixtures/hunt/logs'

function findingsTable(html: string): string {
  const match = /<table class="filterable wide" id="findings">[\s\S]*?<\/table>/.exec(html)
  assert.ok(match, 'the report has a findings table')
  return match[0]
}

describe('huntpack hunt --html and huntpack report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-html-'))

  test('hunt --html writes the reviewed report beside the normal output', () => {
    const html = join(dir, 'report.html')
    const ndjson = join(dir, 'findings.ndjson')
    const run = huntpack(
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--format',
      'ndjson',
      '--out',
      ndjson,
      '--html',
      html,
    )
    assert.equal(run.status, 1, run.stderr)
    assert.match(run.stderr, /10 findings in 10 events; written to .*; report in .*report\.html/)
    assert.equal(readFileSync(ndjson, 'utf8').trim().split('\n').length, 10)
    const text = readFileSync(html, 'utf8')
    assertGoldenTree(GOLDEN, new Map([['report.html', text]]))

    // The figures a person reads first, and each row's field and source line.
    assert.match(text, /<dd>10<\/dd><dt>findings<\/dt>/)
    assert.match(text, /<dd>5<\/dd><dt>hosts<\/dt>/)
    assert.match(text, /<dd>4<\/dd><dt>indicators<\/dt>/)
    assert.match(text, /<dd>2<\/dd><dt>families<\/dt>/)
    assert.match(text, /<dd>1<\/dd><dt>records not read<\/dt>/)
    assert.equal((text.match(/<tr data-family=/g) ?? []).length, 10)
    assert.match(text, /<code>DnsResponse<\/code> \(answer\)/)
    assert.match(text, /<code>test\/fixtures\/hunt\/logs\/firewall\.cef:2<\/code>/)
    // Charts are SVG in the page; nothing is fetched.
    assert.equal((text.match(/<svg class="chart"/g) ?? []).length, 3)
    assert.doesNotMatch(text, /<(script|link|img|iframe)[^>]+(src|href)=/)
    assert.equal((text.match(/<script/g) ?? []).length, 1)
  })

  test('report writes the same findings table from NDJSON and from JSON', () => {
    const ndjson = join(dir, 'f.ndjson')
    const json = join(dir, 'f.json')
    assert.equal(
      huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--format', 'ndjson', '--out', ndjson)
        .status,
      1,
    )
    assert.equal(
      huntpack('hunt', '--intel', IOCS, '--logs', LOGS, '--format', 'json', '--out', json).status,
      1,
    )
    const direct = readFileSync(join(GOLDEN, 'report.html'), 'utf8')
    for (const file of [ndjson, json]) {
      const out = join(dir, `${file.endsWith('json') ? 'a' : 'b'}-${Math.random()}.html`)
      const run = huntpack('report', file, '--html', out)
      assert.equal(run.status, 0, run.stderr)
      assert.match(run.stderr, /10 findings from /)
      const html = readFileSync(out, 'utf8')
      assert.equal(findingsTable(html), findingsTable(direct))
      assert.match(html, /<dd>10<\/dd><dt>findings<\/dt>/)
      assert.doesNotMatch(html, /events read/, 'a findings file does not say what the hunt read')
    }
  })

  test('report refuses a findings file it cannot read, naming file and line', () => {
    const bad = join(dir, 'bad.ndjson')
    const good = readFileSync(join(GOLDEN, 'report.html'), 'utf8')
      ? '{"match":"exact","field":"Url","matched":"x","indicator":"x","indicatorKind":"url","file":"a.log","line":1,"record":1}'
      : ''
    writeFileSync(
      bad,
      `${good}\n{"match":"exact","field":"Url","matched":"x","indicator":"x","indicatorKind":"url","file":"a.log","host":42}\n`,
    )
    const run = huntpack('report', bad, '--html', join(dir, 'bad.html'))
    assert.equal(run.status, 3)
    assert.match(run.stderr, /bad\.ndjson:2: field "host" must be a string or null, not 42/)
    writeFileSync(bad, 'not json\n')
    assert.match(huntpack('report', bad, '--html', join(dir, 'bad.html')).stderr, /bad\.ndjson/)
    writeFileSync(bad, `${good}\n`)
    const unwritable = huntpack('report', bad, '--html', join(bad, 'x.html'))
    assert.equal(unwritable.status, 4, unwritable.stderr)
    const missing = huntpack('report', join(dir, 'missing.ndjson'), '--html', join(dir, 'bad.html'))
    assert.equal(missing.status, 3)
    assert.throws(() => parseFindingRecords('{"findings": 3}\n', 'f.json'), /"findings" list/)
    assert.throws(() => parseFindingRecords('[1]\n', 'f.json'), /f\.json/)
  })

  test('exclusions are counted apart, listed or not', () => {
    const listed = join(dir, 'listed.html')
    const unlisted = join(dir, 'unlisted.html')
    const args = [
      'hunt',
      '--intel',
      IOCS,
      '--logs',
      LOGS,
      '--exclude',
      'test/fixtures/hunt/allow.yaml',
    ]
    assert.equal(huntpack(...args, '--html', unlisted, '--format', 'ndjson').status, 1)
    assert.equal(
      huntpack(...args, '--html', listed, '--show-excluded', '--format', 'ndjson').status,
      1,
    )
    const [a, b] = [readFileSync(unlisted, 'utf8'), readFileSync(listed, 'utf8')]
    const excluded = /<dd>(\d+)<\/dd><dt>excluded, not counted<\/dt>/
    assert.ok(Number(excluded.exec(a)?.[1]) > 0)
    assert.equal(excluded.exec(a)?.[1], excluded.exec(b)?.[1])
    assert.equal(
      /<dd>(\d+)<\/dd><dt>findings/.exec(a)?.[1],
      /<dd>(\d+)<\/dd><dt>findings/.exec(b)?.[1],
    )
    assert.doesNotMatch(a, /class="is-excluded"/)
    assert.match(b, /<tr [^>]*class="is-excluded"/)
    assert.match(b, /excluded: [^<]*allow\.yaml:\d+/)
  })

  test('an empty hunt gives a report that says so', () => {
    const html = renderHuntReport({ records: [], inputs: ['none.log'] })
    assert.match(html, /<dd>0<\/dd><dt>findings<\/dt>/)
    assert.match(html, /No finding has a time\./)
    assert.match(html, /<p>No findings\.<\/p>/)
  })
})

describe('hostile intel and log values in the report', () => {
  test('every value shows as text: no tag, attribute or link a feed or log wrote', () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-html-xss-'))
    const ndjson = join(dir, 'f.ndjson')
    const run = huntpack(
      'hunt',
      '--intel',
      'test/fixtures/html/hostile_threatfox.csv',
      '--logs',
      'test/fixtures/html/logs',
      '--format',
      'ndjson',
      '--out',
      ndjson,
    )
    assert.equal(run.status, 1, run.stderr)
    const records = parseFindingRecords(readFileSync(ndjson, 'utf8'), ndjson)
    assert.equal(records.length, 4)
    const withReference = records.map((r, n) => ({
      ...r,
      reference: n === 0 ? 'javascript:window.__xss=2' : r.reference,
    }))
    const html = renderHuntReport({
      records: withReference,
      inputs: ['<img src=x onerror=window.__xss=9>'],
    })
    // Only our own tags: the one script, and no element a value could have opened.
    assert.equal((html.match(/<script/gi) ?? []).length, 1)
    assert.doesNotMatch(html, /<img|<svg\/|<b>/i)
    // Attribute values are quoted and cannot hold a quote; outside them, no handler attribute.
    assert.doesNotMatch(html.replace(/="[^"]*"/g, '=""'), /<[^>]*\son[a-z]+\s*=/i)
    assert.doesNotMatch(html, /href="javascript/i)
    // The values are there, as text.
    assert.match(html, /&lt;script&gt;window.__xss=4&lt;\/script&gt;/)
    assert.match(html, /&lt;img src=x onerror=window.__xss=1&gt;/)
    assert.match(html, /&quot;&gt;&lt;img src=x onerror=window.__xss=8&gt;/)
    assert.match(html, /C:\\evil\\&#39;onmouseover=&#39;window.__xss=9&#39;.exe/)
    assert.match(html, /<span class="refused-url">javascript:window.__xss=2<\/span>/)
    assert.match(html, /a\\u202eb/)
    assert.match(html, /Evil &quot;RAT&quot; &#39;x&#39; &amp; &lt;b&gt;bold&lt;\/b&gt;/)
  })
})
