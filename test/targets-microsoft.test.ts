import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import {
  type BuildOptions,
  type BuiltPack,
  buildPack,
  buildPacks,
  loadIntel,
} from '../src/build.ts'
import type { Indicator } from '../src/intel/indicator.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import { HUNT_DEFINITIONS } from '../src/pack/hunts.ts'
import type { Pack } from '../src/pack/pack.ts'
import { ASIM_HUNTS, asimQuery, ipv4Prefixes } from '../src/targets/asim/index.ts'
import {
  assertDetectionColumns,
  ENTITY_COLUMNS,
  projectedColumns,
  REQUIRED_COLUMNS,
} from '../src/targets/defender/index.ts'
import { TARGETS } from '../src/targets/index.ts'
import { kqlChecker } from '../src/targets/kql/check.ts'
import { kqlString } from '../src/targets/kql/literal.ts'
import { defenderTableSchemas, functionSchemas } from '../src/targets/kql/tables.ts'
import { stableId } from '../src/targets/sentinel/content.ts'
import {
  armLiteral,
  isoDuration,
  TEMPLATE_LIMIT,
  WATCHLIST_RAW_LIMIT,
} from '../src/targets/sentinel-arm/index.ts'
import { armTemplateProblems } from '../src/targets/sentinel-arm/validate.ts'
import { assertGoldenTree } from './support/golden.ts'
import { indicator } from './support/indicators.ts'

const GOLDEN = fileURLToPath(new URL('./golden/targets/microsoft/', import.meta.url))
const FEED = 'examples/threatfox_recent.csv'
const MICROSOFT = ['sentinel-arm', 'defender', 'asim']

function options(more: Partial<BuildOptions> = {}): BuildOptions {
  return {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 200,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
    targets: MICROSOFT,
    ...more,
  }
}

async function examplePacks(more: Partial<BuildOptions> = {}): Promise<BuiltPack[]> {
  const load = await loadIntel([FEED])
  return buildPacks(load, options({ families: ['XWorm', 'Lumma Stealer'], ...more })).built
}

function text(content: string | string[]): string {
  return Array.isArray(content) ? content.join('') : content
}

/** The files of a build under `<pack>/<folder>/`, by path. */
function filesUnder(built: BuiltPack[], test: (path: string) => boolean): Map<string, string> {
  const files = new Map<string, string>()
  for (const pack of built) {
    for (const file of pack.files) if (test(file.path)) files.set(file.path, text(file.content))
  }
  return files
}

const isArm = (path: string) => path.endsWith('/sentinel/azuredeploy.json')
const isDefender = (path: string) => /\/defender\/[^/]+\.kql$/.test(path)
const isAsim = (path: string) => /\/asim\/[^/]+\.kql$/.test(path)

interface ArmRule {
  type: string
  name: string
  dependsOn?: string[]
  properties: {
    displayName: string
    description: string
    query: string
    queryFrequency: string
    queryPeriod: string
    entityMappings: { fieldMappings: { columnName: string }[] }[]
    customDetails: Record<string, string>
    rawContent?: string
    watchlistAlias?: string
  }
}

interface ArmTemplate {
  resources: ArmRule[]
}

/** The CSV header of the watchlist a query reads: the template's copy, or the pack's file. */
function watchlistColumns(template: ArmTemplate, pack: BuiltPack, query: string) {
  const alias = /_GetWatchlist\('([^']+)'\)/.exec(query)?.[1]
  if (!alias) return undefined
  const deployed = template.resources.find((r) => r.properties.watchlistAlias === alias)
  if (deployed) return deployed.properties.rawContent?.split('\n', 1)[0]?.split(',')
  const name = alias.replace(`huntpack-${pack.pack.id}-`, '')
  const csv = pack.files.find((f) => f.path.endsWith(`/${name}.watchlist.csv`))
  assert.ok(csv, `no watchlist for ${alias}`)
  return text(csv.content).split('\n', 1)[0]?.split(',')
}

/** Every template of a build validates, and each rule's query is clean and maps what it projects. */
function assertArmSound(built: BuiltPack[]): number {
  let rules = 0
  for (const pack of built) {
    for (const [path, content] of filesUnder([pack], isArm)) {
      const template = JSON.parse(content) as ArmTemplate
      assert.deepEqual(armTemplateProblems(template), [], path)
      assert.ok(Buffer.byteLength(content) <= TEMPLATE_LIMIT, path)
      for (const resource of template.resources) {
        if (!resource.type.endsWith('/alertRules')) continue
        const { query } = resource.properties
        const columns = watchlistColumns(template, pack, query)
        assert.deepEqual(kqlChecker().check(query, { watchlistColumns: columns }), [], path)
        const projected = new Set(projectedColumns(query))
        for (const line of query.split('\n')) {
          const extended = /^\| extend (\w+) = /.exec(line)
          if (extended?.[1]) projected.add(extended[1])
        }
        for (const mapping of resource.properties.entityMappings) {
          for (const field of mapping.fieldMappings)
            assert.ok(projected.has(field.columnName), path)
        }
        for (const column of Object.values(resource.properties.customDetails)) {
          assert.ok(projected.has(column), `${path}: ${column}`)
        }
        rules++
      }
    }
  }
  return rules
}

/** Every Defender query is clean on the advanced hunting schemas and has the detection columns. */
function assertDefenderSound(built: BuiltPack[]): number {
  const files = filesUnder(built, isDefender)
  for (const [path, query] of files) {
    assert.deepEqual(kqlChecker().check(query, { database: 'defender' }), [], path)
    assertDetectionColumns(query, path)
    assert.ok(!query.includes('TimeGenerated'), path)
    assert.ok(!query.includes('| where Timestamp'), path)
  }
  return files.size
}

function asimWatchlistColumns(pack: BuiltPack, query: string) {
  const file = /upload (\S+\.watchlist\.csv) under that alias/.exec(query)?.[1]
  if (!file) return undefined
  const csv = pack.files.find((f) => f.path === `${pack.pack.id}/${file}`)
  assert.ok(csv, file)
  return text(csv.content).split('\n', 1)[0]?.split(',')
}

function assertAsimSound(built: BuiltPack[]): number {
  let count = 0
  for (const pack of built) {
    for (const [path, query] of filesUnder([pack], isAsim)) {
      const context = { watchlistColumns: asimWatchlistColumns(pack, query) }
      assert.deepEqual(kqlChecker().check(query, context), [], path)
      count++
    }
  }
  return count
}

describe('microsoft targets', () => {
  test('are registered', () => {
    for (const id of MICROSOFT) assert.equal(TARGETS.get(id)?.id, id)
  })

  test('the example packs give exactly the reviewed templates and queries', async () => {
    const files = filesUnder(await examplePacks(), (p) => isArm(p) || isDefender(p) || isAsim(p))
    assertGoldenTree(GOLDEN, files)
  })

  test('every artefact is sound, inline and reading watchlists', async () => {
    for (const inlineLimit of [200, 1]) {
      const built = await examplePacks({ inlineLimit })
      assert.equal(assertArmSound(built), 14)
      assert.equal(assertDefenderSound(built), 7)
      assert.equal(assertAsimSound(built), 7)
    }
  })

  test('pack.json lists the files each target wrote', async () => {
    const [xworm] = await examplePacks({ families: ['XWorm'] })
    assert.ok(xworm)
    const json = JSON.parse(
      text(xworm.files.find((f) => f.path === 'xworm/pack.json')?.content ?? ''),
    )
    assert.deepEqual(
      json.artefacts.map((a: { target: string; file: string }) => `${a.target} ${a.file}`),
      [
        'sentinel-arm sentinel/azuredeploy.json',
        'defender defender/mde-network-ip.kql',
        'defender defender/mde-network-domain.kql',
        'asim asim/asim-network-ip.kql',
        'asim asim/asim-dns-resolved-ip.kql',
        'asim asim/asim-dns-domain.kql',
        'asim asim/asim-web-domain.kql',
      ],
    )
  })
})

describe('sentinel-arm', () => {
  test('rules keep the sentinel-rule ids, ISO durations and the workspace parameter', async () => {
    const [xworm] = await examplePacks({ families: ['XWorm'], lookback: '30m' })
    const template = JSON.parse(
      text(xworm?.files.find((f) => isArm(f.path))?.content ?? ''),
    ) as ArmTemplate & { parameters: object }
    assert.deepEqual(Object.keys(template.parameters), ['workspace'])
    const rule = template.resources.find((r) =>
      r.properties.displayName.endsWith('CEF firewall and proxy logs'),
    )
    assert.ok(rule)
    assert.ok(rule.name.includes(`'${stableId('sentinel-rule', 'xworm', 'csl-ip')}'`))
    assert.equal(rule.properties.queryFrequency, 'PT30M')
    assert.equal(rule.properties.queryPeriod, 'PT30M')
  })

  test('a string ARM would evaluate is written as a literal', () => {
    assert.equal(armLiteral("[parameters('workspace')]"), "[[parameters('workspace')]")
    assert.equal(armLiteral('[not an expression'), '[not an expression')
    assert.equal(armLiteral('plain ]'), 'plain ]')
  })

  test('durations are ISO 8601', () => {
    assert.equal(isoDuration('14d'), 'P14D')
    assert.equal(isoDuration('1h'), 'PT1H')
    assert.equal(isoDuration('12h'), 'PT12H')
    assert.equal(isoDuration('5m'), 'PT5M')
    assert.throws(() => isoDuration('1w'))
  })

  test('a lookback a rule cannot have is a usage error naming this target', () => {
    const target = TARGETS.get('sentinel-arm')
    assert.throws(() => target?.check?.({ lookback: '30d' }), {
      code: 'ERR_USAGE',
      message: /--lookback 30d: .*\(target sentinel-arm\)/,
    })
  })

  test('watchlists a rule reads are deployed with it, rows in rawContent', async () => {
    const built = await examplePacks({ inlineLimit: 0 })
    const lumma = built.find((b) => b.pack.id === 'lumma-stealer')
    assert.ok(lumma)
    const template = JSON.parse(text(lumma.files.find((f) => isArm(f.path))?.content ?? ''))
    const watchlists = (template as ArmTemplate).resources.filter((r) =>
      r.type.endsWith('/Watchlists'),
    )
    assert.deepEqual(
      watchlists.map((w) => w.properties.watchlistAlias),
      [
        'huntpack-lumma-stealer-domains',
        'huntpack-lumma-stealer-urls',
        'huntpack-lumma-stealer-hashes',
      ],
    )
    const csv = lumma.files.find((f) => f.path === 'lumma-stealer/domains.watchlist.csv')
    assert.equal(watchlists[0]?.properties.rawContent, text(csv?.content ?? ''))
    const rule = (template as ArmTemplate).resources.find((r) =>
      r.properties.query?.includes("_GetWatchlist('huntpack-lumma-stealer-domains')"),
    )
    assert.ok(rule?.dependsOn?.[0]?.includes("'huntpack-lumma-stealer-domains')]"))
    assert.match(rule?.properties.description ?? '', /which this template deploys/)
  })

  test('a watchlist too large for one deployment is left to upload, and said so', () => {
    const urls: Indicator[] = []
    for (let i = 0; urls.length * 120 < WATCHLIST_RAW_LIMIT * 1.05; i++) {
      urls.push(indicator('url', `https://cdn${i}.example.net/${'p'.repeat(80)}/${i}.php`))
    }
    // Above --inline-limit the KQL target writes the CSV; below it only the rule reads one.
    for (const [inlineLimit, file] of [
      [0, 'urls.watchlist.csv'],
      [urls.length, 'sentinel/urls.watchlist.csv'],
    ] as const) {
      const built = buildPack(
        pack('big', 'Big', urls),
        options({ inlineLimit, targets: ['sentinel-arm'] }),
      )
      const template = JSON.parse(text(built.files.find((f) => isArm(f.path))?.content ?? ''))
      assert.deepEqual(armTemplateProblems(template), [])
      const resources = (template as ArmTemplate).resources
      assert.ok(!resources.some((r) => r.type.endsWith('/Watchlists')))
      const description = resources[0]?.properties.description ?? ''
      assert.ok(description.includes(`upload ${file} from the pack`), description)
      assert.match(description, /not in this template: its CSV is over/)
      const csv = built.files.find((f) => f.path === `big/${file}`)
      assert.ok(Buffer.byteLength(text(csv?.content ?? '')) > WATCHLIST_RAW_LIMIT)
    }
  })

  test('a broken template fails validation with readable messages', async () => {
    const [xworm] = await examplePacks({ families: ['XWorm'] })
    const template = JSON.parse(text(xworm?.files.find((f) => isArm(f.path))?.content ?? ''))
    assert.deepEqual(armTemplateProblems(template), [])
    const rule = template.resources[0]
    rule.properties.queryFrequency = '1h'
    rule.properties.severity = 'Severe'
    rule.properties.tactics = ['Lurking']
    rule.properties.bogus = true
    rule.properties.displayName = "[parameters('workspace')]"
    delete template.parameters.workspace
    const problems = armTemplateProblems(template)
    const name = '(alertRules "[parameters(\'workspace\')]")'
    for (const expected of [
      `resources[0] ${name} properties.queryFrequency: must match pattern`,
      `resources[0] ${name} properties.severity: must be one of Informational, Low, Medium, High`,
      `resources[0] ${name} properties.tactics.0: must be one of Reconnaissance`,
      `resources[0] ${name} properties: has unknown property 'bogus'`,
      `resources[0] ${name} properties.displayName: must NOT be valid`,
      "parameters: must have required property 'workspace'",
    ]) {
      assert.ok(
        problems.some((p) => p.startsWith(expected)),
        `${expected}\nnot in:\n${problems.join('\n')}`,
      )
    }
  })
})

describe('defender', () => {
  test('only hunts on advanced hunting tables, with Timestamp, ReportId and an entity', async () => {
    const built = await examplePacks()
    const paths = [...filesUnder(built, isDefender).keys()]
    for (const path of paths) {
      const hunt = path.split('/').at(-1)?.replace('.kql', '') ?? ''
      assert.ok(!hunt.startsWith('csl-') && !hunt.startsWith('dns-'), path)
    }
    assert.ok(paths.includes('lumma-stealer/defender/email-url-click.kql'))
    const click = filesUnder(built, (p) => p.endsWith('/defender/email-url-click.kql'))
    const columns = projectedColumns([...click.values()][0] ?? '')
    assert.deepEqual(columns.slice(0, 4), [
      'Timestamp',
      'ReportId',
      'AccountUpn',
      'NetworkMessageId',
    ])
    assert.deepEqual([...defenderTableSchemas().keys()].sort(), [
      'DeviceFileEvents',
      'DeviceNetworkEvents',
      'DeviceProcessEvents',
      'UrlClickEvents',
    ])
  })

  test('the column check refuses what a custom detection cannot take', () => {
    const ok = 'T\n| project Timestamp, ReportId, DeviceId, X'
    assertDetectionColumns(ok, 'ok')
    assert.throws(
      () => assertDetectionColumns('T\n| project Timestamp, DeviceId', 'a'),
      /needs ReportId/,
    )
    assert.throws(
      () => assertDetectionColumns('T\n| project Timestamp, ReportId, RemoteIP', 'b'),
      /needs an entity column/,
    )
    assert.throws(
      () =>
        assertDetectionColumns('T\n| project TimeGenerated, Timestamp, ReportId, DeviceId', 'c'),
      /Timestamp instead of TimeGenerated/,
    )
    assert.ok(REQUIRED_COLUMNS.every((c) => !ENTITY_COLUMNS.includes(c)))
  })

  test('the Defender database has no Log Analytics columns or Sentinel tables', () => {
    const check = (q: string) => kqlChecker().check(q, { database: 'defender' }).length
    assert.equal(check('UrlClickEvents | where Timestamp > ago(1d) | project ReportId'), 0)
    assert.equal(check('UrlClickEvents | where TimeGenerated > ago(1d)'), 1)
    assert.equal(check('CommonSecurityLog | take 1'), 1)
    assert.equal(check("_GetWatchlist('x')"), 1)
  })
})

describe('asim', () => {
  test('the checker knows the parsers, their parameters and columns', () => {
    const check = (q: string) =>
      kqlChecker()
        .check(q)
        .map((d) => d.message)
    assert.deepEqual(
      check("_Im_Dns(starttime=ago(1d), domain_has_any=dynamic(['a.example'])) | project DnsQuery"),
      [],
    )
    assert.deepEqual(
      check("_Im_NetworkSession(ipaddr_has_any_prefix=dynamic(['10.'])) | project DstPortNumber"),
      [],
    )
    assert.deepEqual(
      check("_Im_WebSession(url_has_any=dynamic(['a'])) | project Url, HttpUserAgent"),
      [],
    )
    assert.equal(check('_Im_Dns(nosuch=1)').length, 1)
    assert.equal(check('_Im_Dns() | project RemoteUrl').length, 1)
    assert.deepEqual([...functionSchemas().keys()].sort(), [
      '_Im_Dns',
      '_Im_NetworkSession',
      '_Im_WebSession',
    ])
    for (const f of functionSchemas().values()) assert.equal(f.listLimit, 10_000)
  })

  test('prefixes for the IPv4 list parameters, or none when the parameter cannot take them', () => {
    const v4 = [
      indicator('ipv4', '203.0.113.7'),
      indicator('ip:port', '198.51.100.2:443'),
      indicator('cidr', '10.1.0.0/16'),
      indicator('cidr', '192.0.2.0/25'),
      indicator('cidr', '172.16.0.0/12'),
      indicator('cidr', '192.0.2.9/32'),
    ]
    assert.deepEqual(ipv4Prefixes(v4, 100), [
      '203.0.113.7',
      '198.51.100.2',
      '10.1.',
      '192.0.2.',
      '172.',
      '192.0.2.9',
    ])
    assert.equal(ipv4Prefixes([...v4, indicator('ipv6', '2001:db8::1')], 100), undefined)
    assert.equal(ipv4Prefixes([indicator('ip:port', '[2001:db8::1]:443')], 100), undefined)
    assert.equal(ipv4Prefixes([indicator('cidr', '8.0.0.0/7')], 100), undefined)
    assert.equal(ipv4Prefixes(v4, 3), undefined)
    assert.equal(ipv4Prefixes(v4.slice(0, 2), 1), undefined)
    assert.deepEqual(ipv4Prefixes(v4.slice(0, 2), 2), ['203.0.113.7', '198.51.100.2'])
  })

  test("the parser call pre-filters; the matching after it is the KQL target's", async () => {
    const built = await examplePacks()
    const files = filesUnder(built, isAsim)
    const network = files.get('xworm/asim/asim-network-ip.kql') ?? ''
    assert.match(
      network,
      /_Im_NetworkSession\(starttime=ago\(14d\), endtime=now\(\), ipaddr_has_any_prefix=asimPrefixes\)/,
    )
    assert.match(network, /IocPort == ObservedPort, 'exact', 'address-only'/)
    const domain = files.get('xworm/asim/asim-dns-domain.kql') ?? ''
    assert.match(
      domain,
      /_Im_Dns\(starttime=ago\(14d\), endtime=now\(\), domain_has_any=iocDomains\)/,
    )
    assert.match(domain, /join kind=inner iocs on \$left\.Suffix == \$right\.Indicator/)
    assert.deepEqual(
      ASIM_HUNTS.map((h) => h.parser),
      ['_Im_NetworkSession', '_Im_Dns', '_Im_Dns', '_Im_WebSession', '_Im_WebSession'],
    )
  })

  test('a list over the parameter limit goes without it', () => {
    const domains = Array.from({ length: 10_001 }, (_, i) =>
      indicator('domain', `c${i}.example.net`),
    )
    const [definition] = HUNT_DEFINITIONS.filter((h) => h.id === 'dns-domain')
    assert.ok(definition)
    const hunt = { ...definition, kinds: [...definition.kinds], indicators: domains }
    const q = { hunt, file: 'dns-domain.kql', text: '' }
    const [dnsDomain] = ASIM_HUNTS.filter((h) => h.id === 'asim-dns-domain')
    assert.ok(dnsDomain)
    const over = asimQuery(dnsDomain, q, '14d')
    assert.ok(over.rest.includes('_Im_Dns(starttime=ago(14d), endtime=now())'))
    assert.match(over.prefilter, /^no domain_has_any: over 10000 domains/)
    const within = asimQuery(
      dnsDomain,
      { ...q, hunt: { ...hunt, indicators: domains.slice(1) } },
      '14d',
    )
    assert.ok(
      within.rest.includes('_Im_Dns(starttime=ago(14d), endtime=now(), domain_has_any=iocDomains)'),
    )
  })

  test('IPv6 indicators and names has_any cannot take go without the list parameter', () => {
    const built = buildPack(
      pack('v6', 'V6', [
        indicator('ipv6', '2001:db8::7'),
        indicator('domain', 'xn--80ak6aa92e.example'),
        indicator('domain', '_dmarc.example.org'),
      ]),
      options(),
    )
    const files = filesUnder([built], isAsim)
    const network = files.get('v6/asim/asim-network-ip.kql') ?? ''
    assert.match(network, /_Im_NetworkSession\(starttime=ago\(14d\), endtime=now\(\)\)/)
    assert.match(network, /no ipaddr_has_any_prefix: IPv6 values/)
    const domain = files.get('v6/asim/asim-dns-domain.kql') ?? ''
    assert.match(domain, /_Im_Dns\(starttime=ago\(14d\), endtime=now\(\)\)\n/)
    assert.equal(assertAsimSound([built]), 4)
  })
})

function pack(id: string, name: string, indicators: Indicator[], feeds = ['feed.csv']): Pack {
  return {
    id,
    name,
    title: `Test: ${name} IOCs`,
    groupBy: 'family',
    aliases: [],
    feeds,
    indicators,
    warninglisted: [],
    rejections: [],
  }
}

describe('hostile values', () => {
  const HOSTILE = [
    `it's "quoted" \\ back\\slash`,
    'new\nline\r\nand\u2028separator',
    '<script>alert(1)</script>',
    "[concat(parameters('workspace'))]",
    "=cmd|' /C calc'!A0",
    "'; DeviceProcessEvents | take 1 //",
  ]

  test('stay escaped in every template and query, which stay valid', () => {
    for (const value of HOSTILE) {
      const indicators = [
        indicator('ip:port', '203.0.113.7:4444', { family: value, tags: [value] }),
        indicator('domain', 'c2.example.net', { family: value, references: [value] }),
        indicator('url', `https://c2.example.net/${encodeURIComponent(value)}?q=${value}`),
        indicator('sha256', 'a'.repeat(64), { threatTypes: [value] }),
      ]
      const built = buildPack(pack('hostile', value, indicators, [value]), options())

      const [arm] = filesUnder([built], isArm).values()
      const template = JSON.parse(arm ?? '') as ArmTemplate
      assert.deepEqual(armTemplateProblems(template), [], value)
      // From watchlists, the template carries the CSV the KQL target writes, byte for byte.
      const read = buildPack(
        pack('hostile', value, indicators, [value]),
        options({ inlineLimit: 0 }),
      )
      const [readArm] = filesUnder([read], isArm).values()
      const carried = (JSON.parse(readArm ?? '') as ArmTemplate).resources.filter((r) =>
        r.type.endsWith('/Watchlists'),
      )
      assert.equal(carried.length, 4, value)
      for (const watchlist of carried) {
        const name = watchlist.properties.watchlistAlias?.replace('huntpack-hostile-', '')
        const csv = read.files.find((f) => f.path === `hostile/${name}.watchlist.csv`)
        assert.equal(watchlist.properties.rawContent, text(csv?.content ?? '-'), value)
      }
      assert.ok(assertArmSound([read]) > 0)
      assert.ok(assertAsimSound([read]) > 0)
      for (const resource of template.resources) {
        const { displayName, description, query } = resource.properties
        assert.ok(displayName.startsWith(armLiteral(`${value}: `)), value)
        assert.ok(description.includes(`feeds: ${value}.`), value)
        if (displayName.endsWith('Malicious URLs in CEF proxy logs')) {
          assert.ok(query.includes(kqlString(indicators[2]?.value ?? '')), value)
        }
      }
      assert.ok(assertArmSound([built]) > 0)

      for (const [path, query] of filesUnder([built], (p) => isDefender(p) || isAsim(p))) {
        const database = isDefender(path) ? 'defender' : 'sentinel'
        assert.deepEqual(kqlChecker().check(query, { database }), [], `${path} ${value}`)
        // The header is comments only, one line each: nothing of the value leaks into code.
        const header = query.split('\n').slice(
          0,
          query.split('\n').findIndex((l) => l.startsWith('let ')),
        )
        assert.ok(
          header.every((l) => l.startsWith('// ')),
          `${path} ${value}`,
        )
        const values = kqlChecker()
          .stringLiterals(query, { database })
          .map((l) => l.value)
        // The URL, quotes, backslashes and line breaks included, reads back exactly.
        if (query.includes('let urlKey'))
          assert.ok(values.includes(indicators[2]?.value ?? ''), path)
      }
    }
  })
})
