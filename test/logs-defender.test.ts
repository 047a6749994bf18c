import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { LogEvent } from '../src/logs/event.ts'
import { listLogInputs, peekText } from '../src/logs/input.ts'
import { defenderCsvReader, defenderJsonReader } from '../src/logs/readers/defender.ts'
import { detectLogFormat, readLogEvents } from '../src/logs/readers/index.ts'
import { requireSharedData } from './support/shared-data.ts'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'logs', 'defender')
const SAMPLE = 'logs/defender/Microsoft365DefenderEvents.json'

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

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'huntpack-defender-')), name)
  writeFileSync(file, text)
  return file
}

describe('Defender advanced-hunting sample (OTRF Golden SAML, JSON lines)', () => {
  test('detected as defender-json; 9 lines, 9 events, none broken', async (t) => {
    const path = requireSharedData(t, SAMPLE)
    if (path === undefined) return
    // `wc -l` and `jq -c . | wc -l` both count 9 records.
    assert.equal(await formatOf(path), 'defender-json')
    const { events, stats } = await readLogEvents([path])
    assert.equal(events.length, 9)
    assert.deepEqual(stats.broken, [])
    assert.deepEqual(
      events.map((e) => e.SourceLine),
      [1, 2, 3, 4, 5, 6, 7, 8, 9],
    )
  })

  test('LdapSearch (DeviceEvents): device, account, initiating process and its hashes', async (t) => {
    const path = requireSharedData(t, SAMPLE)
    if (path === undefined) return
    const { events } = await readLogEvents([path])
    const e = record(events, 1)
    assert.equal(e.LogFormat, 'defender-json')
    assert.equal(e.TimeGenerated, '2021-08-02T13:11:39.772Z')
    assert.equal(e.Dvc, 'adfs01.simulandlabs.com')
    assert.equal(e.DvcAction, 'LdapSearch')
    assert.equal(e.User, 'wardog')
    assert.equal(e.Process, 'powershell.exe')
    assert.equal(e.CommandLine, '"powershell.exe" ')
    assert.equal(e.FileSHA256, 'de96a6e69944335375dc1ac238336066889d9ffc7d73628ef4fe1b1b160ab32c')
    assert.equal(e.FileSHA1, '6cbce4a295c163791b60fc23d285e6d84f28ee4c')
    assert.equal(e.FileMD5, '7353f60b1739074eb17c5f4dddefe239')
    // No connection, and the hashes are the initiating process's, not a file event's.
    assert.equal(e.EventType, 'other')
    assert.equal(e.SrcIpAddr, null)
  })

  test('Directory Services replication (IdentityDirectoryEvents): source and destination', async (t) => {
    const path = requireSharedData(t, SAMPLE)
    if (path === undefined) return
    const { events } = await readLogEvents([path])
    const e = record(events, 6)
    assert.equal(e.EventType, 'network')
    assert.equal(e.SrcIpAddr, '192.168.2.5')
    assert.equal(e.SrcPortNumber, 53163)
    assert.equal(e.DstIpAddr, '192.168.2.4')
    assert.equal(e.DstPortNumber, 49668)
    assert.equal(e.TargetHostname, 'dc01.simulandlabs.com')
    assert.equal(e.User, 'pgustavo')
    // `Drsr` is an application protocol, not a transport.
    assert.equal(e.NetworkProtocol, null)
  })

  test('CloudAppEvents: the client address, the account shown', async (t) => {
    const path = requireSharedData(t, SAMPLE)
    if (path === undefined) return
    const { events } = await readLogEvents([path])
    const e = record(events, 8)
    assert.equal(e.TimeGenerated, '2021-08-02T13:32:07.000Z')
    assert.equal(e.SrcIpAddr, '1.2.3.4')
    assert.equal(e.User, 'SimuLandApp')
    assert.equal(e.DvcAction, 'MailItemsAccessed')
    assert.equal(record(events, 9).EventType, 'other')
  })

  test('the same rows as a JSON array: same events, each from the line it starts on', async (t) => {
    const path = requireSharedData(t, SAMPLE)
    if (path === undefined) return
    const lines = readFileSync(path, 'utf8').trim().split('\n')
    const file = tempFile('export.json', `[\n${lines.join(',\n')}\n]\n`)
    assert.equal(await formatOf(file), 'defender-json')
    const array = await readLogEvents([file])
    const plain = await readLogEvents([path])
    assert.equal(array.events.length, 9)
    // `[` is line 1; element n starts on line n + 1.
    assert.deepEqual(
      array.events.map((e) => e.SourceLine),
      [2, 3, 4, 5, 6, 7, 8, 9, 10],
    )
    const strip = (e: LogEvent) => ({ ...e, SourceFile: '', SourceLine: null })
    assert.deepEqual(array.events.map(strip), plain.events.map(strip))
  })

  test('not confused with the Azure Monitor exports, and they are not Defender', async (t) => {
    const defender = requireSharedData(t, SAMPLE)
    const vm = requireSharedData(
      t,
      'logs/azure-monitor/vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
    )
    const syslog = requireSharedData(
      t,
      'logs/azure-monitor/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
    )
    if (defender === undefined || vm === undefined || syslog === undefined) return
    for (const path of [vm, syslog]) {
      const [input] = await listLogInputs([path])
      assert.ok(input)
      const head = await peekText(input)
      assert.equal(defenderJsonReader.detect(head, input.name), false, path)
      assert.equal(await formatOf(path), 'azure-monitor')
    }
    assert.equal(await formatOf(defender), 'defender-json')
  })
})

describe('Defender CSV export (fixture)', () => {
  test('detected as defender-csv; a quoted command line over two lines keeps record lines', async () => {
    assert.equal(await formatOf(fixture('network.csv')), 'defender-csv')
    const { events, stats } = await readLogEvents([fixture('network.csv')])
    assert.deepEqual(stats.broken, [])
    assert.deepEqual(
      events.map((e) => [e.SourceRecord, e.SourceLine]),
      [
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
        [5, 7],
      ],
    )
  })

  test('direction: outbound from Local, inbound accepted from Remote, listening has one side', async () => {
    const { events } = await readLogEvents([fixture('network.csv')])
    const out = record(events, 1)
    assert.deepEqual(
      [out.SrcIpAddr, out.SrcPortNumber, out.DstIpAddr, out.DstPortNumber],
      ['10.0.0.7', 50555, '15.230.137.45', 443],
    )
    const inbound = record(events, 2)
    assert.deepEqual(
      [inbound.SrcIpAddr, inbound.SrcPortNumber, inbound.DstIpAddr, inbound.DstPortNumber],
      ['198.51.100.9', 50123, '10.0.0.7', 3389],
    )
    const listen = record(events, 3)
    assert.deepEqual(
      [listen.SrcIpAddr, listen.SrcPortNumber, listen.DstIpAddr, listen.DstPortNumber],
      [null, null, '0.0.0.0', 4444],
    )
    const v6 = record(events, 5)
    assert.equal(v6.SrcIpAddr, 'fe80::1')
    assert.equal(v6.DstIpAddr, '2001:db8::99')
    assert.equal(v6.NetworkProtocol, 'udp')
  })

  test('RemoteUrl: a bare name is a host, a URL is a URL', async () => {
    const { events } = await readLogEvents([fixture('network.csv')])
    const host = record(events, 1)
    assert.equal(host.TargetHostname, 'avsvmcloud.com')
    assert.equal(host.Url, null)
    assert.equal(host.EventType, 'network')
    assert.equal(host.TimeGenerated, '2024-01-02T03:04:05.123Z')
    assert.equal(host.CommandLine, '"SolarWinds.BusinessLayerHost.exe" -a, -b')
    const url = record(events, 4)
    assert.equal(url.Url, 'http://evil.example/gate.php?id=1')
    assert.equal(url.UrlHost, 'evil.example')
    assert.equal(url.EventType, 'http')
  })

  test('hostile command line (quotes, <script>, =cmd|, a line break) is kept as written', async () => {
    const { events } = await readLogEvents([fixture('network.csv')])
    const e = record(events, 4)
    assert.equal(e.CommandLine, `powershell -c "<script>"\n=cmd|' /C calc'!A0`)
    assert.equal(e.Process, 'powershell.exe')
    assert.equal(e.User, 'bob')
    assert.equal(e.FileSHA1, '3395856ce81f2b7382dee72602f798b642f14140')
    assert.equal(e.FileMD5, '44d88612fea8a8f36de82e1278abb02f')
  })

  test('a CSV without Timestamp and ActionType is not Defender', () => {
    assert.equal(defenderCsvReader.detect('DeviceName,RemoteIP\nws1,1.2.3.4\n', 'x.csv'), false)
    assert.equal(
      defenderCsvReader.detect('TimeGenerated,Timestamp,ActionType,DeviceName\n', 'x.csv'),
      false,
    )
  })
})

describe('Defender API reply and broken records', () => {
  test('{"Schema", "Results"}: file, DNS and inspected HTTP rows; a non-object result is broken', async () => {
    assert.equal(await formatOf(fixture('api-reply.json')), 'defender-json')
    const { events, stats } = await readLogEvents([fixture('api-reply.json')])
    assert.equal(events.length, 6)
    assert.deepEqual(stats.broken, [
      { file: fixture('api-reply.json'), record: 7, reason: 'result is not a JSON object' },
    ])
    const file = record(events, 1)
    assert.equal(file.EventType, 'file')
    assert.equal(file.SourceLine, null)
    assert.equal(file.FileSHA1, '3395856ce81f2b7382dee72602f798b642f14140')
    assert.equal(file.Url, 'https://files.example/invoice.js')
    assert.equal(file.DstIpAddr, '192.0.2.44')
    assert.equal(file.Process, 'msedge.exe')
    const dns = record(events, 2)
    assert.equal(dns.EventType, 'dns')
    assert.equal(dns.DnsQuery, 'c2.example.org')
    const http = record(events, 3)
    assert.equal(http.EventType, 'http')
    assert.equal(http.TargetHostname, 'evil.example')
    assert.equal(http.Url, 'http://evil.example/a.php?x=%3Cscript%3E')
    assert.equal(http.SrcIpAddr, '10.0.0.8')
    const click = record(events, 4)
    assert.equal(click.Url, 'https://phish.example/login?u=%22%3E%3Cscript%3E')
    assert.equal(click.SrcIpAddr, '198.51.100.23')
    assert.equal(click.User, 'bob@contoso.com')
    const query = record(events, 5)
    assert.equal(query.EventType, 'dns')
    assert.equal(query.DnsQuery, 'c2.example.net')
    assert.equal(query.DstIpAddr, '10.0.0.2')
    assert.equal(record(events, 6).SrcIpAddr, '203.0.113.25')
  })

  test('detection: a report id or a device with ActionType, never Log Analytics columns', () => {
    const json = (o: object) => `${JSON.stringify(o)}\n`
    assert.equal(defenderJsonReader.detect(json({ Timestamp: 't', ReportId: 1 }), 'x'), true)
    assert.equal(
      defenderJsonReader.detect(json({ Timestamp: 't', ActionType: 'a', DeviceId: 'd' }), 'x'),
      true,
    )
    assert.equal(defenderJsonReader.detect(json({ Timestamp: 't', ActionType: 'a' }), 'x'), false)
    assert.equal(
      defenderJsonReader.detect(json({ Timestamp: 't', ReportId: 1, Type: 'DeviceEvents' }), 'x'),
      false,
    )
    // Suricata writes `timestamp` and `event_type`: not Defender.
    assert.equal(
      defenderJsonReader.detect(json({ timestamp: 't', event_type: 'dns', ReportId: 1 }), 'x'),
      false,
    )
  })

  test('a bad JSON line is broken by its line and reading goes on', async () => {
    const file = tempFile(
      'lines.json',
      '{"Timestamp":"2024-01-01T00:00:00Z","ActionType":"ConnectionSuccess","DeviceName":"a","RemoteIP":"192.0.2.1","LocalIP":"10.0.0.1"}\n' +
        '{"Timestamp": broken\n' +
        '\n' +
        '{"Timestamp":"2024-01-01T00:00:01Z","ActionType":"ConnectionSuccess","DeviceName":"a","RemoteIP":"192.0.2.2","LocalIP":"10.0.0.1"}\n',
    )
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.DstIpAddr]),
      [
        [1, 1, '192.0.2.1'],
        [4, 3, '192.0.2.2'],
      ],
    )
    assert.equal(stats.broken.length, 1)
    assert.equal(stats.broken[0]?.line, 2)
  })
})
