/**
 * @module
 * A finding: one event field that matched one indicator, with how strongly and which way.
 */
import type { Indicator } from '../intel/indicator.ts'
import type { LogEvent } from '../logs/event.ts'

/**
 * How an event value met an indicator. `exact`: the value itself (for `ip:port`, address and
 * port on the same side; for URLs, the same URL). `address-only`: an `ip:port` indicator's
 * address with another or no port. `subdomain`: a name under a domain indicator.
 * `host-only`: a URL indicator's host, not its URL. `in-range`: an address inside a CIDR.
 */
export type MatchKind = 'exact' | 'address-only' | 'subdomain' | 'host-only' | 'in-range'

/** Weaker matches are reported and marked; these say which ones a user may switch off. */
export const WEAK_MATCHES: readonly MatchKind[] = ['address-only', 'host-only']

/**
 * Which way the event went relative to the indicator: `to` it (the indicator was the
 * destination, the name looked up, the URL fetched), `from` it (it was the source), or it
 * came back as a DNS `answer`. Hashes have no direction.
 */
export type Direction = 'to' | 'from' | 'answer' | null

/** The event columns a finding can match on. */
export type MatchField =
  | 'SrcIpAddr'
  | 'DstIpAddr'
  | 'DnsQuery'
  | 'DnsResponse'
  | 'TargetHostname'
  | 'Url'
  | 'UrlHost'
  | 'FileMD5'
  | 'FileSHA1'
  | 'FileSHA256'

export interface Finding {
  indicator: Indicator
  match: MatchKind
  field: MatchField
  direction: Direction
  /** The event's value that matched (one DNS answer, not the whole list). */
  matched: string
  event: LogEvent
}

export function directionOf(field: MatchField): Direction {
  switch (field) {
    case 'SrcIpAddr':
      return 'from'
    case 'DnsResponse':
      return 'answer'
    case 'FileMD5':
    case 'FileSHA1':
    case 'FileSHA256':
      return null
    default:
      return 'to'
  }
}
