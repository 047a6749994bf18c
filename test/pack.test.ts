import assert from 'node:assert/strict'
import { test } from 'node:test'
import { packGuidance } from '../src/pack/guidance.ts'
import { packIndicators, slug } from '../src/pack/pack.ts'
import { renderPackJson } from '../src/pack/pack-json.ts'
import { describePack, summarisePack } from '../src/pack/summary.ts'
import { indicator, rejection } from './support/indicators.ts'

const xworm = { family: 'XWorm', familyId: 'win.xworm' }
const remcos = { family: 'Remcos', familyId: 'win.remcos', aliases: ['RemcosRAT'] }

const indicators = [
  indicator('domain', 'a.portmap.host', { ...xworm, confidence: 100 }),
  indicator('ip:port', '91.214.65.17:443', { ...xworm, confidence: 75 }),
  indicator('ip:port', '185.247.118.41:2404', { ...remcos, confidence: 25 }),
  indicator('ip:port', '192.168.1.1:2404', { ...remcos, warninglists: ['RFC 1918'] }),
  indicator('url', 'https://x.pages.dev/a', { threatTypes: ['payload_delivery'] }),
]
const rejections = [
  rejection('frBvNnnFYR6XR622pBE0NQ==', { ...xworm, code: 'base64-not-hostname' }),
  rejection('hostname.domain.tld', { family: 'Ghost', code: 'placeholder' }),
]

test('one pack per family, sorted by name, warninglisted values kept apart', () => {
  const { packs, unassignedRejections } = packIndicators(indicators, rejections, {
    groupBy: 'family',
    feedTitle: 'ThreatFox',
  })
  assert.deepEqual(
    packs.map((p) => [p.id, p.title, p.indicators.length, p.warninglisted.length]),
    [
      ['remcos', 'ThreatFox: Remcos IOCs', 1, 1],
      ['unknown-family', 'ThreatFox: Unknown family IOCs', 1, 0],
      ['xworm', 'ThreatFox: XWorm IOCs', 2, 0],
    ],
  )
  const xwormPack = packs.find((p) => p.id === 'xworm')
  assert.equal(xwormPack?.familyId, 'win.xworm')
  assert.deepEqual(
    xwormPack?.rejections.map((r) => r.original),
    ['frBvNnnFYR6XR622pBE0NQ=='],
  )
  assert.deepEqual(packs.find((p) => p.id === 'remcos')?.aliases, ['RemcosRAT'])
  // A family with nothing valid has no pack; its rejection is still reported.
  assert.deepEqual(
    unassignedRejections.map((r) => r.original),
    ['hostname.domain.tld'],
  )
})

test('--include-warninglisted hunts warninglisted values', () => {
  const { packs } = packIndicators(indicators, [], {
    groupBy: 'family',
    feedTitle: 'T',
    includeWarninglisted: true,
  })
  assert.equal(packs.find((p) => p.id === 'remcos')?.indicators.length, 2)
})

test('filters by family name, id or alias, confidence and date, and counts what they drop', () => {
  const byAlias = packIndicators(indicators, rejections, {
    groupBy: 'family',
    feedTitle: 'T',
    families: ['remcosrat', 'WIN.XWORM'],
  })
  assert.deepEqual(
    byAlias.packs.map((p) => p.id),
    ['remcos', 'xworm'],
  )
  assert.equal(byAlias.filtered.family, 1)
  assert.deepEqual(
    byAlias.unassignedRejections.map((r) => r.original),
    [],
  )

  const confident = packIndicators(indicators, [], {
    groupBy: 'none',
    feedTitle: 'T',
    minConfidence: 75,
  })
  assert.equal(confident.packs[0]?.indicators.length, 2)
  assert.equal(confident.filtered.confidence, 3, 'unknown confidence fails the filter')

  const dated = [
    indicator('domain', 'old.example.net', { firstSeen: '2026-01-01T00:00:00Z' }),
    indicator('domain', 'new.example.net', {
      firstSeen: '2026-01-01T00:00:00Z',
      lastSeen: '2026-06-01T00:00:00Z',
    }),
  ]
  const recent = packIndicators(dated, [], {
    groupBy: 'none',
    feedTitle: 'T',
    since: '2026-05-01T00:00:00Z',
  })
  assert.deepEqual(
    recent.packs[0]?.indicators.map((i) => i.value),
    ['new.example.net'],
  )
  assert.equal(recent.filtered.since, 1)
})

test('group by threat type puts an indicator in each of its types', () => {
  const { packs } = packIndicators(
    [indicator('domain', 'two.example.net', { threatTypes: ['botnet_cc', 'payload_delivery'] })],
    [],
    { groupBy: 'threat-type', feedTitle: 'T' },
  )
  assert.deepEqual(
    packs.map((p) => p.id),
    ['botnet-cc', 'payload-delivery'],
  )
})

test('pack ids are slugs, unique even when two families share a name', () => {
  assert.equal(slug('Cobalt Strike'), 'cobalt-strike')
  assert.equal(slug('N-W0rm'), 'n-w0rm')
  assert.equal(slug('Café <script>'), 'cafe-script')
  assert.equal(slug('Ёжик RAT'), 'ежик-rat')
  const { packs } = packIndicators(
    [
      indicator('domain', 'a.example.net', { family: 'Loader', familyId: 'win.loader' }),
      indicator('domain', 'b.example.net', { family: 'Loader', familyId: 'elf.loader' }),
    ],
    [],
    { groupBy: 'family', feedTitle: 'T' },
  )
  assert.deepEqual(packs.map((p) => p.id).sort(), ['loader', 'loader-2'])
})

test('summary and description are written from the data', () => {
  const { packs } = packIndicators(
    [
      indicator('domain', 'a.portmap.host', {
        ...xworm,
        confidence: 100,
        firstSeen: '2026-04-10T04:00:00Z',
        lastSeen: '2026-04-12T05:00:00Z',
      }),
      indicator('ip:port', '91.214.65.17:443', {
        ...xworm,
        confidence: 75,
        firstSeen: '2026-04-11T00:00:00Z',
      }),
    ],
    [rejection('frBvNnnFYR6XR622pBE0NQ==', xworm)],
    { groupBy: 'family', feedTitle: 'ThreatFox' },
  )
  const pack = packs[0]
  assert.ok(pack)
  const summary = summarisePack(pack)
  assert.deepEqual(summary.byKind, { domain: 1, 'ip:port': 1 })
  assert.deepEqual(summary.confidence, { min: 75, max: 100 })
  assert.equal(summary.firstSeen, '2026-04-10T04:00:00Z')
  assert.equal(summary.lastSeen, '2026-04-12T05:00:00Z')
  assert.equal(
    describePack(pack, summary),
    'This pack hunts XWorm (win.xworm) with 2 indicators (1 domain, 1 address:port) from ' +
      'feed.csv. Threat types: botnet_cc (2). First seen 2026-04-10, last seen 2026-04-12. ' +
      'Confidence 75 to 100. Not hunted: 0 warninglisted and 1 rejected value.',
  )
})

test('guidance is derived from the pack and absent when the risk is absent', () => {
  const { packs } = packIndicators(indicators, rejections, {
    groupBy: 'family',
    feedTitle: 'T',
  })
  const ids = (id: string) => packGuidance(packs.find((p) => p.id === id) as never).map((g) => g.id)
  assert.deepEqual(ids('xworm'), [
    'web-ports',
    'address-only',
    'shared-service:portmap.host',
    'rejected',
  ])
  assert.deepEqual(ids('remcos'), ['address-only', 'low-confidence', 'warninglisted'])
  assert.deepEqual(ids('unknown-family'), ['shared-service:pages.dev', 'host-only'])

  const xwormGuidance = packGuidance(packs.find((p) => p.id === 'xworm') as never)
  const web = xwormGuidance.find((g) => g.id === 'web-ports')
  assert.match(web?.detail ?? '', /1 address:port indicator on web ports \(443: 1\)/)
  assert.deepEqual(web?.examples, ['91.214.65.17:443'])
  const shared = xwormGuidance.find((g) => g.id === 'shared-service:portmap.host')
  assert.match(shared?.detail ?? '', /under portmap\.host \(tunnelling\)/)
  assert.equal(shared?.exclusion?.kql, '| where Indicator !in ("a.portmap.host")')
})

test('pack.json round-trips hostile strings exactly', () => {
  const hostile = ['a"b', 'c\\d', 'e\nf\u0000', 'lone \ud800 surrogate', '<script>', '\u2028']
  const { packs } = packIndicators(
    [
      indicator('domain', 'x.example.net', {
        family: hostile[0],
        tags: hostile,
        original: hostile[2],
        sources: [{ feed: hostile[1] as string, line: 3, record: hostile[3] }],
      }),
    ],
    [],
    { groupBy: 'family', feedTitle: 'T' },
  )
  const pack = packs[0]
  assert.ok(pack)
  const summary = summarisePack(pack)
  const text = renderPackJson({
    pack,
    summary,
    description: describePack(pack, summary),
    hunts: [],
    tables: [],
    guidance: [],
    lookback: '14d',
  })
  const json = JSON.parse(text)
  assert.equal(json.name, 'a"b')
  assert.deepEqual(json.indicators[0].tags, hostile)
  assert.equal(json.indicators[0].original, 'e\nf\u0000')
  assert.deepEqual(json.indicators[0].sources, [{ feed: 'c\\d', line: 3, record: hostile[3] }])
  assert.equal(json.indicators[0].ip, null)
  assert.equal(text.split('\n').filter((l) => l.includes('"kind":"domain"')).length, 1)
})

test('URLs on shared content hosts get exact-only guidance', () => {
  const { packs } = packIndicators(
    [indicator('url', 'https://github.com/someone/tool/releases/download/v1/x.zip')],
    [],
    { groupBy: 'none', feedTitle: 'T' },
  )
  const hostOnly = packGuidance(packs[0] as never).find((g) => g.id === 'host-only')
  assert.match(hostOnly?.detail ?? '', /1 URL is on hosts that serve everyone’s content/)
  assert.match(hostOnly?.detail ?? '', /report exact URL matches only/)
})
