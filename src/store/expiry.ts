/**
 * @module
 * How long an indicator stays live after it was last seen. Addresses move fastest (an `ip:port`
 * C2 is usually gone within days, a bare address is reassigned within weeks), names and URLs
 * last longer, and a file hash never stops naming the same file. Expiry is computed when asked,
 * never stored, so `--max-age` applies to everything already in the store.
 */
import { UsageError } from '../errors.ts'
import { INDICATOR_KINDS, type IndicatorKind } from '../intel/indicator.ts'

const DAY = 86_400_000

/** Milliseconds after last seen, or null for never. */
export type ExpiryPolicy = Readonly<Record<IndicatorKind, number | null>>

export const DEFAULT_EXPIRY: ExpiryPolicy = {
  'ip:port': 14 * DAY,
  ipv4: 30 * DAY,
  ipv6: 30 * DAY,
  cidr: 90 * DAY,
  url: 90 * DAY,
  domain: 180 * DAY,
  md5: null,
  sha1: null,
  sha256: null,
}

const DURATION = /^(\d+)([dhm])$/
const UNIT = { d: DAY, h: 3_600_000, m: 60_000 } as const

/**
 * `--max-age`: a duration for every kind (`30d`), or a comma-separated list of `kind=duration`
 * (`ip:port=7d,domain=90d`); `never` keeps a kind forever. Kinds not named keep the defaults.
 *
 * @example parseMaxAge('ip:port=7d,sha256=never')['ip:port'] // 604800000
 */
export function parseMaxAge(value: string | undefined, base = DEFAULT_EXPIRY): ExpiryPolicy {
  if (value === undefined) return base
  const policy: Record<string, number | null> = { ...base }
  for (const part of value.split(',')) {
    const at = part.lastIndexOf('=')
    const kind = at === -1 ? undefined : part.slice(0, at).trim()
    const age = duration(part.slice(at + 1).trim(), value)
    if (kind === undefined) {
      for (const k of INDICATOR_KINDS) policy[k] = age
    } else if ((INDICATOR_KINDS as readonly string[]).includes(kind)) {
      policy[kind] = age
    } else {
      throw new UsageError(
        `--max-age ${value}: unknown kind "${kind}"; expected one of ${INDICATOR_KINDS.join(', ')}`,
      )
    }
  }
  return policy as ExpiryPolicy
}

function duration(text: string, whole: string): number | null {
  if (text === 'never') return null
  const match = DURATION.exec(text)
  if (!match) {
    throw new UsageError(
      `--max-age ${whole}: expected a duration such as 30d, 12h or never, ` +
        'for every kind or as kind=duration',
    )
  }
  return Number(match[1]) * UNIT[match[2] as keyof typeof UNIT]
}

/** SQL giving the expiry time (ms) of an indicator row aliased `alias`, NULL for never. */
export function expirySql(policy: ExpiryPolicy, alias = 'i'): string {
  const arms = INDICATOR_KINDS.map((kind) => {
    const age = policy[kind]
    return `WHEN '${kind}' THEN ${age === null ? 'NULL' : `${alias}.last_seen + ${age}`}`
  })
  return `(CASE ${alias}.kind ${arms.join(' ')} END)`
}

/** Text for `store stats` and help: `ip:port 14d, …, sha256 never`. */
export function describePolicy(policy: ExpiryPolicy): string {
  return INDICATOR_KINDS.map((kind) => {
    const age = policy[kind]
    return `${kind} ${age === null ? 'never' : formatAge(age)}`
  }).join(', ')
}

function formatAge(ms: number): string {
  if (ms % DAY === 0) return `${ms / DAY}d`
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  return `${ms / 60_000}m`
}
