import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { Pack } from '../src/pack/pack.ts'
import { blocklists, blocklistTarget } from '../src/targets/blocklist/index.ts'
import { mispTarget } from '../src/targets/misp/index.ts'
import { stixPattern, stixTarget } from '../src/targets/stix/index.ts'
import { suricataFiles, suricataTarget } from '../src/targets/suricata/index.ts'
import { contentPattern, messageText, stableSid } from '../src/targets/suricata/syntax.ts'
import type { Target } from '../src/targets/target.ts'
import { zeekString, zeekTarget } from '../src/targets/zeek/index.ts'
import { huntpack } from './support/cli.ts'
import { assertGoldenTree } from './support/golden.ts'
import { indicator } from './support/indicators.ts'
import {
  contentOf,
  EXCHANGE_TARGETS,
  identities,
  packContents,
  parseRulesFile,
  parseZeekIntel,
  readBackMisp,
  readBackStix,
  text,
} from './targets-exchange-support.ts'

const GOLDEN = fileURLToPath(new URL('./golden/targets/exchange/', import.meta.url))
const FEED = 'examples/threatfox_recent.csv'
const TARGETS: Target[] = [suricataTarget, zeekTarget, stixTarget, mispTarget, blocklistTarget]

/** XWorm (ip:port, domains), Lumma Stealer (domains, URLs, a hash), Cobalt Strike (IPv6). */
function examples() {
  return packContents([FEED], ['XWorm', 'Lumma Stealer', 'Cobalt Strike'])
}

function filesOf(contents: Awaited<ReturnType<typeof examples>>, targets = TARGETS) {
  const files = new Map<string, string>()
  for (const content of contents) {
    for (const target of targets) {
      for (const file of target.emit(content, [])) files.set(file.path, text(file.content))
    }
  }
  return files
}

function pack(indicators: Pack['indicators'], more: Partial<Pack> = {}): Pack {
  return {
    id: 'test',
    name: 'Test',
    title: 'Feed: Test IOCs',
    groupBy: 'family',
    aliases: [],
    feeds: ['feed.csv'],
    indicators,
    warninglisted: [],
    rejections: [],
    ...more,
  }
}

describe('exchange targets', () => {
  test('the example packs give exactly the reviewed files', async () => {
    const files = filesOf(await examples())
    // Files sit at <pack>/<target>/<file>; folders are not compared.
    assertGoldenTree(GOLDEN, files, (path) => path.split(/[\\/]/).length === 3)
  })

  test('output is the same on every build and lists only hunted indicators', async () => {
    const first = filesOf(await examples())
    assert.deepEqual(filesOf(await examples()), first)
    // 8.8.8.8:53 (Unknown malware) and 192.168.13.37 are warninglisted: in no file at all.
    const all = filesOf(await packContents([FEED]))
    for (const [path, content] of all) {
      assert.ok(!content.includes('8.8.8.8'), path)
      assert.ok(!content.includes('192.168.13.37'), path)
    }
  })

  test('STIX bundles read back to the same indicators and families', async () => {
    for (const content of await packContents([FEED])) {
      const [file] = stixTarget.emit(content, [])
      assert.ok(file)
      const back = readBackStix(text(file.content))
      assert.deepEqual(identities(back), identities(content.pack.indicators), content.pack.id)
      const bundle = JSON.parse(text(file.content))
      for (const object of bundle.objects) {
        assert.match(
          object.id,
          /^[a-z-]+--[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        )
        assert.equal(object.spec_version, '2.1')
        assert.match(object.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
        assert.ok(object.modified >= object.created, object.id)
      }
      const ids = bundle.objects.map((o: { id: string }) => o.id)
      assert.equal(new Set(ids).size, ids.length)
    }
  })

  test('MISP events read back to the same indicators and families', async () => {
    for (const content of await packContents([FEED])) {
      const [file] = mispTarget.emit(content, [])
      assert.ok(file)
      const back = readBackMisp(text(file.content))
      assert.deepEqual(identities(back), identities(content.pack.indicators), content.pack.id)
      const event = JSON.parse(text(file.content)).Event
      assert.ok(event.Attribute.every((a: { to_ids: boolean }) => a.to_ids === true))
    }
  })

  test('every indicator kind reads back from STIX and MISP', () => {
    const content = contentOf(
      pack(
        [
          indicator('ipv4', '203.0.113.9'),
          indicator('ipv6', '2001:db8::9'),
          indicator('cidr', '198.51.100.0/24'),
          indicator('cidr', '2001:db8:1::/48'),
          indicator('ip:port', '203.0.113.7:443'),
          indicator('ip:port', '[2001:db8::7]:8443'),
          indicator('domain', 'c2.example.net'),
          indicator('url', "http://x.example.net:8080/a;b|c'd/e%22?q=%22x%22"),
          indicator('md5', `${'a'.repeat(31)}b`),
          indicator('sha1', `${'a'.repeat(39)}b`),
          indicator('sha256', `${'a'.repeat(63)}b`),
        ].map((i) => ({ ...i, family: 'Alpha' })),
      ),
    )
    const expected = identities(content.pack.indicators)
    assert.deepEqual(
      identities(readBackStix(text(stixTarget.emit(content, [])[0]?.content ?? ''))),
      expected,
    )
    assert.deepEqual(
      identities(readBackMisp(text(mispTarget.emit(content, [])[0]?.content ?? ''))),
      expected,
    )
  })

  test('a pack grouped by threat type tags each attribute with its family', () => {
    const content = contentOf(
      pack(
        [
          indicator('domain', 'a.example.net', { family: 'Alpha' }),
          indicator('ipv4', '203.0.113.9', { family: 'Beta' }),
        ],
        { groupBy: 'threat-type', name: 'botnet_cc' },
      ),
    )
    const event = text(mispTarget.emit(content, [])[0]?.content ?? '')
    assert.deepEqual(identities(readBackMisp(event)), identities(content.pack.indicators))
    const bundle = text(stixTarget.emit(content, [])[0]?.content ?? '')
    assert.deepEqual(identities(readBackStix(bundle)), identities(content.pack.indicators))
    assert.equal(
      JSON.parse(bundle).objects.filter((o: { type: string }) => o.type === 'malware').length,
      2,
    )
  })

  test('STIX patterns for every kind', () => {
    const cases: [Parameters<typeof indicator>, string][] = [
      [['ipv4', '203.0.113.7'], "[ipv4-addr:value = '203.0.113.7']"],
      [['ipv6', '2001:db8::7'], "[ipv6-addr:value = '2001:db8::7']"],
      [['cidr', '198.51.100.0/24'], "[ipv4-addr:value = '198.51.100.0/24']"],
      [
        ['ip:port', '[2001:db8::7]:443'],
        "[network-traffic:dst_ref.type = 'ipv6-addr' AND network-traffic:dst_ref.value = '2001:db8::7' AND network-traffic:dst_port = 443]",
      ],
      [['domain', 'c2.example.net'], "[domain-name:value = 'c2.example.net']"],
      [['url', "http://x.example.net/it's\\"], "[url:value = 'http://x.example.net/it\\'s\\\\']"],
      [['md5', `${'a'.repeat(31)}b`], `[file:hashes.MD5 = '${'a'.repeat(31)}b']`],
      [['sha1', `${'a'.repeat(39)}b`], `[file:hashes.'SHA-1' = '${'a'.repeat(39)}b']`],
      [['sha256', `${'a'.repeat(63)}b`], `[file:hashes.'SHA-256' = '${'a'.repeat(63)}b']`],
    ]
    for (const [[kind, value], pattern] of cases) {
      assert.equal(stixPattern(indicator(kind, value), 'x'), pattern)
    }
  })

  test('Suricata rules parse, sids are unique and stable, and match what the KQL matches', async () => {
    const files = filesOf(await examples(), [suricataTarget])
    const xworm = parseRulesFile(files.get('xworm/suricata/xworm.rules') ?? '')
    const dns = xworm.find((r) => r.proto === 'dns' && r.msg.includes('kvq7-relay'))
    assert.ok(dns)
    // Label boundary: `.name` at the end of the query with a dot put in front of it.
    const names = dns.options.map((o) => o.name)
    assert.deepEqual(names.slice(1, 6), ['dns.query', 'dotprefix', 'content', 'nocase', 'endswith'])
    assert.equal(dns.contents[0]?.toString(), '.kvq7-relay.portmap.host')
    const c2 = xworm.find((r) => r.destination === '91.214.65.17' && r.destinationPort === '7000')
    assert.equal(c2?.direction, '<>')
    assert.equal(c2?.sourcePort, 'any')
    const lumma = parseRulesFile(files.get('lumma-stealer/suricata/lumma-stealer.rules') ?? '')
    const escaped = lumma.find((r) => r.msg.includes('Setup%20x64'))
    assert.ok(escaped?.options.some((o) => o.name === 'http.uri.raw'))
    assert.equal(escaped?.contents[1]?.toString(), '/files/Setup%20x64.msi?ref=ad')
    const hashes = lumma.filter((r) => r.options.some((o) => o.name === 'filesha256'))
    assert.deepEqual(
      hashes.map((r) => r.proto),
      ['http', 'smtp'],
    )
    // A sid depends on pack and key only.
    const taken = new Set<number>()
    assert.equal(stableSid('xworm', 'dns/kvq7-relay.portmap.host', taken), dns.sid)
    assert.notEqual(stableSid('other', 'dns/kvq7-relay.portmap.host', new Set()), dns.sid)
    // A collision takes the next free sid.
    assert.equal(stableSid('xworm', 'dns/kvq7-relay.portmap.host', taken), dns.sid + 1)
  })

  test('Suricata: addresses in chunks of 50, many domains through a base64 dataset', () => {
    const addresses = Array.from({ length: 120 }, (_, i) =>
      indicator('ipv4', `198.51.${Math.floor(i / 200)}.${i + 1}`),
    )
    addresses.push(indicator('cidr', '203.0.113.0/24'), indicator('ipv6', '2001:db8::9'))
    const domains = Array.from({ length: 5 }, (_, i) => indicator('domain', `c${i}.example.net`))
    const content = contentOf(pack([...addresses, ...domains]))
    const inline = suricataFiles(content)
    const rules = parseRulesFile(text(inline[0]?.content ?? ''))
    const ipRules = rules.filter((r) => r.proto === 'ip')
    assert.deepEqual(
      ipRules.map((r) => r.destination.split(',').length),
      [50, 50, 22],
    )
    assert.ok(ipRules[2]?.destination.includes('203.0.113.0/24,2001:db8::9]'))
    assert.equal(rules.filter((r) => r.options.some((o) => o.name === 'dotprefix')).length, 15)

    const listed = suricataFiles(content, { datasetThreshold: 4 })
    const lst = listed.find((f) => f.path === 'test/suricata/test-domains.lst')
    assert.ok(lst)
    const values = text(lst.content).trimEnd().split('\n')
    assert.deepEqual(
      values.map((v) => Buffer.from(v, 'base64').toString()),
      domains.map((d) => d.value),
    )
    const dataset = parseRulesFile(text(listed[0]?.content ?? '')).filter((r) =>
      r.options.some((o) => o.name === 'dataset'),
    )
    assert.deepEqual(
      dataset.map((r) => [r.proto, r.options.find((o) => o.name === 'dataset')?.raw]),
      ['dns', 'tls', 'http'].map((proto) => [
        proto,
        'isset,huntpack-test-domains,type string,load test-domains.lst',
      ]),
    )
  })

  test('Suricata file and dataset names are ASCII even when the pack id is not', () => {
    const domains = Array.from({ length: 3 }, (_, i) => indicator('domain', `c${i}.example.net`))
    const content = contentOf(
      pack([...domains, indicator('md5', 'ab'.repeat(16))], { id: 'bücher' }),
    )
    const paths = suricataFiles(content, { datasetThreshold: 2 }).map((f) => f.path)
    assert.equal(paths.length, 3)
    for (const path of paths)
      assert.match(path, /^bücher\/suricata\/bucher-[0-9a-f]{8}(?:-domains|-md5)?\.(?:rules|lst)$/)
  })

  test('Suricata escaping: content as hex where the syntax needs it, msg with backslashes', () => {
    assert.equal(contentPattern('a;b"c\\d|e'), 'a|3B|b|22|c|5C|d|7C|e')
    assert.equal(contentPattern('ü\n'), '|C3||BC||0A|')
    assert.equal(messageText('a;b"c\\d\ne'), 'a\\;b\\"c\\\\d e')
  })

  test('Zeek Intel: one line per value, ports of an address merged, types mapped', async () => {
    const files = filesOf(await examples(), [zeekTarget])
    const xworm = parseZeekIntel(files.get('xworm/zeek/intel.dat') ?? '')
    const address = xworm.filter((l) => l.indicator === '91.214.65.17')
    assert.equal(address.length, 1)
    assert.equal(address[0]?.type, 'Intel::ADDR')
    assert.match(address[0]?.desc ?? '', /ports 7000, 443/)
    const lumma = parseZeekIntel(files.get('lumma-stealer/zeek/intel.dat') ?? '')
    assert.deepEqual(
      lumma.map((l) => [l.type, l.indicator]),
      [
        ['Intel::URL', 'cdn-update.brivelto.shop/files/setup_x64.msi'],
        ['Intel::URL', 'cdn-update.brivelto.shop/files/Setup%20x64.msi?ref=ad'],
        ['Intel::DOMAIN', 'winupdate-check.brivelto.shop'],
        ['Intel::FILE_HASH', '3f0c2a5d6e1b47a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6'],
      ],
    )
    const subnet = parseZeekIntel(
      text(
        zeekTarget.emit(contentOf(pack([indicator('cidr', '203.0.113.0/24')])), [])[0]?.content ??
          '',
      ),
    )
    assert.equal(subnet[0]?.type, 'Intel::SUBNET')
    const merged = parseZeekIntel(
      text(
        zeekTarget.emit(
          contentOf(
            pack([
              indicator('ip:port', '203.0.113.7:443', { confidence: 50, family: 'A' }),
              indicator('ipv4', '203.0.113.7', { confidence: 90, family: 'A' }),
            ]),
          ),
          [],
        )[0]?.content ?? '',
      ),
    )
    assert.deepEqual(
      merged.map((l) => [l.indicator, l.desc]),
      [['203.0.113.7', 'A; ip:port, ipv4; port 443; botnet_cc; confidence 90']],
    )
    assert.equal(zeekString('-'), '\\x2d')
    assert.equal(zeekString('(empty)'), '\\x28empty)')
    assert.equal(zeekString(''), '(empty)')
    assert.equal(zeekString('a\tb\\c\nd'), 'a\\x09b\\x5cc\\x0ad')
  })

  test('blocklists: addresses of ip:port once, ranges, domains, zone with its subdomains', () => {
    const content = contentOf(
      pack([
        indicator('ip:port', '203.0.113.7:443'),
        indicator('ip:port', '203.0.113.7:8443'),
        indicator('ipv6', '2001:db8::7'),
        indicator('cidr', '198.51.100.0/24'),
        indicator('domain', 'c2.example.net', { lastSeen: '2026-04-12T04:49:28Z' }),
        indicator('url', 'https://x.example.net/a?b=c'),
        indicator('sha256', 'ab'.repeat(32)),
      ]),
    )
    const files = new Map(blocklistTarget.emit(content, []).map((f) => [f.path, text(f.content)]))
    assert.equal(files.get('test/blocklist/ips.txt'), '203.0.113.7\n2001:db8::7\n198.51.100.0/24\n')
    assert.equal(files.get('test/blocklist/hosts.txt'), '0.0.0.0 c2.example.net\n')
    assert.equal(files.get('test/blocklist/urls.txt'), 'https://x.example.net/a?b=c\n')
    const zone = files.get('test/blocklist/rpz.zone') ?? ''
    assert.match(zone, /^@ IN SOA localhost\. root\.localhost\. 1775969368 /m)
    assert.match(zone, /^c2\.example\.net CNAME \.\n\*\.c2\.example\.net CNAME \.\n$/m)
    // No list without values.
    const onlyHash = blocklistTarget.emit(contentOf(pack([indicator('md5', 'ab'.repeat(16))])), [])
    assert.deepEqual(onlyHash, [])
  })

  test('a value that would break a list or a rule is refused, naming pack, value and source', () => {
    const bad: [Parameters<typeof indicator>, Target[]][] = [
      [
        ['domain', 'evil.example.net\n0.0.0.0 bank.example'],
        [blocklistTarget, suricataTarget],
      ],
      [
        ['domain', 'a b.example.net'],
        [blocklistTarget, zeekTarget, suricataTarget],
      ],
      [
        ['url', 'http://x.example.net/a b'],
        [blocklistTarget, zeekTarget],
      ],
      [
        ['ipv4', '203.0.113.7 any'],
        [blocklistTarget, suricataTarget],
      ],
      [['url', 'http://x.example.net;/a'], [suricataTarget]],
      [['md5', 'zz'.repeat(16)], [suricataTarget]],
    ]
    for (const [[kind, value], targets] of bad) {
      const content = contentOf(
        pack([indicator(kind, value, { sources: [{ feed: 'f.csv', file: 'in/f.csv', line: 7 }] })]),
      )
      for (const target of targets) {
        assert.throws(
          () => target.emit(content, []),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'ERR_TARGET', `${target.id} ${value}`)
            assert.ok(error.message.startsWith('in/f.csv:7: test: '), error.message)
            assert.ok(error.message.includes(JSON.stringify(value)), error.message)
            return true
          },
          `${target.id} ${JSON.stringify(value)}`,
        )
      }
    }
    assert.deepEqual(blocklists(contentOf(pack([]))), { ips: [], domains: [], urls: [] })
  })
})

describe('build --targets with the exchange targets', () => {
  test('writes their files, lists them on the page and in pack.json, and removes them on a rebuild', () => {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-exchange-'))
    const first = huntpack(
      'build',
      FEED,
      '--out',
      out,
      '--targets',
      EXCHANGE_TARGETS.join(','),
      '-q',
    )
    assert.equal(first.status, 0, first.stderr)
    const written = [
      'xworm/suricata/xworm.rules',
      'xworm/zeek/intel.dat',
      'xworm/zeek/intel.zeek',
      'xworm/stix/bundle.json',
      'xworm/misp/event.json',
      'xworm/blocklist/ips.txt',
      'xworm/blocklist/rpz.zone',
      'lumma-stealer/blocklist/urls.txt',
      'lumma-stealer/suricata/lumma-stealer-sha256.lst',
    ]
    for (const file of written) assert.ok(existsSync(join(out, file)), file)
    const golden = readFileSync(join(GOLDEN, 'xworm', 'suricata', 'xworm.rules'), 'utf8')
    assert.equal(readFileSync(join(out, 'xworm', 'suricata', 'xworm.rules'), 'utf8'), golden)
    const json = JSON.parse(readFileSync(join(out, 'xworm', 'pack.json'), 'utf8'))
    const listed = json.artefacts.map(
      (a: { target: string; file: string }) => `${a.target} ${a.file}`,
    )
    assert.ok(listed.includes('suricata suricata/xworm.rules'))
    assert.ok(listed.includes('blocklist blocklist/hosts.txt'))
    const page = readFileSync(join(out, 'xworm', 'README.md'), 'utf8')
    assert.match(page, /- `zeek`: `zeek\/intel\.dat`/)
    const again = huntpack('build', FEED, '--out', out, '-q')
    assert.equal(again.status, 0, again.stderr)
    for (const file of written) assert.ok(!existsSync(join(out, file)), file)
  })
})
