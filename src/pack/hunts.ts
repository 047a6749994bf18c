/**
 * @module
 * Hunts: one question asked of one table (did anything here touch these addresses?), with the
 * indicators it asks about. Planning is target-neutral; the KQL emitter turns each hunt into a
 * query with the semantics its `purpose` states.
 */

import type { Indicator, IndicatorKind } from '../intel/indicator.ts'

export interface Hunt {
  /** Stable and file-name safe: the query is written as `<id>.kql`. */
  id: string
  title: string
  /** One sentence: what a hit means. */
  purpose: string
  table: string
  kinds: IndicatorKind[]
  indicators: Indicator[]
}

export type HuntDefinition = Omit<Hunt, 'indicators'>

const IP_KINDS: IndicatorKind[] = ['ipv4', 'ipv6', 'ip:port', 'cidr']
const HASH_KINDS: IndicatorKind[] = ['sha256', 'sha1', 'md5']

/** Every hunt huntpack knows, in the order packs list them. */
export const HUNT_DEFINITIONS: readonly HuntDefinition[] = [
  {
    id: 'csl-ip',
    title: 'C2 addresses in CEF firewall and proxy logs',
    purpose:
      'Finds firewall and proxy events whose source or destination address (or its NAT translation) is a listed address or lies in a listed range, telling an exact ip:port hit from an address-only one.',
    table: 'CommonSecurityLog',
    kinds: IP_KINDS,
  },
  {
    id: 'mde-network-ip',
    title: 'Device connections to C2 addresses',
    purpose:
      'Finds Defender for Endpoint connections whose remote address is a listed address or lies in a listed range, telling an exact ip:port hit from an address-only one.',
    table: 'DeviceNetworkEvents',
    kinds: IP_KINDS,
  },
  {
    id: 'dns-resolved-ip',
    title: 'DNS lookups that resolved to C2 addresses',
    purpose:
      'Finds DNS queries whose answers include a listed address or an address in a listed range, which names the domain the malware used even when the address changed hands.',
    table: 'DnsEvents',
    kinds: IP_KINDS,
  },
  {
    id: 'dns-domain',
    title: 'DNS lookups of C2 domains',
    purpose:
      'Finds DNS queries for a listed domain or any subdomain of it, matched at label boundaries.',
    table: 'DnsEvents',
    kinds: ['domain'],
  },
  {
    id: 'mde-network-domain',
    title: 'Device connections to C2 domains',
    purpose:
      'Finds Defender for Endpoint connections whose remote host is a listed domain or a subdomain of it, matched at label boundaries.',
    table: 'DeviceNetworkEvents',
    kinds: ['domain'],
  },
  {
    id: 'csl-domain',
    title: 'C2 domains in CEF firewall and proxy logs',
    purpose:
      'Finds firewall and proxy events whose destination host name or requested URL host is a listed domain or a subdomain of it, matched at label boundaries.',
    table: 'CommonSecurityLog',
    kinds: ['domain'],
  },
  {
    id: 'mde-network-url',
    title: 'Device connections to malicious URLs',
    purpose:
      'Finds Defender for Endpoint connections to a listed URL, or to its host when the full URL was not recorded.',
    table: 'DeviceNetworkEvents',
    kinds: ['url'],
  },
  {
    id: 'email-url-click',
    title: 'Clicks on malicious URLs in mail, Teams and Office',
    purpose: 'Finds Safe Links clicks on a listed URL, or on another URL of the same host.',
    table: 'UrlClickEvents',
    kinds: ['url'],
  },
  {
    id: 'csl-url',
    title: 'Malicious URLs in CEF proxy logs',
    purpose: 'Finds proxy events that requested a listed URL, or another URL of the same host.',
    table: 'CommonSecurityLog',
    kinds: ['url'],
  },
  {
    id: 'mde-file-hash',
    title: 'Malware files written or touched on devices',
    purpose: 'Finds file events where the file, or the process acting on it, has a listed hash.',
    table: 'DeviceFileEvents',
    kinds: HASH_KINDS,
  },
  {
    id: 'mde-process-hash',
    title: 'Malware processes started on devices',
    purpose:
      'Finds process creations where the new process, or the process that started it, has a listed hash.',
    table: 'DeviceProcessEvents',
    kinds: HASH_KINDS,
  },
]

export interface PlanOptions {
  /**
   * Keep indicators that sit on a warninglist (private ranges, public resolvers, top sites).
   * Off by default: those match everyone's traffic and bury real hits.
   */
  includeWarninglisted?: boolean
}

/**
 * The hunts that have at least one indicator, in `HUNT_DEFINITIONS` order; each hunt's
 * indicators are deduplicated by kind and value and keep the order they were given in.
 */
export function planHunts(indicators: Indicator[], options: PlanOptions = {}): Hunt[] {
  const kept = indicators.filter(
    (indicator) => options.includeWarninglisted || indicator.warninglists.length === 0,
  )
  const distinct = unique(kept)
  const byKinds = new Map<string, Indicator[]>()
  const hunts: Hunt[] = []
  for (const definition of HUNT_DEFINITIONS) {
    const key = definition.kinds.join()
    let matching = byKinds.get(key)
    if (matching === undefined) {
      matching = distinct.filter((i) => definition.kinds.includes(i.kind))
      byKinds.set(key, matching)
    }
    if (matching.length > 0)
      hunts.push({ ...definition, kinds: [...definition.kinds], indicators: matching })
  }
  return hunts
}

/**
 * Indicators once each by kind and value, in the order given (intake keeps feed order, newest
 * first for ThreatFox). Grouping by family never repeats a value; other groupings can.
 */
function unique(indicators: Indicator[]): Indicator[] {
  const seen = new Map<IndicatorKind, Set<string>>()
  const kept: Indicator[] = []
  for (const indicator of indicators) {
    let values = seen.get(indicator.kind)
    if (values === undefined) {
      values = new Set()
      seen.set(indicator.kind, values)
    }
    if (values.has(indicator.value)) continue
    values.add(indicator.value)
    kept.push(indicator)
  }
  return kept.length === indicators.length ? indicators : kept
}
