import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, type TestContext, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { HuntpackError } from '../src/errors.ts'
import type { LogEvent } from '../src/logs/event.ts'
import { listLogInputs, peekText } from '../src/logs/input.ts'
import type { LogReader } from '../src/logs/reader.ts'
import { detectLogFormat, LOG_READERS, readLogEvents } from '../src/logs/readers/index.ts'
import { logTimes } from '../src/logs/readers/log-times.ts'
import { unescapeZeek, zeekJsonReader, zeekTsvReader } from '../src/logs/readers/zeek.ts'
import { zeekHttpUrl } from '../src/logs/readers/zeek-map.ts'
import { parseLogTime } from '../src/logs/time.ts'
import { requireSharedData } from './support/shared-data.ts'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs')

interface Raw {
  events: LogEvent[]
  broken: { line?: number; record?: number; reason: string }[]
}

/** Events exactly as the reader wrote them, before the registry's normalisation. */
async function readRaw(reader: LogReader, path: string): Promise<Raw> {
  const raw: Raw = { events: [], broken: [] }
  for (const input of await listLogInputs([path])) {
    await reader.read(input, {
      event: (e) => raw.events.push(e),
      broken: (at, reason) => raw.broken.push({ ...at, reason }),
    })
  }
  return raw
}

function at(events: LogEvent[], line: number): LogEvent {
  const found = events.find((e) => e.SourceLine === line)
  assert.ok(found, `an event on line ${line}`)
  return found
}

async function detectedId(path: string): Promise<string> {
  const [input] = await listLogInputs([path])
  assert.ok(input)
  return (await detectLogFormat(input)).id
}

describe('Zeek samples: counts, detection, no broken records', () => {
  // Counted with `grep -vc '^#'` (TSV) and `grep -c .` (JSON lines), and zcat for .gz.
  const files: [string, string, number, string][] = [
    ['otrf-lsass-campaign-01-tsv/analyzer.log', 'zeek-tsv', 6, 'zeek-analyzer'],
    ['otrf-lsass-campaign-01-tsv/conn.log', 'zeek-tsv', 112, 'zeek-conn'],
    ['otrf-lsass-campaign-01-tsv/dns.log', 'zeek-tsv', 96, 'zeek-dns'],
    ['otrf-lsass-campaign-01-tsv/files.log', 'zeek-tsv', 3, 'zeek-files'],
    ['otrf-lsass-campaign-01-tsv/http.log', 'zeek-tsv', 3, 'zeek-http'],
    ['otrf-lsass-campaign-01-tsv/kerberos.log', 'zeek-tsv', 10, 'zeek-kerberos'],
    ['otrf-lsass-campaign-01-tsv/packet_filter.log', 'zeek-tsv', 1, 'zeek-packet_filter'],
    ['otrf-lsass-campaign-01-tsv/pe.log', 'zeek-tsv', 1, 'zeek-pe'],
    ['otrf-lsass-campaign-01-tsv/smb_mapping.log', 'zeek-tsv', 1, 'zeek-smb_mapping'],
    ['otrf-lsass-campaign-01-tsv/ssl.log', 'zeek-tsv', 5, 'zeek-ssl'],
    ['otrf-lsass-campaign-01-tsv/weird.log', 'zeek-tsv', 22, 'zeek-weird'],
    ['otrf-lsass-campaign-01-tsv/x509.log', 'zeek-tsv', 1, 'zeek-x509'],
    ['otrf-apt29-json/day1/NASHUA_conn.log', 'zeek-json', 479, 'zeek-conn'],
    ['otrf-apt29-json/day1/NASHUA_dns.log', 'zeek-json', 21, 'zeek-dns'],
    ['otrf-apt29-json/day1/NASHUA_ssl.log', 'zeek-json', 376, 'zeek-ssl'],
    ['otrf-apt29-json/day1/SCRANTON_conn.log', 'zeek-json', 134, 'zeek-conn'],
    ['otrf-apt29-json/day1/SCRANTON_dns.log', 'zeek-json', 32, 'zeek-dns'],
    ['otrf-apt29-json/day1/SCRANTON_files.log', 'zeek-json', 69, 'zeek-files'],
    ['otrf-apt29-json/day1/SCRANTON_http.log', 'zeek-json', 62, 'zeek-http'],
    ['otrf-apt29-json/day1/SCRANTON_ssl.log', 'zeek-json', 2, 'zeek-ssl'],
    ['otrf-apt29-json/day2/NEWYORK_conn.log', 'zeek-json', 314, 'zeek-conn'],
    ['otrf-apt29-json/day2/NEWYORK_dns.log', 'zeek-json', 153, 'zeek-dns'],
    ['otrf-apt29-json/day2/UTICA-A_dns.log', 'zeek-json', 58, 'zeek-dns'],
    ['otrf-apt29-json/day2/UTICA-A_http.log', 'zeek-json', 1, 'zeek-http'],
    ['otrf-apt29-json/day2/UTICA-D_conn.log', 'zeek-json', 357, 'zeek-conn'],
    ['otrf-apt29-json/day2/UTICA-D_dns.log', 'zeek-json', 13, 'zeek-dns'],
    ['otrf-apt29-json/day2/UTICA-D_ssl.log', 'zeek-json', 315, 'zeek-ssl'],
    ['zed-sample-data/zeek-default/dns.log.gz', 'zeek-tsv', 53_615, 'zeek-dns'],
    ['zed-sample-data/zeek-default/notice.log.gz', 'zeek-tsv', 207, 'zeek-notice'],
    ['zed-sample-data/zeek-default/ssl.log.gz', 'zeek-tsv', 49_474, 'zeek-ssl'],
    ['zed-sample-data/zeek-json/dns.json.gz', 'zeek-json', 53_615, 'zeek-dns'],
    ['zed-sample-data/zeek-json/ssl.json.gz', 'zeek-json', 49_474, 'zeek-ssl'],
  ]
  for (const [rel, reader, count, format] of files) {
    test(rel, async (t) => {
      const path = requireSharedData(t, `logs/zeek/${rel}`)
      if (path === undefined) return
      assert.equal(await detectedId(path), reader)
      const { events, stats } = await readLogEvents([path])
      assert.equal(events.length, count)
      assert.equal(stats.events, count)
      assert.deepEqual(stats.broken, [])
      assert.ok(events.every((e) => e.LogFormat === format))
      assert.deepEqual(
        events.map((e) => e.SourceRecord),
        events.map((_, i) => i + 1),
      )
      assert.ok(events.every((e) => e.TimeGenerated !== null))
    })
  }
})

async function sample(t: TestContext, rel: string): Promise<LogEvent[] | undefined> {
  const path = requireSharedData(t, `logs/zeek/${rel}`)
  if (path === undefined) return undefined
  return (await readLogEvents([path])).events
}

describe('Zeek samples: fields of specific records', () => {
  test('TSV dns: query, answers, connection, time', async (t) => {
    const events = await sample(t, 'otrf-lsass-campaign-01-tsv/dns.log')
    if (!events) return
    const e = at(events, 99)
    assert.equal(e.TimeGenerated, '2023-08-16T04:58:21.757Z')
    assert.equal(e.EventType, 'dns')
    assert.equal(e.DnsQuery, '_ldap._tcp.default-first-site-name._sites.dc._msdcs.pandalab.com')
    assert.deepEqual(e.DnsResponse, ['dc01.pandalab.com'])
    assert.deepEqual(
      [e.SrcIpAddr, e.SrcPortNumber, e.DstIpAddr, e.DstPortNumber, e.NetworkProtocol],
      ['192.168.1.41', 65187, '192.168.1.4', 53, 'udp'],
    )
    assert.equal(e.Dvc, null)
    // A query Zeek saw no answer for: unset answers are no answers.
    const first = at(events, 9)
    assert.deepEqual(first.DnsResponse, [])
    assert.equal(first.DnsQuery, null)
  })

  test('TSV conn, kerberos, ssl, x509, packet_filter', async (t) => {
    const conn = await sample(t, 'otrf-lsass-campaign-01-tsv/conn.log')
    const kerberos = await sample(t, 'otrf-lsass-campaign-01-tsv/kerberos.log')
    const x509 = await sample(t, 'otrf-lsass-campaign-01-tsv/x509.log')
    const filter = await sample(t, 'otrf-lsass-campaign-01-tsv/packet_filter.log')
    if (!conn || !kerberos || !x509 || !filter) return
    const c = at(conn, 9)
    assert.equal(c.EventType, 'network')
    assert.equal(c.DvcAction, 'SHR')
    assert.equal(c.NetworkProtocol, 'udp')
    assert.equal(c.SrcPortNumber, 52605)
    assert.equal(at(kerberos, 10).User, 'stevie.marie/PANDALAB.COM')
    assert.equal(at(kerberos, 9).User, null)
    assert.equal(at(kerberos, 9).EventType, 'network')
    for (const e of [...x509, ...filter]) {
      assert.equal(e.EventType, 'other')
      assert.equal(e.SrcIpAddr, null)
      assert.equal(e.DstIpAddr, null)
    }
  })

  test('JSON with flattened names: http URL with the server port, Dvc from @system', async (t) => {
    const utica = await sample(t, 'otrf-apt29-json/day2/UTICA-A_http.log')
    const scranton = await sample(t, 'otrf-apt29-json/day1/SCRANTON_http.log')
    if (!utica || !scranton) return
    const e = at(utica, 1)
    assert.equal(e.Url, 'http://192.168.0.4:8080/m')
    assert.equal(e.UrlHost, '192.168.0.4')
    assert.equal(e.TargetHostname, '192.168.0.4')
    assert.equal(e.Dvc, 'test-nsm')
    assert.equal(e.TimeGenerated, '2020-05-01T07:09:23.457Z')
    assert.deepEqual(
      [e.SrcIpAddr, e.SrcPortNumber, e.DstIpAddr, e.DstPortNumber],
      ['10.0.1.5', 60997, '192.168.0.4', 8080],
    )
    assert.equal(at(scranton, 61).Url, 'http://192.168.0.4/webdav/python.exe')
    assert.equal(at(scranton, 61).Dvc, 'simplerockbuild.simplerock.lan')
  })

  test('JSON dns answers: names and addresses; files: hashes, from tx to rx', async (t) => {
    const dns = await sample(t, 'otrf-apt29-json/day2/NEWYORK_dns.log')
    const files = await sample(t, 'otrf-apt29-json/day1/SCRANTON_files.log')
    if (!dns || !files) return
    assert.equal(at(dns, 1).DnsQuery, 'ctldl.windowsupdate.com')
    assert.deepEqual(at(dns, 1).DnsResponse, [
      'audownload.windowsupdate.nsatc.net',
      'au.download.windowsupdate.com.edgesuite.net',
      'a767.dscg3.akamai.net',
      '23.62.7.160',
      '23.62.7.146',
    ])
    assert.deepEqual(at(dns, 2).DnsResponse, [])
    const f = at(files, 1)
    assert.equal(f.EventType, 'file')
    assert.equal(f.FileMD5, 'cc85d7649546d3c0b1607f761b73fec2')
    assert.equal(f.FileSHA1, '1a1a10b819f321b91b47d7dd73668406a15992db')
    assert.equal(f.FileSHA256, null)
    assert.equal(f.SrcIpAddr, '10.0.0.4')
    assert.equal(f.DstIpAddr, '10.0.1.4')
    assert.equal(f.SrcPortNumber, null)
  })

  test('notice: the note and the connection', async (t) => {
    const path = requireSharedData(t, 'logs/zeek/zed-sample-data/zeek-default/notice.log.gz')
    if (path === undefined) return
    const { events } = await readLogEvents([path])
    const e = at(events, 9)
    assert.equal(e.EventType, 'alert')
    assert.equal(e.DvcAction, 'SSL::Invalid_Server_Cert')
    assert.deepEqual(
      [e.SrcIpAddr, e.SrcPortNumber, e.DstIpAddr, e.DstPortNumber, e.NetworkProtocol],
      ['10.164.94.120', 39611, '10.47.3.200', 443, 'tcp'],
    )
  })

  test('the same traffic in TSV and in JSON gives the same events', async (t) => {
    for (const name of ['dns', 'ssl']) {
      const tsvPath = requireSharedData(t, `logs/zeek/zed-sample-data/zeek-default/${name}.log.gz`)
      const jsonPath = requireSharedData(t, `logs/zeek/zed-sample-data/zeek-json/${name}.json.gz`)
      if (tsvPath === undefined || jsonPath === undefined) return
      const tsv = (await readLogEvents([tsvPath])).events
      const json = (await readLogEvents([jsonPath])).events
      assert.equal(tsv.length, json.length)
      const strip = (e: LogEvent) => ({ ...e, SourceFile: '', SourceLine: 0 })
      let named = 0
      for (let i = 0; i < tsv.length; i++) {
        assert.deepEqual(
          strip(tsv[i] as LogEvent),
          strip(json[i] as LogEvent),
          `${name} record ${i + 1}`,
        )
        if ((tsv[i] as LogEvent).TargetHostname !== null) named++
      }
      if (name === 'ssl') assert.ok(named > 1000, `${named} ssl records with an SNI`)
      else assert.ok(tsv.some((e) => e.DnsResponse.length > 1))
    }
  })
})

describe('Zeek TSV fixtures', () => {
  const escapes = join(FIXTURES, 'zeek', 'escapes.log')

  test('escapes are undone, unset and empty fields are null, broken rows reported', async () => {
    const { events, broken } = await readRaw(zeekTsvReader, escapes)
    assert.deepEqual(broken, [{ line: 14, record: 6, reason: '10 columns where #fields names 13' }])
    assert.equal(events.length, 9)

    const tab = at(events, 9)
    assert.equal(tab.Url, 'http://evil.example:8080/a\tb?q="x"&r=\'y\'')
    assert.equal(tab.TargetHostname, 'evil.example')
    assert.equal(tab.User, null)
    assert.equal(tab.TimeGenerated, '2026-01-01T00:00:00.123Z')
    assert.equal(tab.LogFormat, 'zeek-http')

    assert.equal(at(events, 10).Url, 'http://proxied.example/x?y=1')
    assert.equal(at(events, 10).TargetHostname, null)

    const tunnel = at(events, 11)
    assert.equal(tunnel.Url, null)
    assert.equal(tunnel.TargetHostname, 'c2.example')

    assert.equal(at(events, 12).Url, 'http://[2001:db8::1]/index.html')

    const hostile = at(events, 13)
    assert.equal(hostile.Url, "http://bücher.example/dir\\file=cmd|' /C calc'!A0")
    assert.equal(hostile.TargetHostname, 'bücher.example')
    assert.equal(hostile.User, 'alice')

    // `\x2d` is a host that is literally "-", not an unset field.
    assert.equal(at(events, 15).TargetHostname, '-')
  })

  test('set elements split on the set separator; a second header block switches the log', async () => {
    const { events } = await readRaw(zeekTsvReader, escapes)
    const dns = at(events, 25)
    assert.equal(dns.LogFormat, 'zeek-dns')
    assert.equal(dns.EventType, 'dns')
    assert.equal(dns.DnsQuery, 'evil.example')
    assert.deepEqual(dns.DnsResponse, ['cname.evil.example', '203.0.113.9', 'a,b.example'])
    assert.equal(dns.TimeGenerated, '2026-01-01T00:01:40.500Z')
    const empty = at(events, 26)
    assert.equal(empty.DnsQuery, null)
    assert.deepEqual(empty.DnsResponse, [])
    // The third block has no #path: the fields tell it is dns.
    const guessed = at(events, 35)
    assert.equal(guessed.LogFormat, 'zeek-dns')
    assert.equal(guessed.DnsQuery, 'evil.example')
    assert.deepEqual(
      events.map((e) => e.SourceRecord),
      [1, 2, 3, 4, 5, 7, 8, 9, 10],
    )
  })

  test('normalised through the registry: names punycoded, URL by WHATWG', async () => {
    assert.equal(await detectedId(escapes), 'zeek-tsv')
    const { events, stats } = await readLogEvents([escapes])
    assert.equal(stats.broken.length, 1)
    assert.equal(at(events, 13).TargetHostname, 'xn--bcher-kva.example')
    assert.equal(at(events, 13).UrlHost, 'xn--bcher-kva.example')
    assert.equal(at(events, 9).UrlHost, 'evil.example')
  })

  test('BOM, CRLF and gzip', async () => {
    const path = join(FIXTURES, 'zeek', 'conn-bom-crlf.log')
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-zeek-'))
    const gz = join(dir, 'conn.log.gz')
    writeFileSync(gz, gzipSync(readFileSync(path)))
    for (const file of [path, gz]) {
      assert.equal(await detectedId(file), 'zeek-tsv')
      const { events, stats } = await readLogEvents([file])
      assert.deepEqual(stats.broken, [])
      assert.equal(events.length, 2)
      assert.deepEqual(
        events.map((e) => [e.SrcIpAddr, e.DstIpAddr, e.DstPortNumber, e.DvcAction, e.SourceLine]),
        [
          ['10.0.0.9', '203.0.113.77', 443, 'SF', 9],
          ['10.0.0.9', '203.0.113.78', 4444, 'REJ', 10],
        ],
      )
      assert.equal(events[0]?.TimeGenerated, '2026-01-01T00:03:20.250Z')
    }
  })

  test('a file that is not Zeek TSV, forced, is refused naming file and line', async () => {
    const path = join(FIXTURES, 'suricata', 'edge.json')
    await assert.rejects(readLogEvents([path], { format: 'zeek-tsv' }), (error: unknown) => {
      assert.ok(error instanceof HuntpackError)
      assert.equal(error.code, 'ERR_LOG_FORMAT')
      assert.ok(error.message.startsWith(`${path}:1: `), error.message)
      return true
    })
  })
})

describe('Zeek JSON fixtures', () => {
  const mixed = join(FIXTURES, 'zeek', 'mixed.json')

  test('dotted, flattened and nested names; _path, @stream or the fields name the log', async () => {
    assert.equal(await detectedId(mixed), 'zeek-json')
    const { events, broken } = await readRaw(zeekJsonReader, mixed)
    assert.deepEqual(
      broken.map((b) => [b.line, b.record, b.reason.split(':')[0]]),
      [
        [4, 3, 'not JSON'],
        [5, 4, 'not a JSON object'],
      ],
    )
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.LogFormat, e.EventType]),
      [
        [1, 1, 'zeek-http', 'http'],
        [3, 2, 'zeek-dns', 'dns'],
        [6, 5, 'zeek-files', 'file'],
        [7, 6, 'zeek-notice', 'alert'],
        [8, 7, 'zeek-ssl', 'tls'],
        [9, 8, 'zeek-x509', 'other'],
        [10, 9, 'zeek-conn', 'network'],
        [11, 10, 'zeek-http', 'http'],
      ],
    )
    const http = at(events, 1)
    assert.equal(http.TimeGenerated, '2026-01-01T00:00:00.123Z')
    assert.equal(http.Url, 'http://Evil.Example/gate.php?id="1"<script>')
    assert.equal(http.TargetHostname, 'Evil.Example')
    assert.equal(http.User, 'bob')

    const dns = at(events, 3)
    assert.equal(dns.Dvc, 'sensor-1')
    assert.equal(dns.DnsQuery, 'C2.Example.')
    assert.deepEqual(dns.DnsResponse, ['cname.example', '203.0.113.9'])
    assert.deepEqual([dns.SrcIpAddr, dns.SrcPortNumber, dns.DstPortNumber], ['10.0.0.6', 5000, 53])
    assert.equal(dns.TimeGenerated, '2026-01-01T00:00:00.500Z')

    const file = at(events, 6)
    assert.deepEqual([file.SrcIpAddr, file.DstIpAddr], ['203.0.113.9', '10.0.0.5'])
    assert.equal(file.FileMD5, '0123456789ABCDEF0123456789ABCDEF')

    const notice = at(events, 7)
    assert.equal(notice.DvcAction, 'Scan::Port_Scan')
    assert.deepEqual(
      [notice.SrcIpAddr, notice.DstIpAddr, notice.DstPortNumber],
      ['203.0.113.50', '10.0.0.5', 22],
    )

    const hostile = at(events, 11)
    assert.equal(hostile.Url, 'http://evil.example\nx/a\nb=cmd|\' /C calc\'!A0\\"q"')
    assert.equal(hostile.TargetHostname, 'evil.example\nx')
    assert.equal(hostile.User, 'eve"\n<script>')
    assert.equal(hostile.TimeGenerated, '2026-01-01T00:00:07.250Z')

    const ssl = at(events, 8)
    assert.equal(ssl.TargetHostname, 'login.evil.example')
    assert.deepEqual(
      [ssl.SrcIpAddr, ssl.DstIpAddr, ssl.DstPortNumber],
      ['10.0.0.7', '2001:DB8::5', 443],
    )
  })

  test('normalised: lower-case names without the trailing dot, hashes lower-case, addresses canonical', async () => {
    const { events, stats } = await readLogEvents([mixed])
    assert.equal(stats.broken.length, 2)
    assert.equal(at(events, 1).Url, 'http://evil.example/gate.php?id=%221%22%3Cscript%3E')
    assert.equal(at(events, 3).DnsQuery, 'c2.example')
    assert.equal(at(events, 6).FileMD5, '0123456789abcdef0123456789abcdef')
    assert.equal(at(events, 8).DstIpAddr, '2001:db8::5')
    assert.equal(at(events, 10).SrcIpAddr, '10.0.0.8')
    assert.equal(at(events, 10).DvcAction, 'S0')
    // WHATWG drops the newlines and escapes the rest; the name keeps them (it matches nothing).
    assert.equal(at(events, 11).Url, "http://evil.examplex/ab=cmd|'%20/C%20calc'!A0/%22q%22")
    assert.equal(at(events, 11).User, 'eve"\n<script>')
  })

  test('without _path or uid, a Zeek log name decides', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-zeek-'))
    const line = '{"ts":1767225600.5,"peer":"zeek","mem":512,"pkts_proc":10}\n'
    const named = join(dir, 'stats.log')
    const other = join(dir, 'metrics.json')
    writeFileSync(named, line)
    writeFileSync(other, line)
    assert.equal(await detectedId(named), 'zeek-json')
    const { events } = await readLogEvents([named])
    assert.deepEqual(
      events.map((e) => [e.EventType, e.LogFormat, e.TimeGenerated]),
      [['other', 'zeek-json', '2026-01-01T00:00:00.500Z']],
    )
    assert.equal(zeekJsonReader.detect(line, other), false)
    assert.equal(zeekJsonReader.detect('{"ts":1,"event_type":"x"}\n', named), false)
  })

  test('a JSON file that is not Zeek, forced, is refused', async () => {
    const path = join(FIXTURES, 'suricata', 'edge.json')
    await assert.rejects(readLogEvents([path], { format: 'zeek-json' }), (error: unknown) => {
      assert.ok(error instanceof HuntpackError)
      assert.equal(error.code, 'ERR_LOG_FORMAT')
      assert.match(error.message, /edge\.json:1: .*no "ts"/)
      return true
    })
  })
})

describe('Zeek detection against the other JSON logs', () => {
  const others = [
    'suricata/surevego/eve.json',
    'defender/Microsoft365DefenderEvents.json',
    'sysmon-json/otrf-atomic/psh_cmstp_execution_bypassuac_2020-10-2201543213.json',
    'azure-monitor/vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
  ]
  for (const rel of others) {
    test(`neither Zeek reader claims ${rel}`, async (t) => {
      const path = requireSharedData(t, `logs/${rel}`)
      if (path === undefined) return
      const [input] = await listLogInputs([path])
      assert.ok(input)
      const head = await peekText(input)
      assert.equal(zeekJsonReader.detect(head, input.name), false)
      assert.equal(zeekTsvReader.detect(head, input.name), false)
    })
  }

  test('both Zeek readers are registered', () => {
    const ids = LOG_READERS.map((r) => r.id)
    assert.ok(ids.includes('zeek-tsv') && ids.includes('zeek-json'))
  })
})

describe('Zeek pieces', () => {
  test('unescapeZeek', () => {
    assert.equal(unescapeZeek('plain'), 'plain')
    assert.equal(unescapeZeek('a\\x09b'), 'a\tb')
    assert.equal(unescapeZeek('\\xc3\\xb1o'), 'ño')
    assert.equal(unescapeZeek('a\\\\,b'), 'a\\,b')
    assert.equal(unescapeZeek('\\xff'), '\ufffd')
    assert.equal(unescapeZeek('\\q\\x4'), '\\q\\x4')
  })

  test('zeekHttpUrl', () => {
    assert.equal(zeekHttpUrl('a.example', '/x', 'GET', '192.0.2.1', 80), 'http://a.example/x')
    assert.equal(
      zeekHttpUrl('a.example', '/x', 'GET', '192.0.2.1', 8080),
      'http://a.example:8080/x',
    )
    assert.equal(zeekHttpUrl('a.example:81', '/x', 'GET', null, 8080), 'http://a.example:81/x')
    assert.equal(zeekHttpUrl(null, '/x', 'GET', '2001:db8::1', 80), 'http://[2001:db8::1]/x')
    assert.equal(zeekHttpUrl('a.example', '*', 'OPTIONS', null, 80), 'http://a.example/*')
    assert.equal(zeekHttpUrl('a.example', null, 'GET', null, 80), null)
    assert.equal(zeekHttpUrl(null, '/x', 'GET', null, 80), null)
  })

  test('logTimes gives what parseLogTime gives, faster', () => {
    const values: (string | number | null)[] = [
      '1521911720.865716',
      '1521911720.865716',
      '1521911721.9',
      '1521911721',
      '152191172.5',
      '1521911720123.5',
      1588205199.82437,
      1588205199.82437,
      1588205200,
      1588205199824.5,
      12.5,
      '2018-03-24T17:15:20.865716Z',
      '2018-03-24T17:15:20.1Z',
      '2018-03-24T17:15:20.865716',
      '2017-01-30T16:12:26.985026+0100',
      '2017-01-30T16:12:26.985026+01:00',
      '2017-01-30T16:12:26.985026-0530',
      '2017-01-30T16:12:26.985026+0100asloefbnjhowebfg',
      '2017-01-30 16:12:26.985026',
      '8/9/2023, 2:24:24.550 PM',
      'not a time',
      '.5',
      '',
      null,
    ]
    const time = logTimes()
    for (const value of values) {
      assert.equal(time(value), parseLogTime(value), JSON.stringify(value))
    }
    assert.equal(time('1521911720.865716'), '2018-03-24T17:15:20.865Z')
  })
})
