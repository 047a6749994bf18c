/**
 * @module
 * Writes small EVTX files for tests: a file header, chunks with correct CRCs, records whose
 * BinXML is a template instance (defined inline the first time, referenced after) or a plain
 * element, names written once per chunk and referenced after. Only what tests need; the bytes
 * follow the layout our parser and Windows agree on.
 */
import { crc32 } from '../../src/logs/evtx/crc32.ts'

/** A node of event XML to write: an element, text, or a template hole. */
export type BuildNode =
  | { element: string; attributes?: [string, BuildPart][]; children?: BuildNode[] }
  | BuildPart
export type BuildPart = { text: string } | { sub: number; type: number; optional?: boolean }

/** A substitution value: its type byte and its bytes, or a BinXML fragment written in place. */
export type BuildValue = { type: number; bytes: Buffer } | { type: 0x21; nested: BuildRecord }

/** One record: a template (with a key so records can share it) and values, or a plain tree. */
export type BuildRecord =
  | { template: string; root: BuildNode; values: BuildValue[] }
  | { plain: BuildNode }

const CHUNK = 0x10000

class ChunkWriter {
  readonly buf = Buffer.alloc(CHUNK)
  at = 0x200
  private readonly names = new Map<string, number>()
  private readonly templates = new Map<string, number>()

  u8(n: number): void {
    this.buf.writeUInt8(n, this.at)
    this.at += 1
  }
  u16(n: number): void {
    this.buf.writeUInt16LE(n, this.at)
    this.at += 2
  }
  u32(n: number): void {
    this.buf.writeUInt32LE(n, this.at)
    this.at += 4
  }
  u64(n: number | bigint): void {
    this.buf.writeBigUInt64LE(BigInt(n), this.at)
    this.at += 8
  }
  bytes(b: Buffer): void {
    b.copy(this.buf, this.at)
    this.at += b.length
  }

  name(name: string): void {
    const known = this.names.get(name)
    if (known !== undefined) {
      this.u32(known)
      return
    }
    const offset = this.at + 4
    this.names.set(name, offset)
    this.u32(offset)
    this.u32(0)
    this.u16(0)
    this.u16(name.length)
    this.bytes(Buffer.from(`${name}\0`, 'utf16le'))
  }

  part(part: BuildPart): void {
    if ('text' in part) {
      this.u8(0x05)
      this.u8(0x01)
      this.u16(part.text.length)
      this.bytes(Buffer.from(part.text, 'utf16le'))
    } else {
      this.u8(part.optional ? 0x0e : 0x0d)
      this.u16(part.sub)
      this.u8(part.type)
    }
  }

  node(node: BuildNode, inTemplate: boolean): void {
    if (!('element' in node)) {
      this.part(node)
      return
    }
    const attributes = node.attributes ?? []
    this.u8(attributes.length > 0 ? 0x41 : 0x01)
    if (inTemplate) this.u16(0xffff)
    const sizeAt = this.at
    this.u32(0)
    this.name(node.element)
    const listAt = this.at
    if (attributes.length > 0) this.u32(0)
    attributes.forEach(([name, value], i) => {
      this.u8(i < attributes.length - 1 ? 0x46 : 0x06)
      this.name(name)
      this.part(value)
    })
    if (attributes.length > 0) this.buf.writeUInt32LE(this.at - listAt - 4, listAt)
    const children = node.children ?? []
    if (children.length === 0) {
      this.u8(0x03)
    } else {
      this.u8(0x02)
      for (const child of children) this.node(child, inTemplate)
      this.u8(0x04)
    }
    this.buf.writeUInt32LE(this.at - sizeAt - 4, sizeAt)
  }

  binxml(record: BuildRecord): void {
    this.bytes(Buffer.from([0x0f, 0x01, 0x01, 0x00]))
    if ('plain' in record) {
      this.node(record.plain, false)
      this.u8(0x00)
      return
    }
    this.u8(0x0c)
    this.u8(0x01)
    this.u32(0x1234)
    const known = this.templates.get(record.template)
    if (known !== undefined) {
      this.u32(known)
    } else {
      const offset = this.at + 4
      this.templates.set(record.template, offset)
      this.u32(offset)
      this.u32(0)
      this.bytes(Buffer.alloc(16, 0xab))
      const sizeAt = this.at
      this.u32(0)
      this.bytes(Buffer.from([0x0f, 0x01, 0x01, 0x00]))
      this.node(record.root, true)
      this.u8(0x00)
      this.buf.writeUInt32LE(this.at - sizeAt - 4, sizeAt)
    }
    this.u32(record.values.length)
    const descriptors = this.at
    for (const value of record.values) {
      this.u16(0)
      this.u8(value.type)
      this.u8(0)
    }
    record.values.forEach((value, i) => {
      const start = this.at
      if ('nested' in value) this.binxml(value.nested)
      else this.bytes(value.bytes)
      this.buf.writeUInt16LE(this.at - start, descriptors + 4 * i)
    })
  }
}

/** One chunk holding the records, numbered from `firstRecord`. */
export function buildChunk(records: readonly BuildRecord[], firstRecord: number): Buffer {
  const w = new ChunkWriter()
  let lastRecordOffset = 0x200
  records.forEach((record, i) => {
    const start = w.at
    lastRecordOffset = start
    w.u32(0x2a2a)
    w.u32(0)
    w.u64(firstRecord + i)
    w.u64(132672214664899768n + BigInt(i) * 10_000_000n)
    w.binxml(record)
    const size = w.at - start + 4
    w.u32(size)
    w.buf.writeUInt32LE(size, start + 4)
  })
  const b = w.buf
  b.write('ElfChnk\0', 0, 'latin1')
  const last = firstRecord + records.length - 1
  for (const [at, n] of [
    [0x08, firstRecord],
    [0x10, last],
    [0x18, firstRecord],
    [0x20, last],
  ] as const) {
    b.writeBigUInt64LE(BigInt(n), at)
  }
  b.writeUInt32LE(128, 0x28)
  b.writeUInt32LE(lastRecordOffset, 0x2c)
  b.writeUInt32LE(w.at, 0x30)
  fixChunkCrcs(b)
  return b
}

/** Recomputes a chunk's event-data and header CRCs (after a test changed its bytes). */
export function fixChunkCrcs(chunk: Buffer): void {
  chunk.writeUInt32LE(crc32(chunk, 0x200, chunk.readUInt32LE(0x30)), 0x34)
  chunk.writeUInt32LE(crc32(chunk, 0x80, 0x200, crc32(chunk, 0, 0x78)), 0x7c)
}

/** A file of these chunks; `chunkCount` and `dirty` let a test write a stale header. */
export function buildEvtx(
  chunks: readonly Buffer[],
  options: { chunkCount?: number; dirty?: boolean } = {},
): Buffer {
  const header = Buffer.alloc(0x1000)
  header.write('ElfFile\0', 0, 'latin1')
  header.writeBigUInt64LE(0n, 0x08)
  header.writeBigUInt64LE(BigInt(Math.max(chunks.length - 1, 0)), 0x10)
  header.writeBigUInt64LE(1000n, 0x18)
  header.writeUInt32LE(128, 0x20)
  header.writeUInt16LE(1, 0x24)
  header.writeUInt16LE(3, 0x26)
  header.writeUInt16LE(0x1000, 0x28)
  header.writeUInt16LE(options.chunkCount ?? chunks.length, 0x2a)
  header.writeUInt32LE(options.dirty ? 1 : 0, 0x78)
  fixFileHeaderCrc(header)
  return Buffer.concat([header, ...chunks])
}

/** Recomputes the file header CRC. */
export function fixFileHeaderCrc(file: Buffer): void {
  file.writeUInt32LE(crc32(file, 0, 0x78), 0x7c)
}

/** The usual Event/System/EventData shape with the given Data names, one hole each. */
export function eventTemplate(
  dataNames: readonly string[],
  dataTypes: readonly number[],
): BuildNode {
  return {
    element: 'Event',
    attributes: [['xmlns', { text: 'http://schemas.microsoft.com/win/2004/08/events/event' }]],
    children: [
      {
        element: 'System',
        children: [
          { element: 'Provider', attributes: [['Name', { sub: 0, type: 0x01 }]] },
          { element: 'EventID', children: [{ sub: 1, type: 0x06 }] },
          { element: 'TimeCreated', attributes: [['SystemTime', { sub: 2, type: 0x11 }]] },
          { element: 'EventRecordID', children: [{ sub: 3, type: 0x0a }] },
          { element: 'Channel', children: [{ sub: 4, type: 0x01 }] },
          { element: 'Computer', children: [{ sub: 5, type: 0x01 }] },
        ],
      },
      {
        element: 'EventData',
        children: dataNames.map((name, i) => ({
          element: 'Data',
          attributes: [['Name', { text: name }]] as [string, BuildPart][],
          children: [{ sub: 6 + i, type: dataTypes[i] ?? 0x01, optional: true }],
        })),
      },
    ],
  }
}

/** Values for `eventTemplate`'s System holes. */
export function systemValues(
  provider: string,
  eventId: number,
  recordId: number,
  channel: string,
  computer: string,
): BuildValue[] {
  const id = Buffer.alloc(2)
  id.writeUInt16LE(eventId)
  const time = Buffer.alloc(8)
  time.writeBigUInt64LE(132672214648732870n)
  const record = Buffer.alloc(8)
  record.writeBigUInt64LE(BigInt(recordId))
  return [
    wstring(provider),
    { type: 0x06, bytes: id },
    { type: 0x11, bytes: time },
    { type: 0x0a, bytes: record },
    wstring(channel),
    wstring(computer),
  ]
}

/** A UTF-16LE string value, NUL-terminated as Windows writes them. */
export function wstring(text: string): BuildValue {
  return { type: 0x01, bytes: Buffer.from(`${text}\0`, 'utf16le') }
}
