/**
 * @module
 * The two fixed structures of an EVTX file: the file header (the first 4,096-byte block) and
 * the header of each 64 KiB chunk, with their CRC-32 checks. Offsets in messages are file
 * offsets in hex, so a user can open the file at the place named.
 */
import { HuntpackError } from '../../errors.ts'
import { crc32 } from './crc32.ts'

/** `ElfFile\0`, the file magic. */
export const FILE_MAGIC = Buffer.from('ElfFile\0', 'latin1')
/** `ElfChnk\0`, the chunk magic. */
export const CHUNK_MAGIC = Buffer.from('ElfChnk\0', 'latin1')
/** Bytes of every chunk. */
export const CHUNK_SIZE = 0x10000
/** Records start here in a chunk, after the header, string and template tables. */
export const CHUNK_RECORDS_START = 0x200

/** An EVTX file, or a part of one, that cannot be read; the message names the file offset. */
export class EvtxFormatError extends HuntpackError {
  /** File offset of the structure that is wrong. */
  readonly offset: number
  /** What is wrong, without the offset. */
  readonly reason: string

  constructor(reason: string, offset: number) {
    super('ERR_EVTX', `${reason} (at offset ${hex(offset)})`)
    this.offset = offset
    this.reason = reason
  }
}

/** `0x1f000`: how offsets are written in messages. */
export function hex(n: number): string {
  return `0x${n.toString(16)}`
}

export interface EvtxFileHeader {
  firstChunk: number
  lastChunk: number
  nextRecordId: number
  majorVersion: number
  minorVersion: number
  /** Size of the header block: where the first chunk starts (4,096). */
  headerBlockSize: number
  /** Chunks the file says it holds. A file not closed cleanly may hold one more. */
  chunkCount: number
  /** The log was not closed cleanly: the header may lag behind the chunks. */
  dirty: boolean
  /** The log is full. */
  full: boolean
}

/** Whether bytes start with the EVTX file magic. */
export function isEvtx(head: Uint8Array): boolean {
  if (head.length < FILE_MAGIC.length) return false
  for (let i = 0; i < FILE_MAGIC.length; i++) if (head[i] !== FILE_MAGIC[i]) return false
  return true
}

/**
 * Reads and checks the file header from the first bytes of a file (at least 128).
 * Throws EvtxFormatError when the magic, the version or the CRC is wrong.
 */
export function parseFileHeader(bytes: Buffer): EvtxFileHeader {
  if (bytes.length < 128) {
    throw new EvtxFormatError(`file ends after ${bytes.length} bytes, inside the file header`, 0)
  }
  if (!isEvtx(bytes)) throw new EvtxFormatError('no ElfFile signature: not an EVTX file', 0)
  const headerSize = bytes.readUInt32LE(0x20)
  const minorVersion = bytes.readUInt16LE(0x24)
  const majorVersion = bytes.readUInt16LE(0x26)
  const headerBlockSize = bytes.readUInt16LE(0x28)
  const stored = bytes.readUInt32LE(0x7c)
  const computed = crc32(bytes, 0, 0x78)
  if (stored !== computed) {
    throw new EvtxFormatError(
      `file header CRC32 is ${hex(stored)} but its bytes give ${hex(computed)}`,
      0x7c,
    )
  }
  if (majorVersion !== 3) {
    throw new EvtxFormatError(`format version ${majorVersion}.${minorVersion} is not 3.x`, 0x24)
  }
  if (headerSize !== 128 || headerBlockSize !== 0x1000) {
    throw new EvtxFormatError(
      `unexpected header sizes ${headerSize}/${headerBlockSize} (128/4096 expected)`,
      0x20,
    )
  }
  const flags = bytes.readUInt32LE(0x78)
  return {
    firstChunk: readU64(bytes, 0x08),
    lastChunk: readU64(bytes, 0x10),
    nextRecordId: readU64(bytes, 0x18),
    majorVersion,
    minorVersion,
    headerBlockSize,
    chunkCount: bytes.readUInt16LE(0x2a),
    dirty: (flags & 1) !== 0,
    full: (flags & 2) !== 0,
  }
}

export interface EvtxChunkHeader {
  firstRecordNumber: number
  lastRecordNumber: number
  firstRecordId: number
  lastRecordId: number
  /** Chunk-relative offset of the last record. */
  lastRecordOffset: number
  /** Chunk-relative offset where the records end. */
  freeSpaceOffset: number
}

/** Whether a 64 KiB block starts with the chunk magic. */
export function isChunk(chunk: Uint8Array): boolean {
  if (chunk.length < CHUNK_MAGIC.length) return false
  for (let i = 0; i < CHUNK_MAGIC.length; i++) if (chunk[i] !== CHUNK_MAGIC[i]) return false
  return true
}

/**
 * Reads and checks a chunk header: magic, header CRC (bytes 0–119 and 128–511), sizes and the
 * CRC of the event data (bytes 512 up to the free space). `offset` is the chunk's file offset,
 * for messages. Throws EvtxFormatError on the first thing wrong.
 */
export function parseChunkHeader(chunk: Buffer, offset: number): EvtxChunkHeader {
  if (!isChunk(chunk))
    throw new EvtxFormatError('no ElfChnk signature where a chunk starts', offset)
  const storedHeader = chunk.readUInt32LE(0x7c)
  const computedHeader = crc32(chunk, 0x80, CHUNK_RECORDS_START, crc32(chunk, 0, 0x78))
  if (storedHeader !== computedHeader) {
    throw new EvtxFormatError(
      `chunk header CRC32 is ${hex(storedHeader)} but its bytes give ${hex(computedHeader)}`,
      offset + 0x7c,
    )
  }
  const header: EvtxChunkHeader = {
    firstRecordNumber: readU64(chunk, 0x08),
    lastRecordNumber: readU64(chunk, 0x10),
    firstRecordId: readU64(chunk, 0x18),
    lastRecordId: readU64(chunk, 0x20),
    lastRecordOffset: chunk.readUInt32LE(0x2c),
    freeSpaceOffset: chunk.readUInt32LE(0x30),
  }
  const headerSize = chunk.readUInt32LE(0x28)
  if (headerSize !== 128) {
    throw new EvtxFormatError(`chunk header size is ${headerSize}, not 128`, offset + 0x28)
  }
  if (header.freeSpaceOffset < CHUNK_RECORDS_START || header.freeSpaceOffset > CHUNK_SIZE) {
    throw new EvtxFormatError(
      `chunk free-space offset ${hex(header.freeSpaceOffset)} lies outside the chunk`,
      offset + 0x30,
    )
  }
  const storedData = chunk.readUInt32LE(0x34)
  const computedData = crc32(chunk, CHUNK_RECORDS_START, header.freeSpaceOffset)
  if (storedData !== computedData) {
    throw new EvtxFormatError(
      `chunk event data CRC32 is ${hex(storedData)} but its bytes give ${hex(computedData)}`,
      offset + CHUNK_RECORDS_START,
    )
  }
  return header
}

/** An unsigned 64-bit little-endian integer as a number (exact below 2^53). */
export function readU64(bytes: Buffer, at: number): number {
  return bytes.readUInt32LE(at + 4) * 0x100000000 + bytes.readUInt32LE(at)
}
