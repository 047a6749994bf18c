import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, test } from 'node:test'
import { crc32, crc32Table } from '../src/logs/evtx/crc32.ts'
import { type EvtxIssue, parseEvtx } from '../src/logs/evtx/parse.ts'
import type { EvtxRecord } from '../src/logs/evtx/record.ts'
import { filetimeText, pythonFloat } from '../src/logs/evtx/values.ts'
import { listLogInputs, peekText } from '../src/logs/input.ts'
import { evtxReader } from '../src/logs/readers/evtx.ts'
import { detectLogFormat, readLogEvents } from '../src/logs/readers/index.ts'
import { huntpack } from './support/cli.ts'
import {
  type BuildValue,
  buildChunk,
  buildEvtx,
  eventTemplate,
  systemValues,
  wstring,
} from './support/evtx-build.ts'

/**
 * Every substitution value type, written into a small EVTX file by `support/evtx-build.ts`
 * and read back: the text each gives is python-evtx's rendering (the vectors for times and
 * floats were computed with CPython, which python-evtx runs on). Hostile text goes through the
 * parser, the reader and `logs dump` unchanged and escaped as JSON.
 */

const HOSTILE = `C:\\Temp\\"q" <script>alert(1)</script> =cmd|' /C calc'!A0\r\nline2\t&amp;`

function le(size: number, write: (b: Buffer) => void): Buffer {
  const b = Buffer.alloc(size)
  write(b)
  return b
}

/** Little-endian 16-bit words. */
function words(...values: number[]): Buffer {
  const b = Buffer.alloc(2 * values.length)
  for (const [i, n] of values.entries()) b.writeUInt16LE(n, 2 * i)
  return b
}

/** Little-endian 32-bit words. */
function dwords(...values: number[]): Buffer {
  const b = Buffer.alloc(4 * values.length)
  for (const [i, n] of values.entries()) b.writeUInt32LE(n, 4 * i)
  return b
}

const VALUES: [string, BuildValue, string][] = [
  ['String', wstring(HOSTILE), HOSTILE],
  ['Ansi', { type: 0x02, bytes: Buffer.from('ANSI text\0\0', 'latin1') }, 'ANSI text'],
  ['Int8', { type: 0x03, bytes: le(1, (b) => b.writeInt8(-5)) }, '-5'],
  ['UInt8', { type: 0x04, bytes: le(1, (b) => b.writeUInt8(250)) }, '250'],
  ['Int16', { type: 0x05, bytes: le(2, (b) => b.writeInt16LE(-300)) }, '-300'],
  ['UInt16', { type: 0x06, bytes: le(2, (b) => b.writeUInt16LE(65000)) }, '65000'],
  ['Int32', { type: 0x07, bytes: le(4, (b) => b.writeInt32LE(-70000)) }, '-70000'],
  ['UInt32', { type: 0x08, bytes: le(4, (b) => b.writeUInt32LE(4000000000)) }, '4000000000'],
  [
    'Int64',
    { type: 0x09, bytes: le(8, (b) => b.writeBigInt64LE(-9007199254740993n)) },
    '-9007199254740993',
  ],
  [
    'UInt64',
    { type: 0x0a, bytes: le(8, (b) => b.writeBigUInt64LE(18446744073709551615n)) },
    '18446744073709551615',
  ],
  ['Float', { type: 0x0b, bytes: le(4, (b) => b.writeFloatLE(0.1)) }, '0.10000000149011612'],
  ['Double', { type: 0x0c, bytes: le(8, (b) => b.writeDoubleLE(1e16)) }, '1e+16'],
  ['BoolTrue', { type: 0x0d, bytes: le(4, (b) => b.writeInt32LE(1)) }, 'True'],
  ['BoolFalse', { type: 0x0d, bytes: le(4, (b) => b.writeInt32LE(0)) }, 'False'],
  ['Binary', { type: 0x0e, bytes: Buffer.from([0, 1, 2, 255]) }, 'AAEC/w=='],
  [
    'Guid',
    { type: 0x0f, bytes: Buffer.from('d6632f5fabe07044853008f129b46177a'.slice(0, 32), 'hex') },
    '{5f2f63d6-e0ab-4470-8530-08f129b46177}',
  ],
  ['Size', { type: 0x10, bytes: le(8, (b) => b.writeBigUInt64LE(50813n)) }, '50813'],
  [
    'FileTime',
    { type: 0x11, bytes: le(8, (b) => b.writeBigUInt64LE(132000000000000015n)) },
    '2019-04-17 18:40:00.000002',
  ],
  [
    'SystemTime',
    {
      type: 0x12,
      bytes: words(2020, 11, 1, 16, 17, 0, 19, 731),
    },
    '2020-11-16 17:00:19.731000',
  ],
  [
    'Sid',
    {
      type: 0x13,
      bytes: Buffer.concat([Buffer.from([1, 5, 0, 0, 0, 0, 0, 5]), dwords(21, 1, 2, 3, 500)]),
    },
    'S-1-5-21-1-2-3-500',
  ],
  ['Hex32', { type: 0x14, bytes: le(4, (b) => b.writeUInt32LE(0x50951)) }, '0x00050951'],
  [
    'Hex64',
    { type: 0x15, bytes: le(8, (b) => b.writeBigUInt64LE(0x46b7b4n)) },
    '0x000000000046b7b4',
  ],
  ['StringArray', { type: 0x81, bytes: Buffer.from('a,1\0b\0', 'utf16le') }, 'a,1, b'],
  ['UInt16Array', { type: 0x86, bytes: words(1, 2) }, '1, 2'],
  ['Null', { type: 0x00, bytes: Buffer.alloc(0) }, ''],
]

function sampleFile(): Buffer {
  const names = VALUES.map(([n]) => n)
  const types = VALUES.map(([, v]) => v.type)
  const root = eventTemplate(names, types)
  const values = [
    ...systemValues('Hostile-Provider', 4242, 77, 'Application', 'host<1>.example'),
    ...VALUES.map(([, v]) => v),
  ]
  return buildEvtx([
    buildChunk(
      [
        { template: 'all', root, values },
        { template: 'all', root, values },
      ],
      1,
    ),
  ])
}

async function read(bytes: Buffer): Promise<{ records: EvtxRecord[]; issues: EvtxIssue[] }> {
  const records: EvtxRecord[] = []
  const issues: EvtxIssue[] = []
  for await (const r of parseEvtx(Readable.from([bytes]), { onIssue: (i) => issues.push(i) })) {
    records.push(r)
  }
  return { records, issues }
}

const dir = mkdtempSync(join(tmpdir(), 'huntpack-evtx-values-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('EVTX value types', () => {
  test('every substitution type renders as python-evtx renders it', async () => {
    const { records, issues } = await read(sampleFile())
    assert.deepEqual(issues, [])
    assert.equal(records.length, 2)
    for (const record of records) {
      assert.equal(record.provider, 'Hostile-Provider')
      assert.equal(record.eventId, 4242)
      assert.equal(record.eventRecordId, 77)
      assert.equal(record.channel, 'Application')
      assert.equal(record.computer, 'host<1>.example')
      assert.equal(record.timeCreated, '2021-06-03 19:17:44.873285')
      assert.deepEqual(record.eventData, Object.fromEntries(VALUES.map(([n, , text]) => [n, text])))
    }
    // The second record used the template and names the first one defined.
    assert.deepEqual(records[1]?.event, records[0]?.event)
  })

  test('a BinXML value becomes nested XML, and null in an optional attribute drops it', async () => {
    const root = {
      element: 'Event',
      children: [
        {
          element: 'UserData',
          attributes: [['Maybe', { sub: 1, type: 0x01, optional: true }]] as [
            string,
            { sub: number; type: number; optional: boolean },
          ][],
          children: [{ sub: 0, type: 0x21 }],
        },
      ],
    }
    const inner = {
      element: 'RdpLogon',
      attributes: [['xmlns', { text: 'Event_NS' }]] as [string, { text: string }][],
      children: [{ element: 'Address', children: [{ text: '10.1.2.3' }] }],
    }
    const chunk = buildChunk(
      [
        {
          template: 'user',
          root,
          values: [{ type: 0x21, nested: { plain: inner } }, wstring('x')],
        },
        {
          template: 'user',
          root,
          values: [
            { type: 0x21, nested: { plain: inner } },
            { type: 0x00, bytes: Buffer.alloc(0) },
          ],
        },
      ],
      1,
    )
    const { records, issues } = await read(buildEvtx([chunk]))
    assert.deepEqual(issues, [])
    const expected = {
      name: 'RdpLogon',
      attributes: [{ name: 'xmlns', value: 'Event_NS' }],
      children: [{ name: 'Address', attributes: [], children: ['10.1.2.3'] }],
    }
    assert.deepEqual(records[0]?.event?.children, [
      { name: 'UserData', attributes: [{ name: 'Maybe', value: 'x' }], children: [expected] },
    ])
    assert.deepEqual(records[1]?.event?.children, [
      { name: 'UserData', attributes: [], children: [expected] },
    ])
  })

  test('FILETIME goes through a double and rounds half to even, as CPython does', () => {
    const vectors: [bigint, string][] = [
      [132672214648732870n, '2021-06-03 19:17:44.873285'],
      [132672214664899768n, '2021-06-03 19:17:46.489977'],
      [0n, '1601-01-01 00:00:00'],
      [116444736000000000n, '1970-01-01 00:00:00'],
      [131976048123456789n, '2019-03-21 01:20:12.345678'],
      [130000000000000005n, '2012-12-14 23:06:40'],
      [132000000000000015n, '2019-04-17 18:40:00.000002'],
      [2650467743999999999n, '0001-01-01 00:00:00'],
    ]
    for (const [ticks, text] of vectors) {
      const low = Number(ticks & 0xffffffffn)
      const high = Number(ticks >> 32n)
      assert.equal(filetimeText(low, high), text, String(ticks))
    }
  })

  test("floats print as Python's repr", () => {
    const vectors: [number, string][] = [
      [1.5, '1.5'],
      [0.1, '0.1'],
      [1e16, '1e+16'],
      [1, '1.0'],
      [-0, '-0.0'],
      [1e-5, '1e-05'],
      [123456789012345.6, '123456789012345.6'],
      [3.4028234663852886e38, '3.4028234663852886e+38'],
      [0.0001, '0.0001'],
      [2.5e-7, '2.5e-07'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [Math.fround(0.1), '0.10000000149011612'],
    ]
    for (const [x, text] of vectors) assert.equal(pythonFloat(x), text, String(x))
  })

  test('CRC-32 is the IEEE one, native or from our table', () => {
    const bytes = Buffer.from('xx123456789yy')
    assert.equal(crc32(bytes, 2, 11), 0xcbf43926)
    assert.equal(crc32Table(bytes, 2, 11, 0), 0xcbf43926)
    assert.equal(crc32(bytes, 7, 11, crc32(bytes, 2, 7)), 0xcbf43926)
    assert.equal(crc32Table(bytes, 7, 11, crc32Table(bytes, 2, 7, 0)), 0xcbf43926)
  })
})

describe('hostile values through the reader and logs dump', () => {
  function sysmonFile(): Buffer {
    const names = ['Image', 'CommandLine', 'UtcTime']
    const root = eventTemplate(names, [0x01, 0x01, 0x01])
    const values = [
      ...systemValues(
        'Microsoft-Windows-Sysmon',
        1,
        5,
        'Microsoft-Windows-Sysmon/Operational',
        'PC"1',
      ),
      wstring(HOSTILE),
      wstring(`${HOSTILE} -enc`),
      wstring('2019-05-23 16:49:07.834'),
    ]
    return buildEvtx([buildChunk([{ template: 't', root, values }], 1)])
  }

  test('the reader maps a Sysmon process event with hostile text unchanged', async () => {
    const path = join(dir, 'hostile.evtx')
    writeFileSync(path, sysmonFile())
    const { events, stats } = await readLogEvents([path])
    assert.deepEqual(stats.broken, [])
    assert.equal(events.length, 1)
    const e = events[0]
    assert.equal(e?.LogFormat, 'evtx')
    assert.equal(e?.EventType, 'process')
    assert.equal(e?.Process, HOSTILE)
    assert.equal(e?.CommandLine, `${HOSTILE} -enc`)
    assert.equal(e?.Dvc, 'PC"1')
    assert.equal(e?.TimeGenerated, '2019-05-23T16:49:07.834Z')
    assert.equal(e?.SourceRecord, 1)
    assert.equal(e?.SourceLine, null)
  })

  test('logs dump writes one JSON line per record, hostile text escaped', () => {
    const path = join(dir, 'hostile-dump.evtx')
    writeFileSync(path, sysmonFile())
    const run = huntpack('logs', 'dump', path, '--format', 'jsonl')
    assert.equal(run.status, 0, run.stderr)
    const lines = run.stdout.trim().split('\n')
    assert.equal(lines.length, 1)
    assert.ok(!lines[0]?.includes('\r') && !lines[0]?.includes('\n'))
    const record = JSON.parse(lines[0] as string) as Record<string, unknown>
    assert.equal(record.record_id, 5)
    assert.equal(record.record_number, 1)
    assert.equal(record.event_id, 1)
    assert.equal(record.computer, 'PC"1')
    assert.deepEqual(record.event_data, {
      Image: HOSTILE,
      CommandLine: `${HOSTILE} -enc`,
      UtcTime: '2019-05-23 16:49:07.834',
    })
  })
})

describe('ForwardedEvents', () => {
  test('a forwarded Security 5156 maps by its own channel, RenderingInfo and all', async () => {
    const names = [
      'Application',
      'SourceAddress',
      'SourcePort',
      'DestAddress',
      'DestPort',
      'Protocol',
    ]
    const template = eventTemplate(names, [0x01, 0x01, 0x01, 0x01, 0x01, 0x08])
    const root = {
      ...template,
      children: [
        ...('children' in template ? (template.children ?? []) : []),
        {
          element: 'RenderingInfo',
          attributes: [['Culture', { text: 'en-US' }]] as [string, { text: string }][],
          children: [
            { element: 'Message', children: [{ text: 'The Windows Filtering Platform…' }] },
          ],
        },
      ],
    }
    const values = [
      ...systemValues('Microsoft-Windows-Security-Auditing', 5156, 9001, 'Security', 'dc1.corp'),
      wstring('\\device\\harddiskvolume2\\windows\\system32\\svchost.exe'),
      wstring('10.0.0.5'),
      wstring('50123'),
      wstring('45.76.12.27'),
      wstring('443'),
      { type: 0x08, bytes: Buffer.from([6, 0, 0, 0]) },
    ]
    const path = join(dir, 'ForwardedEvents.evtx')
    writeFileSync(path, buildEvtx([buildChunk([{ template: 'fwd', root, values }], 1)]))
    const { events, stats } = await readLogEvents([path])
    assert.deepEqual(stats.broken, [])
    assert.equal(events.length, 1)
    const e = events[0]
    assert.equal(e?.EventType, 'network')
    assert.equal(e?.SrcIpAddr, '10.0.0.5')
    assert.equal(e?.SrcPortNumber, 50123)
    assert.equal(e?.DstIpAddr, '45.76.12.27')
    assert.equal(e?.DstPortNumber, 443)
    assert.equal(e?.NetworkProtocol, 'tcp')
    assert.equal(e?.DvcAction, 'allow')
    assert.equal(e?.Dvc, 'dc1.corp')
    assert.equal(e?.TimeGenerated, '2021-06-03T19:17:44.873Z')
  })
})

describe('EVTX detection', () => {
  test('by the ElfFile magic and its NUL, whatever the name', async () => {
    const path = join(dir, 'events.log')
    writeFileSync(path, sampleFile())
    const [input] = await listLogInputs([path])
    assert.ok(input)
    assert.equal((await detectLogFormat(input)).id, 'evtx')
    assert.equal(evtxReader.detect(await peekText(input), 'events.log'), true)
    assert.equal(evtxReader.detect('ElfFile is a word\n', 'x.evtx'), false)
    assert.equal(evtxReader.detect('ElfFil', 'x.evtx'), false)
  })
})
