import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { IntelRecord, SourceRef } from '../src/intel/indicator.ts'
import { intake } from '../src/intel/intake.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'

const at = (line: number): SourceRef => ({ feed: 'threatfox.csv', file: 'threatfox.csv', line })

const xworm = { family: 'XWorm', familyId: 'win.xworm' }

test('duplicates merge: earliest first seen, latest last seen, highest confidence, unions', () => {
  const records: IntelRecord[] = [
    {
      value: 'Evil.COM',
      type: 'domain',
      claimedKind: 'domain',
      ...xworm,
      aliases: ['XWormRAT'],
      threatType: 'botnet_cc',
      confidence: 50,
      firstSeen: '2026-04-12T04:49:28Z',
      lastSeen: '2026-04-13T00:00:00Z',
      tags: ['xworm', 'rat'],
      reference: 'https://a.example/1',
      reporter: 'abuse_ch',
      source: at(2),
    },
    {
      value: 'evil.com.',
      type: 'domain',
      claimedKind: 'domain',
      family: 'xworm',
      familyId: 'win.xworm',
      aliases: ['XWormRAT', 'Xworm-2'],
      threatType: 'payload_delivery',
      confidence: 100,
      firstSeen: '2026-04-10T00:00:00Z',
      lastSeen: '2026-04-12T00:00:00Z',
      tags: ['rat', 'c2', 'c2'],
      reference: 'https://a.example/1',
      reporter: 'someone',
      source: at(9),
    },
    {
      value: 'evil.com',
      type: 'domain',
      claimedKind: 'domain',
      ...xworm,
      confidence: 75,
      firstSeen: '2026-04-11T00:00:00.000Z',
      lastSeen: '2026-04-20T10:00:00Z',
      source: at(12),
    },
  ]
  const result = intake(records)
  assert.equal(result.recordCount, 3)
  assert.deepEqual(result.rejections, [])
  assert.deepEqual(result.indicators, [
    {
      kind: 'domain',
      value: 'evil.com',
      original: 'Evil.COM',
      ip: undefined,
      port: undefined,
      family: 'XWorm',
      familyId: 'win.xworm',
      aliases: ['XWormRAT', 'Xworm-2'],
      threatTypes: ['botnet_cc', 'payload_delivery'],
      confidence: 100,
      firstSeen: '2026-04-10T00:00:00Z',
      lastSeen: '2026-04-20T10:00:00Z',
      tags: ['xworm', 'rat', 'c2'],
      references: ['https://a.example/1'],
      reporters: ['abuse_ch', 'someone'],
      sources: [at(2), at(9), at(12)],
      warninglists: [],
    },
  ])
})

test('a value attributed to two families is one indicator per family', () => {
  const result = intake([
    { value: '84.38.129.122:443', claimedKind: 'ip:port', ...xworm, source: at(1) },
    { value: '84.38.129.122:443', claimedKind: 'ip:port', family: 'Remcos', source: at(2) },
    { value: '84.38.129.122:443', claimedKind: 'ip:port', family: 'REMCOS', source: at(3) },
    { value: '84.38.129.122:443', claimedKind: 'ip:port', source: at(4) },
  ])
  assert.deepEqual(
    result.indicators.map((i) => [i.value, i.ip, i.port, i.family, i.sources.map((s) => s.line)]),
    [
      ['84.38.129.122:443', '84.38.129.122', 443, 'XWorm', [1]],
      ['84.38.129.122:443', '84.38.129.122', 443, 'Remcos', [2, 3]],
      ['84.38.129.122:443', '84.38.129.122', 443, undefined, [4]],
    ],
  )
})

test('refused records become rejections with their code, reason and source', () => {
  const result = intake([
    {
      value: 'frBvNnnFYR6XR622pBE0NQ==',
      type: 'domain',
      claimedKind: 'domain',
      ...xworm,
      threatType: 'botnet_cc',
      source: at(5),
    },
    { value: 'hxxp://evil[.]com', type: 'url', claimedKind: 'url', defanged: false, source: at(6) },
    { value: 'hxxp://evil[.]com', claimedKind: 'url', defanged: true, source: at(7) },
    { value: 'AS12345', type: 'asn', source: at(8) },
    { value: 'x', type: 'email', claimedKind: undefined, source: at(9) },
  ])
  assert.equal(result.recordCount, 5)
  assert.deepEqual(
    result.indicators.map((i) => [i.kind, i.value, i.original]),
    [['url', 'http://evil.com/', 'hxxp://evil[.]com']],
  )
  assert.deepEqual(result.rejections, [
    {
      code: 'base64-not-hostname',
      reason: '"frBvNnnFYR6XR622pBE0NQ==" looks like base64, not a hostname',
      original: 'frBvNnnFYR6XR622pBE0NQ==',
      claimedType: 'domain',
      family: 'XWorm',
      familyId: 'win.xworm',
      threatType: 'botnet_cc',
      source: at(5),
    },
    {
      code: 'defanged-in-feed',
      reason:
        '"hxxp://evil[.]com" is defanged, but this feed format carries live values; fix the feed ' +
        'or read it as a text list',
      original: 'hxxp://evil[.]com',
      claimedType: 'url',
      source: at(6),
    },
    {
      code: 'unknown-type',
      reason: 'the feed type "asn" is not one we hunt',
      original: 'AS12345',
      claimedType: 'asn',
      source: at(8),
    },
    {
      code: 'unknown-type',
      reason: 'the feed type "email" is not one we hunt',
      original: 'x',
      claimedType: 'email',
      source: at(9),
    },
  ])
})

test('indicators are flagged with the warninglists holding them', () => {
  const records: IntelRecord[] = [
    { value: '192.168.1.1:2404', claimedKind: 'ip:port', source: at(1) },
    { value: 'printer.local', claimedKind: 'domain', source: at(2) },
    { value: '91.214.65.17', claimedKind: 'ip', source: at(3) },
    { value: 'cdn.vendor.com', claimedKind: 'domain', source: at(4) },
  ]
  assert.deepEqual(
    intake(records).indicators.map((i) => i.warninglists),
    [['Special-use IPv4 ranges (built-in)'], ['Special-use domain names (built-in)'], [], []],
  )
  const lists = WarninglistSet.builtIn()
  lists.add({
    name: 'vendor',
    version: 1,
    description: 'CDN',
    type: 'hostname',
    list: ['vendor.com'],
  })
  assert.deepEqual(
    intake(records, { warninglists: lists }).indicators.map((i) => i.warninglists),
    [
      ['Special-use IPv4 ranges (built-in)'],
      ['Special-use domain names (built-in)'],
      [],
      ['vendor'],
    ],
  )
})

test('merging into one indicator never changes another', () => {
  const result = intake([
    {
      value: 'a.evil.com',
      claimedKind: 'domain',
      threatType: 'botnet_cc',
      reporter: 'r1',
      source: at(1),
    },
    {
      value: 'b.evil.com',
      claimedKind: 'domain',
      threatType: 'botnet_cc',
      reporter: 'r1',
      source: at(2),
    },
    {
      value: 'a.evil.com',
      claimedKind: 'domain',
      threatType: 'payload',
      reporter: 'r2',
      aliases: ['A'],
      tags: ['t'],
      reference: 'https://r/1',
      source: at(3),
    },
  ])
  const [a, b] = result.indicators
  assert.deepEqual(
    [a?.threatTypes, a?.reporters, a?.aliases, a?.tags, a?.references],
    [['botnet_cc', 'payload'], ['r1', 'r2'], ['A'], ['t'], ['https://r/1']],
  )
  assert.deepEqual(
    [b?.threatTypes, b?.reporters, b?.aliases, b?.tags, b?.references, b?.warninglists],
    [['botnet_cc'], ['r1'], [], [], [], []],
  )
  // A second intake starts from clean shared arrays too.
  const again = intake([
    { value: 'c.evil.com', claimedKind: 'domain', threatType: 'botnet_cc', source: at(1) },
  ])
  assert.deepEqual(again.indicators[0]?.threatTypes, ['botnet_cc'])
})

test('intake reads any iterable once, in order', () => {
  function* records(): Generator<IntelRecord> {
    yield { value: 'evil.com', source: at(1) }
    yield { value: '1.2.3.4', source: at(2) }
    yield { value: 'd41d8cd98f00b204e9800998ecf8427e', source: at(3) }
    yield { value: 'evil.com:8080', source: at(4) }
  }
  const result = intake(records())
  assert.equal(result.recordCount, 4)
  assert.deepEqual(
    result.indicators.map((i) => [i.kind, i.value, i.sources.length]),
    [
      ['domain', 'evil.com', 2],
      ['ipv4', '1.2.3.4', 1],
      ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 1],
    ],
  )
})
