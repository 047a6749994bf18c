/**
 * @module
 * Log times to ISO 8601 UTC. Logs write time a dozen ways: ISO with or without zone, Log
 * Analytics' US-style exports (`8/9/2023, 2:24:24.550 PM`), epoch seconds with fractions
 * (Zeek, Suricata's flow ages), epoch milliseconds (CEF `rt=`), and `2020-10-22 01:54:32`
 * without a zone (taken as UTC, as the exports that write it mean).
 */

const US_EXPORT =
  /^(\d{1,2})\/(\d{1,2})\/(\d{4}),? (\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ?([AP]M)?$/i
const SPACE_SEPARATED = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/
const EPOCH = /^\d{9,13}(\.\d+)?$/

/**
 * The time as `YYYY-MM-DDTHH:MM:SS.mmmZ`, or null when the text is no time this knows.
 * Numbers of 12 or more digits are epoch milliseconds, shorter ones epoch seconds.
 *
 * @example parseLogTime('8/9/2023, 2:24:24.550 PM') // '2023-08-09T14:24:24.550Z'
 * @example parseLogTime('1587409520.123456') // '2020-04-20T19:05:20.123Z'
 */
export function parseLogTime(text: string | number | null | undefined): string | null {
  if (text === null || text === undefined) return null
  if (typeof text === 'number') return fromEpoch(text, Math.abs(text) >= 1e11)
  const value = text.trim()
  if (value === '' || value === '-') return null
  if (EPOCH.test(value)) {
    const digits = value.indexOf('.') < 0 ? value.length : value.indexOf('.')
    return fromEpoch(Number(value), digits >= 12)
  }
  let m = US_EXPORT.exec(value)
  if (m) {
    let hour = Number(m[4])
    const half = m[8]?.toUpperCase()
    if (half === 'PM' && hour < 12) hour += 12
    if (half === 'AM' && hour === 12) hour = 0
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0
    const time = Date.UTC(
      Number(m[3]),
      Number(m[1]) - 1,
      Number(m[2]),
      hour,
      Number(m[5]),
      Number(m[6]),
      ms,
    )
    return valid(time)
  }
  m = SPACE_SEPARATED.exec(value)
  if (m) return fromIso(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`)
  if (ISO.test(value)) return fromIso(/[zZ]$|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`)
  return null
}

function fromIso(text: string): string | null {
  // Date keeps milliseconds only; fractions beyond them are cut, not rounded, like the logs do.
  const trimmed = text.replace(/(\.\d{3})\d+/, '$1')
  return valid(Date.parse(trimmed))
}

function fromEpoch(value: number, milliseconds: boolean): string | null {
  return valid(Math.floor(milliseconds ? value : value * 1000))
}

function valid(time: number): string | null {
  if (!Number.isFinite(time)) return null
  const date = new Date(time)
  return Number.isNaN(date.getTime()) ? null : date.toISOString()
}
