import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { HuntpackError } from '../src/errors.ts'
import type { LogEvent } from '../src/logs/event.ts'
import { listLogInputs, peekText } from '../src/logs/input.ts'
import { detectLogFormat, readLogEvents } from '../src/logs/readers/index.ts'
import { eveHttpUrl, hostAndPort, suricataEveReader } from '../src/logs/readers/suricata.ts'
import { zeekJsonReader } from '../src/logs/readers/zeek.ts'
import { requireSharedData } from './support/shared-data.ts'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs')
const EDGE = join(FIXTURES, 'suricata', 'edge.json')

function at(events: LogEvent[], line: number): LogEvent {
  const found = events.find((e) => e.SourceLine === line)
  assert.ok(found, `an event on line ${line}`)
  return found
}

function tuple(e: LogEvent): unknown[] {
  return [e.SrcIpAddr, e.SrcPortNumber, e.DstIpAddr, e.DstPortNumber]
}

function countBy(events: LogEvent[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const e of events) counts[e.EventType] = (counts[e.EventType] ?? 0) + 1
  return counts
}

async function detectedId(path: string): Promise<string> {
  const [input] = await listLogInputs([path])
  assert.ok(input)
  return (await detectLogFormat(input)).id
}

describe('Suricata samples', () => {
  test('eve.json: 266 events by type, detected, every one timed', async (t) => {
    const path = requireSharedData(t, 'logs/suricata/surevego/eve.json')
    if (path === undefined) return
    assert.equal(await detectedId(path), 'suricata-eve')
    const { events, stats } = await readLogEvents([path])
    // `jq -r .event_type eve.json | sort | uniq -c`: alert 68, fileinfo 68, http 68, dns 48,
    // flow 13, stats 1.
    assert.equal(events.length, 266)
    assert.deepEqual(stats.broken, [])
    assert.deepEqual(countBy(events), {
      alert: 68,
      file: 68,
      http: 68,
      dns: 48,
      network: 13,
      other: 1,
    })
    assert.ok(events.every((e) => e.TimeGenerated !== null && e.LogFormat === 'suricata-eve'))
  })

  test('eve.json: records read right', async (t) => {
    const path = requireSharedData(t, 'logs/suricata/surevego/eve.json')
    if (path === undefined) return
    const { events } = await readLogEvents([path])

    const query = at(events, 1)
    assert.equal(query.EventType, 'dns')
    assert.equal(query.DnsQuery, '_http._tcp.security.debian.org')
    assert.deepEqual(query.DnsResponse, [])
    assert.deepEqual(tuple(query), ['172.17.0.2', 55645, '172.21.3.254', 53])
    assert.equal(query.TimeGenerated, '2017-01-30T15:12:26.985Z')
    assert.equal(query.NetworkProtocol, 'udp')

    // A v1 answer is written from the server's packet: the client stays Src.
    const answer = at(events, 5)
    assert.equal(answer.DnsQuery, 'prod.debian.map.fastly.net')
    assert.deepEqual(answer.DnsResponse, ['151.101.12.204'])
    assert.deepEqual(tuple(answer), ['172.17.0.2', 47719, '172.21.3.254', 53])
    assert.deepEqual(at(events, 6).DnsResponse, ['ns1.fastly.net'])
    assert.deepEqual(at(events, 13).DnsResponse, ['2a04:4e42:3::204'])

    const alert = at(events, 49)
    assert.equal(alert.EventType, 'alert')
    assert.equal(
      alert.DvcAction,
      'allowed: ET POLICY GNU/Linux APT User-Agent Outbound likely related to package management',
    )
    assert.equal(
      alert.Url,
      'http://deb.debian.org/debian/pool/main/p/perl/perl-base_5.24.1-1_amd64.deb',
    )
    assert.deepEqual(tuple(alert), ['172.17.0.2', 41402, '54.230.202.37', 80])

    const http = at(events, 51)
    assert.equal(http.EventType, 'http')
    assert.equal(http.TargetHostname, 'deb.debian.org')
    assert.equal(http.UrlHost, 'deb.debian.org')
    assert.equal(
      http.Url,
      'http://deb.debian.org/debian/pool/main/p/perl/perl-base_5.24.1-1_amd64.deb',
    )

    // fileinfo follows the file: this download names the server as src_ip, kept as written.
    const file = at(events, 50)
    assert.equal(file.EventType, 'file')
    assert.deepEqual(tuple(file), ['54.230.202.37', 80, '172.17.0.2', 41402])
    assert.equal(file.FileMD5, null)

    const flow = at(events, 253)
    assert.equal(flow.EventType, 'network')
    assert.deepEqual(tuple(flow), ['172.17.0.2', 46038, '151.101.12.204', 80])
    assert.equal(flow.NetworkProtocol, 'tcp')

    const stats = at(events, 266)
    assert.equal(stats.EventType, 'other')
    assert.deepEqual(tuple(stats), [null, null, null, null])
  })

  test('eve_broken.json: 263 events, the 6 broken lines reported by line', async (t) => {
    const path = requireSharedData(t, 'logs/suricata/surevego/eve_broken.json')
    if (path === undefined) return
    assert.equal(await detectedId(path), 'suricata-eve')
    const { events, stats } = await readLogEvents([path])
    // 269 non-empty lines; Python's json.loads refuses lines 1, 4, 5, 104, 160 and 270.
    assert.equal(events.length, 263)
    assert.deepEqual(
      stats.broken.map((b) => [b.line, b.record]),
      [
        [1, 1],
        [4, 4],
        [5, 5],
        [104, 103],
        [160, 156],
        [270, 266],
      ],
    )
    assert.ok(stats.broken.every((b) => b.file === path && b.reason.startsWith('not JSON: ')))
    // Line 2 is JSON with a timestamp that is no time: an event without one.
    assert.equal(at(events, 2).TimeGenerated, null)
    assert.equal(at(events, 2).DnsQuery, '_http._tcp.security.debian.org')
  })
})

describe('Suricata fixtures', () => {
  test('direction, DNS versions, URLs, hashes, hostile values', async () => {
    assert.equal(await detectedId(EDGE), 'suricata-eve')
    const { events, stats } = await readLogEvents([EDGE])
    assert.equal(events.length, 19)
    assert.deepEqual(
      stats.broken.map((b) => [b.line, b.record]),
      [[11, 11]],
    )

    const flowTuple = at(events, 1)
    assert.deepEqual(tuple(flowTuple), ['10.0.0.5', 50000, '203.0.113.9', 443])
    assert.equal(flowTuple.EventType, 'alert')
    assert.equal(flowTuple.Dvc, 'ids-1')
    assert.equal(flowTuple.TargetHostname, 'c2.evil.example')
    assert.equal(
      flowTuple.DvcAction,
      'blocked: ET MALWARE "Evil" <script>alert(1)</script> =cmd|\' /C calc\'!A0',
    )
    const toClient = at(events, 2)
    assert.deepEqual(tuple(toClient), ['10.0.0.5', 50001, '203.0.113.10', 80])
    assert.equal(toClient.TimeGenerated, '2025-12-31T23:00:01.000Z')

    // v2 in flow direction (Suricata 6 and 7): kept; v2 from the server (5.x) and v3: turned.
    const detailed = at(events, 3)
    assert.deepEqual(tuple(detailed), ['10.0.0.5', 40000, '10.0.0.1', 53])
    assert.equal(detailed.DnsQuery, 'www.evil.example')
    assert.deepEqual(detailed.DnsResponse, ['edge.evil.example', '198.51.100.20', '2001:db8::20'])
    const grouped = at(events, 4)
    assert.deepEqual(tuple(grouped), ['10.0.0.5', 40001, '10.0.0.1', 53])
    assert.deepEqual(grouped.DnsResponse, ['198.51.100.21', '198.51.100.22', 'alias.evil.example'])
    const v3 = at(events, 5)
    assert.deepEqual(tuple(v3), ['10.0.0.5', 40002, '10.0.0.1', 53])
    assert.equal(v3.DnsQuery, 'v3.evil.example')
    assert.deepEqual(v3.DnsResponse, ['192.0.2.33'])

    assert.equal(at(events, 6).Url, 'http://www.evil.example:8080/a?b=%22c%22&d=%3Cx%3E')
    assert.equal(at(events, 7).Url, 'http://proxied.example/p')
    assert.equal(at(events, 8).Url, null)
    assert.equal(at(events, 8).TargetHostname, 'tunnel.example')
    assert.equal(at(events, 9).Url, 'http://[2001:db8::7]/x')
    assert.equal(at(events, 9).TargetHostname, null)

    const file = at(events, 10)
    assert.equal(file.EventType, 'file')
    assert.equal(file.FileMD5, '0123456789abcdef0123456789abcdef')
    assert.equal(file.FileSHA1, '0123456789abcdef0123456789abcdef01234567')
    assert.equal(file.FileSHA256, `${'0123456789abcdef'.repeat(4)}`)
    assert.equal(file.Url, 'http://www.evil.example:8080/payload.exe')

    assert.equal(at(events, 12).TargetHostname, 'quic.evil.example')
    assert.equal(at(events, 12).EventType, 'tls')
    assert.equal(at(events, 13).EventType, 'network')
    assert.equal(at(events, 14).EventType, 'network')
    assert.equal(at(events, 14).NetworkProtocol, 'udp')
    assert.equal(at(events, 15).TargetHostname, 'login.evil.example')
    assert.equal(at(events, 15).TimeGenerated, null)
    assert.equal(at(events, 16).EventType, 'other')

    assert.equal(at(events, 17).User, 'alice')
    assert.equal(at(events, 17).EventType, 'network')
    assert.equal(at(events, 18).User, 'bob"<script>')
    const drop = at(events, 19)
    assert.equal(drop.DvcAction, 'drop')
    assert.deepEqual(tuple(drop), ['203.0.113.66', 4444, '10.0.0.5', 50020])
    // `<empty>` is Suricata's word for no name.
    assert.equal(at(events, 20).User, null)
  })

  test('raw values before normalisation are as the log wrote them', async () => {
    const [input] = await listLogInputs([EDGE])
    assert.ok(input)
    const raw: LogEvent[] = []
    await suricataEveReader.read(input, { event: (e) => raw.push(e), broken: () => {} })
    assert.equal(at(raw, 6).Url, 'http://www.evil.example:8080/a?b="c"&d=<x>')
    assert.equal(at(raw, 3).DnsResponse[2], '2001:0db8:0000:0000:0000:0000:0000:0020')
    assert.equal(at(raw, 10).FileMD5, '0123456789ABCDEF0123456789ABCDEF')
    assert.equal(at(raw, 15).TargetHostname, 'Login.Evil.Example.')
  })

  test('gzip, BOM and CRLF', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-eve-'))
    const text = readFileSync(EDGE, 'utf8')
    const gz = join(dir, 'eve.json.gz')
    const crlf = join(dir, 'eve-crlf.json')
    writeFileSync(gz, gzipSync(text))
    writeFileSync(crlf, `\ufeff${text.replaceAll('\n', '\r\n')}`)
    for (const path of [gz, crlf]) {
      assert.equal(await detectedId(path), 'suricata-eve')
      const { events, stats } = await readLogEvents([path])
      assert.equal(events.length, 19)
      assert.equal(stats.broken.length, 1)
      assert.equal(at(events, 16).EventType, 'other')
      assert.equal(at(events, 1).SrcIpAddr, '10.0.0.5')
    }
  })

  test('a JSON file that is not EVE, forced, is refused naming the file', async () => {
    const path = join(FIXTURES, 'zeek', 'mixed.json')
    await assert.rejects(readLogEvents([path], { format: 'suricata-eve' }), (error: unknown) => {
      assert.ok(error instanceof HuntpackError)
      assert.equal(error.code, 'ERR_LOG_FORMAT')
      assert.match(error.message, /mixed\.json:1: .*event_type/)
      return true
    })
  })
})

describe('Suricata detection against the other JSON logs', () => {
  const others = [
    'zeek/otrf-apt29-json/day1/NASHUA_dns.log',
    'zeek/zed-sample-data/zeek-json/dns.json.gz',
    'defender/Microsoft365DefenderEvents.json',
    'sysmon-json/otrf-atomic/psh_cmstp_execution_bypassuac_2020-10-2201543213.json',
    'azure-monitor/vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
  ]
  for (const rel of others) {
    test(`the EVE reader does not claim ${rel}`, async (t) => {
      const path = requireSharedData(t, `logs/${rel}`)
      if (path === undefined) return
      const [input] = await listLogInputs([path])
      assert.ok(input)
      assert.equal(suricataEveReader.detect(await peekText(input), input.name), false)
    })
  }

  test('the Zeek JSON reader does not claim EVE', async () => {
    const head = readFileSync(EDGE, 'utf8')
    assert.equal(zeekJsonReader.detect(head, EDGE), false)
    assert.equal(suricataEveReader.detect(head, EDGE), true)
  })
})

describe('eveHttpUrl', () => {
  test('hostname, Host port, proxies, CONNECT, no hostname', () => {
    assert.equal(
      eveHttpUrl({ hostname: 'a.example', url: '/x' }, '192.0.2.1'),
      'http://a.example/x',
    )
    assert.equal(
      eveHttpUrl({ hostname: 'a.example', http_port: 81, url: '/x' }, null),
      'http://a.example:81/x',
    )
    assert.equal(
      eveHttpUrl({ hostname: 'a.example', url: 'http://b.example/y' }, null),
      'http://b.example/y',
    )
    assert.equal(
      eveHttpUrl({ hostname: 'a.example', url: 'a.example:443', http_method: 'CONNECT' }, null),
      null,
    )
    assert.equal(eveHttpUrl({ url: '/x' }, '192.0.2.1'), 'http://192.0.2.1/x')
    assert.equal(eveHttpUrl({ url: '/x' }, null), null)
    assert.equal(eveHttpUrl({ hostname: 'a.example' }, null), null)
  })
})

test('an HTTP Host with a port: the name is the target host, the port goes into the URL', () => {
  assert.deepEqual(hostAndPort('cdn.evil.example:8080'), { host: 'cdn.evil.example', port: 8080 })
  assert.deepEqual(hostAndPort('[2001:db8::1]:80'), { host: '2001:db8::1', port: 80 })
  assert.deepEqual(hostAndPort('2001:db8::1'), { host: '2001:db8::1', port: null })
  assert.equal(
    eveHttpUrl({ hostname: 'cdn.evil.example:8080', url: '/a.exe' }, null),
    'http://cdn.evil.example:8080/a.exe',
  )
})
