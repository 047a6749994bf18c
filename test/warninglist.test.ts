import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { IntelFormatError } from '../src/errors.ts'
import type { IndicatorKind } from '../src/intel/indicator.ts'
import {
  type MispWarninglist,
  WarninglistSet,
  type WarninglistSubject,
} from '../src/intel/warninglist.ts'
import { requireSharedData } from './support/shared-data.ts'

const V4 = 'Special-use IPv4 ranges (built-in)'
const V6 = 'Special-use IPv6 ranges (built-in)'
const NAMES = 'Special-use domain names (built-in)'

const s = (kind: IndicatorKind, value: string, ip?: string): WarninglistSubject =>
  ip === undefined ? { kind, value } : { kind, value, ip }

test('built-in lists hold private and special-use addresses and names', () => {
  const set = WarninglistSet.builtIn()
  const cases: [WarninglistSubject, string[]][] = [
    [s('ipv4', '10.1.2.3'), [V4]],
    [s('ipv4', '172.31.255.255'), [V4]],
    [s('ipv4', '172.32.0.0'), []],
    [s('ipv4', '192.168.0.1'), [V4]],
    [s('ipv4', '127.0.0.1'), [V4]],
    [s('ipv4', '169.254.10.10'), [V4]],
    [s('ipv4', '100.64.0.1'), [V4]],
    [s('ipv4', '100.128.0.1'), []],
    [s('ipv4', '0.1.2.3'), [V4]],
    [s('ipv4', '192.0.2.55'), [V4]],
    [s('ipv4', '198.51.100.1'), [V4]],
    [s('ipv4', '203.0.113.9'), [V4]],
    [s('ipv4', '198.19.255.255'), [V4]],
    [s('ipv4', '198.20.0.0'), []],
    [s('ipv4', '224.0.0.251'), [V4]],
    [s('ipv4', '239.255.255.250'), [V4]],
    [s('ipv4', '240.0.0.1'), [V4]],
    [s('ipv4', '255.255.255.255'), [V4]],
    [s('ipv4', '8.8.8.8'), ['Public DNS resolvers (built-in)']],
    [s('ip:port', '[2606:4700:4700::1111]:443'), ['Public DNS resolvers (built-in)']],
    [s('ipv4', '8.8.8.9'), []],
    [s('md5', 'd41d8cd98f00b204e9800998ecf8427e'), ['Hashes of an empty file (built-in)']],
    [s('domain', 'portmap.host'), ['Dynamic-DNS, tunnelling and free-hosting services (built-in)']],
    [s('domain', 'a.portmap.host'), []],
    [s('ipv4', '91.214.65.17'), []],
    [s('ip:port', '192.168.1.1:2404', '192.168.1.1'), [V4]],
    [s('ip:port', '192.168.1.1:2404'), [V4]],
    [s('ip:port', '[fe80::1]:443'), [V6]],
    [s('ip:port', '84.38.129.122:443', '84.38.129.122'), []],
    [s('cidr', '10.20.0.0/16'), [V4]],
    [s('cidr', '8.0.0.0/7'), []],
    [s('cidr', '172.0.0.0/8'), []],
    [s('ipv6', '::1'), [V6]],
    [s('ipv6', '2001:db8::1'), [V6]],
    [s('ipv6', 'fd12:3456::1'), [V6]],
    [s('ipv6', 'fe80::1'), [V6]],
    [s('ipv6', 'ff02::1'), [V6]],
    [s('ipv6', '2606:4700:4700::1112'), []],
    [s('url', 'http://10.0.0.5:8080/x'), [V4]],
    [s('url', 'http://[fe80::1]/x'), [V6]],
    [s('url', 'http://91.214.65.17/x'), []],
    [s('domain', 'localhost'), [NAMES]],
    [s('domain', 'printer.local'), [NAMES]],
    [s('domain', 'a.b.example'), [NAMES]],
    [s('domain', 'example.com'), [NAMES]],
    [s('domain', 'www.example.org'), [NAMES]],
    [s('domain', 'x.test'), [NAMES]],
    [s('domain', 'router.home.arpa'), [NAMES]],
    [s('domain', 'notexample.com'), []],
    [s('domain', 'example.com.evil.net'), []],
    [s('url', 'https://www.example.com/a'), [NAMES]],
    [s('md5', '0123456789abcdef0123456789abcdef'), []],
  ]
  for (const [subject, expected] of cases) {
    assert.deepEqual(set.match(subject), expected, JSON.stringify(subject))
  }
  assert.deepEqual(
    set.lists.map((l) => [l.name, l.type, l.builtIn]),
    [
      [V4, 'cidr', true],
      [V6, 'cidr', true],
      [NAMES, 'hostname', true],
      ['Public DNS resolvers (built-in)', 'cidr', true],
      ['Hashes of an empty file (built-in)', 'string', true],
      ['Dynamic-DNS, tunnelling and free-hosting services (built-in)', 'string', true],
    ],
  )
})

function list(
  name: string,
  type: MispWarninglist['type'],
  entries: string[],
  attributes?: string[],
) {
  const result: MispWarninglist = {
    name,
    version: 1,
    description: `${name} list`,
    type,
    list: entries,
  }
  if (attributes !== undefined) result.matching_attributes = attributes
  return result
}

test('each MISP list type matches as MISP describes it', () => {
  const set = new WarninglistSet()
  set.add(
    list('exact', 'string', [
      'Exact.COM',
      'http://evil.com/a#frag',
      '1.2.3.4',
      'ABCDEF0123456789ABCDEF0123456789',
    ]),
  )
  set.add(list('dotted', 'string', ['.dotted.net']))
  set.add(list('host', 'hostname', [' Host.ORG. ', '*.wild.io', '.lead.io', 'bad']))
  set.add(list('sub', 'substring', ['analysis', 'CDN']))
  set.add(list('re', 'regex', ['/^c2-[0-9]+\\.evil\\.com$/', '^gate\\.', '/(unclosed/', '/x/x']))
  set.add(
    list('range', 'cidr', ['5.6.0.0/16', '9.9.9.9', '2a00:1450::/32', 'not-an-ip', '1.2.3.4/40']),
  )

  const cases: [WarninglistSubject, string[]][] = [
    [s('domain', 'exact.com'), ['exact']],
    [s('domain', 'www.exact.com'), []],
    [s('domain', 'dotted.net'), ['dotted']],
    [s('domain', 'a.b.dotted.net'), ['dotted']],
    [s('domain', 'host.org'), ['host']],
    [s('domain', 'deep.sub.host.org'), ['host']],
    [s('domain', 'nothost.org'), []],
    [s('domain', 'x.wild.io'), ['host']],
    [s('domain', 'x.lead.io'), ['host']],
    [s('domain', 'malware-analysis.org'), ['sub']],
    [s('domain', 'edge.cdn.example.net'), ['sub']],
    [s('domain', 'c2-17.evil.com'), ['re']],
    [s('domain', 'c2-x.evil.com'), []],
    [s('domain', 'gate.evil.com'), ['re']],
    [s('url', 'http://evil.com/a'), ['exact']],
    [s('url', 'http://evil.com/b'), []],
    [s('url', 'https://sub.host.org/analysis'), ['host', 'sub']],
    [s('ipv4', '1.2.3.4'), ['exact']],
    [s('ipv4', '5.6.200.1'), ['range']],
    [s('ipv4', '5.7.0.1'), []],
    [s('ip:port', '9.9.9.9:53', '9.9.9.9'), ['range']],
    [s('ipv4', '9.9.9.8'), []],
    [s('ipv6', '2a00:1450:4001::1'), ['range']],
    [s('cidr', '5.6.7.0/24'), ['range']],
    [s('cidr', '5.0.0.0/8'), []],
    [s('md5', 'abcdef0123456789abcdef0123456789'), ['exact']],
  ]
  for (const [subject, expected] of cases) {
    assert.deepEqual(set.match(subject), expected, JSON.stringify(subject))
  }

  const skipped = Object.fromEntries(set.lists.map((l) => [l.name, l.skipped.map((e) => e.entry)]))
  assert.deepEqual(skipped.re, ['/(unclosed/', '/x/x'])
  assert.deepEqual(skipped.range, ['not-an-ip', '1.2.3.4/40'])
  assert.deepEqual(skipped.host, [])
})

test('matching_attributes decides which indicators a list applies to', () => {
  const set = new WarninglistSet()
  set.add(list('ips only', 'string', ['evil.com', '1.2.3.4'], ['ip-src', 'ip-dst']))
  set.add(list('domains only', 'string', ['evil.com', '1.2.3.4'], ['domain', 'hostname']))
  set.add(list('urls', 'substring', ['evil'], ['url']))
  set.add(list('md5 only', 'string', ['d41d8cd98f00b204e9800998ecf8427e'], ['md5', 'filename|md5']))
  set.add(list('everything', 'substring', ['evil']))

  const cases: [WarninglistSubject, string[]][] = [
    // `url` lists apply to URL hosts, hence to domains as well.
    [s('domain', 'evil.com'), ['domains only', 'urls', 'everything']],
    [s('ipv4', '1.2.3.4'), ['ips only']],
    [s('ip:port', '1.2.3.4:80', '1.2.3.4'), ['ips only']],
    [s('url', 'http://evil.com/x'), ['domains only', 'urls', 'everything']],
    [s('url', 'http://1.2.3.4/x'), ['ips only']],
    [s('md5', 'd41d8cd98f00b204e9800998ecf8427e'), ['md5 only']],
  ]
  for (const [subject, expected] of cases) {
    assert.deepEqual(set.match(subject), expected, JSON.stringify(subject))
  }
})

test('a plain hostname entry stops at the public suffix; a dotted one does not', () => {
  const set = new WarninglistSet()
  set.add(list('top sites', 'hostname', ['duckdns.org', 'google.com', 'co.uk']))
  set.add(list('wildcards', 'hostname', ['.googleusercontent.com']))
  assert.deepEqual(set.match(s('domain', 'duckdns.org')), ['top sites'])
  assert.deepEqual(set.match(s('domain', 'c2.duckdns.org')), [])
  assert.deepEqual(set.match(s('domain', 'a.b.googleusercontent.com')), ['wildcards'])
  assert.deepEqual(set.match(s('domain', 'mail.google.com')), ['top sites'])
  assert.deepEqual(set.match(s('domain', 'evil.co.uk')), [])
})

test('a dynamic-DNS list flags the service, not the names people hold under it', () => {
  const set = new WarninglistSet()
  set.add(list('List of known dynamic DNS domains', 'hostname', ['.duckdns.org', 'ddns.net']))
  assert.deepEqual(set.match(s('domain', 'duckdns.org')), ['List of known dynamic DNS domains'])
  assert.deepEqual(set.match(s('domain', 'c2.duckdns.org')), [])
  assert.deepEqual(set.match(s('url', 'http://c2.ddns.net/gate.php')), [])
  assert.deepEqual(set.namespaceOf('c2.duckdns.org'), {
    domain: 'duckdns.org',
    list: 'List of known dynamic DNS domains',
  })
  assert.deepEqual(set.namespaceOf('a.b.ddns.net')?.domain, 'ddns.net')
  assert.equal(set.namespaceOf('duckdns.org'), undefined)
  assert.equal(set.namespaceOf('notduckdns.org'), undefined)
})

test('a wildcard on a private public suffix is a namespace in any list', () => {
  const set = new WarninglistSet()
  set.add(list('trusted', 'hostname', ['.pages.dev', '.example.net']))
  assert.deepEqual(set.match(s('domain', 'pages.dev')), ['trusted'])
  assert.deepEqual(set.match(s('domain', 'claudepage.pages.dev')), [])
  assert.deepEqual(set.match(s('domain', 'a.example.net')), ['trusted'])
  assert.deepEqual(set.namespaceOf('claudepage.pages.dev')?.domain, 'pages.dev')
})

test('lists added after a match are matched too', () => {
  const set = WarninglistSet.builtIn()
  assert.deepEqual(set.match(s('domain', 'evil.com')), [])
  set.add(list('late', 'string', ['evil.com']))
  assert.deepEqual(set.match(s('domain', 'evil.com')), ['late'])
})

test('the shared MISP lists flag resolvers, dynamic DNS, top sites, sinkholes, empty files', async (t) => {
  const dir = requireSharedData(t, 'warninglists')
  if (dir === undefined) return
  const set = await WarninglistSet.fromDirectory(dir)

  const cases: [WarninglistSubject, string][] = [
    [s('ipv4', '8.8.8.8'), 'List of known IPv4 public DNS resolvers'],
    [s('ip:port', '8.8.8.8:53', '8.8.8.8'), 'List of known IPv4 public DNS resolvers'],
    [s('ipv6', '2001:4860:4860::8888'), 'List of known IPv6 public DNS resolvers'],
    [s('domain', 'duckdns.org'), 'List of known dynamic DNS domains'],
    [s('domain', 'google.com'), 'Top 1000 websites from Cisco Umbrella'],
    [s('domain', 'google.com'), 'Top 10000 websites from Majestic Million'],
    [s('url', 'https://bit.ly/3xYz'), 'List of known URL Shorteners domains'],
    [s('ipv4', '104.155.11.149'), 'List of known sinkholes'],
    [s('md5', 'd41d8cd98f00b204e9800998ecf8427e'), 'List of known hashes for empty files'],
    [
      s('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
      'List of known hashes for empty files',
    ],
    [s('ipv4', '192.168.7.7'), 'List of RFC 1918 CIDR blocks'],
    [s('ipv4', '192.168.7.7'), V4],
    [
      s('domain', 'analyze.intezer.com'),
      'List of known domains used by automated malware analysis services & security vendors',
    ],
  ]
  for (const [subject, name] of cases) {
    assert.ok(set.match(subject).includes(name), `${JSON.stringify(subject)} not in ${name}`)
  }
  for (const subject of [
    s('ipv4', '91.214.65.17'),
    s('domain', 'a.portmap.host'),
    s('domain', 'xworm-c2.duckdns.org'),
    s('md5', '0123456789abcdef0123456789abcdef'),
  ]) {
    assert.deepEqual(set.match(subject), [], JSON.stringify(subject))
  }

  const resolvers = set.lists.find((l) => l.name === 'List of known IPv4 public DNS resolvers')
  assert.equal(resolvers?.entries, 62745)
  assert.equal(resolvers?.file, join(dir, 'public-dns-v4.json'))
  assert.equal(set.lists.filter((l) => !l.builtIn).length, 54)
  assert.equal(set.lists.filter((l) => l.builtIn).length, 6)
})

test('a bad warninglist file is refused, naming the file and the problem', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'huntpack-warninglist-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const good = list('fine', 'string', ['a.com'])
  const cases: [string, string][] = [
    ['{ "name": ', 'not valid JSON'],
    ['[]', 'the top level must be a JSON object'],
    [
      JSON.stringify({ ...good, type: 'glob' }),
      '"type" must be one of string, substring, hostname, cidr, regex; found "glob"',
    ],
    [JSON.stringify({ ...good, list: 'a.com' }), '"list" must be an array of strings'],
    [JSON.stringify({ ...good, list: ['a.com', 7] }), '"list" entry 1 is 7, not a string'],
    [JSON.stringify({ ...good, version: '1' }), '"version" must be an integer'],
    [JSON.stringify({ ...good, name: '' }), '"name" must be a non-empty string'],
    [
      JSON.stringify({ ...good, matching_attributes: 'domain' }),
      '"matching_attributes" must be an array of strings',
    ],
  ]
  for (const [i, [text, problem]] of cases.entries()) {
    const caseDir = join(dir, String(i))
    await mkdir(caseDir)
    await writeFile(join(caseDir, 'a-good.json'), JSON.stringify(good))
    const file = join(caseDir, 'broken.json')
    await writeFile(file, text)
    await assert.rejects(WarninglistSet.fromDirectory(caseDir), (error: unknown) => {
      assert.ok(error instanceof IntelFormatError)
      assert.equal(error.code, 'ERR_INTEL_FORMAT')
      assert.ok(error.message.startsWith(`${file}: `), error.message)
      assert.ok(error.message.includes(problem), `${error.message} lacks ${problem}`)
      return true
    })
  }
  await writeFile(join(dir, 'only.json'), JSON.stringify(good))
  await writeFile(join(dir, 'notes.txt'), 'not a list')
  const set = await WarninglistSet.fromDirectory(dir)
  assert.deepEqual(
    set.lists.map((l) => l.name),
    [
      V4,
      V6,
      NAMES,
      'Public DNS resolvers (built-in)',
      'Hashes of an empty file (built-in)',
      'Dynamic-DNS, tunnelling and free-hosting services (built-in)',
      'fine',
    ],
  )
  await assert.rejects(WarninglistSet.fromDirectory(join(dir, 'missing')), IntelFormatError)
})
