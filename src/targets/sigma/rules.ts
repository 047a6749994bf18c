/**
 * @module
 * Sigma rules from a pack: one rule per log source and match strength, whose detection holds
 * the pack's values with the matching semantics of the KQL (both directions, ip:port on one
 * side, domains at label boundaries, URLs without scheme, hashes by algorithm).
 */
import type { Indicator } from '../../intel/indicator.ts'
import type { GuidanceItem } from '../../pack/guidance.ts'
import { plural } from '../../util/plural.ts'
import { addressOf, SHARED_HOSTS, type Shape, urlParts } from '../siem/indicators.ts'
import { sigmaString } from './literal.ts'

type Value = string | number
/** A selection: field conditions all true, or a list of such maps of which one is. */
type Selection = Record<string, Value | Value[]> | Record<string, Value>[]

export interface Detection {
  selections: Record<string, Selection>
  condition: string
}

export type SigmaLevel = 'low' | 'medium' | 'high'

export interface RuleDefinition {
  id: string
  title: string
  purpose: string
  shape: Shape
  logsource: { category: string; product?: string }
  tags: string[]
  /** Weaker matches alert one level lower than the pack's level. */
  weaker?: boolean
  /** The detection for the pack's values; undefined when the pack has none this rule uses. */
  detection(indicators: Indicator[]): Detection | undefined
}

/** The pack page's threshold for low-confidence guidance. */
const LOW_CONFIDENCE = 50

const C2 = ['attack.command-and-control', 'attack.t1071', 'detection.emerging-threats']
const DOWNLOAD = ['attack.command-and-control', 'attack.t1105', 'detection.emerging-threats']
const MALWARE_FILE = ['attack.execution', 'attack.t1204', 'detection.emerging-threats']

/** Only the selections that have values, and `1 of selection_*` over them. */
function selections(all: Record<string, Selection | undefined>): Detection | undefined {
  const kept: Record<string, Selection> = {}
  for (const [name, selection] of Object.entries(all)) {
    if (selection === undefined) continue
    if (Array.isArray(selection) ? selection.length === 0 : Object.keys(selection).length === 0)
      continue
    kept[name] = selection
  }
  const names = Object.keys(kept)
  if (!names.some((n) => n.startsWith('selection'))) return undefined
  const filtersKept = names.filter((n) => n.startsWith('filter_'))
  const condition = `1 of selection_*${filtersKept.length > 0 ? ' and not 1 of filter_main_*' : ''}`
  return { selections: kept, condition }
}

/**
 * `{ field: values }` when there are values, else undefined. A fresh array each time: the YAML
 * writer would turn a shared one into an anchor and alias.
 */
function listOf(field: string, values: Value[]): Selection | undefined {
  return values.length > 0 ? { [field]: [...values] } : undefined
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)]
}

// ---- addresses -------------------------------------------------------------------------------

function plainAddresses(indicators: Indicator[]): string[] {
  return indicators.filter((i) => i.kind === 'ipv4' || i.kind === 'ipv6').map((i) => i.value)
}

function portPairs(indicators: Indicator[], address: string, port: string) {
  return indicators.flatMap((i) =>
    i.kind === 'ip:port' && i.port !== undefined
      ? [{ [address]: sigmaString(addressOf(i)), [port]: i.port }]
      : [],
  )
}

function ranges(indicators: Indicator[]): string[] {
  return indicators.filter((i) => i.kind === 'cidr').map((i) => i.value)
}

/** A listed address, an address and port on one side, or a listed range, in either direction. */
function networkExact(indicators: Indicator[]): Detection | undefined {
  const plain = plainAddresses(indicators).map(sigmaString)
  return selections({
    selection_destination_ip: listOf('DestinationIp', plain),
    selection_source_ip: listOf('SourceIp', plain),
    selection_destination_ip_port: portPairs(indicators, 'DestinationIp', 'DestinationPort'),
    selection_source_ip_port: portPairs(indicators, 'SourceIp', 'SourcePort'),
    selection_destination_range: listOf('DestinationIp|cidr', ranges(indicators)),
    selection_source_range: listOf('SourceIp|cidr', ranges(indicators)),
  })
}

/** The address of a listed ip:port with another port: the exact pairs are filtered out. */
function networkAddressOnly(indicators: Indicator[]): Detection | undefined {
  const plain = new Set(plainAddresses(indicators))
  const addresses = unique(indicators.filter((i) => i.kind === 'ip:port').map(addressOf)).filter(
    (a) => !plain.has(a),
  )
  if (addresses.length === 0) return undefined
  const values = addresses.map(sigmaString)
  return selections({
    selection_destination_ip: listOf('DestinationIp', values),
    selection_source_ip: listOf('SourceIp', values),
    filter_main_destination_exact: portPairs(indicators, 'DestinationIp', 'DestinationPort'),
    filter_main_source_exact: portPairs(indicators, 'SourceIp', 'SourcePort'),
  })
}

/**
 * Sysmon writes a DNS answer list as `type: 5 name;::ffff:1.2.3.4;2001:db8::1;`: IPv4 answers
 * behind `::ffff:`, every answer ended by `;`, so these substrings hold at address boundaries.
 */
function dnsAnswers(indicators: Indicator[]): Detection | undefined {
  const addresses = unique(indicators.filter((i) => i.kind !== 'cidr').map(addressOf))
  const v4 = addresses.filter((a) => !a.includes(':'))
  const v6 = addresses.filter((a) => a.includes(':'))
  return selections({
    selection_ipv4: listOf(
      'QueryResults|contains',
      v4.map((a) => sigmaString(`::ffff:${a};`)),
    ),
    selection_ipv6_first: listOf(
      'QueryResults|startswith',
      v6.map((a) => sigmaString(`${a};`)),
    ),
    selection_ipv6: listOf(
      'QueryResults|contains',
      v6.map((a) => sigmaString(`;${a};`)),
    ),
  })
}

// ---- domains ---------------------------------------------------------------------------------

/** Equal to a listed domain, or ending with `.` and it: a subdomain at a label boundary. */
function domainSelections(field: string, name: string, indicators: Indicator[]) {
  const domains = indicators.map((i) => i.value)
  return {
    [`selection_${name}_exact`]: listOf(field, domains.map(sigmaString)),
    [`selection_${name}_subdomain`]: listOf(
      `${field}|endswith`,
      domains.map((d) => sigmaString(`.${d}`)),
    ),
  }
}

// ---- URLs ------------------------------------------------------------------------------------

/**
 * A listed URL as proxies log it: the whole URL in `c-uri` with either web scheme or none (the
 * KQL compares without the scheme), or the host in `cs-host` and the path in `c-uri`.
 */
function urlExact(indicators: Indicator[]): Record<string, Selection | undefined> {
  const full: string[] = []
  const split: Record<string, Value>[] = []
  for (const i of indicators) {
    const parts = urlParts(i.value)
    if (!parts) continue
    const schemes = /^https?:/.test(i.value)
      ? ['http://', 'https://', '']
      : [`${i.value.split(':')[0]}://`]
    for (const scheme of schemes) full.push(sigmaString(`${scheme}${parts.key}`))
    split.push({ 'cs-host': sigmaString(parts.host), 'c-uri': sigmaString(parts.rest) })
  }
  return { full: listOf('c-uri', unique(full)), split }
}

function proxyUrl(indicators: Indicator[]): Detection | undefined {
  const { full, split } = urlExact(indicators)
  return selections({ selection_url: full, selection_host_path: split })
}

/** Another URL on a listed URL's host; not on hosts that serve everyone's content. */
function proxyUrlHost(indicators: Indicator[]): Detection | undefined {
  const hosts = unique(
    indicators.flatMap((i) => {
      const host = urlParts(i.value)?.host
      return host && !SHARED_HOSTS.has(host) ? [host] : []
    }),
  )
  const { full, split } = urlExact(indicators)
  return selections({
    selection_host: listOf('cs-host', hosts.map(sigmaString)),
    filter_main_url: full,
    filter_main_host_path: split,
  })
}

// ---- hashes ----------------------------------------------------------------------------------

const SYSMON_ALGORITHMS: Record<string, string> = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA256' }

/**
 * Sysmon's `Hashes` is `SHA1=...,MD5=...,SHA256=...,IMPHASH=...`: `MD5=<hash>` holds only for
 * that algorithm and, hashes being of fixed length, only for that whole value.
 */
function hashes(indicators: Indicator[]): Detection | undefined {
  const values = indicators.flatMap((i) => {
    const algorithm = SYSMON_ALGORITHMS[i.kind]
    return algorithm ? [sigmaString(`${algorithm}=${i.value}`)] : []
  })
  return selections({ selection_hashes: listOf('Hashes|contains', values) })
}

// ---- the rules -------------------------------------------------------------------------------

export const SIGMA_RULES: readonly RuleDefinition[] = [
  {
    id: 'network-connection-ip',
    title: 'Connection to or from a C2 address',
    purpose:
      'Detects network connections whose source or destination is a listed address or lies in a listed range, or whose address and port on one side are a listed ip:port.',
    shape: 'ip',
    logsource: { category: 'network_connection' },
    tags: C2,
    detection: networkExact,
  },
  {
    id: 'network-connection-ip-address-only',
    title: 'Connection to or from a C2 address on another port',
    purpose:
      'Detects network connections to or from the address of a listed ip:port on another port: a weaker, address-only match (another service on the same host).',
    shape: 'ip',
    logsource: { category: 'network_connection' },
    tags: C2,
    weaker: true,
    detection: networkAddressOnly,
  },
  {
    id: 'dns-query-resolved-ip',
    title: 'DNS answer with a C2 address',
    purpose:
      'Detects DNS queries whose answers include a listed address, which names the domain the malware used. Ranges are not matched in answers.',
    shape: 'ip',
    logsource: { category: 'dns_query' },
    tags: C2,
    detection: dnsAnswers,
  },
  {
    id: 'dns-query-domain',
    title: 'DNS query for a C2 domain',
    purpose:
      'Detects DNS queries for a listed domain or a subdomain of it, matched at label boundaries.',
    shape: 'domain',
    logsource: { category: 'dns_query' },
    tags: C2,
    detection: (indicators) => selections(domainSelections('QueryName', 'query', indicators)),
  },
  {
    id: 'proxy-domain',
    title: 'Proxy request to a C2 domain',
    purpose:
      'Detects proxy requests whose host or resolved name is a listed domain or a subdomain of it, matched at label boundaries.',
    shape: 'domain',
    logsource: { category: 'proxy' },
    tags: C2,
    detection: (indicators) =>
      selections({
        ...domainSelections('cs-host', 'host', indicators),
        ...domainSelections('r-dns', 'rdns', indicators),
      }),
  },
  {
    id: 'proxy-url',
    title: 'Proxy request for a malicious URL',
    purpose: 'Detects proxy requests for a listed URL, compared without the scheme.',
    shape: 'url',
    logsource: { category: 'proxy' },
    tags: DOWNLOAD,
    detection: proxyUrl,
  },
  {
    id: 'proxy-url-host',
    title: 'Proxy request to the host of a malicious URL',
    purpose:
      'Detects proxy requests for another URL on the host of a listed URL: a weaker, host-only match. Hosts that serve everyone\u2019s content are left out.',
    shape: 'url',
    logsource: { category: 'proxy' },
    tags: DOWNLOAD,
    weaker: true,
    detection: proxyUrlHost,
  },
  {
    id: 'process-creation-hash',
    title: 'Process started from a malware file',
    purpose: 'Detects process creations whose image has a listed hash, as Sysmon writes Hashes.',
    shape: 'hash',
    logsource: { category: 'process_creation', product: 'windows' },
    tags: MALWARE_FILE,
    detection: hashes,
  },
  {
    id: 'file-event-hash',
    title: 'Malware file on disk',
    purpose: 'Detects file events whose file has a listed hash, as Sysmon writes Hashes.',
    shape: 'hash',
    logsource: { category: 'file_event', product: 'windows' },
    tags: MALWARE_FILE,
    detection: hashes,
  },
]

/**
 * The pack's false-positive guidance that concerns these indicators: items about values among
 * them. Address-only and host-only matches are rules of their own here, so their items are
 * left out; low confidence is told per rule, since the pack's count spans every shape.
 */
export function guidanceFor(guidance: GuidanceItem[], indicators: Indicator[]): string[] {
  const values = new Set(indicators.map((i) => i.value))
  const notes = guidance
    .filter((item) => !['address-only', 'host-only', 'low-confidence'].includes(item.id))
    .filter((item) => item.examples.some((example) => values.has(example)))
    .map((item) => `${item.title}: ${item.detail}`)
  const low = indicators.filter((i) => i.confidence !== undefined && i.confidence < LOW_CONFIDENCE)
  if (low.length > 0) {
    notes.push(
      `Confidence below ${LOW_CONFIDENCE}: ${plural(low.length, 'indicator')} of this rule; ` +
        'corroborate a hit with a second source before acting, or rebuild with ' +
        '--min-confidence to leave them out.',
    )
  }
  return notes
}
