/**
 * @module
 * Substitution values of BinXML as text, in the rendering python-evtx uses (our reference):
 * decimal integers, `0x`-prefixed zero-padded lower-case hex for HexInt32/64, lower-case GUIDs
 * in braces, `True`/`False`, base64 binary, `S-1-5-…` SIDs, and times as Python's
 * `datetime.isoformat(' ')` (`2021-06-03 19:17:44.873287`, no fraction when it is zero).
 * FILETIME goes through a double exactly as python-evtx computes it, so the microseconds agree.
 */

/** Value types of the BinXML substitution array. Arrays are the type with bit 0x80 set. */
export const VALUE_TYPES = {
  null: 0x00,
  string: 0x01,
  ansiString: 0x02,
  int8: 0x03,
  uint8: 0x04,
  int16: 0x05,
  uint16: 0x06,
  int32: 0x07,
  uint32: 0x08,
  int64: 0x09,
  uint64: 0x0a,
  float: 0x0b,
  double: 0x0c,
  bool: 0x0d,
  binary: 0x0e,
  guid: 0x0f,
  size: 0x10,
  filetime: 0x11,
  systemtime: 0x12,
  sid: 0x13,
  hexInt32: 0x14,
  hexInt64: 0x15,
  binXml: 0x21,
} as const

/** Bytes of one item of each fixed-size type; variable-size types are absent. */
const FIXED_SIZES: Record<number, number> = {
  3: 1,
  4: 1,
  5: 2,
  6: 2,
  7: 4,
  8: 4,
  9: 8,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  15: 16,
  17: 8,
  18: 16,
  20: 4,
  21: 8,
}

/**
 * One scalar value of `type` in `buf[at..at+size)` as text; null for a type this format does
 * not define (the caller reports it). Sizes have been checked against the buffer.
 */
export function renderScalar(buf: Buffer, at: number, size: number, type: number): string | null {
  const fixed = FIXED_SIZES[type]
  if (fixed !== undefined && size < fixed) return null
  switch (type) {
    case 0x00:
      return ''
    case 0x01: {
      // Trailing NULs (the terminator, padding) are dropped before decoding, as python-evtx
      // drops them after.
      let end = at + (size & ~1)
      while (end > at && buf[end - 1] === 0 && buf[end - 2] === 0) end -= 2
      return buf.toString('utf16le', at, end)
    }
    case 0x02: {
      let end = at + size
      while (end > at && buf[end - 1] === 0) end--
      return buf.toString('latin1', at, end)
    }
    case 0x03:
      return String(buf.readInt8(at))
    case 0x04:
      return String(buf[at])
    case 0x05:
      return String(buf.readInt16LE(at))
    case 0x06:
      return String(buf.readUInt16LE(at))
    case 0x07:
      return String(buf.readInt32LE(at))
    case 0x08:
      return String(buf.readUInt32LE(at))
    case 0x09:
      return int64Text(buf, at, true)
    case 0x0a:
      return int64Text(buf, at, false)
    case 0x0b:
      return pythonFloat(buf.readFloatLE(at))
    case 0x0c:
      return pythonFloat(buf.readDoubleLE(at))
    case 0x0d:
      return buf.readInt32LE(at) > 0 ? 'True' : 'False'
    case 0x0e:
      return buf.toString('base64', at, at + size)
    case 0x0f:
      return guidText(buf, at)
    case 0x10:
      return size === 4
        ? String(buf.readUInt32LE(at))
        : size >= 8
          ? int64Text(buf, at, false)
          : null
    case 0x11:
      return filetimeText(buf.readUInt32LE(at), buf.readUInt32LE(at + 4))
    case 0x12:
      return systemtimeText(buf, at)
    case 0x13:
      return sidText(buf, at, size)
    case 0x14:
      return `0x${buf.readUInt32LE(at).toString(16).padStart(8, '0')}`
    case 0x15:
      return `0x${buf
        .readUInt32LE(at + 4)
        .toString(16)
        .padStart(8, '0')}${buf.readUInt32LE(at).toString(16).padStart(8, '0')}`
    default:
      return null
  }
}

/**
 * An array value (type | 0x80) as text: strings are NUL-separated, fixed-size items follow one
 * another; items are joined with `, `. Null for an item type that has no array form.
 */
export function renderArray(
  buf: Buffer,
  at: number,
  size: number,
  itemType: number,
): string | null {
  if (itemType === 0x01 || itemType === 0x02) {
    const text =
      itemType === 0x01
        ? buf.toString('utf16le', at, at + (size & ~1))
        : buf.toString('latin1', at, at + size)
    const items = text.split('\0')
    if (items.length > 0 && items[items.length - 1] === '') items.pop()
    return items.join(', ')
  }
  const item = FIXED_SIZES[itemType]
  if (item === undefined && itemType !== 0x10) return null
  const step = item ?? 8
  const parts: string[] = []
  for (let p = at; p + step <= at + size; p += step) {
    const text = renderScalar(buf, p, step, itemType)
    if (text === null) return null
    parts.push(text)
  }
  return parts.join(', ')
}

function int64Text(buf: Buffer, at: number, signed: boolean): string {
  const hi = buf.readUInt32LE(at + 4)
  if (hi < 0x200000) return String(hi * 0x100000000 + buf.readUInt32LE(at))
  return signed ? buf.readBigInt64LE(at).toString() : buf.readBigUInt64LE(at).toString()
}

/** `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`, lower case, first three groups little-endian. */
export function guidText(buf: Buffer, at: number): string {
  const h = buf.toString('hex', at, at + 16)
  return (
    `{${h.slice(6, 8)}${h.slice(4, 6)}${h.slice(2, 4)}${h.slice(0, 2)}-${h.slice(10, 12)}` +
    `${h.slice(8, 10)}-${h.slice(14, 16)}${h.slice(12, 14)}-${h.slice(16, 20)}-${h.slice(20)}}`
  )
}

/** `S-revision-authority-sub…`; null when the size cannot hold the sub-authorities it names. */
export function sidText(buf: Buffer, at: number, size: number): string | null {
  if (size < 8) return null
  const count = buf.readUInt8(at + 1)
  if (8 + 4 * count > size) return null
  const authority = buf.readUInt16BE(at + 2) * 0x100000000 + buf.readUInt32BE(at + 4)
  let text = `S-${buf.readUInt8(at)}-${authority}`
  for (let i = 0; i < count; i++) text += `-${buf.readUInt32LE(at + 8 + 4 * i)}`
  return text
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n)
}

/** Python's `datetime.isoformat(' ')` of a UTC time given as whole seconds and microseconds. */
function isoformat(seconds: number, micros: number): string {
  const d = new Date(seconds * 1000)
  const year = d.getUTCFullYear()
  let text =
    `${String(year).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`
  if (micros !== 0) text += `.${String(micros).padStart(6, '0')}`
  return text
}

const FILETIME_EPOCH_SECONDS = 11644473600

/**
 * A FILETIME (100 ns ticks since 1601, given as its two 32-bit halves) as python-evtx writes
 * it: `float(ticks) * 1e-7 - 11644473600` seconds, split by `modf` and rounded half to even to
 * microseconds, as CPython's `datetime.utcfromtimestamp` does. Years past 9999 give
 * `0001-01-01 00:00:00`, Python's `datetime.min`.
 */
export function filetimeText(low: number, high: number): string {
  const t = (high * 0x100000000 + low) * 1e-7 - FILETIME_EPOCH_SECONDS
  let seconds = Math.trunc(t)
  let micros = roundHalfEven((t - seconds) * 1e6)
  if (micros >= 1e6) {
    micros -= 1e6
    seconds += 1
  } else if (micros < 0) {
    micros += 1e6
    seconds -= 1
  }
  if (seconds >= 253402300800) return '0001-01-01 00:00:00'
  return isoformat(seconds, micros)
}

/** A FILETIME as milliseconds since 1970 (negative before). */
export function filetimeMs(low: number, high: number): number {
  return Math.floor((high * 0x100000000 + low) / 10000) - FILETIME_EPOCH_SECONDS * 1000
}

/** Milliseconds since 1970 as ISO 8601 UTC (`2021-06-03T19:17:44.873Z`); null out of range. */
export function isoFromMs(ms: number): string | null {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? null : d.toISOString()
}

function roundHalfEven(x: number): number {
  const r = Math.round(x)
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2)
  return r
}

/**
 * A SYSTEMTIME (year, month, weekday, day, hour, minute, second, milliseconds) in the same
 * form as FILETIME; the milliseconds become microseconds ×1000.
 */
function systemtimeText(buf: Buffer, at: number): string {
  const year = buf.readUInt16LE(at)
  const month = buf.readUInt16LE(at + 2)
  const day = buf.readUInt16LE(at + 6)
  const hour = buf.readUInt16LE(at + 8)
  const minute = buf.readUInt16LE(at + 10)
  const second = buf.readUInt16LE(at + 12)
  const ms = buf.readUInt16LE(at + 14)
  let text =
    `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)} ` +
    `${pad2(hour)}:${pad2(minute)}:${pad2(second)}`
  if (ms !== 0) text += `.${String(ms * 1000).padStart(6, '0')}`
  return text
}

/**
 * Python's `repr` of a float: shortest round-trip digits, `.0` on whole numbers, exponent form
 * below 1e-4 and from 1e16 with at least two exponent digits, `inf`, `nan`.
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan'
  if (x === Number.POSITIVE_INFINITY) return 'inf'
  if (x === Number.NEGATIVE_INFINITY) return '-inf'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const [mantissa, exponentText] = x.toExponential().split('e')
  const exponent = Number(exponentText)
  if (exponent >= -4 && exponent < 16) {
    const text = String(x)
    return text.includes('.') ? text : `${text}.0`
  }
  const sign = exponent < 0 ? '-' : '+'
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
}
