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
import { CsvRecordParser } from '../src/logs/readers/export-csv.ts'
import { columnIndex } from '../src/logs/readers/export-fields.ts'
import { detectLogFormat, readLogEvents } from '../src/logs/readers/index.ts'
import { sentinelCsvReader, sentinelJsonReader } from '../src/logs/readers/sentinel.ts'
import { requireSharedData } from './support/shared-data.ts'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs', 'sentinel')

function fixture(name: string): string {
  return join(FIXTURES, name)
}

function record(events: LogEvent[], n: number): LogEvent {
  const event = events.find((e) => e.SourceRecord === n)
  assert.ok(event, `record ${n}`)
  return event
}

async function formatOf(path: string): Promise<string> {
  const [input] = await listLogInputs([path])
  assert.ok(input)
  return (await detectLogFormat(input)).id
}

async function sample(t: TestContext, name: string) {
  const path = requireSharedData(t, `logs/sentinel/${name}`)
  if (path === undefined) return undefined
  assert.equal(await formatOf(path), 'sentinel-csv', name)
  const { events, stats } = await readLogEvents([path])
  assert.deepEqual(stats.broken, [], name)
  return events
}

describe('Sentinel CSV samples (Azure-Sentinel repository)', () => {
  // Data rows counted with Python's csv module (no field spans lines in these files).
  const counts: [string, number][] = [
    ['solarigate_CEFevent.csv', 1],
    ['solarigate-beacon-umbrella.csv', 1],
    ['AZFWThreatIntelCustom_CL.csv', 50],
    ['CheckPoint_Firewall_NetworkSession_IngestedLogs.excerpt.csv', 19],
    ['Fortinet_FortiGate_Dns_IngestedLogs.excerpt.csv', 12],
    ['Microsoft_Sysmon_NetworkSession_IngestedLogs.excerpt.csv', 5],
  ]
  for (const [name, count] of counts) {
    test(`${name}: sentinel-csv, ${count} events, lines follow records`, async (t) => {
      const events = await sample(t, name)
      if (events === undefined) return
      assert.equal(events.length, count)
      assert.deepEqual(
        events.map((e) => [e.SourceRecord, e.SourceLine]),
        events.map((_, i) => [i + 1, i + 2]),
      )
      assert.ok(events.every((e) => e.LogFormat === 'sentinel-csv'))
    })
  }

  test('CommonSecurityLog (Vectra): the SUNBURST name is TargetHostname; time from AdditionalExtensions', async (t) => {
    const events = await sample(t, 'solarigate_CEFevent.csv')
    if (events === undefined) return
    const e = record(events, 1)
    assert.equal(
      e.TargetHostname,
      '07605jn8l36uranbtvef0b12eu1.appsync-api.us-east-1.avsvmcloud.com',
    )
    assert.equal(e.SrcIpAddr, '17.81.146.1')
    assert.equal(e.DstIpAddr, '15.230.137.45')
    assert.equal(e.DstPortNumber, 443)
    assert.equal(e.NetworkProtocol, 'tcp')
    assert.equal(e.Dvc, 'ClientPc.contoso.com')
    assert.equal(e.EventType, 'network')
    // No TimeGenerated, ReceiptTime or StartTime: `start=1617770662000` of AdditionalExtensions.
    assert.equal(e.TimeGenerated, '2021-04-07T04:44:22.000Z')
  })

  test('Umbrella DNS: avsvmcloud.com is DnsQuery, the internal address the client', async (t) => {
    const events = await sample(t, 'solarigate-beacon-umbrella.csv')
    if (events === undefined) return
    const e = record(events, 1)
    assert.equal(e.EventType, 'dns')
    assert.equal(e.DnsQuery, 'avsvmcloud.com')
    assert.equal(e.SrcIpAddr, '17.81.146.1')
    assert.equal(e.DstIpAddr, null)
    assert.deepEqual(e.DnsResponse, [])
    assert.equal(e.DvcAction, 'Allowed')
    assert.equal(e.Dvc, 'HOSTNAME')
    assert.equal(e.TimeGenerated, '2019-09-12T20:00:00.625Z')
  })

  test('FortiGate DNS in AdditionalExtensions: query name and every answer', async (t) => {
    const events = await sample(t, 'Fortinet_FortiGate_Dns_IngestedLogs.excerpt.csv')
    if (events === undefined) return
    const query = record(events, 1)
    assert.equal(query.EventType, 'dns')
    assert.equal(query.DnsQuery, 'wpad.kustoworks.com')
    assert.deepEqual(query.DnsResponse, [])
    const answer = record(events, 11)
    assert.equal(answer.SourceLine, 12)
    assert.equal(answer.DnsQuery, 'config.edge.skype.com')
    assert.deepEqual(answer.DnsResponse, [
      '162.159.134.233',
      '162.159.130.233',
      '162.159.129.233',
      '162.159.135.233',
      '162.159.133.233',
    ])
    assert.equal(answer.SrcIpAddr, '10.10.20.50')
    assert.equal(answer.SrcPortNumber, 61605)
    assert.equal(answer.DstIpAddr, '10.10.10.10')
    assert.equal(answer.DstPortNumber, 53)
    assert.equal(answer.NetworkProtocol, 'udp')
    assert.equal(answer.DvcAction, 'pass')
    assert.equal(answer.Dvc, 'FW3')
    assert.equal(answer.TimeGenerated, '2025-11-09T17:25:48.850Z')
  })

  test('Check Point: ICMP without ports, HTTPS with its URL; IANA protocol numbers', async (t) => {
    const events = await sample(t, 'CheckPoint_Firewall_NetworkSession_IngestedLogs.excerpt.csv')
    if (events === undefined) return
    const icmp = record(events, 1)
    assert.equal(icmp.NetworkProtocol, 'icmp')
    assert.equal(icmp.SrcIpAddr, '10.50.40.100')
    assert.equal(icmp.SrcPortNumber, null)
    assert.equal(icmp.DstIpAddr, '10.30.40.50')
    assert.equal(icmp.DvcAction, 'Block')
    assert.equal(icmp.Dvc, '10.50.5.100')
    assert.equal(icmp.TimeGenerated, '2023-08-17T06:52:13.000Z')
    const https = record(events, 11)
    assert.equal(https.EventType, 'http')
    assert.equal(https.Url, 'https://www.youtube.com/')
    assert.equal(https.UrlHost, 'www.youtube.com')
    assert.equal(https.SrcPortNumber, 57516)
    assert.equal(https.DstIpAddr, '100.200.30.50')
    assert.equal(https.DstPortNumber, 443)
    assert.equal(https.NetworkProtocol, 'tcp')
  })

  test('AZFWThreatIntel: Fqdn is the target; [Local Time] US-style read as UTC wall clock', async (t) => {
    const events = await sample(t, 'AZFWThreatIntelCustom_CL.csv')
    if (events === undefined) return
    const e = record(events, 1)
    assert.equal(e.TimeGenerated, '2023-08-09T14:24:24.550Z')
    assert.equal(e.TargetHostname, 'testmaliciousdomain.eastus.cloudapp.azure.com')
    assert.equal(e.SrcIpAddr, '10.0.1.6')
    assert.equal(e.SrcPortNumber, 45510)
    assert.equal(e.DstIpAddr, null)
    assert.equal(e.DstPortNumber, 80)
    assert.equal(e.Url, null)
    assert.equal(e.NetworkProtocol, 'tcp')
    assert.equal(e.EventType, 'http')
    assert.equal(e.DvcAction, 'Deny')
    assert.equal(e.Dvc, 'fw-ruleaudit')
    assert.ok(events.every((x) => x.TargetHostname === e.TargetHostname))
  })

  test('Event table with Sysmon 3: connection from EventData XML, time from UtcTime', async (t) => {
    const events = await sample(t, 'Microsoft_Sysmon_NetworkSession_IngestedLogs.excerpt.csv')
    if (events === undefined) return
    const e = record(events, 5)
    assert.equal(e.EventType, 'network')
    assert.equal(e.SrcIpAddr, '10.0.0.4')
    assert.equal(e.SrcPortNumber, 49838)
    assert.equal(e.DstIpAddr, '20.83.130.102')
    assert.equal(e.DstPortNumber, 443)
    assert.equal(e.NetworkProtocol, 'tcp')
    assert.match(e.Process ?? '', /MpCmdRun\.exe$/)
    // The row's [Local Time] is 11:40 (UTC+05:30); Sysmon's UtcTime is exact.
    assert.equal(e.TimeGenerated, '2023-11-17T06:10:08.901Z')
    const v6 = record(events, 1)
    assert.equal(v6.SrcIpAddr, 'fe80::d024:56ce:c156:9dae')
    assert.equal(v6.DstPortNumber, 5985)
  })

  test('neither Sentinel reader claims the Azure Monitor or Defender JSON samples', async (t) => {
    const names = [
      'logs/azure-monitor/vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
      'logs/azure-monitor/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
      'logs/azure-monitor/sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json',
      'logs/defender/Microsoft365DefenderEvents.json',
    ]
    for (const name of names) {
      const path = requireSharedData(t, name)
      if (path === undefined) return
      const [input] = await listLogInputs([path])
      assert.ok(input)
      const head = await peekText(input)
      assert.equal(sentinelJsonReader.detect(head, input.name), false, name)
      assert.equal(sentinelCsvReader.detect(head, input.name), false, name)
    }
  })
})

describe('Sentinel CSV records (fixtures)', () => {
  test('BOM, CRLF, a quoted field over two lines, broken rows by line; reading goes on', async () => {
    assert.equal(await formatOf(fixture('dns-events.csv')), 'sentinel-csv')
    const { events, stats } = await readLogEvents([fixture('dns-events.csv')])
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.DnsQuery]),
      [
        [2, 1, 'avsvmcloud.com'],
        [3, 2, 'evil.example'],
        [8, 5, '<script>alert(1)</script>.example'],
        [10, 7, 'after.example'],
      ],
    )
    assert.deepEqual(
      stats.broken.map((b) => [b.line, b.record]),
      [
        [6, 3],
        [7, 4],
        [9, 6],
      ],
    )
    assert.match(stats.broken[0]?.reason ?? '', /6 fields where the header has 10/)
    assert.match(stats.broken[1]?.reason ?? '', /after the closing quote of field 5/)
  })

  test('DnsEvents: name, comma-separated answers, client, server; trailing dot dropped', async () => {
    const { events } = await readLogEvents([fixture('dns-events.csv')])
    const e = record(events, 1)
    assert.equal(e.EventType, 'dns')
    assert.deepEqual(e.DnsResponse, ['15.230.137.45', '20.140.0.1'])
    assert.equal(e.SrcIpAddr, '10.0.0.5')
    assert.equal(e.Dvc, 'dns01')
    assert.equal(e.TimeGenerated, '2023-08-09T14:24:24.550Z')
    assert.equal(record(events, 2).DnsQuery, 'evil.example')
  })

  test('gzip: the same events', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'huntpack-sentinel-')), 'dns.csv.gz')
    writeFileSync(file, gzipSync(readFileSync(fixture('dns-events.csv'))))
    const zipped = await readLogEvents([file])
    const plain = await readLogEvents([fixture('dns-events.csv')])
    const strip = (e: LogEvent) => ({ ...e, SourceFile: '' })
    assert.deepEqual(zipped.events.map(strip), plain.events.map(strip))
    assert.equal(zipped.stats.broken.length, 3)
  })

  test('CommonSecurityLog by its columns: [UTC] over [Local Time], Check Point and FortiGate keys', async () => {
    assert.equal(await formatOf(fixture('csl-no-type.csv')), 'sentinel-csv')
    const { events, stats } = await readLogEvents([fixture('csl-no-type.csv')])
    assert.deepEqual(stats.broken, [])
    const dns = record(events, 1)
    assert.equal(dns.TimeGenerated, '2024-01-02T03:04:05.000Z')
    assert.equal(dns.DnsQuery, 'bad.example')
    assert.equal(dns.EventType, 'dns')
    assert.equal(dns.Dvc, 'gw1')
    const download = record(events, 2)
    assert.equal(download.Url, 'http://files.example/download/x.exe')
    assert.equal(download.TargetHostname, 'files.example')
    assert.equal(download.FileMD5, '44d88612fea8a8f36de82e1278abb02f')
    assert.equal(
      download.FileSHA256,
      '275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f',
    )
    assert.equal(download.Dvc, 'collector1')
    assert.equal(download.User, 'alice')
    assert.equal(download.Process, 'chrome.exe')
    assert.equal(download.DvcAction, 'Drop')
    const forti = record(events, 3)
    assert.equal(forti.TimeGenerated, '2024-01-02T03:16:00.000Z')
    assert.equal(forti.DnsQuery, 'x.example')
    assert.deepEqual(forti.DnsResponse, [])
  })

  test('hostile values in CommonSecurityLog columns: quotes, a line break, <script>, =cmd|', async () => {
    const { events, stats } = await readLogEvents([fixture('csl-no-type.csv')])
    assert.deepEqual(stats.broken, [])
    const e = record(events, 4)
    assert.equal(e.SourceLine, 5)
    // The path joined to its host; WHATWG escapes what a URL cannot hold.
    assert.equal(e.Url, 'http://evil.example/a?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E&x=1')
    assert.equal(e.DvcAction, `=cmd|' /C calc'!A0`)
    assert.equal(e.User, 'bob "the, admin"')
    assert.equal(e.Process, 'C:\\Program Files\\a\\b.exe')
    // DestinationHostName comes first; a malformed AdditionalExtensions is read as far as it goes.
    assert.equal(e.TargetHostname, 'evil.example')
    assert.equal(e.NetworkProtocol, 'tcp')
  })

  test('a CSV that is no Log Analytics export is refused when forced, naming file and line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'huntpack-sentinel-')), 'other.csv')
    writeFileSync(file, 'a,b\n1,2\n')
    assert.equal(sentinelCsvReader.detect('a,b\n1,2\n', file), false)
    await assert.rejects(readLogEvents([file], { format: 'sentinel-csv' }), (error: unknown) => {
      assert.ok(error instanceof HuntpackError)
      assert.equal(error.code, 'ERR_LOG_FORMAT')
      assert.ok(error.message.startsWith(`${file}:1: `), error.message)
      return true
    })
  })

  test('the record parser: quotes, escaped quotes, empty fields, open fields across lines', () => {
    const parser = new CsvRecordParser()
    assert.equal(parser.feed('a,"b,c","d ""e""",,'), true)
    assert.deepEqual(parser.fields, ['a', 'b,c', 'd "e"', '', ''])
    assert.equal(parser.feed('x,"multi'), false)
    assert.equal(parser.feed('line",y'), true)
    assert.deepEqual(parser.fields, ['x', 'multi\nline', 'y'])
    assert.equal(parser.error, null)
    assert.equal(parser.feed('"a"b'), true)
    assert.match(parser.error ?? '', /after the closing quote of field 1/)
  })

  test('column names: [UTC] wins over [Local Time] whatever the order; type suffixes stripped', () => {
    const index = columnIndex([
      'TimeGenerated [Local Time]',
      'TimeGenerated [UTC]',
      'Fqdn_s',
      'Fqdn',
    ])
    assert.equal(index.get('TimeGenerated'), 1)
    assert.equal(index.get('Fqdn'), 3)
    const reversed = columnIndex([
      'TimeGenerated [UTC]',
      'TimeGenerated [Local Time]',
      'ReportId_long',
    ])
    assert.equal(reversed.get('TimeGenerated'), 0)
    assert.equal(reversed.get('ReportId'), 2)
  })
})

describe('Event and Syslog rows in CSV (fixture): the Windows mapping, unreadable XML broken', () => {
  test('Sysmon 22 from Event XML, Sysmon for Linux 3 from SyslogMessage, plain syslog', async () => {
    const { events, stats } = await readLogEvents([fixture('event-syslog.csv')])
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.EventType]),
      [
        [2, 'dns'],
        [4, 'network'],
        [5, 'other'],
      ],
    )
    const dns = record(events, 1)
    assert.equal(dns.DnsQuery, 'c2.example.com')
    assert.deepEqual(dns.DnsResponse, ['192.0.2.9'])
    assert.equal(dns.Process, 'C:\\Users\\bob\\<evil>.exe')
    assert.equal(dns.TimeGenerated, '2024-03-01T10:00:00.123Z')
    assert.equal(dns.Dvc, 'ws9')
    const linux = record(events, 3)
    assert.equal(linux.SrcIpAddr, '10.0.0.5')
    assert.equal(linux.DstIpAddr, '203.0.113.44')
    assert.equal(linux.DstPortNumber, 8443)
    assert.equal(linux.Dvc, 'ubuntu7')
    assert.equal(record(events, 4).Process, 'sshd')
    // A DOCTYPE in event XML is refused by the XML reader: that row is broken, not the file.
    assert.deepEqual(
      stats.broken.map((b) => [b.line, b.record]),
      [[3, 2]],
    )
    assert.match(stats.broken[0]?.reason ?? '', /unreadable Event data/)
  })
})

describe('Sentinel JSON lines (fixture): several tables in one file', () => {
  test('detected by Type; each row mapped by its own Type; bad line broken, blank line skipped', async () => {
    assert.equal(await formatOf(fixture('tables.json')), 'sentinel-json')
    const { events, stats } = await readLogEvents([fixture('tables.json')])
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.EventType]),
      [
        [1, 1, 'dns'],
        [2, 2, 'dns'],
        [3, 3, 'network'],
        [5, 5, 'dns'],
        [7, 6, 'other'],
        [8, 7, 'http'],
        [9, 8, 'process'],
      ],
    )
    assert.deepEqual(
      stats.broken.map((b) => [b.line, b.record]),
      [[4, 4]],
    )
  })

  test('fields of each table', async () => {
    const { events } = await readLogEvents([fixture('tables.json')])
    const dns = record(events, 1)
    assert.equal(dns.DnsQuery, 'c2.example.net')
    assert.deepEqual(dns.DnsResponse, ['203.0.113.5', '203.0.113.6'])
    assert.equal(dns.TimeGenerated, '2024-01-02T03:04:05.678Z')
    const csl = record(events, 2)
    assert.equal(csl.DnsQuery, 'avsvmcloud.com')
    assert.deepEqual(csl.DnsResponse, ['20.140.0.1'])
    assert.equal(csl.SrcPortNumber, 61605)
    assert.equal(csl.Dvc, 'FW3')
    const device = record(events, 3)
    assert.equal(device.TimeGenerated, '2024-01-02T03:04:00.000Z')
    assert.equal(device.SrcIpAddr, '198.51.100.9')
    assert.equal(device.DstIpAddr, '10.0.0.7')
    assert.equal(device.DstPortNumber, 3389)
    assert.equal(device.LogFormat, 'sentinel-json')
    const asim = record(events, 5)
    assert.equal(asim.DnsQuery, 'bad.example')
    assert.deepEqual(asim.DnsResponse, ['192.0.2.66'])
    assert.equal(asim.Dvc, 'resolver1')
    const syslog = record(events, 6)
    assert.equal(syslog.Process, 'sshd')
    assert.equal(syslog.Dvc, 'lnx1')
    assert.equal(syslog.TimeGenerated, '2024-01-02T03:06:59.000Z')
    const firewall = record(events, 7)
    assert.equal(firewall.SrcIpAddr, '10.0.1.4')
    assert.equal(firewall.SrcPortNumber, 41276)
    assert.equal(firewall.Url, 'http://testmaliciousdomain.eastus.cloudapp.azure.com/x')
    assert.equal(firewall.DvcAction, 'Deny')
    const security = record(events, 8)
    assert.equal(security.Process, 'C:\\Windows\\System32\\cmd.exe')
    assert.equal(security.CommandLine, `cmd.exe /c "echo <script> & =cmd|' /C calc'!A0"`)
    assert.equal(security.User, 'CONTOSO\\svc')
    assert.equal(security.Dvc, 'dc1.contoso.com')
  })
})

describe('Log Analytics query API reply (fixture)', () => {
  test('rows by column names; a short row broken by its record; hostile name kept', async () => {
    assert.equal(await formatOf(fixture('query-api.json')), 'sentinel-json')
    const { events, stats } = await readLogEvents([fixture('query-api.json')])
    assert.deepEqual(
      events.map((e) => [e.SourceRecord, e.SourceLine, e.DnsQuery]),
      [
        [1, null, 'avsvmcloud.com'],
        [3, null, 'x.example"><script>'],
      ],
    )
    assert.deepEqual(
      stats.broken.map((b) => [b.record, b.reason]),
      [[2, 'a row of 6 values was expected']],
    )
    const e = record(events, 1)
    assert.equal(e.TimeGenerated, '2024-04-05T06:07:08.900Z')
    assert.deepEqual(e.DnsResponse, ['20.140.0.1'])
    assert.equal(e.SrcIpAddr, '10.3.3.3')
    assert.equal(e.Dvc, 'dns01')
  })
})

describe('VMConnection in CSV (fixture)', () => {
  test('SourceIp is the initiator whatever Direction says; no source port', async () => {
    assert.equal(await formatOf(fixture('vmconnection.csv')), 'sentinel-csv')
    const { events, stats } = await readLogEvents([fixture('vmconnection.csv')])
    assert.deepEqual(stats.broken, [])
    assert.deepEqual(
      events.map((e) => [e.SrcIpAddr, e.SrcPortNumber, e.DstIpAddr, e.DstPortNumber, e.EventType]),
      [
        ['192.168.2.5', null, '192.168.2.6', 1389, 'network'],
        ['203.0.113.7', null, '192.168.2.5', 8080, 'network'],
      ],
    )
    const e = record(events, 1)
    assert.equal(e.Process, 'java')
    assert.equal(e.Dvc, 'UBUNTU5')
    assert.equal(e.NetworkProtocol, 'tcp')
    assert.equal(e.TimeGenerated, '2022-05-11T18:09:38.868Z')
  })
})
