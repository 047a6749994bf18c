/**
 * @module
 * `parseEvtx`: the records of an EVTX file, read from a byte stream one 64 KiB chunk at a
 * time, so memory stays flat whatever the file size. Chunks are taken in order after the
 * 4 KiB header block: the header's chunk count says how many there are; a file not closed
 * cleanly may hold further chunks, which are read while they carry the chunk signature, a good
 * header CRC and continue the record numbers. Unused (zero-filled) space after the last chunk
 * ends the file. A chunk whose header or event data fails its CRC is reported with its offset
 * and skipped; a record that cannot be read is reported and the next one read.
 */
import { ChunkBinXml } from './binxml.ts'
import {
  CHUNK_RECORDS_START,
  CHUNK_SIZE,
  type EvtxChunkHeader,
  EvtxFormatError,
  hex,
  isChunk,
  parseChunkHeader,
  parseFileHeader,
  readU64,
} from './header.ts'
import { type EvtxRecord, evtxRecord } from './record.ts'
import { filetimeMs } from './values.ts'

/** Something in the file that could not be read; reading went on after it. */
export interface EvtxIssue {
  /** File offset of the bad structure. */
  offset: number
  /** The record number, when the issue is one record. */
  recordId?: number
  /** What is wrong and what was skipped, without the offset. */
  message: string
}

export interface EvtxOptions {
  /** Called for each chunk or record skipped; by default issues are dropped. */
  onIssue?: (issue: EvtxIssue) => void
  /** Called with the bytes of each block read, for progress. */
  onBytes?: (bytes: number) => void
}

const RECORD_MAGIC = 0x00002a2a

/**
 * Every record of the file, in file order. Throws EvtxFormatError when the file header is not
 * an EVTX header; everything after it is reported through `onIssue` and skipped.
 *
 * @example for await (const r of parseEvtx(createReadStream(path))) console.log(r.eventId)
 */
export async function* parseEvtx(
  source: AsyncIterable<Uint8Array>,
  options: EvtxOptions = {},
): AsyncGenerator<EvtxRecord> {
  const onIssue = options.onIssue ?? (() => {})
  for await (const chunk of evtxChunks(source, options)) {
    yield* readChunk(chunk.bytes, chunk.offset, chunk.header, onIssue)
  }
}

/** A chunk whose header and CRCs have been checked, with its file offset. */
export interface CheckedChunk {
  bytes: Buffer
  offset: number
  header: EvtxChunkHeader
}

/**
 * The chunks of the file to read, in file order, each checked; the file header's and chunks'
 * problems go to `onIssue` in the same order. Throws EvtxFormatError on a bad file header.
 */
export async function* evtxChunks(
  source: AsyncIterable<Uint8Array>,
  options: EvtxOptions = {},
): AsyncGenerator<CheckedChunk> {
  const onIssue = options.onIssue ?? (() => {})
  const blocks = new BlockReader(source)
  try {
    const headerBlock = await blocks.read(0x1000)
    options.onBytes?.(headerBlock.length)
    const header = parseFileHeader(headerBlock)
    if (headerBlock.length < 0x1000) {
      onIssue({ offset: headerBlock.length, message: 'file ends inside the header block' })
      return
    }
    let lastRecordNumber: number | null = null
    for (let index = 0; ; index++) {
      const offset = 0x1000 + index * CHUNK_SIZE
      const block = await blocks.read(CHUNK_SIZE)
      options.onBytes?.(block.length)
      const expected = index < header.chunkCount
      if (block.length === 0) {
        if (expected) {
          onIssue({
            offset,
            message: `file ends after ${index} chunks; its header counts ${header.chunkCount}`,
          })
        }
        return
      }
      if (block.length < CHUNK_SIZE) {
        if (expected || isChunk(block)) {
          onIssue({
            offset,
            message: `file ends ${block.length} bytes into chunk ${index} (of ${CHUNK_SIZE})`,
          })
        }
        return
      }
      let chunkHeader: EvtxChunkHeader
      try {
        chunkHeader = parseChunkHeader(block, offset)
      } catch (error) {
        if (!(error instanceof EvtxFormatError)) throw error
        if (!expected) return
        onIssue({ offset: error.offset, message: `chunk ${index} skipped: ${error.reason}` })
        continue
      }
      if (!expected && chunkHeader.firstRecordNumber !== (lastRecordNumber ?? 0) + 1) return
      lastRecordNumber = chunkHeader.lastRecordNumber
      yield { bytes: block, offset, header: chunkHeader }
    }
  } finally {
    await blocks.close()
  }
}

/** The records of one chunk whose header has been checked. */
export function readChunk(
  chunk: Buffer,
  offset: number,
  header: EvtxChunkHeader,
  onIssue: (issue: EvtxIssue) => void,
): EvtxRecord[] {
  const records: EvtxRecord[] = []
  const binxml = new ChunkBinXml(chunk, offset)
  const limit = header.freeSpaceOffset
  let at = CHUNK_RECORDS_START
  while (at + 24 <= limit) {
    if (chunk.readUInt32LE(at) !== RECORD_MAGIC) {
      onIssue({
        offset: offset + at,
        message: 'no record signature where a record should start; rest of the chunk skipped',
      })
      break
    }
    const size = chunk.readUInt32LE(at + 4)
    if (size < 28 || at + size > limit || chunk.readUInt32LE(at + size - 4) !== size) {
      onIssue({
        offset: offset + at + 4,
        message: `record size ${size} is not repeated at its end; rest of the chunk skipped`,
      })
      break
    }
    const recordId = readU64(chunk, at + 8)
    try {
      const content = binxml.readRecord(at + 24, at + size - 4)
      const written = filetimeMs(chunk.readUInt32LE(at + 16), chunk.readUInt32LE(at + 20))
      records.push(evtxRecord(recordId, offset + at, written, content))
    } catch (error) {
      if (!(error instanceof EvtxFormatError)) throw error
      onIssue({
        offset: error.offset,
        recordId,
        message: `record ${recordId} skipped: ${error.reason}`,
      })
    }
    at += size
  }
  return records
}

/** Exact-size blocks from a stream of arbitrary pieces. */
class BlockReader {
  private readonly iterator: AsyncIterator<Uint8Array>
  private pending: Buffer[] = []
  private pendingBytes = 0
  private done = false

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]()
  }

  /** The next `size` bytes, fewer only at the end of the stream. */
  async read(size: number): Promise<Buffer> {
    while (this.pendingBytes < size && !this.done) {
      const next = await this.iterator.next()
      if (next.done) {
        this.done = true
        break
      }
      const piece = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value)
      this.pending.push(piece)
      this.pendingBytes += piece.length
    }
    const all =
      this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending)
    const block = all.subarray(0, Math.min(size, all.length))
    const rest = all.subarray(block.length)
    this.pending = rest.length > 0 ? [rest] : []
    this.pendingBytes = rest.length
    return block
  }

  async close(): Promise<void> {
    if (!this.done) await this.iterator.return?.()
  }
}

export { EvtxFormatError, hex }
