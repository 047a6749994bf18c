/**
 * @module
 * `parseLogTime` for logs that write one time per record, in order: Zeek's epoch seconds
 * (`1521911720.865716`, as text or number) and ISO times with fractions (Zeek JSON,
 * Suricata's `2017-01-30T16:12:26.985026+0100`). Records of the same second share all but the
 * milliseconds, so the second is parsed once and the milliseconds are cut from the fraction's
 * digits, as `parseLogTime` cuts them. Anything else goes to `parseLogTime` as it is.
 */
import { parseLogTime } from '../time.ts'

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/** Milliseconds from the fraction digits `text[start, end)`: cut, not rounded. */
function millis(text: string, start: number, end: number): string {
  const digits = text.slice(start, Math.min(end, start + 3))
  return digits.length === 3 ? digits : digits.padEnd(3, '0')
}

/**
 * A parser with its own one-second memory; make one per file.
 *
 * @example const time = logTimes(); time('1521911720.865716') // '2018-03-24T17:15:20.865Z'
 */
export function logTimes(): (value: string | number | null) => string | null {
  let lastKey: string | number | undefined
  let lastBase: string | null = null

  const base = (key: string | number): string | null => {
    if (key !== lastKey) {
      lastKey = key
      const iso = parseLogTime(key)
      // Years past 9999 print longer; those take the slow path.
      lastBase = iso !== null && iso.length === 24 ? iso.slice(0, 20) : null
    }
    return lastBase
  }

  return (value) => {
    if (typeof value === 'number') {
      if (!(value >= 1e8 && value < 1e11)) return parseLogTime(value)
      const second = Math.floor(value)
      const prefix = base(second)
      if (prefix === null) return parseLogTime(value)
      const ms = Math.floor(value * 1000) - second * 1000
      return ms >= 0 && ms < 1000 ? `${prefix}${String(ms).padStart(3, '0')}Z` : parseLogTime(value)
    }
    if (value === null) return null
    const dot = value.indexOf('.')
    if (dot < 0) return parseLogTime(value)
    let end = dot + 1
    while (isDigit(value.charCodeAt(end))) end++
    if (end === dot + 1) return parseLogTime(value)
    let key: string
    if (dot === 10 && end === value.length && isDigit(value.charCodeAt(0))) {
      key = value.slice(0, dot)
    } else if (dot === 19 && value.charCodeAt(10) === 84) {
      key = end === value.length ? value.slice(0, dot) : value.slice(0, dot) + value.slice(end)
    } else {
      return parseLogTime(value)
    }
    const prefix = base(key)
    return prefix === null ? parseLogTime(value) : `${prefix}${millis(value, dot + 1, end)}Z`
  }
}
