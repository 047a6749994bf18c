import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
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
import type { Pack } from '../src/pack/pack.ts'
import { resolveTargets } from '../src/targets/index.ts'
import { stableId } from '../src/targets/sentinel/content.ts'
import { SIGMA_RULES } from '../src/targets/sigma/rules.ts'
import { huntpack } from './support/cli.ts'
import { assertGoldenTree } from './support/golden.ts'
import { indicator } from './support/indicators.ts'
import { requireSharedData } from './support/shared-data.ts'
import { checkEsql, checkSpl, SIGMA_SCHEMA, sigmaValidator } from './targets-siem-syntax.ts'

const GOLDEN = fileURLToPath(new URL('./golden/targets/siem/', import.meta.url))
const FEED = 'examples/threatfox_recent.csv'
const SIEM = ['splunk', 'elastic', 'sigma']

function options(more: Partial<BuildOptions> = {}): BuildOptions {
  return {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 200,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
    targets: SIEM,
    ...more,
  }
}

function text(content: string | string[]): string {
  return Array.isArray(content) ? content.join('') : content
}

/** Every kind of indicator, both address families, and a domain under another listed one. */
function mixedPack(): Pack {
  const seen = { firstSeen: '2026-11-02T10:00:00Z', lastSeen: '2026-11-20T08:00:00Z' }
  return {
    id: 'mixed',
    name: 'Mixed',
    title: 'Test: Mixed IOCs',
    groupBy: 'family',
    aliases: [],
    feeds: ['feed.csv'],
    indicators: [
      indicator('ipv4', '198.51.100.23', { ...seen, confidence: 90 }),
      indicator('ip:port', '203.0.113.7:4444', { confidence: 90 }),
      indicator('ip:port', '203.0.113.7:8443', { confidence: 90 }),
      indicator('ipv6', '2001:db8::42', { confidence: 90 }),
      indicator('ip:port', '[2001:db8::7]:443', { confidence: 90 }),
      indicator('cidr', '192.0.2.0/28', { confidence: 90 }),
      indicator('domain', 'evil.com', { confidence: 90 }),
      indicator('domain', 'cdn.evil.com', { confidence: 90 }),
      indicator('url', 'http://dl.example.net:8080/a/b.php?id=1&x=*', {
        threatTypes: ['payload_delivery'],
        confidence: 40,
      }),
      indicator('url', 'https://github.com/someone/tool/raw/main/x.exe', {
        threatTypes: ['payload_delivery'],
      }),
      indicator('md5', 'd41d8cd98f00b204e9800998ecf8427f', { threatTypes: ['payload'] }),
      indicator('sha256', 'a'.repeat(64), { threatTypes: ['payload'] }),
    ],
    warninglisted: [
      indicator('ipv4', '8.8.8.8', { warninglists: ['public-dns'] }),
      indicator('domain', 'google.com', { warninglists: ['top-sites'] }),
    ],
    rejections: [],
  }
}

async function examplePacks(more: Partial<BuildOptions> = {}): Promise<BuiltPack[]> {
  const load = await loadIntel([FEED])
  return buildPacks(load, options({ families: ['XWorm', 'Lumma Stealer'], ...more })).built
}

/** The files of the three targets, by path. */
function siemFiles(built: BuiltPack[]): Map<string, string> {
  const files = new Map<string, string>()
  for (const pack of built) {
    for (const file of pack.files) {
      if (/\/(splunk|elastic|sigma)\//.test(file.path)) files.set(file.path, text(file.content))
    }
  }
  return files
}

// ---- a small Sigma evaluator, for the semantics of the rules written ---------------------------

type SigmaValue = string | number
type SigmaSelection = Record<string, SigmaValue | SigmaValue[]> | Record<string, SigmaValue>[]
type SigmaEvent = Record<string, string | number>

function wildcardRegex(value: string): RegExp {
  let source = ''
  for (let n = 0; n < value.length; n++) {
    const ch = value[n] as string
    if (ch === '\\' && /[\\*?]/.test(value[n + 1] ?? '')) {
      source += `\\${value[n + 1]}`
      n++
    } else if (ch === '*') source += '.*'
    else if (ch === '?') source += '.'
    else source += ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'is')
}

function inCidr(address: string, range: string): boolean {
  const [base = '', bits = '32'] = range.split('/')
  const toInt = (a: string) => a.split('.').reduce((n, part) => n * 256 + Number(part), 0)
  if (address.includes(':') || base.includes(':')) return false
  const size = 2 ** (32 - Number(bits))
  return Math.floor(toInt(address) / size) === Math.floor(toInt(base) / size)
}

function fieldMatches(
  event: SigmaEvent,
  key: string,
  expected: SigmaValue | SigmaValue[],
): boolean {
  const [field = '', ...modifiers] = key.split('|')
  const observed = event[field]
  if (observed === undefined) return false
  const values = Array.isArray(expected) ? expected : [expected]
  return values.some((value) => {
    if (typeof value === 'number') return Number(observed) === value
    if (modifiers.includes('cidr')) return inCidr(String(observed), value)
    const pattern = modifiers.includes('contains')
      ? `*${value}*`
      : modifiers.includes('startswith')
        ? `${value}*`
        : modifiers.includes('endswith')
          ? `*${value}`
          : value
    return wildcardRegex(pattern).test(String(observed))
  })
}

function selectionMatches(event: SigmaEvent, selection: SigmaSelection): boolean {
  const maps = Array.isArray(selection) ? selection : [selection]
  return maps.some((map) =>
    Object.entries(map).every(([key, value]) => fieldMatches(event, key, value)),
  )
}

/** Our rules' conditions only: `1 of selection_*`, optionally `and not 1 of filter_main_*`. */
function sigmaMatches(rule: { detection: Record<string, unknown> }, event: SigmaEvent): boolean {
  const { condition, ...named } = rule.detection
  assert.match(String(condition), /^1 of selection_\*( and not 1 of filter_main_\*)?$/)
  const anyOf = (prefix: string) =>
    Object.entries(named).some(
      ([name, selection]) =>
        name.startsWith(prefix) && selectionMatches(event, selection as SigmaSelection),
    )
  return anyOf('selection_') && !anyOf('filter_main_')
}

// ---- tests ---------------------------------------------------------------------------------------

describe('splunk, elastic and sigma targets', () => {
  test('the example packs and a mixed pack give exactly the reviewed files', async () => {
    const built = [...(await examplePacks()), buildPack(mixedPack(), options())]
    const files = siemFiles(built)
    assertGoldenTree(GOLDEN, files, (path) => /\.(spl|esql|yml|csv)$/.test(path))
  })

  test('every search, query and rule is well formed and schema-valid', (t) => {
    if (requireSharedData(t, SIGMA_SCHEMA) === undefined) return
    const validate = sigmaValidator()
    const built = buildPack(mixedPack(), options())
    let counted = 0
    for (const [path, content] of siemFiles([built])) {
      if (path.endsWith('.spl')) checkSpl(content)
      if (path.endsWith('.esql')) checkEsql(content)
      if (path.endsWith('.yml'))
        assert.ok(validate(parse(content)), JSON.stringify(validate.errors))
      counted++
    }
    assert.equal(counted, 7 + 7 + 9)
  })

  test('warninglisted values are not hunted by any of them', () => {
    const files = siemFiles([buildPack(mixedPack(), options())])
    for (const [path, content] of files) {
      assert.ok(!content.includes('8.8.8.8'), path)
      assert.ok(!content.includes('google.com'), path)
    }
  })

  test('splunk: a large pack reads one lookup per shape, keyed by step', () => {
    const built = buildPack(mixedPack(), options({ inlineLimit: 1 }))
    const files = siemFiles([built])
    const csv = files.get('mixed/splunk/huntpack-mixed-addresses.csv')
    assert.ok(csv)
    assert.deepEqual(csv.trimEnd().split('\n'), [
      'key,entry',
      'port|203.0.113.7|4444,ip:port|203.0.113.7:4444',
      'port|203.0.113.7|8443,ip:port|203.0.113.7:8443',
      'port|2001:db8::7|443,ip:port|[2001:db8::7]:443',
      'address|198.51.100.23,ipv4|198.51.100.23',
      'address|2001:db8::42,ipv6|2001:db8::42',
      'addressonly|203.0.113.7,ip:port|203.0.113.7:4444',
      'addressonly|2001:db8::7,ip:port|[2001:db8::7]:443',
    ])
    const urls = files.get('mixed/splunk/huntpack-mixed-urls.csv') ?? ''
    // Host-only is never reported on hosts that serve everyone's content.
    assert.ok(urls.includes('url|github.com/someone/tool/raw/main/x.exe,'))
    assert.ok(!urls.includes('host|github.com,'))
    assert.equal([...files.keys()].filter((p) => p.endsWith('.csv')).length, 4)
    const search = files.get('mixed/splunk/network-ip.spl') ?? ''
    assert.match(
      search,
      /\| lookup huntpack-mixed-addresses\.csv key AS LookupKey OUTPUT entry AS MatchPort\n/,
    )
    assert.ok(!search.includes('203.0.113.7:4444'), 'no value inline')
    // Ranges stay inline: a CIDR lookup needs a lookup definition.
    assert.match(search, /cidrmatch\("192\.0\.2\.0\/28", ObservedAddress\)/)
    for (const [path, content] of files) if (path.endsWith('.spl')) checkSpl(content)
  })

  test('splunk: domains match the name and its parents, never a bare suffix wildcard', () => {
    const search = siemFiles([buildPack(mixedPack(), options())]).get('mixed/splunk/dns-domain.spl')
    assert.ok(search)
    assert.match(
      search,
      /DNS\.query IN \("evil\.com", "\*\.evil\.com", "evil\.com\.", "\*\.evil\.com\."/,
    )
    assert.ok(!/"\*evil\.com"/.test(search))
    assert.match(search, /mvmap\(LabelIndex, mvjoin\(mvindex\(Labels, LabelIndex, -1\), "\."\)\)/)
    assert.match(
      search,
      /MatchKind=case\(isnotnull\(MatchDomain\), if\(Suffix==ObservedHost, "exact", "subdomain"\)\)/,
    )
  })

  test('elastic: label boundaries, ip:port on one side, lookback as a time span', () => {
    const files = siemFiles([buildPack(mixedPack(), options({ lookback: '36h' }))])
    const dns = files.get('mixed/elastic/dns-domain.esql') ?? ''
    assert.match(dns, /ENDS_WITH\(observed_host, "\.evil\.com"\)/)
    assert.ok(!/ENDS_WITH\(observed_host, "evil\.com"\)/.test(dns))
    // The closer domain wins: cdn.evil.com before evil.com.
    assert.ok(dns.indexOf('".cdn.evil.com"') < dns.indexOf('".evil.com"'))
    const ip = files.get('mixed/elastic/network-ip.esql') ?? ''
    assert.match(
      ip,
      /observed_ip == TO_IP\("203\.0\.113\.7"\) AND observed_port == 4444, "exact\|ip:port\|203\.0\.113\.7:4444"/,
    )
    assert.match(
      ip,
      /observed_ip == TO_IP\("203\.0\.113\.7"\), "address-only\|ip:port\|203\.0\.113\.7:4444"/,
    )
    assert.match(
      ip,
      /CIDR_MATCH\(observed_ip, "192\.0\.2\.0\/28"\), "in-range\|cidr\|192\.0\.2\.0\/28"/,
    )
    assert.ok(ip.indexOf('AND observed_port') < ip.indexOf('"address-only|'), 'exact arms first')
    for (const [path, content] of files) {
      if (!path.endsWith('.esql')) continue
      assert.match(content, /\n\| WHERE @timestamp > NOW\(\) - 36 hours\n/, path)
      assert.match(content, /\nFROM logs-\*\n/, path)
    }
  })

  test('sigma: rules detect what the KQL hunts find, and nothing beside it', () => {
    const rules = new Map<string, { detection: Record<string, unknown> }>()
    for (const [path, content] of siemFiles([buildPack(mixedPack(), options())])) {
      if (path.endsWith('.yml'))
        rules.set(path.replace(/^mixed\/sigma\/|\.yml$/g, ''), parse(content))
    }
    const hits = (rule: string, event: SigmaEvent) => {
      const document = rules.get(rule)
      assert.ok(document, rule)
      return sigmaMatches(document, event)
    }
    // Domains at label boundaries.
    assert.ok(hits('dns-query-domain', { QueryName: 'evil.com' }))
    assert.ok(hits('dns-query-domain', { QueryName: 'A.Evil.COM' }))
    assert.ok(!hits('dns-query-domain', { QueryName: 'notevil.com' }))
    assert.ok(!hits('dns-query-domain', { QueryName: 'evil.com.attacker.net' }))
    assert.ok(hits('proxy-domain', { 'cs-host': 'x.cdn.evil.com' }))
    // ip:port: address and port on one side; either direction.
    assert.ok(
      hits('network-connection-ip', { DestinationIp: '203.0.113.7', DestinationPort: 4444 }),
    )
    assert.ok(hits('network-connection-ip', { SourceIp: '203.0.113.7', SourcePort: 8443 }))
    const crossed = { SourceIp: '203.0.113.7', SourcePort: 50000, DestinationPort: 4444 }
    assert.ok(!hits('network-connection-ip', crossed))
    assert.ok(hits('network-connection-ip-address-only', crossed))
    assert.ok(
      !hits('network-connection-ip-address-only', {
        DestinationIp: '203.0.113.7',
        DestinationPort: 4444,
      }),
    )
    assert.ok(hits('network-connection-ip', { SourceIp: '198.51.100.23' }))
    assert.ok(hits('network-connection-ip', { DestinationIp: '192.0.2.9' }))
    assert.ok(!hits('network-connection-ip', { DestinationIp: '192.0.2.16' }))
    assert.ok(!hits('network-connection-ip', { DestinationIp: '198.51.100.230' }))
    // DNS answers at address boundaries.
    const answers = (list: string) => ({ QueryResults: `type:  5 x.example;${list}` })
    assert.ok(hits('dns-query-resolved-ip', answers('::ffff:198.51.100.23;')))
    assert.ok(!hits('dns-query-resolved-ip', answers('::ffff:198.51.100.230;')))
    assert.ok(hits('dns-query-resolved-ip', answers('::ffff:1.1.1.1;2001:db8::42;')))
    assert.ok(!hits('dns-query-resolved-ip', answers('2001:db8::421;')))
    // URLs: exact without scheme, `?` and `*` literal; host-only apart, not on shared hosts.
    const url = 'dl.example.net:8080/a/b.php?id=1&x=*'
    assert.ok(hits('proxy-url', { 'c-uri': `https://${url}` }))
    assert.ok(hits('proxy-url', { 'cs-host': 'dl.example.net', 'c-uri': '/a/b.php?id=1&x=*' }))
    assert.ok(!hits('proxy-url', { 'c-uri': `http://${url.replace('?', 'X')}` }))
    assert.ok(!hits('proxy-url', { 'c-uri': `http://${url.replace('*', 'anything')}` }))
    assert.ok(hits('proxy-url-host', { 'cs-host': 'dl.example.net', 'c-uri': '/other' }))
    assert.ok(!hits('proxy-url-host', { 'cs-host': 'dl.example.net', 'c-uri': `http://${url}` }))
    assert.ok(!hits('proxy-url-host', { 'cs-host': 'github.com', 'c-uri': '/other' }))
    // Hashes by algorithm, as Sysmon writes them (upper case).
    const md5 = 'D41D8CD98F00B204E9800998ECF8427F'
    const hashes = `SHA1=${'B'.repeat(40)},MD5=${md5},SHA256=${'C'.repeat(64)},IMPHASH=${md5}`
    assert.ok(hits('process-creation-hash', { Hashes: hashes }))
    assert.ok(hits('file-event-hash', { Hashes: `SHA256=${'A'.repeat(64)}` }))
    assert.ok(!hits('file-event-hash', { Hashes: `SHA1=${'A'.repeat(40)},IMPHASH=${md5}` }))
  })

  test('sigma: ids are stable UUID v5, levels follow threat type and confidence', async () => {
    const first = siemFiles(await examplePacks())
    const again = siemFiles(await examplePacks({ lookback: '7d', inlineLimit: 1 }))
    const ids = new Set<string>()
    for (const [path, content] of first) {
      if (!path.endsWith('.yml')) continue
      const rule = parse(content)
      const [pack = '', , name = ''] = path.replace(/\.yml$/, '').split('/')
      assert.equal(rule.id, stableId('sigma', pack, name))
      assert.equal(parse(again.get(path) ?? '').id, rule.id)
      ids.add(rule.id)
    }
    assert.equal(ids.size, [...first.keys()].filter((p) => p.endsWith('.yml')).length)
    const mixed = siemFiles([buildPack(mixedPack(), options())])
    const level = (rule: string) => parse(mixed.get(`mixed/sigma/${rule}.yml`) ?? '').level
    assert.equal(level('network-connection-ip'), 'high')
    assert.equal(level('network-connection-ip-address-only'), 'medium')
    // payload_delivery is medium, and no URL has confidence 75: one step lower.
    assert.equal(level('proxy-url'), 'low')
    assert.equal(level('proxy-url-host'), 'low')
    const url = parse(mixed.get('mixed/sigma/proxy-url.yml') ?? '')
    assert.ok(url.falsepositives.some((f: string) => f.startsWith('Confidence below 50')))
    assert.equal(url.date, undefined)
    const ip = parse(mixed.get('mixed/sigma/network-connection-ip.yml') ?? '')
    assert.equal(ip.date, '2026-11-02')
    assert.equal(ip.modified, '2026-11-20')
    assert.deepEqual(ip.tags, [
      'attack.command-and-control',
      'attack.t1071',
      'detection.emerging-threats',
    ])
    assert.equal(SIGMA_RULES.length, 9)
  })

  test('a hunt with no value a target can match writes no file for it', () => {
    const pack: Pack = {
      ...mixedPack(),
      indicators: [indicator('url', 'not a URL'), indicator('domain', 'evil.com')],
    }
    const paths = [...siemFiles([buildPack(pack, options())]).keys()]
    assert.ok(paths.includes('mixed/splunk/dns-domain.spl'))
    assert.ok(
      !paths.some((p) => /\/(web-url\.spl|url\.esql|proxy-url(-host)?\.yml)$/.test(p)),
      `${paths}`,
    )
  })

  test('--targets takes the three ids', () => {
    assert.deepEqual(
      resolveTargets(['splunk', 'elastic', 'sigma']).map((t) => t.id),
      ['kql', 'splunk', 'elastic', 'sigma'],
    )
  })
})

describe('build --targets splunk,elastic,sigma', () => {
  test('writes and lists the files, and a rebuild without them removes them', () => {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-siem-'))
    const first = huntpack('build', FEED, '--out', out, '--targets', SIEM.join(','), '-q')
    assert.equal(first.status, 0, first.stderr)
    for (const file of [
      'splunk/network-ip.spl',
      'elastic/dns-domain.esql',
      'sigma/dns-query-domain.yml',
    ]) {
      assert.ok(existsSync(join(out, 'xworm', file)), file)
    }
    const json = JSON.parse(readFileSync(join(out, 'xworm', 'pack.json'), 'utf8'))
    const listed = json.artefacts.map(
      (a: { target: string; file: string }) => `${a.target} ${a.file}`,
    )
    assert.ok(listed.includes('splunk splunk/network-ip.spl'))
    assert.ok(listed.includes('elastic elastic/network-ip.esql'))
    assert.ok(listed.includes('sigma sigma/network-connection-ip.yml'))
    const again = huntpack('build', FEED, '--out', out, '-q')
    assert.equal(again.status, 0, again.stderr)
    for (const dir of ['splunk', 'elastic', 'sigma'])
      assert.ok(!existsSync(join(out, 'xworm', dir)))
  })
})
