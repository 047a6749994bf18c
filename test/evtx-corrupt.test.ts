import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, describe, test } from 'node:test'
import { crc32 } from '../src/logs/evtx/crc32.ts'
import { EvtxFormatError } from '../src/logs/evtx/header.ts'
import { type EvtxIssue, parseEvtx } from '../src/logs/evtx/parse.ts'
import type { EvtxRecord } from '../src/logs/evtx/record.ts'
import { readLogEvents } from '../src/logs/readers/index.ts'
import { huntpack } from './support/cli.ts'
import {
  buildChunk,
  buildEvtx,
  eventTemplate,
  fixChunkCrcs,
  systemValues,
} from './support/evtx-build.ts'
import { requireSharedData, sharedData } from './support/shared-data.ts'

/**
 * Damaged copies of the samples, made here in a temporary folder: truncated, zero-filled and
 * bit-flipped files give errors and issues that name the file offset, the rest of the file is
 * read, and nothing crashes or hangs. Files that were not closed cleanly are read to their last
 * chunk even when the header lags behind.
 */

const MULTI_CHUNK =
  'logs/evtx/EVTX-to-MITRE-Attack/TA0005-Defense Evasion/T1562.004-Impair Defenses-Disable or Modify System Firewall/ID4688-5447-4950-Firewall disabled (command).evtx'
const CHUNK = 0x10000

const dir = mkdtempSync(join(tmpdir(), 'huntpack-evtx-corrupt-'))
after(() => rmSync(dir, { recursive: true, force: true }))

async function read(bytes: Buffer): Promise<{ records: EvtxRecord[]; issues: EvtxIssue[] }> {
  const records: EvtxRecord[] = []
  const issues: EvtxIssue[] = []
  // Pieces of an odd size, as a stream would give them.
  const pieces: Buffer[] = []
  for (let at = 0; at < bytes.length; at += 7777) pieces.push(bytes.subarray(at, at + 7777))
  for await (const r of parseEvtx(Readable.from(pieces), { onIssue: (i) => issues.push(i) })) {
    records.push(r)
  }
  return { records, issues }
}

async function readError(bytes: Buffer): Promise<EvtxFormatError> {
  try {
    await read(bytes)
  } catch (error) {
    assert.ok(error instanceof EvtxFormatError, String(error))
    return error
  }
  assert.fail('no error')
}

/** Records per chunk index of an intact file, from the records' offsets. */
function perChunk(records: readonly EvtxRecord[]): Map<number, number> {
  const counts = new Map<number, number>()
  for (const r of records) {
    const chunk = Math.floor((r.offset - 0x1000) / CHUNK)
    counts.set(chunk, (counts.get(chunk) ?? 0) + 1)
  }
  return counts
}

describe('damaged EVTX files', () => {
  test('truncated: inside the header, inside a chunk, between chunks', async (t) => {
    if (!requireSharedData(t, MULTI_CHUNK)) return
    const file = readFileSync(sharedData(MULTI_CHUNK))
    const intact = await read(file)
    assert.equal(intact.records.length, 998)
    const counts = perChunk(intact.records)

    assert.equal((await readError(file.subarray(0, 0))).offset, 0)
    const header = await readError(file.subarray(0, 100))
    assert.match(
      header.message,
      /file ends after 100 bytes, inside the file header \(at offset 0x0\)/,
    )

    const inFirst = await read(file.subarray(0, 0x1000 + 1000))
    assert.equal(inFirst.records.length, 0)
    assert.deepEqual(inFirst.issues, [
      { offset: 0x1000, message: 'file ends 1000 bytes into chunk 0 (of 65536)' },
    ])

    const cut = 0x1000 + 5 * CHUNK + 12345
    const inSixth = await read(file.subarray(0, cut))
    const before = [0, 1, 2, 3, 4].reduce((n, i) => n + (counts.get(i) ?? 0), 0)
    assert.equal(inSixth.records.length, before)
    assert.deepEqual(inSixth.records, intact.records.slice(0, before))
    assert.deepEqual(inSixth.issues, [
      { offset: 0x1000 + 5 * CHUNK, message: 'file ends 12345 bytes into chunk 5 (of 65536)' },
    ])

    const between = await read(file.subarray(0, 0x1000 + 10 * CHUNK))
    assert.deepEqual(between.issues, [
      { offset: 0x1000 + 10 * CHUNK, message: 'file ends after 10 chunks; its header counts 43' },
    ])
  })

  test('zero-filled: a whole chunk, part of a chunk, the file header', async (t) => {
    if (!requireSharedData(t, MULTI_CHUNK)) return
    const file = readFileSync(sharedData(MULTI_CHUNK))
    const intact = await read(file)
    const counts = perChunk(intact.records)

    const chunk2 = Buffer.from(file)
    chunk2.fill(0, 0x1000 + 2 * CHUNK, 0x1000 + 3 * CHUNK)
    const noChunk = await read(chunk2)
    assert.deepEqual(noChunk.issues, [
      {
        offset: 0x21000,
        message: 'chunk 2 skipped: no ElfChnk signature where a chunk starts',
      },
    ])
    assert.equal(noChunk.records.length, 998 - (counts.get(2) ?? 0))

    const data = Buffer.from(file)
    data.fill(0, 0x1000 + 7 * CHUNK + 0x400, 0x1000 + 7 * CHUNK + 0x800)
    const badData = await read(data)
    assert.equal(badData.issues.length, 1)
    assert.equal(badData.issues[0]?.offset, 0x1000 + 7 * CHUNK + 0x200)
    assert.match(badData.issues[0]?.message ?? '', /^chunk 7 skipped: chunk event data CRC32 is 0x/)
    assert.equal(badData.records.length, 998 - (counts.get(7) ?? 0))

    const noHeader = Buffer.from(file)
    noHeader.fill(0, 0, 0x1000)
    const error = await readError(noHeader)
    assert.equal(error.code, 'ERR_EVTX')
    assert.match(error.message, /no ElfFile signature: not an EVTX file \(at offset 0x0\)/)
  })

  test('bit-flipped: file header, chunk header and event data fail their CRCs', async (t) => {
    if (!requireSharedData(t, MULTI_CHUNK)) return
    const file = readFileSync(sharedData(MULTI_CHUNK))

    const inFileHeader = Buffer.from(file)
    inFileHeader[0x2a] = (inFileHeader[0x2a] ?? 0) ^ 0x01
    const error = await readError(inFileHeader)
    assert.match(
      error.message,
      /file header CRC32 is 0x[0-9a-f]+ but its bytes give 0x[0-9a-f]+ \(at offset 0x7c\)/,
    )

    const inChunkHeader = Buffer.from(file)
    inChunkHeader[0x1000 + 3 * CHUNK + 0x10] =
      (inChunkHeader[0x1000 + 3 * CHUNK + 0x10] ?? 0) ^ 0x40
    const header = await read(inChunkHeader)
    assert.equal(header.issues.length, 1)
    assert.equal(header.issues[0]?.offset, 0x1000 + 3 * CHUNK + 0x7c)
    assert.match(header.issues[0]?.message ?? '', /^chunk 3 skipped: chunk header CRC32 is/)

    const inRecord = Buffer.from(file)
    inRecord[0x1000 + 9 * CHUNK + 0x300] = (inRecord[0x1000 + 9 * CHUNK + 0x300] ?? 0) ^ 0x04
    const record = await read(inRecord)
    assert.equal(record.issues.length, 1)
    assert.match(record.issues[0]?.message ?? '', /^chunk 9 skipped: chunk event data CRC32/)
  })

  test('bit flips behind good CRCs: records are read or reported, never a crash', async (t) => {
    if (!requireSharedData(t, MULTI_CHUNK)) return
    const file = readFileSync(sharedData(MULTI_CHUNK))
    let seed = 20261204
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    const started = Date.now()
    let reported = 0
    for (let trial = 0; trial < 120; trial++) {
      const copy = Buffer.from(file.subarray(0, 0x1000 + 3 * CHUNK))
      copy.writeUInt16LE(3, 0x2a)
      // Keep the file header's CRC right for the shortened count.
      copy.writeUInt32LE(crc32(copy, 0, 0x78), 0x7c)
      const chunk = Math.floor(random() * 3)
      const base = 0x1000 + chunk * CHUNK
      const free = copy.readUInt32LE(base + 0x30)
      const flips = 1 + Math.floor(random() * 6)
      for (let k = 0; k < flips; k++) {
        const at = base + 0x200 + Math.floor(random() * (free - 0x200))
        copy[at] = (copy[at] ?? 0) ^ (1 << Math.floor(random() * 8))
      }
      fixChunkCrcs(copy.subarray(base, base + CHUNK))
      const { records, issues } = await read(copy)
      for (const issue of issues) {
        assert.ok(issue.offset >= base && issue.offset < base + CHUNK, issue.message)
      }
      assert.ok(records.length > 0)
      reported += issues.length
    }
    // Most flips land in record data and are caught by the BinXML checks.
    assert.ok(reported > 20, `${reported} issues`)
    assert.ok(Date.now() - started < 60_000)
  })
})

describe('EVTX files not closed cleanly', () => {
  const root = eventTemplate(['Value'], [0x01])
  const record = (id: number) => ({
    template: 'one',
    root,
    values: [
      ...systemValues('Test-Provider', 1, id, 'Application', 'pc'),
      { type: 0x01, bytes: Buffer.from(`value ${id}\0`, 'utf16le') },
    ],
  })
  const chunks = [
    buildChunk([record(1), record(2)], 1),
    buildChunk([record(3)], 3),
    buildChunk([record(4), record(5)], 4),
  ]

  test('a dirty file whose header lags by a chunk is read to its last chunk', async () => {
    const { records, issues } = await read(buildEvtx(chunks, { chunkCount: 2, dirty: true }))
    assert.deepEqual(issues, [])
    assert.deepEqual(
      records.map((r) => r.eventData.Value),
      ['value 1', 'value 2', 'value 3', 'value 4', 'value 5'],
    )
  })

  test('a chunk past the count that does not continue the record numbers is left alone', async () => {
    const stale = buildChunk([record(1)], 1)
    const { records, issues } = await read(
      buildEvtx([chunks[0] as Buffer, stale], { chunkCount: 1 }),
    )
    assert.deepEqual(issues, [])
    assert.deepEqual(
      records.map((r) => r.recordId),
      [1, 2],
    )
  })
})

describe('damaged EVTX files through the reader and the CLI', () => {
  test('a truncated file in a folder: its records are read, the damage reported with offset', async (t) => {
    if (!requireSharedData(t, MULTI_CHUNK)) return
    const folder = join(dir, 'logs')
    mkdirSync(folder, { recursive: true })
    const file = readFileSync(sharedData(MULTI_CHUNK))
    writeFileSync(join(folder, 'Security.evtx'), file.subarray(0, 0x1000 + CHUNK + 500))
    const { events, stats } = await readLogEvents([folder])
    assert.ok(events.length > 0)
    assert.ok(events.every((e) => e.LogFormat === 'evtx'))
    assert.deepEqual(stats.broken, [
      {
        file: join(folder, 'Security.evtx'),
        reason: 'file ends 500 bytes into chunk 1 (of 65536) (at offset 0x11000)',
      },
    ])
  })

  test('logs dump warns with the offset and exits 0; a file that is not EVTX exits 3', (t) => {
    if (!requireSharedData(t, MULTI_CHUNK)) return
    const file = readFileSync(sharedData(MULTI_CHUNK))
    const truncated = join(dir, 'truncated.evtx')
    writeFileSync(truncated, file.subarray(0, 0x1000 + CHUNK + 500))
    const run = huntpack('logs', 'dump', truncated, '--format', 'jsonl')
    assert.equal(run.status, 0, run.stderr)
    assert.match(
      run.stderr,
      /truncated\.evtx: file ends 500 bytes into chunk 1 \(of 65536\) \(at offset 0x11000\)/,
    )
    assert.ok(run.stdout.trim().split('\n').length > 0)

    const text = join(dir, 'not.evtx')
    writeFileSync(text, 'ElfFile but not really\n')
    const bad = huntpack('logs', 'dump', text)
    assert.equal(bad.status, 3)
    assert.match(
      bad.stderr,
      /not\.evtx: not a readable EVTX file: file ends after 23 bytes, inside the file header \(at offset 0x0\)/,
    )
  })
})
