/**
 * @module
 * Parsing of option values shared by commands; each failure is a UsageError naming the option.
 */
import { UsageError } from '../errors.ts'
import { INTEL_FORMATS, type IntelFormat } from '../intel/readers/types.ts'
import { LOG_READERS } from '../logs/readers/index.ts'
import { LOOKBACK } from '../targets/kql/literal.ts'

export function parseIntelFormat(value: string | undefined): IntelFormat | undefined {
  if (value === undefined) return undefined
  if ((INTEL_FORMATS as readonly string[]).includes(value)) return value as IntelFormat
  throw new UsageError(`--format ${value}: expected one of ${INTEL_FORMATS.join(', ')}`)
}

export function parseInteger(option: string, value: string, min: number, max: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`${option} ${value}: expected a whole number from ${min} to ${max}`)
  }
  return n
}

const DURATION = /^(\d+)([dhm])$/
const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000 } as const

export function parseLookback(value: string): string {
  // The emitter's own rule, checked before any feed is read.
  if (!LOOKBACK.test(value)) {
    throw new UsageError(`--lookback ${value}: expected a duration such as 14d, 36h or 90m`)
  }
  return value
}

/** `2026-04-01`, a full ISO time, or a duration back from `now` (`7d`). */
export function parseSince(value: string, now: Date = new Date()): string {
  const duration = DURATION.exec(value)
  if (duration) {
    const unit = duration[2] as keyof typeof UNIT_MS
    return toIso(new Date(now.getTime() - Number(duration[1]) * UNIT_MS[unit]))
  }
  const date = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value)
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--since ${value}: expected a date (2026-04-01), an ISO time, or a duration (7d)`,
    )
  }
  return toIso(date)
}

function toIso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

const SIZE = /^([0-9]+(?:\.[0-9]+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i
const UNIT_BYTES: Record<string, number> = {
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
}

/** An engine memory limit such as `512MB` or `2GiB`, at least 64 MB (DuckDB needs some). */
export function parseMemoryLimit(value: string): string {
  const match = SIZE.exec(value.trim())
  const bytes = match ? Number(match[1]) * (UNIT_BYTES[(match[2] as string).toLowerCase()] ?? 0) : 0
  if (!match || bytes < 64e6) {
    throw new UsageError(
      `--memory-limit ${value}: expected a size of at least 64MB, such as 512MB or 2GB`,
    )
  }
  return `${match[1]}${match[2]}`
}

/** A `--log-format` id a reader has. */
export function parseLogFormat(value: string): string {
  const ids = LOG_READERS.map((r) => r.id)
  if (!ids.includes(value)) {
    throw new UsageError(`--log-format ${value}: expected one of ${ids.join(', ')}`)
  }
  return value
}
