/**
 * @module
 * CRC-32 (IEEE 802.3, the polynomial zlib uses), which EVTX files and chunks carry over their
 * headers and event data. Node's native `zlib.crc32` (20.15 and later) when present, else a
 * table of our own.
 */
import * as zlib from 'node:zlib'

const TABLE = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  return table
})()

const native = (zlib as { crc32?: (data: Uint8Array, value?: number) => number }).crc32

/** The table-driven CRC, for Node versions without `zlib.crc32`; exported for its test. */
export function crc32Table(
  bytes: Uint8Array,
  start: number,
  end: number,
  previous: number,
): number {
  let c = ~previous
  for (let i = start; i < end; i++) c = (TABLE[(c ^ (bytes[i] ?? 0)) & 0xff] ?? 0) ^ (c >>> 8)
  return ~c >>> 0
}

/**
 * The CRC-32 of `bytes[start..end)`, continuing from `previous` (0 to start afresh).
 *
 * @example crc32(Buffer.from('123456789')) === 0xcbf43926
 */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, previous = 0): number {
  if (native === undefined) return crc32Table(bytes, start, end, previous)
  return native(bytes.subarray(start, end), previous) >>> 0
}
