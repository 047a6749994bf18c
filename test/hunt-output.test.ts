import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { describe, it } from 'node:test'
import { parse as parseCsv } from 'csv-parse/sync'
import { ExclusionSet } from '../src/hunt/exclusions.ts'
import { directionOf, type Finding, type MatchField, type MatchKind } from '../src/hunt/finding.ts'
import {
  FindingSummariser,
  findingHost,
  type HuntSummary,
  peerAddress,
  summariseFindings,
} from '../src/hunt/summary.ts'
import type { Indicator } from '../src/intel/indicator.ts'
import { blankEvent, type LogEvent } from '../src/logs/event.ts'
import {
  cut,
  FINDING_COLUMNS,
  FINDING_FORMATS,
  type FindingFormat,
  type FindingOutputOptions,
  findingRecord,
  findingWriter,
  openAtomicOutput,
  terminalText,
} from '../src/report/findings.ts'
import { assertGoldenTree } from './support/golden.ts'
import { indicator } from './support/indicators.ts'

const GOLDEN = join(import.meta.dirname, 'golden', 'findings')

function finding(
  ind: Indicator,
  field: MatchField,
  matched: string,
  match: MatchKind,
  event: Partial<LogEvent> & { LogFormat: string; SourceFile: string },
): Finding {
  const base = blankEvent(event.LogFormat, event.SourceFile, 1, null)
  const e = { ...base, ...event }
  return { indicator: ind, match, field, direction: directionOf(field), matched, event: e }
}

const asyncRat = indicator('ip:port', '203.0.113.7:443', {
  family: 'AsyncRAT',
  familyId: 'win.asyncrat',
  confidence: 100,
  firstSeen: '2026-11-01T10:00:00Z',
  lastSeen: '2026-11-20T10:00:00Z',
  references: ['https://example.org/report'],
  sources: [{ feed: 'threatfox.csv', line: 12, record: '1784524' }],
})
const remcos = indicator('domain', 'evil-update.example.net', {
  family: 'Remcos',
  threatTypes: ['botnet_cc', 'payload_delivery'],
})
const payload = indicator('url', 'http://198.51.100.9/load/stage2.bin', {
  family: 'Remcos',
  confidence: 75,
})
const dropper = indicator('sha256', `${'a'.repeat(63)}b`, { family: undefined })
const scanner = indicator('cidr', '192.0.2.0/24', { family: 'Mirai', threatTypes: [] })

const hostile =
  '"quoted", back\\slash\nline2\r\u001b[2J\u001b[31mRED <script>alert(1)</script> \u202eexe.'
const formula = "=cmd|' /C calc'!A0"

function findings(): Finding[] {
  return [
    finding(asyncRat, 'DstIpAddr', '203.0.113.7', 'exact', {
      LogFormat: 'zeek-conn',
      SourceFile: 'collected/zeek/conn.log',
      SourceLine: 812,
      SourceRecord: 804,
      TimeGenerated: '2026-11-21T08:15:02.125Z',
      EventType: 'network',
      SrcIpAddr: '10.20.1.5',
      SrcPortNumber: 51544,
      DstIpAddr: '203.0.113.7',
      DstPortNumber: 443,
      NetworkProtocol: 'tcp',
    }),
    finding(asyncRat, 'DstIpAddr', '203.0.113.7', 'address-only', {
      LogFormat: 'zeek-conn',
      SourceFile: 'collected/zeek/conn.log',
      SourceLine: 901,
      SourceRecord: 893,
      TimeGenerated: '2026-11-21T09:00:00.000Z',
      EventType: 'network',
      SrcIpAddr: '10.20.1.5',
      DstIpAddr: '203.0.113.7',
      DstPortNumber: 8080,
      NetworkProtocol: 'tcp',
    }),
    finding(remcos, 'DnsQuery', 'cdn.evil-update.example.net', 'subdomain', {
      LogFormat: 'zeek-dns',
      SourceFile: 'collected/zeek/dns.log',
      SourceLine: 33,
      SourceRecord: 25,
      TimeGenerated: '2026-11-21T07:59:59.999Z',
      EventType: 'dns',
      SrcIpAddr: '10.20.1.9',
      DstIpAddr: '10.0.0.53',
      DnsQuery: 'cdn.evil-update.example.net',
      DnsResponse: ['198.51.100.9'],
      Dvc: 'WS09',
    }),
    finding(payload, 'Url', 'http://198.51.100.9/load/stage2.bin', 'exact', {
      LogFormat: 'sentinel-csv',
      SourceFile: 'exports/CommonSecurityLog.csv',
      SourceLine: 4,
      SourceRecord: 3,
      TimeGenerated: '2026-11-21T08:01:10.000Z',
      EventType: 'http',
      SrcIpAddr: '10.20.1.9',
      DstIpAddr: '198.51.100.9',
      DstPortNumber: 80,
      Url: 'http://198.51.100.9/load/stage2.bin',
      UrlHost: '198.51.100.9',
      Dvc: 'proxy01.corp.example.com',
      User: 'CORP\\alice',
      DvcAction: 'allow',
    }),
    finding(dropper, 'FileSHA256', dropper.value, 'exact', {
      LogFormat: 'sysmon-json',
      SourceFile: 'collected/sysmon.json',
      SourceRecord: 17,
      EventType: 'process',
      FileSHA256: dropper.value,
      Dvc: 'WS09',
      User: 'CORP\\bob',
      Process: 'C:\\Users\\bob\\AppData\\Local\\Temp\\upd.exe',
      CommandLine: '"C:\\Users\\bob\\AppData\\Local\\Temp\\upd.exe" /silent',
    }),
    finding(scanner, 'SrcIpAddr', '192.0.2.44', 'in-range', {
      LogFormat: 'suricata-eve',
      SourceFile: 'collected/eve.json',
      SourceLine: 2,
      SourceRecord: 2,
      TimeGenerated: '2026-11-20T23:00:00.000Z',
      EventType: 'alert',
      SrcIpAddr: '192.0.2.44',
      SrcPortNumber: 40000,
      DstIpAddr: '10.20.1.80',
      DstPortNumber: 23,
      NetworkProtocol: 'tcp',
      DvcAction: 'deny',
    }),
    finding(
      indicator('domain', 'hostile.example.com', { family: `Fam${hostile}` }),
      'DnsResponse',
      `${formula}\u0007`,
      'exact',
      {
        LogFormat: 'json-lines',
        SourceFile: `logs/${hostile}.json`,
        SourceLine: 9,
        SourceRecord: 9,
        TimeGenerated: '2026-11-21T10:00:00.000Z',
        EventType: 'dns',
        SrcIpAddr: '10.20.1.66',
        DnsQuery: hostile,
        DnsResponse: [`${formula}\u0007`, '@SUM(1+1)'],
        Dvc: `WS\n2026-11-21T00:00:00.000Z  FAKE  exact`,
        User: '+1-555-0100',
        Process: '-x\t@y',
        CommandLine: hostile,
      },
    ),
  ]
}

const EXCLUSIONS = ExclusionSet.parse(
  'exclusions:\n  - peer_range: 10.20.1.80/32\n    reason: "honeypot <script>\\u001b[2J"\n',
  'allow.yaml',
)

const COUNTS = { events: 12_345, files: 6, broken: 2 }

const OPTIONS: FindingOutputOptions = {
  recordUrl: (source) =>
    source.record === undefined ? undefined : `https://threatfox.abuse.ch/ioc/${source.record}/`,
}

/** A stream that keeps what it is given and, when `slow`, asks the writer to wait often. */
function collector(slow = false): { out: Writable; text: () => string } {
  const chunks: string[] = []
  const out = new Writable({
    highWaterMark: slow ? 1 : 16 * 1024,
    decodeStrings: false,
    write(chunk, _encoding, done) {
      chunks.push(String(chunk))
      if (slow) setImmediate(done)
      else done()
    },
  })
  return { out, text: () => chunks.join('') }
}

async function render(
  format: FindingFormat,
  list: Finding[],
  options: FindingOutputOptions = OPTIONS,
  slow = false,
): Promise<string> {
  const { out, text } = collector(slow)
  const writer = findingWriter(format, out, options)
  const summariser = new FindingSummariser()
  for (const f of list) {
    const exclusion = EXCLUSIONS.match(f)
    summariser.add(f, exclusion !== undefined)
    await writer.write(f, exclusion)
  }
  await writer.end(summariser.summary(COUNTS))
  return text()
}

const EXTENSION: Record<FindingFormat, string> = {
  table: 'txt',
  ndjson: 'ndjson',
  csv: 'csv',
  json: 'json',
}

describe('finding output', () => {
  it('writes every format as reviewed', async () => {
    const files = new Map<string, string>()
    for (const format of FINDING_FORMATS) {
      files.set(`findings.${EXTENSION[format]}`, await render(format, findings()))
      files.set(`empty.${EXTENSION[format]}`, await render(format, []))
    }
    assertGoldenTree(GOLDEN, files)
  })

  it('waits for a slow stream and writes the same bytes', async () => {
    for (const format of FINDING_FORMATS) {
      assert.equal(
        await render(format, findings(), OPTIONS, true),
        await render(format, findings()),
        format,
      )
    }
  })

  it('keeps hostile values exact in NDJSON, one record a line', async () => {
    const lines = (await render('ndjson', findings())).trimEnd().split('\n')
    assert.equal(lines.length, findings().length)
    const last = JSON.parse(lines.at(-1) as string)
    assert.equal(last.dnsQuery, hostile)
    assert.equal(last.commandLine, hostile)
    assert.equal(last.host, `WS\n2026-11-21T00:00:00.000Z  FAKE  exact`)
    assert.deepEqual(last.dnsResponse, [`${formula}\u0007`, '@SUM(1+1)'])
    const records = lines.map((line) => JSON.parse(line))
    assert.deepEqual(
      records,
      findings().map((f) => findingRecord(f, EXCLUSIONS.match(f), OPTIONS)),
    )
    for (const record of records) assert.deepEqual(Object.keys(record), [...FINDING_COLUMNS])
  })

  it('keeps hostile values in CSV, quoted, with formulas defused', async () => {
    const text = await render('csv', findings())
    const rows: string[][] = parseCsv(text, { relax_column_count: false })
    assert.deepEqual(rows[0], [...FINDING_COLUMNS])
    assert.equal(rows.length, findings().length + 1)
    const last = Object.fromEntries(FINDING_COLUMNS.map((c, n) => [c, rows.at(-1)?.[n]]))
    assert.equal(last.dnsQuery, hostile)
    assert.equal(last.matched, `'${formula}\u0007`)
    assert.equal(last.dnsResponse, `'${formula}\u0007;@SUM(1+1)`)
    assert.equal(last.user, "'+1-555-0100")
    assert.equal(last.process, "'-x\t@y")
    assert.equal(last.file, `logs/${hostile}.json`)
    // No cell a spreadsheet would evaluate.
    for (const row of rows) for (const value of row) assert.doesNotMatch(value, /^[=+\-@\t\r]/)
  })

  it('keeps the JSON document parseable with the summary after the findings', async () => {
    const doc = JSON.parse(await render('json', findings()))
    assert.deepEqual(Object.keys(doc), ['findings', 'summary'])
    assert.equal(doc.findings.length, findings().length)
    assert.equal(doc.findings.at(-1).commandLine, hostile)
    assert.equal(doc.summary.totals.excluded, 1)
    assert.deepEqual(JSON.parse(await render('json', [])).findings, [])
  })

  it('shows control characters escaped in the table, one line per finding', async () => {
    const text = await render('table', findings())
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028-\u202e]/)
    const rows = text.split('\n\n')[0]?.split('\n') ?? []
    assert.equal(rows.length, 1 + findings().length)
    assert.match(
      rows.at(-1) ?? '',
      /^2026-11-21T10:00:00\.000Z {2}WS\\n2026-11-21T00… {2}exact {9}DnsResponse answer/,
    )
    assert.match(text, /excluded: honeypot <script>\\x1b\[2J \(allow\.yaml:2\)/)
  })

  it('colours the table only when asked', async () => {
    const plain = await render('table', findings())
    const coloured = await render('table', findings(), { ...OPTIONS, colour: true })
    const esc = '\u001b'
    assert.ok(!plain.includes(esc))
    assert.ok(coloured.startsWith(`${esc}[1mTIME`))
    assert.ok(coloured.includes(`${esc}[31mexact       ${esc}[0m`))
    assert.ok(coloured.includes(`${esc}[33maddress-only${esc}[0m`))
    assert.equal(coloured.replaceAll(`${esc}[1m`, '').replace(/.\[(?:0|31|33)m/g, ''), plain)
  })

  it('says so when every finding was excluded and none is shown', async () => {
    const { out, text } = collector()
    const summariser = new FindingSummariser()
    for (const f of findings()) summariser.add(f, true)
    await findingWriter('table', out).end(summariser.summary(COUNTS))
    assert.equal(
      text(),
      'No findings.\n\n0 findings in 12,345 events from 6 files; 7 findings excluded; ' +
        '2 broken records.\n',
    )
  })

  it('fails instead of waiting when the stream is gone', async () => {
    const { out } = collector(true)
    const writer = findingWriter('ndjson', out)
    await writer.write(findings()[0] as Finding)
    out.on('error', () => {})
    out.destroy(new Error('EPIPE'))
    await assert.rejects(writer.write(findings()[1] as Finding), /closed/)
  })

  it('picks the reference from the feed record, then the references', () => {
    const [first, , third] = findings()
    assert.equal(
      findingRecord(first as Finding, undefined, OPTIONS).reference,
      'https://threatfox.abuse.ch/ioc/1784524/',
    )
    assert.equal(findingRecord(first as Finding).reference, 'https://example.org/report')
    assert.equal(findingRecord(third as Finding).reference, null)
    assert.deepEqual(findingRecord(first as Finding).sources, ['threatfox.csv:12 (record 1784524)'])
  })
})

describe('terminal text', () => {
  it('escapes what moves the cursor or reorders text, and keeps the rest', () => {
    assert.equal(terminalText('C:\\Tools\\nmap.exe'), 'C:\\Tools\\nmap.exe')
    assert.equal(terminalText('a\nb\r\tc'), 'a\\nb\\r\\tc')
    assert.equal(terminalText('\u001b[2J\u0000\u007f\u009b'), '\\x1b[2J\\x00\\x7f\\x9b')
    assert.equal(
      terminalText('\u202egnp.exe\u2028\u200b\ufeff'),
      '\\u202egnp.exe\\u2028\\u200b\\ufeff',
    )
    assert.equal(terminalText('ok 😀 \ud800 bücher'), 'ok 😀 \\ud800 bücher')
  })

  it('cuts by characters, not UTF-16 units', () => {
    assert.equal(cut('abcdef', 4), 'abc…')
    assert.equal(cut('abcdef', 4, true), '…def')
    assert.equal(cut('😀😀😀', 3), '😀😀😀')
    assert.equal(cut('😀😀😀😀', 3), '😀😀…')
  })
})

describe('finding summary', () => {
  it('groups by indicator and by host, busiest first', () => {
    const list = findings()
    const summary: HuntSummary = summariseFindings(list, COUNTS, (f) => !!EXCLUSIONS.match(f))
    assert.deepEqual(summary.totals, {
      findings: 6,
      excluded: 1,
      indicators: 5,
      hosts: 4,
      ...COUNTS,
    })
    const first = summary.indicators[0]
    assert.deepEqual(first, {
      value: '203.0.113.7:443',
      kind: 'ip:port',
      family: 'AsyncRAT',
      familyId: 'win.asyncrat',
      matches: ['exact', 'address-only'],
      count: 2,
      firstTime: '2026-11-21T08:15:02.125Z',
      lastTime: '2026-11-21T09:00:00.000Z',
      hosts: ['10.20.1.5'],
    })
    assert.deepEqual(
      summary.indicators.map((i) => i.value),
      [
        '203.0.113.7:443',
        `${'a'.repeat(63)}b`,
        'evil-update.example.net',
        'hostile.example.com',
        'http://198.51.100.9/load/stage2.bin',
      ],
    )
    const ws09 = summary.hosts[1]
    assert.deepEqual(ws09, {
      host: 'WS09',
      count: 2,
      indicators: [`${'a'.repeat(63)}b`, 'evil-update.example.net'],
      families: ['Remcos'],
      firstTime: '2026-11-21T07:59:59.999Z',
      lastTime: '2026-11-21T07:59:59.999Z',
    })
    assert.deepEqual(
      summary.hosts.map((h) => [h.host, h.count]),
      [
        ['10.20.1.5', 2],
        ['WS09', 2],
        ['WS\n2026-11-21T00:00:00.000Z  FAKE  exact', 1],
        ['proxy01.corp.example.com', 1],
      ],
    )
  })

  it('takes the peer side by direction and puts host-less findings last', () => {
    const [toC2, , , , hash, fromScanner] = findings() as Finding[]
    assert.equal(peerAddress(toC2 as Finding), '10.20.1.5')
    assert.equal(peerAddress(fromScanner as Finding), '10.20.1.80')
    assert.equal(findingHost(hash as Finding), 'WS09')
    const bare = { ...(hash as Finding), event: { ...(hash as Finding).event, Dvc: '  ' } }
    assert.equal(findingHost(bare), null)
    const summary = summariseFindings([bare, bare, toC2 as Finding], COUNTS)
    assert.deepEqual(
      summary.hosts.map((h) => [h.host, h.count]),
      [
        [null, 2],
        ['10.20.1.5', 1],
      ],
    )
    assert.equal(summary.totals.hosts, 1)
  })
})

describe('atomic output', () => {
  it('replaces the file on commit and leaves it alone on abort', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-findings-'))
    const path = join(dir, 'out', 'findings.ndjson')
    const first = await openAtomicOutput(path)
    const writer = findingWriter('ndjson', first.stream)
    await writer.write(findings()[0] as Finding)
    assert.equal(existsSync(path), false)
    await first.commit()
    const written = readFileSync(path, 'utf8')
    assert.equal(written.split('\n').length, 2)

    const second = await openAtomicOutput(path)
    second.stream.write('half a record')
    await second.abort()
    assert.equal(readFileSync(path, 'utf8'), written)
    assert.deepEqual(readdirSync(join(dir, 'out')), ['findings.ndjson'])
  })

  it('names the file when it cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-findings-'))
    writeFileSync(join(dir, 'file'), '')
    await assert.rejects(openAtomicOutput(join(dir, 'file', 'findings.csv')), {
      code: 'ERR_OUTPUT',
      message: new RegExp(`cannot write ${join(dir, 'file', 'findings.csv')}`),
    })
  })
})
