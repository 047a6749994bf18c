/**
 * @module
 * What the Splunk, Elastic and Sigma targets share: a pack's hunted indicators by shape (taken
 * from its planned hunts, so warninglisted values stay out exactly as in the KQL), the parts of
 * a URL the matching compares, and a domain's label-boundary reading.
 */
import type { Indicator } from '../../intel/indicator.ts'
import { SHARED_CONTENT_HOSTS } from '../../intel/shared-services.ts'
import type { Hunt } from '../../pack/hunts.ts'
import type { EmittedQuery } from '../kql/emit.ts'
import { type Shape, shapeOf } from '../kql/queries.ts'

export type { Shape }

export interface ShapeSet {
  /** The first planned hunt of the shape; hunts of one shape hunt the same indicators. */
  hunt: Hunt
  indicators: Indicator[]
  /** The KQL read these values from a watchlist: the pack is over `--inline-limit`. */
  large: boolean
}

/** The pack's hunted indicators by shape, in feed order, from the KQL target's planned hunts. */
export function shapeSets(queries: readonly EmittedQuery[]): Partial<Record<Shape, ShapeSet>> {
  const sets: Partial<Record<Shape, ShapeSet>> = {}
  for (const q of queries) {
    const shape = shapeOf(q.hunt)
    if (sets[shape]) continue
    sets[shape] = { hunt: q.hunt, indicators: q.hunt.indicators, large: q.watchlist !== undefined }
  }
  return sets
}

/** The address of an IP-shaped indicator: the value, or the address part of `ip:port`. */
export function addressOf(indicator: Indicator): string {
  return indicator.kind === 'ip:port' ? (indicator.ip ?? indicator.value) : indicator.value
}

export interface UrlParts {
  /** Lower case, IPv6 in brackets. */
  host: string
  /** `:8080`, or empty for the scheme's default port. */
  port: string
  /** Path and query, fragment dropped; `/` at least. */
  rest: string
  /**
   * What the matching compares: host, port and path with query, without the scheme, since
   * many proxies log `host/path` with no scheme (the KQL's `urlKey`).
   */
  key: string
}

/** The comparable parts of a canonical URL indicator; undefined when it does not parse. */
export function urlParts(value: string): UrlParts | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  const host = url.hostname.toLowerCase().replace(/\.+$/, '')
  const port = url.port === '' || url.port === '80' || url.port === '443' ? '' : `:${url.port}`
  const rest = `${url.pathname || '/'}${url.search}`
  return { host, port, rest, key: `${host}${port}${rest}` }
}

/** Hosts that serve everyone's content: a host-only match there is noise, so none is reported. */
export const SHARED_HOSTS: ReadonlySet<string> = new Set(SHARED_CONTENT_HOSTS)

/**
 * Domains ordered for first-match-wins matching: the most labels first, so a name under two
 * listed domains reports the closer one (`a.evil.com` before `evil.com`). Stable otherwise.
 */
export function mostSpecificFirst(domains: readonly string[]): string[] {
  const labels = (d: string) => d.split('.').length
  return [...domains].sort((a, b) => labels(b) - labels(a))
}

/** Counts by kind, `ip:port 2, ipv4 1`, for comments and descriptions. */
export function kindCounts(indicators: readonly Indicator[]): string {
  const counts = new Map<string, number>()
  for (const i of indicators) counts.set(i.kind, (counts.get(i.kind) ?? 0) + 1)
  return [...counts].map(([kind, n]) => `${kind} ${n}`).join(', ')
}
