/**
 * @module
 * A cheap test that drops events which cannot match any indicator, before they are handed to
 * the engine. It only ever errs towards keeping an event: every value an event could match on
 * is looked up in a set of what the indicators could match (addresses, names and each name's
 * parents, URL hosts, hashes), and any event with an address is kept when ranges are hunted.
 * The engine then applies the exact semantics to the few events left, so findings are the
 * same with or without it; most events of a real log never reach the engine.
 */
import type { LogEvent } from '../logs/event.ts'
import type { IndicatorTables } from './indicator-tables.ts'

export type EventFilter = (event: LogEvent) => boolean

/** What the filter looks up, as plain data that can be sent to a worker thread. */
export interface FilterSpec {
  addresses: string[]
  /** Domains and URL hosts. */
  names: string[]
  hashes: string[]
  /** Ranges are hunted: every address is a candidate. */
  anyAddress: boolean
}

export function filterSpec(tables: IndicatorTables): FilterSpec {
  return {
    addresses: tables.addresses.map((r) => r.address),
    names: [...tables.domains.map((r) => r.domain), ...tables.urls.map((r) => r.host)],
    hashes: tables.hashes.map((r) => r.hash),
    anyAddress: tables.ranges.length > 0,
  }
}

export function candidateFilter(from: IndicatorTables | FilterSpec): EventFilter {
  const spec = 'indicators' in from ? filterSpec(from) : from
  const addresses = new Set(spec.addresses)
  const names = new Set(spec.names)
  const hashes = new Set(spec.hashes)
  const anyAddress = spec.anyAddress

  const address = (value: string | null) => value !== null && (anyAddress || addresses.has(value))
  const name = (value: string | null) => {
    if (value === null || names.size === 0) return false
    // The name and each parent: `a.b.evil.com`, `b.evil.com`, `evil.com`, `com`.
    let at = 0
    for (;;) {
      if (names.has(at === 0 ? value : value.slice(at))) return true
      const dot = value.indexOf('.', at)
      if (dot < 0) return false
      at = dot + 1
    }
  }
  const hash = (value: string | null) => value !== null && hashes.has(value)

  return (e) => {
    if (address(e.SrcIpAddr) || address(e.DstIpAddr)) return true
    if (name(e.DnsQuery) || name(e.TargetHostname) || name(e.UrlHost)) return true
    for (const answer of e.DnsResponse) if (address(answer) || name(answer)) return true
    return hash(e.FileMD5) || hash(e.FileSHA1) || hash(e.FileSHA256)
  }
}
