/**
 * @module
 * Indicators as the rows an engine joins events against, one table per shape. Row ids are
 * positions in the hunted list, so a match comes back to its `Indicator` without a lookup.
 * CIDR ranges are kept apart: engines test the distinct addresses of the events against them
 * here, once per address, and join the hits like plain addresses.
 */
import { parseIPv4, parseIPv6 } from '../intel/classify.ts'
import type { Indicator } from '../intel/indicator.ts'
import { SHARED_CONTENT_HOSTS } from '../intel/shared-services.ts'

export interface AddressRow {
  ind: number
  address: string
  /** The port of an `ip:port`; null for a plain address. */
  port: number | null
}

export interface DomainRow {
  ind: number
  domain: string
}

export interface UrlRow {
  ind: number
  /** The comparable form, see `urlKey`. */
  key: string
  host: string
  /** A host serving many people's content: only the exact URL is a finding there. */
  shared: boolean
}

export interface HashRow {
  ind: number
  algorithm: 'md5' | 'sha1' | 'sha256'
  hash: string
}

interface Range {
  ind: number
  v6: boolean
  /** IPv4: first and last address as numbers. */
  low: number
  high: number
  /** IPv6: network groups and prefix length. */
  groups: number[]
  prefix: number
}

export interface IndicatorTables {
  indicators: readonly Indicator[]
  addresses: AddressRow[]
  domains: DomainRow[]
  urls: UrlRow[]
  hashes: HashRow[]
  ranges: Range[]
}

const SHARED = new Set(SHARED_CONTENT_HOSTS)

export function indicatorTables(indicators: readonly Indicator[]): IndicatorTables {
  const tables: IndicatorTables = {
    indicators,
    addresses: [],
    domains: [],
    urls: [],
    hashes: [],
    ranges: [],
  }
  indicators.forEach((indicator, ind) => {
    switch (indicator.kind) {
      case 'ipv4':
      case 'ipv6':
        tables.addresses.push({ ind, address: indicator.value, port: null })
        break
      case 'ip:port':
        tables.addresses.push({ ind, address: indicator.ip ?? '', port: indicator.port ?? null })
        break
      case 'domain':
        tables.domains.push({ ind, domain: indicator.value })
        break
      case 'url': {
        const host = hostOfUrl(indicator.value)
        tables.urls.push({ ind, key: urlKey(indicator.value), host, shared: SHARED.has(host) })
        break
      }
      case 'md5':
      case 'sha1':
      case 'sha256':
        tables.hashes.push({ ind, algorithm: indicator.kind, hash: indicator.value })
        break
      case 'cidr':
        tables.ranges.push(parseRange(ind, indicator.value))
        break
    }
  })
  return tables
}

/** The family an indicator is grouped by when one event field gives one finding per family. */
export function familyKey(indicator: Indicator): string {
  return (indicator.familyId ?? indicator.family ?? '').toLowerCase()
}

/** The host of a canonical URL, without brackets around an IPv6 address. */
export function hostOfUrl(url: string): string {
  const host = new URL(url).hostname
  return host.startsWith('[') ? host.slice(1, -1) : host
}

/**
 * The comparable part of a URL, as the KQL hunts compare it: no scheme or user info, the port
 * kept unless 80 or 443, then path and query as written. Proxies that log `host/path` and ones
 * that log the full URL then meet on the same key. Engines compute the same key in SQL.
 *
 * @example urlKey('https://user@Evil.com:443/a?b') // 'evil.com/a?b'
 */
export function urlKey(url: string): string {
  let rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const end = rest.search(/[/?#]/)
  let authority = end < 0 ? rest : rest.slice(0, end)
  rest = end < 0 ? '' : rest.slice(end)
  authority = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase()
  authority = authority.replace(/:(80|443)$/, '')
  const hash = rest.indexOf('#')
  if (hash >= 0) rest = rest.slice(0, hash)
  return `${authority}${rest.startsWith('/') ? rest : `/${rest}`}`
}

function parseRange(ind: number, value: string): Range {
  const slash = value.indexOf('/')
  const network = value.slice(0, slash)
  const prefix = Number(value.slice(slash + 1))
  if (!network.includes(':')) {
    const low = parseIPv4(network)
    const size = 2 ** (32 - prefix)
    return { ind, v6: false, low, high: low + size - 1, groups: [], prefix }
  }
  return { ind, v6: true, low: 0, high: 0, groups: parseIPv6(network) ?? [], prefix }
}

/**
 * For each canonical address that falls in a range, the range rows it falls in.
 *
 * @example rangeHits(['10.1.2.3'], tables) // [{ address: '10.1.2.3', ind: 4 }]
 */
export function rangeHits(
  addresses: Iterable<string>,
  ranges: readonly Range[],
): { address: string; ind: number }[] {
  const hits: { address: string; ind: number }[] = []
  if (ranges.length === 0) return hits
  for (const address of addresses) {
    if (address.includes(':')) {
      const groups = parseIPv6(address)
      if (!groups) continue
      for (const range of ranges) {
        if (range.v6 && inV6Range(groups, range)) hits.push({ address, ind: range.ind })
      }
    } else {
      const n = parseIPv4(address)
      if (n < 0) continue
      for (const range of ranges) {
        if (!range.v6 && n >= range.low && n <= range.high) hits.push({ address, ind: range.ind })
      }
    }
  }
  return hits
}

function inV6Range(groups: readonly number[], range: Range): boolean {
  let bits = range.prefix
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const take = Math.min(16, bits)
    const mask = (0xffff << (16 - take)) & 0xffff
    if (((groups[i] ?? 0) & mask) !== ((range.groups[i] ?? 0) & mask)) return false
  }
  return true
}
