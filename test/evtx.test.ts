import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import { type EvtxIssue, parseEvtx } from '../src/logs/evtx/parse.ts'
import type { EvtxRecord } from '../src/logs/evtx/record.ts'
import { REPO } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

/**
 * Our EVTX parser against python-evtx 0.6.1 on every public sample: every record, field by
 * field, in the shape of `_reference_python-evtx.records.jsonl` (whose `record_id` is
 * `System/EventRecordID`). python-evtx cannot read records that hold a plain element instead of
 * a template instance, so the two files made of them are absent from the reference and their
 * values are checked here by hand, against the same events as a reader sees them rendered.
 */

const TEMPLATE_LESS = [
  'EVTX-to-MITRE-Attack/Antivirus/ID1151-Defender health status.evtx',
  'EVTX-to-MITRE-Attack/TA0008-Lateral Movement/T1021.006-Windows Remote Management/ID4656-WS Management listener enumeration.evtx',
]

interface Reference {
  file: string
  record_id: number
  event_id: number
  provider: string
  channel: string
  computer: string
  time_created: string
  event_data: Record<string, string>
}

function evtxFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return evtxFiles(path)
      return name.endsWith('.evtx') ? [path] : []
    })
}

async function readAll(path: string): Promise<{ records: EvtxRecord[]; issues: EvtxIssue[] }> {
  const records: EvtxRecord[] = []
  const issues: EvtxIssue[] = []
  for await (const r of parseEvtx(createReadStream(path), { onIssue: (i) => issues.push(i) })) {
    records.push(r)
  }
  return { records, issues }
}

function asReference(file: string, r: EvtxRecord): Reference {
  return {
    file,
    record_id: r.eventRecordId as number,
    event_id: r.eventId as number,
    provider: r.provider as string,
    channel: r.channel as string,
    computer: r.computer as string,
    time_created: r.timeCreated as string,
    event_data: r.eventData,
  }
}

describe('EVTX samples against python-evtx', () => {
  test('every record of every file equals the reference, field by field', async (t) => {
    const root = requireSharedData(t, 'logs/evtx')
    if (!root) return
    const expected = new Map<string, Reference>()
    const lines = readFileSync(join(root, '_reference_python-evtx.records.jsonl'), 'utf8')
    for (const line of lines.split('\n')) {
      if (line === '') continue
      const r = JSON.parse(line) as Reference
      expected.set(`${r.file}#${r.record_id}`, r)
    }
    assert.equal(expected.size, 2927)
    const files = evtxFiles(root)
    assert.equal(files.length, 20)
    let compared = 0
    for (const path of files) {
      const file = relative(root, path)
      const { records, issues } = await readAll(path)
      assert.deepEqual(issues, [], file)
      assert.ok(records.length > 0, file)
      for (const record of records) {
        const key = `${file}#${record.eventRecordId}`
        const reference = expected.get(key)
        if (TEMPLATE_LESS.includes(file)) {
          assert.equal(reference, undefined, `${key} is not in the reference`)
          continue
        }
        assert.ok(reference, `${key} is in the reference`)
        assert.deepEqual(asReference(file, record), reference, key)
        expected.delete(key)
        compared++
      }
    }
    assert.equal(compared, 2927)
    assert.deepEqual([...expected.keys()], [], 'reference records the parser did not give')
  })

  test('multi-chunk files give every record once, in order, with record numbers 1…n', async (t) => {
    const root = requireSharedData(t, 'logs/evtx')
    if (!root) return
    const file = join(
      root,
      'EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1562.004-Impair Defenses-Disable or Modify System Firewall/ID4688-5447-4950-Firewall disabled (command).evtx',
    )
    const { records } = await readAll(file)
    assert.equal(records.length, 998)
    assert.deepEqual(
      records.map((r) => r.recordId),
      records.map((_, i) => i + 1),
    )
    // 43 chunks: the last record lies in the last chunk, past 42 × 64 KiB.
    assert.ok((records.at(-1)?.offset ?? 0) > 0x1000 + 42 * 0x10000)
    // When the record was written (its header), not when the event was created.
    assert.equal(new Date(records[0]?.written ?? 0).toISOString(), '2021-06-03T19:17:46.489Z')
    assert.equal(records[0]?.timeCreated, '2021-06-03 19:17:44.873287')
  })
})

describe('huntpack logs dump', () => {
  test('a folder of samples: every record as a JSON line in the reference shape', (t) => {
    const root = requireSharedData(t, 'logs/evtx')
    if (!root) return
    // The output (3.7 MB) is more than spawnSync's default buffer.
    const run = spawnSync(
      process.execPath,
      [join(REPO, 'bin/huntpack.js'), 'logs', 'dump', root, '--format', 'jsonl'],
      { cwd: REPO, encoding: 'utf8', maxBuffer: 64 << 20 },
    )
    assert.equal(run.status, 0, run.stderr)
    // The reference itself lies in the folder: skipped with a warning, not an error.
    assert.match(
      run.stderr,
      /_reference_python-evtx\.records\.jsonl: skipped, no ElfFile signature: not an EVTX file/,
    )
    assert.match(run.stderr, /3,411 records written\n/)
    const expected = new Map<string, string>()
    for (const line of readFileSync(join(root, '_reference_python-evtx.records.jsonl'), 'utf8')
      .trim()
      .split('\n')) {
      const r = JSON.parse(line) as Reference
      expected.set(`${r.file}#${r.record_id}`, JSON.stringify(r))
    }
    const lines = run.stdout.trim().split('\n')
    assert.equal(lines.length, 3411)
    let same = 0
    for (const line of lines) {
      const { record_number: _, ...rest } = JSON.parse(line) as Reference & {
        record_number: number
      }
      const mine: Reference = { ...rest, file: relative(root, rest.file) }
      const reference = expected.get(`${mine.file}#${mine.record_id}`)
      if (reference === undefined) {
        assert.ok(TEMPLATE_LESS.includes(mine.file), mine.file)
        continue
      }
      assert.equal(JSON.stringify(mine), reference)
      same++
    }
    assert.equal(same, 2927)
  })
})

describe('EVTX records without templates (not readable by python-evtx)', () => {
  test('WS-Management listener enumeration: Security 4656, values as rendered', async (t) => {
    const root = requireSharedData(t, 'logs/evtx')
    if (!root) return
    const { records, issues } = await readAll(join(root, TEMPLATE_LESS[1] as string))
    assert.deepEqual(issues, [])
    assert.equal(records.length, 29)
    const first = records[0] as EvtxRecord
    assert.equal(first.recordId, 1)
    assert.equal(first.eventRecordId, 7068010)
    assert.equal(first.eventId, 4656)
    assert.equal(first.provider, 'Microsoft-Windows-Security-Auditing')
    assert.equal(first.channel, 'Security')
    assert.equal(first.computer, 'win10-02.offsec.lan')
    // These files hold the event as text, so the time is Windows' own rendering.
    assert.equal(first.timeCreated, '2022-01-26T09:16:25.3232236Z')
    assert.deepEqual(first.eventData, {
      SubjectUserSid: 'S-1-5-21-4230534742-2542757381-3142984815-1111',
      SubjectUserName: 'admmig',
      SubjectDomainName: 'OFFSEC',
      SubjectLogonId: '0x1d42387',
      ObjectServer: 'WS-Management Listener',
      ObjectType: 'Unknown',
      ObjectName: 'Unknown',
      HandleId: '0x0',
      TransactionId: '{00000000-0000-0000-0000-000000000000}',
      AccessList: '%%1552\r\n\t\t\t\t%%1553\r\n\t\t\t\t%%1554\r\n\t\t\t\t',
      AccessReason: '-',
      AccessMask: '0x7',
      PrivilegeList: '-',
      RestrictedSidCount: '0',
      ProcessId: '0x668',
      ProcessName: 'C:\\Windows\\System32\\svchost.exe',
      ResourceAttributes: '-',
    })
    const event = first.event
    assert.equal(event?.name, 'Event')
    assert.deepEqual(event?.attributes, [
      { name: 'xmlns', value: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    ])
    const last = records.at(-1) as EvtxRecord
    assert.equal(last.eventRecordId, 256171217)
    assert.equal(last.computer, 'rootdc1.offsec.lan')
    assert.equal(last.eventData.SubjectLogonId, '0xdbc0ec1f9')
    assert.equal(last.eventData.ProcessId, '0x420')
  })

  test('Defender health status: 455 records over 23 chunks, event 1151', async (t) => {
    const root = requireSharedData(t, 'logs/evtx')
    if (!root) return
    const { records, issues } = await readAll(join(root, TEMPLATE_LESS[0] as string))
    assert.deepEqual(issues, [])
    assert.equal(records.length, 455)
    assert.ok(records.every((r) => r.eventId === 1151))
    assert.ok(records.every((r) => r.channel === 'Microsoft-Windows-Windows Defender/Operational'))
    const first = records[0] as EvtxRecord
    assert.equal(first.eventRecordId, 2189)
    assert.equal(first.computer, 'WIN10-client01.offsec.lan')
    assert.equal(first.timeCreated, '2020-06-23T09:35:56.825510000Z')
    assert.equal(first.eventData['Platform version'], '4.18.2005.5')
    assert.equal(first.eventData['Last full scan age'], '4294967295')
    assert.equal(first.eventData['Product status'], '0x00080080')
    assert.equal(first.eventData.Unused, '')
    const last = records.at(-1) as EvtxRecord
    assert.equal(last.eventRecordId, 170)
    assert.equal(last.eventData['Product Name'], 'Microsoft Defender Antivirus')
    assert.equal(last.eventData['RTP state'], 'Enabled')
  })
})
