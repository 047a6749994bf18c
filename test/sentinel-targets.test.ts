import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import {
  type BuildOptions,
  type BuiltPack,
  buildPack,
  buildPacks,
  loadIntel,
} from '../src/build.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import { HUNT_DEFINITIONS } from '../src/pack/hunts.ts'
import type { Pack } from '../src/pack/pack.ts'
import { parseTargets, resolveTargets, TARGETS } from '../src/targets/index.ts'
import { kqlChecker } from '../src/targets/kql/check.ts'
import { entityMappings, stableId, uuidV5 } from '../src/targets/sentinel/content.ts'
import { RULE_QUERY_LIMIT, ruleSchedule, ruleSeverity } from '../src/targets/sentinel-rule/index.ts'
import { huntpack } from './support/cli.ts'
import { assertGoldenTree } from './support/golden.ts'
import { indicator } from './support/indicators.ts'

const GOLDEN = fileURLToPath(new URL('./golden/targets/sentinel/', import.meta.url))
const FEED = 'examples/threatfox_recent.csv'
const SENTINEL = ['sentinel-rule', 'sentinel-hunting']

function options(more: Partial<BuildOptions> = {}): BuildOptions {
  return {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 200,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
    targets: SENTINEL,
    ...more,
  }
}

/** XWorm (addresses, domains) and Lumma Stealer (domains, URLs, hashes) from the example feed. */
async function examplePacks(more: Partial<BuildOptions> = {}): Promise<BuiltPack[]> {
  const load = await loadIntel([FEED])
  return buildPacks(load, options({ families: ['XWorm', 'Lumma Stealer'], ...more })).built
}

function text(content: string | string[]): string {
  return Array.isArray(content) ? content.join('') : content
}

interface SentinelDoc {
  id: string
  name: string
  description: string
  query: string
  entityMappings: {
    entityType: string
    fieldMappings: { identifier: string; columnName: string }[]
  }[]
  customDetails?: Record<string, string>
  queryFrequency?: string
  queryPeriod?: string
}

/** The YAML files of a build, by path, parsed. */
function yamlFiles(built: BuiltPack[]): Map<string, SentinelDoc> {
  const docs = new Map<string, SentinelDoc>()
  for (const pack of built) {
    for (const file of pack.files) {
      if (file.path.endsWith('.yaml')) docs.set(file.path, parse(text(file.content)))
    }
  }
  return docs
}

/** The watchlist CSV header a query reads, from the files of its pack. */
function watchlistColumns(pack: BuiltPack, query: string): string[] | undefined {
  const alias = /_GetWatchlist\('([^']+)'\)/.exec(query)?.[1]
  if (!alias) return undefined
  const name = alias.replace(`huntpack-${pack.pack.id}-`, '')
  const csv = pack.files.find((f) => f.path.endsWith(`/${name}.watchlist.csv`))
  assert.ok(csv, `no watchlist file for ${alias}`)
  return text(csv.content).split(/\r?\n/, 1)[0]?.split(',')
}

/** Columns a query returns: its last `project`, then the columns `extend`s after it add. */
function projectedColumns(query: string): Set<string> {
  const lines = query.trimEnd().split('\n')
  const at = lines.findLastIndex((l) => l.startsWith('| project '))
  const columns = new Set(lines[at]?.slice('| project '.length).split(', '))
  for (const line of lines.slice(at + 1)) {
    const extended = /^\| extend (\w+) = /.exec(line)
    if (extended?.[1]) columns.add(extended[1])
  }
  return columns
}

function assertSound(built: BuiltPack[]): number {
  let checked = 0
  for (const pack of built) {
    for (const [path, doc] of yamlFiles([pack])) {
      const columns = watchlistColumns(pack, doc.query)
      assert.deepEqual(kqlChecker().check(doc.query, { watchlistColumns: columns }), [], path)
      const projected = projectedColumns(doc.query)
      for (const mapping of doc.entityMappings) {
        for (const field of mapping.fieldMappings) {
          assert.ok(projected.has(field.columnName), `${path}: ${field.columnName} not projected`)
        }
      }
      for (const column of Object.values(doc.customDetails ?? {})) {
        assert.ok(projected.has(column), `${path}: custom detail ${column} not projected`)
      }
      assert.ok(doc.query.length <= RULE_QUERY_LIMIT || path.includes('/hunting/'), path)
      checked++
    }
  }
  return checked
}

describe('sentinel targets', () => {
  test('the example packs give exactly the reviewed rules and hunting queries', async () => {
    const files = new Map<string, string>()
    for (const pack of await examplePacks()) {
      for (const file of pack.files) {
        if (file.path.includes('/sentinel/')) files.set(file.path, text(file.content))
      }
    }
    assertGoldenTree(GOLDEN, files, (path) => path.endsWith('.yaml') || path.endsWith('.csv'))
  })

  test('every query is clean and maps only columns it projects, inline and from watchlists', async () => {
    assert.equal(assertSound(await examplePacks()), 28)
    const read = await examplePacks({ inlineLimit: 1 })
    assert.equal(assertSound(read), 28)
    const rule = yamlFiles(read).get('xworm/sentinel/rules/dns-domain.yaml')
    assert.match(rule?.query ?? '', /_GetWatchlist\('huntpack-xworm-domains'\)/)
    assert.match(rule?.description ?? '', /upload domains\.watchlist\.csv from the pack/)
  })

  test('the page and pack.json list the files written', async () => {
    const [xworm] = await examplePacks({ families: ['XWorm'] })
    assert.ok(xworm)
    const json = JSON.parse(
      text(xworm.files.find((f) => f.path === 'xworm/pack.json')?.content ?? ''),
    )
    const yamlPaths = xworm.files.filter((f) => f.path.endsWith('.yaml')).map((f) => f.path)
    assert.deepEqual(
      json.artefacts.map((a: { file: string }) => `xworm/${a.file}`),
      yamlPaths,
    )
    assert.deepEqual(json.artefacts[0], {
      target: 'sentinel-rule',
      file: 'sentinel/rules/csl-ip.yaml',
      hunt: 'csl-ip',
    })
    const page = text(xworm.files.find((f) => f.path === 'xworm/README.md')?.content ?? '')
    assert.match(page, /## Artefacts\n\n.*\n\n- `sentinel-rule`: `sentinel\/rules\/csl-ip\.yaml`, /)
    assert.match(page, /- `sentinel-hunting`: `sentinel\/hunting\/csl-ip\.yaml`/)
  })

  test('ids are UUID v5, stable across builds and unique across packs and targets', async () => {
    assert.equal(
      uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'),
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    )
    const first = [...yamlFiles(await examplePacks())]
    const second = [...yamlFiles(await examplePacks({ lookback: '7d', inlineLimit: 1 }))]
    assert.deepEqual(
      first.map(([path, doc]) => [path, doc.id]),
      second.map(([path, doc]) => [path, doc.id]),
    )
    const ids = first.map(([, doc]) => doc.id)
    assert.equal(new Set(ids).size, ids.length)
    for (const id of ids)
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.equal(
      first.find(([path]) => path === 'xworm/sentinel/rules/csl-ip.yaml')?.[1].id,
      stableId('sentinel-rule', 'xworm', 'csl-ip'),
    )
  })

  test('hostile names and feeds survive YAML exactly', () => {
    const hostile = [
      `it's "quoted": # not a comment`,
      'new\nline',
      'carriage\r\nreturn',
      '<script>alert(1)</script>',
      '{{ template }}',
      '- dash',
      'yes',
      '*alias &anchor !tag %YAML',
      '| pipe > fold',
      ' leading and trailing ',
      '--- document',
      'tab\there',
      'nul\u0000 esc\u001b sep\u2028',
      "'; DeviceProcessEvents | take 1 //",
    ]
    for (const value of hostile) {
      const pack: Pack = {
        id: 'hostile',
        name: value,
        title: `Feed ${value}: IOCs`,
        groupBy: 'family',
        aliases: [value],
        feeds: [value],
        indicators: [
          indicator('ip:port', '203.0.113.7:4444', { family: value, tags: [value] }),
          indicator('domain', 'c2.example.net', { family: value }),
          indicator('sha256', 'a'.repeat(64), { family: value, threatTypes: [value] }),
        ],
        warninglisted: [],
        rejections: [],
      }
      const built = buildPack(pack, options())
      const docs = yamlFiles([built])
      assert.equal(docs.size, 2 * 8)
      for (const [path, doc] of docs) {
        const hunt = HUNT_DEFINITIONS.find((h) => path.endsWith(`/${h.id}.yaml`))
        assert.ok(hunt)
        assert.equal(doc.name, `${value}: ${hunt.title}`, path)
        assert.ok(doc.description.includes(`Pack: Feed ${value}: IOCs (hostile)`), path)
        assert.ok(doc.description.includes(`feeds: ${value}.`), path)
        const kql = text(
          built.files.find((f) => f.path === `hostile/${hunt.id}.kql`)?.content ?? '',
        )
        // The query is the checked .kql past its comment header, a Sentinel tail at most after it.
        assert.ok(doc.query.startsWith(kql.slice(kql.indexOf('let '))), path)
        // YAML 1.1 readers (PyYAML) see the same strings: `yes` is not a boolean.
        const yaml = text(built.files.find((f) => f.path === path)?.content ?? '')
        assert.equal(parse(yaml, { version: '1.1' }).name, doc.name, path)
      }
    }
  })

  test('a rule too long for Sentinel reads the watchlist, its CSV beside the rules', () => {
    const urls = Array.from({ length: 300 }, (_, i) =>
      indicator('url', `https://cdn${i}.example.net/gate/panel/${'x'.repeat(20)}.php`, {
        threatTypes: ['payload_delivery'],
      }),
    )
    const pack: Pack = {
      id: 'big',
      name: 'Big',
      title: 'Test: Big IOCs',
      groupBy: 'family',
      aliases: [],
      feeds: ['feed.csv'],
      indicators: urls,
      warninglisted: [],
      rejections: [],
    }
    const built = buildPack(pack, options({ inlineLimit: 1000 }))
    const docs = yamlFiles([built])
    const rule = docs.get('big/sentinel/rules/csl-url.yaml')
    assert.ok(rule)
    assert.match(rule.query, /_GetWatchlist\('huntpack-big-urls'\)/)
    assert.match(rule.description, /upload sentinel\/rules\/urls\.watchlist\.csv from the pack/)
    assert.ok(built.files.some((f) => f.path === 'big/sentinel/rules/urls.watchlist.csv'))
    assert.equal(built.files.filter((f) => f.path.endsWith('.watchlist.csv')).length, 1)
    // The .kql and the hunting query keep the values inline, as --inline-limit asked.
    assert.ok(!docs.get('big/sentinel/hunting/csl-url.yaml')?.query.includes('_GetWatchlist'))
    assert.ok(
      text(built.files.find((f) => f.path === 'big/csl-url.kql')?.content ?? '').length >
        RULE_QUERY_LIMIT,
    )
    assertSound([built])
  })

  test('severity follows threat type and confidence', () => {
    const [definition] = HUNT_DEFINITIONS
    assert.ok(definition)
    const hunt = (...indicators: ReturnType<typeof indicator>[]) => ({
      ...definition,
      kinds: [...definition.kinds],
      indicators,
    })
    const c2 = (confidence?: number) => indicator('ipv4', '203.0.113.9', { confidence })
    const delivery = (confidence?: number) =>
      indicator('ipv4', '203.0.113.8', { confidence, threatTypes: ['payload_delivery'] })
    assert.equal(ruleSeverity(hunt(c2(100))).severity, 'High')
    assert.equal(ruleSeverity(hunt(c2(50))).severity, 'Medium')
    assert.equal(ruleSeverity(hunt(c2(50), delivery(100))).severity, 'High')
    assert.equal(ruleSeverity(hunt(delivery(100))).severity, 'Medium')
    assert.equal(ruleSeverity(hunt(delivery())).severity, 'Low')
    assert.match(ruleSeverity(hunt(delivery(25))).reason, /payload_delivery, highest confidence 25/)
  })

  test('schedules stay within what Sentinel accepts', () => {
    assert.deepEqual(ruleSchedule('14d'), { queryFrequency: '1h', queryPeriod: '14d' })
    assert.deepEqual(ruleSchedule('30m'), { queryFrequency: '30m', queryPeriod: '30m' })
    assert.deepEqual(ruleSchedule('5m'), { queryFrequency: '5m', queryPeriod: '5m' })
    for (const bad of ['15d', '4m', '9999d']) {
      assert.throws(() => ruleSchedule(bad), { code: 'ERR_USAGE' })
    }
  })

  test('every hunt has connectors, ATT&CK and entities', () => {
    for (const definition of HUNT_DEFINITIONS) {
      assert.ok(
        entityMappings({ ...definition, kinds: [...definition.kinds], indicators: [] }).length > 0,
      )
    }
  })

  test('--targets names known targets only', () => {
    assert.deepEqual(
      resolveTargets(parseTargets('sentinel-hunting, sentinel-rule')).map((t) => t.id),
      ['kql', 'sentinel-hunting', 'sentinel-rule'],
    )
    const all = resolveTargets(['all']).map((t) => t.id)
    assert.deepEqual(all, [...TARGETS.keys()])
    assert.equal(all[0], 'kql')
    assert.throws(() => parseTargets('kql,nosuch'), {
      code: 'ERR_USAGE',
      message: new RegExp(`--targets nosuch: unknown target; known: ${all.join(', ')}, all$`),
    })
    assert.throws(() => parseTargets('kql,'), { code: 'ERR_USAGE' })
  })
})

describe('build --targets', () => {
  test('writes the artefacts, and a rebuild without them removes them', () => {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-targets-'))
    const first = huntpack(
      'build',
      FEED,
      '--out',
      out,
      '--targets',
      'kql,sentinel-rule,sentinel-hunting',
      '-q',
    )
    assert.equal(first.status, 0, first.stderr)
    assert.ok(existsSync(join(out, 'xworm', 'sentinel', 'rules', 'csl-ip.yaml')))
    assert.ok(existsSync(join(out, 'xworm', 'sentinel', 'hunting', 'dns-domain.yaml')))
    const again = huntpack('build', FEED, '--out', out, '-q')
    assert.equal(again.status, 0, again.stderr)
    assert.ok(!existsSync(join(out, 'xworm', 'sentinel')))
    assert.ok(existsSync(join(out, 'xworm', 'csl-ip.kql')))
  })

  test('an unknown target or a lookback a rule cannot have is a usage error', () => {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-targets-'))
    const unknown = huntpack('build', FEED, '--out', out, '--targets', 'sentinel-rule,nosuch')
    assert.equal(unknown.status, 2)
    assert.match(unknown.stderr, /--targets nosuch: unknown target; known: kql, sentinel-rule/)
    const long = huntpack(
      'build',
      FEED,
      '--out',
      out,
      '--targets',
      'sentinel-rule',
      '--lookback',
      '30d',
    )
    assert.equal(long.status, 2)
    assert.match(long.stderr, /--lookback 30d: a Sentinel scheduled rule/)
    assert.deepEqual(readdirSync(out), [])
  })
})
