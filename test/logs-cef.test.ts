import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { LogEvent } from '../src/logs/event.ts'
import { listLogInputs } from '../src/logs/input.ts'
import { cefReader, cefTime, parseCef, parseExtension } from '../src/logs/readers/cef.ts'
import { detectLogFormat, readLogEvents } from '../src/logs/readers/index.ts'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs', 'cef')

function fixture(name: string): string {
  return join(FIXTURES, name)
}

function at(events: LogEvent[], line: number): LogEvent {
  const event = events.find((e) => e.SourceLine === line)
  assert.ok(event, `an event at line ${line}`)
  return event
}

describe('CEF extension and header parsing', () => {
  test('a value runs until the next " key=", with spaces inside', () => {
    const pairs = parseExtension('msg=two words here act=block cat=COMMAND & CONTROL', 0)
    assert.deepEqual(
      [...pairs],
      [
        ['msg', 'two words here'],
        ['act', 'block'],
        ['cat', 'COMMAND & CONTROL'],
      ],
    )
  })

  test('escapes: \\= and \\\\ are literal, \\n and \\r are line breaks', () => {
    const pairs = parseExtension(String.raw`request=/a?b\=1 msg=x\\y\nz\r end=1`, 0)
    assert.equal(pairs.get('request'), '/a?b=1')
    assert.equal(pairs.get('msg'), 'x\\y\nz\n')
    assert.equal(pairs.get('end'), '1')
  })

  test('an = inside a value that no space precedes is part of the value (URL queries)', () => {
    const pairs = parseExtension('request=http://x/p?a=1&b=2 dst=10.0.0.1', 0)
    assert.equal(pairs.get('request'), 'http://x/p?a=1&b=2')
    assert.equal(pairs.get('dst'), '10.0.0.1')
  })

  test('the header splits on unescaped pipes only and drops the version', () => {
    const cef = parseCef(
      String.raw`CEF:0|Ven\|dor|Pro\\duct|1.0|100|Name with | pipe|5|src=1.2.3.4`,
    )
    assert.notEqual(typeof cef, 'string')
    if (typeof cef === 'string') return
    assert.deepEqual(cef.header, ['Ven|dor', 'Pro\\duct', '1.0', '100', 'Name with ', ' pipe'])
    // The seventh pipe ends the header: what follows is the extension, even a stray "5|".
    assert.equal(cef.extension.get('src'), undefined)
  })

  test('a header with fewer than seven pipes is a reason, not a record', () => {
    assert.equal(typeof parseCef('CEF:0|Vendor|Product|1'), 'string')
  })

  test('CEF times: epoch milliseconds, "Mmm dd yyyy hh:mm:ss", ISO', () => {
    assert.equal(cefTime('1617770662000'), '2021-04-07T04:44:22.000Z')
    assert.equal(cefTime('Nov 09 2025 17:25:48.12'), '2025-11-09T17:25:48.120Z')
    assert.equal(cefTime('2023-08-17T06:51:59Z'), '2023-08-17T06:51:59.000Z')
    assert.equal(cefTime('Foo 09 2025 17:25:48'), null)
  })
})

describe('CEF lines', () => {
  test('detection picks cef for the fixtures and for CEF without a syslog prefix', async () => {
    for (const name of ['firewall.cef', 'crlf.cef']) {
      const [input] = await listLogInputs([fixture(name)])
      assert.ok(input)
      assert.equal((await detectLogFormat(input)).id, 'cef', name)
    }
    assert.equal(cefReader.detect('CEF:0|a|b|c|d|e|f|src=1.2.3.4\n', 'x.log'), true)
    assert.equal(cefReader.detect('{"CEF:0|a|b": 1}\nplain text\nmore text\n', 'x.log'), false)
  })

  test('every line is a record: CEF events, an other event, a broken header', async () => {
    const { events, stats } = await readLogEvents([fixture('firewall.cef')])
    assert.equal(events.length, 5)
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord]),
      [
        [1, 1],
        [3, 2],
        [4, 3],
        [5, 4],
        [7, 6],
      ],
    )
    assert.equal(stats.broken.length, 1)
    assert.equal(stats.broken[0]?.line, 6)
    assert.equal(stats.broken[0]?.record, 5)
    assert.match(stats.broken[0]?.reason ?? '', /CEF header/)
  })

  test('RFC 3164 line with the SUNBURST C2 name', async () => {
    const { events } = await readLogEvents([fixture('firewall.cef')])
    const e = at(events, 1)
    assert.equal(e.LogFormat, 'cef')
    assert.equal(e.EventType, 'network')
    assert.equal(e.TimeGenerated, '2021-04-07T04:44:22.000Z')
    assert.equal(e.SrcIpAddr, '17.81.146.1')
    assert.equal(e.SrcPortNumber, 51234)
    assert.equal(e.DstIpAddr, '15.230.137.45')
    assert.equal(e.DstPortNumber, 443)
    assert.equal(e.NetworkProtocol, 'tcp')
    assert.equal(
      e.TargetHostname,
      '07605jn8l36uranbtvef0b12eu1.appsync-api.us-east-1.avsvmcloud.com',
    )
    assert.equal(e.DvcAction, 'allowed')
    assert.equal(e.User, 'CONTOSO\\bob')
    assert.equal(e.Dvc, 'ClientPc.contoso.com')
  })

  test('RFC 5424 line: time and host from the prefix, escaped URL, MD5 by length', async () => {
    const { events } = await readLogEvents([fixture('firewall.cef')])
    const e = at(events, 3)
    assert.equal(e.EventType, 'http')
    assert.equal(e.TimeGenerated, '2023-08-17T06:51:59.000Z')
    assert.equal(e.Dvc, 'cp-gw')
    assert.equal(e.NetworkProtocol, 'tcp')
    assert.equal(e.Url, 'https://www.youtube.com/watch?v=1')
    assert.equal(e.UrlHost, 'www.youtube.com')
    assert.equal(e.FileMD5, 'd41d8cd98f00b204e9800998ecf8427e')
    assert.equal(e.FileSHA1, null)
    assert.equal(e.DvcAction, 'Block')
  })

  test('FortiGate DNS keys: query name and comma-separated answers', async () => {
    const { events } = await readLogEvents([fixture('firewall.cef')])
    const e = at(events, 4)
    assert.equal(e.EventType, 'dns')
    assert.equal(e.DnsQuery, 'config.edge.skype.com')
    assert.deepEqual(e.DnsResponse, ['162.159.134.233', '162.159.130.233'])
    assert.equal(e.NetworkProtocol, 'udp')
    assert.equal(e.DstPortNumber, 53)
    assert.equal(e.TimeGenerated, '2025-11-09T17:25:48.000Z')
    assert.equal(e.Dvc, null)
  })

  test('a syslog line without CEF keeps its host and counts as an other event', async () => {
    const { events } = await readLogEvents([fixture('firewall.cef')])
    const e = at(events, 5)
    assert.equal(e.EventType, 'other')
    assert.equal(e.Dvc, 'collector')
    assert.equal(e.SrcIpAddr, null)
  })

  test('hostile values stay values: script tags, quotes, =cmd|, escaped pipes; ICMP has no ports', async () => {
    const { events } = await readLogEvents([fixture('firewall.cef')])
    const e = at(events, 7)
    assert.equal(e.Url, 'http://evil.example/x?q=%3Cscript%3Ealert(1)%3C/script%3E')
    assert.equal(e.TargetHostname, 'evil.example')
    assert.equal(e.User, `"quoted" =cmd|' /C calc'!A0`)
    assert.equal(e.DvcAction, '=cmd|calc')
    assert.equal(e.FileSHA1, '3395856ce81f2b7382dee72602f798b642f14140')
    assert.equal(e.NetworkProtocol, 'icmp')
    assert.equal(e.SrcPortNumber, null)
    assert.equal(e.DstPortNumber, null)
  })

  test('CRLF lines, IPv6 destination from c6a3, SHA-256 by length', async () => {
    const { events, stats } = await readLogEvents([fixture('crlf.cef')])
    assert.equal(stats.broken.length, 0)
    assert.equal(events.length, 2)
    assert.equal(events[0]?.Url, 'http://198.51.100.7:8080/payload.bin')
    assert.equal(events[0]?.DstPortNumber, 8080)
    assert.equal(events[1]?.DstIpAddr, '2001:db8::7')
    assert.equal(events[1]?.TargetHostname, 'ipv6.example')
    assert.equal(
      events[1]?.FileSHA256,
      '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    )
    assert.equal(events[1]?.TimeGenerated, null)
  })

  test('gzip-compressed lines read the same as plain ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-cef-'))
    const file = join(dir, 'firewall.log.gz')
    writeFileSync(file, gzipSync(readFileSync(fixture('firewall.cef'))))
    const plain = await readLogEvents([fixture('firewall.cef')])
    const zipped = await readLogEvents([file])
    assert.equal(zipped.events.length, plain.events.length)
    assert.deepEqual(
      zipped.events.map((e) => ({ ...e, SourceFile: '' })),
      plain.events.map((e) => ({ ...e, SourceFile: '' })),
    )
  })
})
