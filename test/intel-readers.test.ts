import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, type TestContext, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { HuntpackError, IntelFormatError } from '../src/errors.ts'
import { defang } from '../src/intel/defang.ts'
import type { IntelRecord } from '../src/intel/indicator.ts'
import { detectIntelFormat, readIntel } from '../src/intel/readers/index.ts'
import { comparisons } from '../src/intel/readers/stix-pattern.ts'
import type { IntelFormat, IntelReadResult } from '../src/intel/readers/types.ts'
import { mdCode, mdTable, mdText } from '../src/report/markdown-text.ts'
import { requireSharedData, sharedData } from './support/shared-data.ts'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'intel')

function fixture(name: string): { file: string; text: string } {
  const file = join(FIXTURES, name)
  return { file, text: readFileSync(file, 'utf8') }
}

/** Reads a real shared sample, or returns undefined when the test was skipped. */
function real(t: TestContext, name: string): (IntelReadResult & { text: string }) | undefined {
  const file = requireSharedData(t, `intel/${name}`)
  if (file === undefined) return undefined
  const text = readFileSync(file, 'utf8')
  return { ...readIntel(text, file), text }
}

function countBy(records: IntelRecord[], key: (r: IntelRecord) => unknown) {
  const counts: Record<string, number> = {}
  for (const record of records) {
    const name = String(key(record))
    counts[name] = (counts[name] ?? 0) + 1
  }
  return counts
}

function byRecordId(records: IntelRecord[], id: string): IntelRecord {
  const found = records.filter((r) => r.source.record === id)
  assert.equal(found.length, 1, `one record with id ${id}`)
  return found[0] as IntelRecord
}

function throwsFormatError(run: () => unknown, file: string, line: number, what: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof IntelFormatError)
    assert.ok(error instanceof HuntpackError)
    assert.equal(error.code, 'ERR_INTEL_FORMAT')
    assert.equal(error.location?.line, line)
    assert.ok(error.message.startsWith(`${file}:${line}: `), error.message)
    assert.match(error.message, what)
    return true
  })
}

describe('format detection of the real samples', () => {
  const expected: [string, IntelFormat][] = [
    ['threatfox_recent_export_2026-04-12.csv', 'threatfox-csv'],
    ['threatfox_json_export_excerpt_2026-10-03.json', 'threatfox-json'],
    ['threatfox_derived_defanged_ashiroodi_threatfeed.json', 'ioc-json'],
    ['feodotracker_ipblocklist_2024-04-04.csv', 'feodo-csv'],
    ['misp_feed_event_digitalside_001af28a.json', 'misp'],
    ['stix21_bundle_oasis_poisonivy.json', 'stix'],
    ['stix21_bundle_oasis_indicators-for-C2-with-COA.json', 'stix'],
    ['stix21_oasis_indicator-for-c2-ip-address.json', 'stix'],
    ['talos_stix20_bundle_beavertail-ottercookie_2025-10.json', 'stix'],
    ['talos_defanged_iocs_horabot_2023-05.txt', 'text'],
    ['talos_defanged_iocs_xorddos_2025-04.txt', 'text'],
  ]
  for (const [name, format] of expected) {
    test(`${name} is ${format}, from content alone`, (t) => {
      const file = requireSharedData(t, `intel/${name}`)
      if (file === undefined) return
      const text = readFileSync(file, 'utf8')
      assert.equal(detectIntelFormat(text, file), format)
      // A misleading name must not change the answer.
      assert.equal(detectIntelFormat(text, 'renamed.dat'), format)
      assert.equal(readIntel(text, file).format, format)
    })
  }
})

describe('threatfox-csv', () => {
  test('reads all 862 rows of the real export with kinds, families and trailer', (t) => {
    const feed = real(t, 'threatfox_recent_export_2026-04-12.csv')
    if (!feed) return
    const { records, meta } = feed
    assert.equal(records.length, 862)
    assert.deepEqual(meta, {
      title: 'ThreatFox IOCs: recent additions - CSV format',
      updated: '2026-04-12T04:49:28Z',
      declaredCount: 862,
    })
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      {
        domain: 647,
        url: 114,
        'ip:port': 100,
        sha256: 1,
      },
    )
    assert.deepEqual(
      countBy(records, (r) => r.threatType),
      {
        payload_delivery: 651,
        botnet_cc: 210,
        payload: 1,
      },
    )
    assert.equal(new Set(records.map((r) => r.source.record)).size, 862)
    assert.ok(records.every((r) => r.defanged === false))
    // `unknown` is ThreatFox's "no family": no family, not a family named unknown.
    assert.equal(records.filter((r) => r.familyId === undefined).length, 111)
    assert.equal(records.filter((r) => r.family === 'Unknown malware').length, 0)
    assert.equal(records.filter((r) => r.lastSeen === undefined).length, 314)
    assert.equal(records.filter((r) => r.reference === undefined).length, 581 + 145)
  })

  test('maps XWorm rows, line numbers, aliases and tags of the real export', (t) => {
    const feed = real(t, 'threatfox_recent_export_2026-04-12.csv')
    if (!feed) return
    const xworm = feed.records.filter((r) => r.familyId === 'win.xworm')
    assert.equal(xworm.length, 6)
    assert.deepEqual(
      countBy(xworm, (r) => r.claimedKind),
      { domain: 5, 'ip:port': 1 },
    )
    assert.ok(xworm.every((r) => r.family === 'XWorm'))
    assert.deepEqual(
      xworm.map((r) => r.source.line),
      [40, 279, 280, 302, 652, 653],
    )

    const first = feed.records[0]
    assert.deepEqual(first, {
      value: 'call4-back.veq4tralis.in.net',
      type: 'domain',
      claimedKind: 'domain',
      defanged: false,
      family: 'ClearFake',
      familyId: 'js.clearfake',
      aliases: undefined,
      threatType: 'payload_delivery',
      confidence: 100,
      firstSeen: '2026-04-12T04:49:28Z',
      lastSeen: '2026-04-12T04:49:29Z',
      tags: ['ClearFake'],
      reference: undefined,
      reporter: 'ttakvam',
      source: {
        feed: 'threatfox_recent_export_2026-04-12.csv',
        file: sharedData('intel/threatfox_recent_export_2026-04-12.csv'),
        line: 10,
        record: '1784524',
      },
    })

    const ip = byRecordId(feed.records, '1784222')
    assert.equal(ip.value, '156.238.239.253:7000')
    assert.equal(ip.source.line, 302)
    assert.equal(ip.lastSeen, undefined)
    assert.equal(ip.reference, 'https://tria.ge/260411-ktvqfabs2k')

    const tagged = byRecordId(feed.records, '1784247')
    assert.deepEqual(tagged.tags, ['C2', 'domain', 'triage', 'xworm'])

    const quasar = feed.records.find((r) => r.familyId === 'win.quasar_rat')
    assert.deepEqual(quasar?.aliases, ['CinaRAT', 'QuasarRAT', 'Yggdrasil'])

    const hash = feed.records.find((r) => r.claimedKind === 'sha256')
    assert.equal(hash?.type, 'sha256_hash')
    assert.equal(hash?.source.line, 462)
    assert.equal(hash?.source.record, '1783922')
    assert.deepEqual(hash?.tags, ['CastleLoader', 'ClickFix', 'finger', 'shellcode'])

    const last = feed.records.at(-1)
    assert.equal(last?.source.line, 871)
    assert.equal(last?.value, 'safe-svc.againstvisitor.in.net')
  })

  test('maps a 14-column export without a header by count, and keeps a count mismatch', () => {
    const { file, text } = fixture('threatfox-14-columns.csv')
    const { format, records, meta } = readIntel(text, file)
    assert.equal(format, 'threatfox-csv')
    assert.equal(meta.declaredCount, 4)
    assert.equal(records.length, 3)
    assert.equal(meta.updated, '2023-02-01T10:00:00Z')

    const [first, second, third] = records
    assert.equal(first?.familyId, 'win.agent_tesla')
    assert.deepEqual(first?.aliases, ['AgenTesla', 'AgentTesla', 'Negasteal'])
    assert.equal(first?.lastSeen, undefined)
    assert.equal(first?.reporter, 'fixture_one')
    assert.equal(first?.source.line, 5)

    assert.equal(second?.value, '185.247.118.41:8080')
    assert.equal(second?.family, undefined)
    assert.equal(second?.reference, 'https://example.org/report?a=1&b="quoted"')
    assert.deepEqual(second?.tags, ['c2', '"odd" tag'])
    assert.equal(second?.lastSeen, '2023-02-01T08:00:00Z')
    assert.equal(second?.confidence, 50)

    // A comma inside a quoted field is data; an unquoted empty field is empty.
    assert.equal(third?.value, 'http://qorvane.top/a,b/payload.bin')
    assert.equal(third?.lastSeen, undefined)
    assert.equal(third?.tags, undefined)
    assert.equal(third?.source.line, 7)
  })

  test('a row with the wrong column count names file and line', () => {
    const { file, text } = fixture('broken-column-count.csv')
    throwsFormatError(() => readIntel(text, file), file, 3, /14 fields, expected 15/)
  })

  test('a quote in the middle of a field names file and line', () => {
    const { file, text } = fixture('broken-quote.csv')
    throwsFormatError(() => readIntel(text, file), file, 3, /after the closing quote of field 13/)
  })

  test('a quote that never closes names the line it opened on', () => {
    const { file, text } = fixture('broken-unterminated.csv')
    throwsFormatError(
      () => readIntel(text, file, 'threatfox-csv'),
      file,
      2,
      /quoted field 15 never closes/,
    )
  })

  test('a line break inside a quoted field keeps later line numbers true', () => {
    const header = '# "ioc_id","ioc_value","ioc_type"\n'
    const text = `${header}"1", "a.example", "domain"\n"2", "two\nlines", "domain"\n"3", "c.example", "url"\n`
    const { records } = readIntel(text, 'multi.csv', 'threatfox-csv')
    assert.deepEqual(
      records.map((r) => [r.source.line, r.value, r.claimedKind]),
      [
        [2, 'a.example', 'domain'],
        [3, 'two\nlines', 'domain'],
        [5, 'c.example', 'url'],
      ],
    )
  })
})

describe('threatfox-json', () => {
  test('reads the 25-entry real excerpt', (t) => {
    const feed = real(t, 'threatfox_json_export_excerpt_2026-10-03.json')
    if (!feed) return
    const { records } = feed
    assert.equal(records.length, 25)
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      {
        'ip:port': 3,
        domain: 1,
        sha256: 21,
      },
    )
    assert.equal(new Set(records.map((r) => r.source.record)).size, 25)
    assert.ok(records.every((r) => r.source.line === undefined && r.defanged === false))

    const beacon = byRecordId(records, '1948833')
    assert.equal(beacon.value, '144.172.68.200:80')
    assert.equal(beacon.family, 'Cobalt Strike')
    assert.equal(beacon.familyId, 'win.cobalt_strike')
    assert.deepEqual(beacon.aliases, ['Agentemis', 'BEACON', 'CobaltStrike', 'cobeacon'])
    assert.equal(beacon.firstSeen, '2026-10-03T16:05:06Z')
    assert.equal(beacon.lastSeen, undefined)
    assert.equal(beacon.reference, undefined)
    assert.deepEqual(beacon.tags, ['cobaltstrike'])
    assert.equal(beacon.confidence, 100)

    const domain = byRecordId(records, '1948831')
    assert.equal(domain.value, 'globalprotextcommerc.at')
    assert.equal(domain.family, undefined)
    assert.equal(domain.familyId, undefined)
    assert.equal(domain.aliases, undefined)
    assert.equal(domain.confidence, 90)
    assert.deepEqual(domain.tags, ['ZigClipper'])
  })
})

describe('threatfox-api', () => {
  test('reads an ok reply with tags arrays, nulls and UTC times', () => {
    const { file, text } = fixture('threatfox-api-reply.json')
    assert.equal(detectIntelFormat(text, file), 'threatfox-api')
    const { records } = readIntel(text, file)
    assert.equal(records.length, 6)
    assert.deepEqual(
      records.map((r) => r.claimedKind),
      ['ip:port', 'domain', 'url', 'sha256', 'md5', undefined],
    )
    const [rat, domain, url] = records
    assert.deepEqual(rat, {
      value: '91.214.65.17:4782',
      type: 'ip:port',
      claimedKind: 'ip:port',
      defanged: false,
      familyId: 'win.quasar_rat',
      family: 'Quasar RAT',
      aliases: ['CinaRAT', 'QuasarRAT', 'Yggdrasil'],
      threatType: 'botnet_cc',
      confidence: 100,
      firstSeen: '2026-11-30T21:14:03Z',
      lastSeen: '2026-12-01T02:40:11Z',
      tags: ['QuasarRAT', 'RAT'],
      reference: 'https://tria.ge/261130-qv7kzexample',
      reporter: 'huntpack_fixture',
      source: { feed: 'threatfox-api-reply.json', file, record: '2104417' },
    })
    assert.equal(domain?.tags, undefined)
    assert.equal(domain?.lastSeen, undefined)
    assert.equal(url?.family, undefined)
    assert.equal(url?.reference, undefined)
    // A type we do not hunt stays visible with its name and no claimed kind.
    assert.equal(records[5]?.type, 'envelope_from')
  })

  test('no_result is an empty feed; other statuses are errors naming the status', () => {
    const empty = '{"query_status": "no_result", "data": "Your search did not yield any results"}'
    assert.deepEqual(readIntel(empty, 'reply.json').records, [])
    const refused = '{"query_status": "illegal_search_term", "data": "bad"}'
    assert.throws(
      () => readIntel(refused, 'reply.json'),
      (error: unknown) =>
        error instanceof IntelFormatError &&
        error.code === 'ERR_INTEL_FORMAT' &&
        /reply\.json: .*"illegal_search_term" \(bad\)/.test(error.message),
    )
  })
})

describe('ioc-json', () => {
  test('reads the 40 defanged entries of the real re-packaging', (t) => {
    const feed = real(t, 'threatfox_derived_defanged_ashiroodi_threatfeed.json')
    if (!feed) return
    const { records, meta } = feed
    assert.equal(records.length, 40)
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      { domain: 12, 'ip:port': 25, url: 3 },
    )
    assert.ok(records.every((r) => r.defanged === true))
    assert.deepEqual(meta, {
      title: 'abuse.ch / ThreatFox',
      updated: '2026-09-14T10:26:00Z',
      declaredCount: 40,
    })
    assert.deepEqual(records[0], {
      value: 'peralaca.workers[.]dev',
      type: 'domain',
      claimedKind: 'domain',
      defanged: true,
      family: 'php.shin_webshell',
      familyId: 'php.shin_webshell',
      threatType: undefined,
      confidence: 50,
      firstSeen: '2026-09-14T10:12:01Z',
      lastSeen: undefined,
      tags: undefined,
      reference: undefined,
      source: {
        feed: feed.records[0]?.source.feed,
        file: records[0]?.source.file,
        record: 'iocs[0]',
      },
    })
    const ports = records.filter((r) => r.value.startsWith('43.166.202[.]32:')).map((r) => r.value)
    assert.deepEqual(ports, [
      '43.166.202[.]32:8080',
      '43.166.202[.]32:8317',
      '43.166.202[.]32:443',
      '43.166.202[.]32:22',
    ])
    assert.equal(records.filter((r) => r.family === 'AsyncRAT').length, 10)
    assert.equal(records.filter((r) => r.family === undefined).length, 1)
  })
})

describe('feodo-csv', () => {
  test('reads the 28 Pikabot C2s of the real blocklist as ip:port', (t) => {
    const feed = real(t, 'feodotracker_ipblocklist_2024-04-04.csv')
    if (!feed) return
    const { records, meta } = feed
    assert.equal(records.length, 28)
    assert.equal(meta.declaredCount, 28)
    assert.equal(meta.updated, '2024-04-04T07:03:03Z')
    assert.ok(records.every((r) => r.claimedKind === 'ip:port' && r.family === 'Pikabot'))
    assert.deepEqual(
      records.map((r) => r.source.line),
      Array.from({ length: 28 }, (_, i) => 10 + i),
    )
    const first = records[0]
    assert.equal(first?.value, '192.9.135.73:1194')
    assert.equal(first?.firstSeen, '2023-05-23T17:51:44Z')
    assert.equal(first?.lastSeen, '2024-04-01T00:00:00Z')
    assert.deepEqual(first?.tags, ['c2_status:online'])
    assert.equal(records.at(-1)?.value, '172.233.221.61:5938')
    assert.deepEqual(
      countBy(records, (r) => r.tags?.[0]),
      {
        'c2_status:online': records.filter((r) => r.tags?.[0] === 'c2_status:online').length,
        'c2_status:offline': records.filter((r) => r.tags?.[0] === 'c2_status:offline').length,
      },
    )
  })
})

describe('misp', () => {
  test('reads every attribute of the real event, objects included', (t) => {
    const feed = real(t, 'misp_feed_event_digitalside_001af28a.json')
    if (!feed) return
    const { records, meta } = feed
    assert.equal(records.length, 10)
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      {
        undefined: 5,
        md5: 1,
        sha1: 1,
        sha256: 1,
        url: 1,
        ip: 1,
      },
    )
    assert.deepEqual(
      records.filter((r) => r.claimedKind === undefined).map((r) => r.type),
      ['filename', 'mime-type', 'link', 'datetime', 'text'],
    )
    assert.equal(meta.title, 'DigitalSide Malware report: MD5: 13fe5ae878bee44638c93459548b4226')

    const ip = byRecordId(records, '07f862c9-4ebe-42f4-a55a-7b4c57300384')
    assert.equal(ip.value, '1.70.135.194')
    assert.equal(ip.type, 'ip-dst')
    assert.equal(ip.reporter, 'DIGITALSIDE.IT')
    assert.equal(ip.threatType, 'Network activity')
    assert.equal(ip.firstSeen, '2022-11-06T02:31:39Z')
    assert.equal(ip.family, undefined)
    assert.deepEqual(ip.tags, [
      'tlp:white',
      'type:OSINT',
      'source:DigitalSide.IT',
      'source:urlhaus.abuse.ch',
    ])
    const filename = byRecordId(records, 'b6aafa98-91eb-44a4-8dbc-2c2349426a02')
    assert.equal(filename.tags?.at(-1), 'misp:to_ids=false')
  })

  test('rewrites ip|port, splits composites and takes the family from galaxy tags', () => {
    const event = {
      response: [
        {
          Event: {
            info: 'fixture',
            Tag: [{ name: 'misp-galaxy:malpedia="XWorm"' }],
            Attribute: [
              { type: 'ip-dst|port', value: '91.214.65.17|4782', uuid: 'a1' },
              { type: 'ip-src|port', value: '2001:db8::7|443', uuid: 'a2' },
              { type: 'filename|sha256', value: `setup.exe|${'ab'.repeat(32)}`, uuid: 'a3' },
              { type: 'domain|ip', value: 'qorvane.top|185.247.118.41', uuid: 'a4' },
              { type: 'hostname', value: 'kvq7.qorvane.top', uuid: 'a5' },
            ],
          },
        },
      ],
    }
    const text = JSON.stringify(event)
    assert.equal(detectIntelFormat(text, 'e.json'), 'misp')
    const { records } = readIntel(text, 'e.json')
    assert.deepEqual(
      records.map((r) => [r.value, r.claimedKind, r.source.record]),
      [
        ['91.214.65.17:4782', 'ip:port', 'a1'],
        ['[2001:db8::7]:443', 'ip:port', 'a2'],
        ['ab'.repeat(32), 'sha256', 'a3'],
        ['qorvane.top', 'domain', 'a4'],
        ['185.247.118.41', 'ip', 'a4'],
        ['kvq7.qorvane.top', 'domain', 'a5'],
      ],
    )
    assert.ok(records.every((r) => r.family === 'XWorm'))
  })
})

describe('stix', () => {
  test('reads the OASIS C2 bundle with its family from indicates relationships', (t) => {
    const feed = real(t, 'stix21_bundle_oasis_indicators-for-C2-with-COA.json')
    if (!feed) return
    assert.deepEqual(
      feed.records.map((r) => [r.value, r.type, r.claimedKind, r.family, r.source.record]),
      [
        [
          '10.0.0.0',
          'ipv4-addr:value',
          'ipv4',
          'Poison Ivy',
          'indicator--53fe3b22-0201-47cf-85d0-97c02164528d',
        ],
        [
          'ef537f25c895bfa782526529a9b63d97aa631564d5d789c2b765448c8635fb6c',
          "file:hashes.'SHA-256'",
          'sha256',
          'Poison Ivy',
          'indicator--a932fcc6-e032-476c-826f-cb970a5a1ade',
        ],
      ],
    )
    assert.ok(feed.records.every((r) => r.firstSeen === '2014-05-08T09:00:00Z'))
    assert.equal(feed.records[0]?.reporter, 'The MITRE Corporation - DHS Support Team')
  })

  test('reads a one-indicator bundle without a family', (t) => {
    const feed = real(t, 'stix21_oasis_indicator-for-c2-ip-address.json')
    if (!feed) return
    assert.equal(feed.records.length, 1)
    assert.equal(feed.records[0]?.value, '10.0.0.0')
    assert.equal(feed.records[0]?.claimedKind, 'ipv4')
    assert.equal(feed.records[0]?.family, undefined)
    assert.deepEqual(feed.records[0]?.tags, ['malicious-activity'])
  })

  test('splits the OR patterns of the Poison Ivy report into 67 records', (t) => {
    const feed = real(t, 'stix21_bundle_oasis_poisonivy.json')
    if (!feed) return
    const { records, meta } = feed
    assert.equal(records.length, 67)
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      {
        ipv4: 40,
        domain: 25,
        undefined: 2,
      },
    )
    assert.deepEqual(
      records.filter((r) => r.claimedKind === undefined).map((r) => [r.type, r.value]),
      [
        ['file:name', 'CBricksDoc'],
        ['file:name', 'CPiShellPutDoc'],
      ],
    )
    assert.equal(new Set(records.map((r) => r.source.record)).size, 25)
    assert.equal(meta.title, 'Poison Ivy: Assessing Damage and Extracting Intelligence')
    // Values are passed on as written; judging them is the classifier's job.
    assert.ok(records.some((r) => r.value === 'domain autuo.xicp.net'))
    const dynssl = records.filter(
      (r) => r.source.record === 'indicator--329ae6e9-25bd-49e8-89d1-aae4ca52e4a7',
    )
    assert.deepEqual(
      dynssl.map((r) => r.value),
      [
        'www.webserver.dynssl.com',
        '113.10.246.30',
        '219.90.112.203',
        '75.126.95.138',
        '219.90.112.197',
        '202.65.222.45',
      ],
    )
    assert.ok(dynssl.every((r) => r.family === 'PIVY Variant (8010cae3e8431bb11ed6dc9acabb93b7,)'))
  })

  test('reads the Talos STIX 2.0 bundle with unquoted hash names', (t) => {
    const feed = real(t, 'talos_stix20_bundle_beavertail-ottercookie_2025-10.json')
    if (!feed) return
    const { records, meta } = feed
    assert.equal(records.length, 32)
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      { sha256: 13, url: 19 },
    )
    assert.deepEqual(
      countBy(records, (r) => r.type),
      {
        'file:hashes.SHA256': 13,
        'url:value': 19,
      },
    )
    assert.ok(records.every((r) => r.reporter === 'Talos' && r.family === undefined))
    assert.equal(meta.title, 'BeaverTail and OtterCookie evolve with a new Javascript module')
    const url = byRecordId(records, 'indicator--cccc1ab6-050b-4d37-91ac-e6d6035c0ecc')
    assert.equal(url.value, 'http://23.227.202.244:1224/uploads')
    assert.equal(url.firstSeen, '2025-10-09T14:49:19Z')
  })

  test('pattern literals: escapes, IN lists, negation and other languages', () => {
    assert.deepEqual(comparisons("[url:value = 'http://x.example/it\\'s\\\\a']"), [
      { path: 'url:value', operator: '=', value: "http://x.example/it's\\a" },
    ])
    const bundle = {
      type: 'bundle',
      id: 'bundle--00000000-0000-4000-8000-000000000000',
      objects: [
        {
          type: 'indicator',
          id: 'indicator--00000000-0000-4000-8000-000000000001',
          pattern:
            "[ipv4-addr:value IN ('198.51.100.7', '198.51.100.0/24')] AND " +
            "[file:name NOT = 'a.exe'] AND [file:hashes.MD5 = '5F2B8C6D4E1A0F3B7C9D2E5A8F1B4C7D']",
          valid_from: '2026-01-02T03:04:05.678Z',
          confidence: 85,
        },
        {
          type: 'indicator',
          id: 'indicator--00000000-0000-4000-8000-000000000002',
          pattern_type: 'yara',
          pattern: 'rule x { condition: true }',
          created: '2026-01-01T00:00:00Z',
        },
      ],
    }
    const { records } = readIntel(JSON.stringify(bundle), 'b.json')
    assert.deepEqual(
      records.map((r) => [r.value, r.type, r.claimedKind]),
      [
        ['198.51.100.7', 'ipv4-addr:value', 'ipv4'],
        ['198.51.100.0/24', 'ipv4-addr:value', 'cidr'],
        ['a.exe', 'file:name NOT =', undefined],
        ['5F2B8C6D4E1A0F3B7C9D2E5A8F1B4C7D', 'file:hashes.MD5', 'md5'],
        ['rule x { condition: true }', 'yara pattern', undefined],
      ],
    )
    assert.equal(records[0]?.firstSeen, '2026-01-02T03:04:05Z')
    assert.equal(records[0]?.confidence, 85)
    assert.equal(records[4]?.firstSeen, '2026-01-01T00:00:00Z')
  })
})

describe('text', () => {
  test('reads the Talos Horabot list: headings are hints, odd tokens are kept', (t) => {
    const feed = real(t, 'talos_defanged_iocs_horabot_2023-05.txt')
    if (!feed) return
    const { records } = feed
    // 108 non-blank lines, 11 of them headings.
    assert.equal(records.length, 97)
    assert.deepEqual(
      countBy(records, (r) => r.claimedKind),
      {
        ip: 7,
        domain: 6,
        url: 73,
        undefined: 11,
      },
    )
    assert.ok(records.every((r) => r.defanged === true && r.type === undefined))
    const lines = new Set(records.map((r) => r.source.line))
    for (const heading of [1, 11, 19, 96, 97, 103, 107, 111, 116, 120, 124])
      assert.ok(!lines.has(heading), `${heading}`)
    const at = (line: number) => records.filter((r) => r.source.line === line).map((r) => r.value)
    assert.deepEqual(at(3), ['139[.]177[.]193[.]74'])
    assert.deepEqual(at(14), ['m9b4s2[.]site'])
    assert.deepEqual(at(27), ['hxxps[://]tributaria[.]website/a/W_/X\\\\W_YY/au/au'])
    assert.deepEqual(at(29), ['hxxp[://]tributaria[.]website:443/'])
    assert.deepEqual(at(71), ["hxxps[://]m9b4s2[.]site/a1/u/a/xml[.]dat'"])
    assert.deepEqual(at(127), ['294363039bf93d4c34c8769e581b9c47f8ea210e427fc1feed128bd9bf979a4a'])
  })

  test('reads the Talos XorDDoS list: one record per line, trailing spaces dropped', (t) => {
    const feed = real(t, 'talos_defanged_iocs_xorddos_2025-04.txt')
    if (!feed) return
    const { records } = feed
    assert.equal(records.length, 176)
    assert.deepEqual(
      records.map((r) => r.source.line),
      Array.from({ length: 176 }, (_, i) => i + 1),
    )
    assert.ok(records.every((r) => r.claimedKind === undefined && !r.value.endsWith(' ')))
    assert.equal(records[2]?.value, 'ppp[.]xxxatat456[.]com:1520')
    assert.equal(records.filter((r) => /^[0-9a-f]{64}$/.test(r.value)).length, 2)
    assert.equal(
      records.filter((r) => /^\d+\[\.\]\d+\[\.\]\d+\[\.\]\d+$/.test(r.value)).length,
      171,
    )
    assert.equal(records.at(-1)?.value, '47[.]42[.]59[.]162')
  })

  test('finds every defang variant, with headings as hints only when shapes agree', () => {
    const { file, text } = fixture('defang-variants.txt')
    assert.equal(detectIntelFormat(text, file), 'text')
    const { records } = readIntel(text, file)
    assert.deepEqual(
      records.map((r) => [r.source.line, r.value, r.claimedKind]),
      [
        [5, '91[.]214[.]65[.]17', 'ip'],
        [6, '185(.)247(.)118(.)41', 'ip'],
        [7, '77{.}83{.}196{.}12:8443', undefined],
        [8, '2001[:]db8[:][:]7', 'ip'],
        [11, 'kvq7-relay[.]portmap[.]host', 'domain'],
        [12, 'mail-sync(.)qorvane(.)top', 'domain'],
        [13, 'brivelto[dot]shop', 'domain'],
        [14, 'ppp[.]qorvane[.]top:1520', undefined],
        [18, 'hxxps[://]cdn-update[.]brivelto[.]shop/files/setup_x64[.]msi', 'url'],
        [19, 'hxxp[://]185[.]247[.]118[.]41:8080/gate[.]php', 'url'],
        [20, 'hXXps://qorvane[.]top/a/b', 'url'],
        [21, 'hxxp[:]//qorvane[.]top/c', 'url'],
        [22, 'fxp://files[.]qorvane[.]top/drop.bin', 'url'],
        [23, "hxxps[://]m9[.]qorvane[.]top/a/xml[.]dat'", 'url'],
        [26, 'relay[@]brivelto[.]shop', undefined],
        [29, '0b5d7c3e9a41f2e86d03b1c47a9e5f2b8c6d4e1a0f3b7c9d2e5a8f1b4c7d0e3a', 'hash'],
        [30, '5f2b8c6d4e1a0f3b7c9d2e5a8f1b4c7d', 'hash'],
        [33, '91[.]214[.]65[.]17', undefined],
        [33, 'gate[.]qorvane[.]top', undefined],
      ],
    )
    assert.ok(records.every((r) => r.defanged === true))
  })

  test('text with no candidate at all is an error, not an empty feed', () => {
    assert.throws(
      () => readIntel('Meeting notes\nnothing to see here\n', 'notes.txt'),
      (error: unknown) =>
        error instanceof IntelFormatError && /notes\.txt: no IP/.test(error.message),
    )
  })
})

describe('markdown', () => {
  test('reads the IOC Summary of a pack page, not its other tables', () => {
    const { file, text } = fixture('pack-page.md')
    assert.equal(detectIntelFormat(text, file), 'markdown')
    const { records, meta } = readIntel(text, file)
    assert.equal(meta.title, 'ThreatFox recent: XWorm IOCs')
    assert.deepEqual(
      records.map((r) => [r.source.line, r.type, r.claimedKind, r.value]),
      [
        [18, 'ip:port', 'ip:port', '84[.]38[.]129[.]122:443'],
        [19, 'domain', 'domain', 'kvq7-relay[.]portmap[.]host'],
        [20, 'url', 'url', 'hxxps://cdn[.]brivelto[.]shop/get?a=1|b=2'],
        [21, 'url', 'url', 'hxxp://qorvane[.]top/`tick`/x'],
        [
          22,
          'sha256',
          'sha256',
          '0b5d7c3e9a41f2e86d03b1c47a9e5f2b8c6d4e1a0f3b7c9d2e5a8f1b4c7d0e3a',
        ],
        [23, 'email', undefined, 'relay[@]brivelto[.]shop'],
      ],
    )
    const [first, second, third] = records
    assert.equal(first?.family, 'XWorm')
    assert.equal(first?.threatType, 'botnet_cc')
    assert.equal(first?.firstSeen, '2026-04-11T10:01:55Z')
    assert.equal(first?.confidence, 100)
    assert.equal(first?.reference, 'https://tria.ge/260411-fixture')
    assert.equal(second?.threatType, 'botnet_cc, payload_delivery')
    assert.equal(third?.firstSeen, undefined)
    assert.equal(third?.confidence, undefined)
    assert.ok(records.every((r) => r.defanged === true))
  })

  test('round-trips values written with the page helpers', () => {
    const values: [string, 'url' | 'domain' | 'ip:port' | 'ipv6'][] = [
      ['https://evil.example/a|b?c=`d`&e=<f>', 'url'],
      ['``tick``.example', 'domain'],
      ['203.0.113.9:8443', 'ip:port'],
      ['2001:db8::7', 'ipv6'],
      ['http://x.example/back\\slash_and*stars*', 'url'],
    ]
    const rows = values.map(([value, kind]) => [
      mdText(kind),
      mdCode(defang(value, kind)),
      mdText('botnet_cc'),
      '2026-04-12 04:49:28',
      '75',
    ])
    const page = `# My feed: Family_With*Marks IOCs\n\n## IOC Summary\n\n${mdTable(
      ['Type', 'Value', 'Threat Type', 'First Seen', 'Confidence'],
      rows,
    )}\n`
    const { records } = readIntel(page, 'page.md')
    assert.deepEqual(
      records.map((r) => [r.value, r.claimedKind]),
      values.map(([value, kind]) => [defang(value, kind), kind]),
    )
    assert.ok(
      records.every((r) => r.family === 'Family_With*Marks' && r.threatType === 'botnet_cc'),
    )
  })
})

describe('detection refuses what fits no format', () => {
  test('empty, binary and unknown JSON name the file', () => {
    for (const [text, what] of [
      ['', /empty/],
      ['\0\0\u0001binary', /binary/],
      ['{"hello": "world"}', /no known intel format \(top-level keys: hello\)/],
      ['{"broken": ', /not valid JSON/],
    ] as const) {
      assert.throws(
        () => detectIntelFormat(text, 'odd.bin'),
        (error: unknown) =>
          error instanceof IntelFormatError &&
          error.code === 'ERR_INTEL_FORMAT' &&
          error.message.startsWith('odd.bin') &&
          what.test(error.message),
      )
    }
  })
})
