/**
 * @module
 * False-positive guidance written from a pack's own indicators: each item says what in this
 * data can produce noise, which values are concerned, and the exclusion that would suppress a
 * reviewed hit. Nothing is emitted for a risk the pack does not have.
 */
import type { Indicator, Rejection } from '../intel/indicator.ts'
import { SHARED_CONTENT_HOSTS, sharedServiceOf } from '../intel/shared-services.ts'
import { plural } from '../util/plural.ts'
import type { Pack } from './pack.ts'

export interface Exclusion {
  /** A KQL line that, appended to a hunt, drops the hits this item is about. */
  kql: string
}

export interface GuidanceItem {
  id: string
  title: string
  detail: string
  /** How many values of the pack the item concerns. */
  count: number
  /** Up to `EXAMPLE_LIMIT` of them, canonical. */
  examples: string[]
  exclusion?: Exclusion
}

const EXAMPLE_LIMIT = 10
const WEB_PORTS = new Set([80, 443, 8080, 8443])
const LOW_CONFIDENCE = 50

export interface GuidanceOptions {
  /** Shared namespaces known from loaded warninglists (dynamic DNS, trusted sites). */
  namespaceOf?: (host: string) => { domain: string; list: string } | undefined
}

export function packGuidance(pack: Pack, options: GuidanceOptions = {}): GuidanceItem[] {
  return [
    webPortGuidance(pack.indicators),
    addressOnlyGuidance(pack.indicators),
    ...sharedServiceGuidance(pack.indicators, options),
    hostOnlyGuidance(pack.indicators),
    lowConfidenceGuidance(pack.indicators),
    warninglistGuidance(pack.warninglisted),
    rejectionGuidance(pack.rejections),
  ].filter((item): item is GuidanceItem => item !== undefined)
}

function webPortGuidance(indicators: Indicator[]): GuidanceItem | undefined {
  const onWebPorts = indicators.filter(
    (i) => i.kind === 'ip:port' && i.port !== undefined && WEB_PORTS.has(i.port),
  )
  if (onWebPorts.length === 0) return undefined
  const ports = countBy(onWebPorts.map((i) => String(i.port)))
  return {
    id: 'web-ports',
    title: 'Command and control on web ports',
    detail:
      `${plural(onWebPorts.length, 'address:port indicator')} on web ports ` +
      `(${formatCounts(ports)}). ` +
      'Such addresses are often shared hosting or CDN front ends serving many unrelated sites, ' +
      'so even an exact match can be benign traffic to a neighbour: confirm with the host name ' +
      '(proxy URL, TLS SNI, DNS) before escalating.',
    count: onWebPorts.length,
    examples: examples(onWebPorts),
    exclusion: {
      kql: excludeIndicators(onWebPorts),
    },
  }
}

function addressOnlyGuidance(indicators: Indicator[]): GuidanceItem | undefined {
  const withPort = indicators.filter((i) => i.kind === 'ip:port')
  if (withPort.length === 0) return undefined
  return {
    id: 'address-only',
    title: 'Address-only matches',
    detail:
      `The address hunts keep the ports of ${plural(withPort.length, 'address:port indicator')}: ` +
      'MatchKind is "exact" when the address and the port match on the same side of the ' +
      'connection and "address-only" when only the address does. Address-only hits are ' +
      'weaker (another service on the same host); keep them for triage, filter them out for ' +
      'alerting.',
    count: withPort.length,
    examples: examples(withPort),
    exclusion: {
      kql: '| where MatchKind == "exact"',
    },
  }
}

function sharedServiceGuidance(indicators: Indicator[], options: GuidanceOptions): GuidanceItem[] {
  const byService = new Map<string, { kind: string; values: Indicator[] }>()
  const serviceOf = (host: string) => {
    const known = sharedServiceOf(host)
    if (known) return known
    const listed = options.namespaceOf?.(host)
    return (
      listed && { domain: listed.domain, kind: `shared namespace (warninglist "${listed.list}")` }
    )
  }
  for (const indicator of indicators) {
    const host = hostOf(indicator)
    const service = host === undefined ? undefined : serviceOf(host)
    if (!service) continue
    const entry = byService.get(service.domain) ?? { kind: service.kind, values: [] }
    entry.values.push(indicator)
    byService.set(service.domain, entry)
  }
  return [...byService].map(([domain, { kind, values }]) => ({
    id: `shared-service:${domain}`,
    title: `Names under ${domain}`,
    detail:
      `${plural(values.length, 'indicator')} under ${domain} (${kind}), where anyone ` +
      'can hold a name. The hunts match these exact names and their subdomains only, never ' +
      `${domain} itself, so other customers of the service are not flagged; do not widen a ` +
      `hunt to the whole service. Names there change hands quickly: an old hit may belong to ` +
      'a new, benign owner.',
    count: values.length,
    examples: examples(values),
    exclusion: {
      kql: excludeIndicators(values),
    },
  }))
}

function hostOnlyGuidance(indicators: Indicator[]): GuidanceItem | undefined {
  const urls = indicators.filter((i) => i.kind === 'url')
  if (urls.length === 0) return undefined
  const contentHosts = new Set(SHARED_CONTENT_HOSTS)
  const onContentHosts = urls.filter((i) => contentHosts.has(hostOf(i) ?? ''))
  const onSharedHosting = urls.filter((i) => {
    const host = hostOf(i)
    return host !== undefined && sharedServiceOf(host) !== undefined
  })
  const hosts = new Set(urls.map(hostOf))
  const notes: string[] = []
  if (onContentHosts.length > 0) {
    notes.push(
      `${plural(onContentHosts.length, 'URL')} ${onContentHosts.length === 1 ? 'is' : 'are'} ` +
        'on hosts that serve everyone\u2019s content (such as github.com or ' +
        'cdn.discordapp.com): for those, the hunts report exact URL matches only.',
    )
  }
  if (onSharedHosting.length > 0) {
    notes.push(
      `${plural(onSharedHosting.length, 'URL')} ${onSharedHosting.length === 1 ? 'is' : 'are'} ` +
        'on shared hosting, where a host-only match is usually someone else\u2019s content.',
    )
  }
  return {
    id: 'host-only',
    title: 'Host-only URL matches',
    detail: [
      `${plural(urls.length, 'URL indicator')} on ${plural(hosts.size, 'host')}. A request to ` +
        'the same host with another path is reported as "host-only", a weaker match than the ' +
        'exact URL; the comparison leaves out the scheme, so proxies that log host and path ' +
        'match exactly too.',
      ...notes,
    ].join(' '),
    count: urls.length,
    examples: examples([...new Set([...onContentHosts, ...onSharedHosting, ...urls])]),
    exclusion: {
      kql: '| where MatchKind == "exact"',
    },
  }
}

function lowConfidenceGuidance(indicators: Indicator[]): GuidanceItem | undefined {
  const low = indicators.filter((i) => i.confidence !== undefined && i.confidence < LOW_CONFIDENCE)
  if (low.length === 0) return undefined
  return {
    id: 'low-confidence',
    title: `Confidence below ${LOW_CONFIDENCE}`,
    detail:
      `${plural(low.length, 'indicator')} with a confidence below ${LOW_CONFIDENCE}: ` +
      'corroborate a hit with a second source before acting, or rebuild with ' +
      '--min-confidence to leave them out.',
    count: low.length,
    examples: examples(low),
  }
}

function warninglistGuidance(warninglisted: Indicator[]): GuidanceItem | undefined {
  if (warninglisted.length === 0) return undefined
  const lists = countBy(warninglisted.flatMap((i) => i.warninglists))
  return {
    id: 'warninglisted',
    title: 'Warninglisted values, not hunted',
    detail:
      `${plural(warninglisted.length, 'value')} on warninglists of known benign or ` +
      `special-use values (${formatCounts(lists)}), left out of the hunts and listed below. ` +
      'Rebuild with --include-warninglisted to hunt them anyway.',
    count: warninglisted.length,
    examples: examples(warninglisted),
  }
}

function rejectionGuidance(rejections: Rejection[]): GuidanceItem | undefined {
  if (rejections.length === 0) return undefined
  const codes = countBy(rejections.map((r) => r.code))
  return {
    id: 'rejected',
    title: 'Rejected values, not hunted',
    detail:
      `${plural(rejections.length, 'value')} refused (${formatCounts(codes)}): ` +
      'malformed, placeholders, defanged where live values belong, or types huntpack does not ' +
      'hunt. Hunting them would miss or match noise; each is listed below with its reason.',
    count: rejections.length,
    examples: rejections.slice(0, EXAMPLE_LIMIT).map((r) => r.original),
  }
}

/**
 * The hostname a domain or URL indicator names; undefined for other kinds. Several guidance
 * items ask for a URL's host, so each URL is parsed once (indicators do not change).
 */
export function hostOf(indicator: Indicator): string | undefined {
  if (indicator.kind === 'domain') return indicator.value
  if (indicator.kind !== 'url') return undefined
  if (urlHosts.has(indicator)) return urlHosts.get(indicator)
  let host: string | undefined
  try {
    host = new URL(indicator.value).hostname
  } catch {
    host = undefined
  }
  urlHosts.set(indicator, host)
  return host
}

const urlHosts = new WeakMap<Indicator, string | undefined>()

/**
 * A KQL line that drops hits on these indicators: every hunt outputs `Indicator`. Values are
 * canonical indicators, which JSON quoting turns into valid KQL string literals.
 */
function excludeIndicators(indicators: Indicator[]): string {
  const values = indicators.map((i) => JSON.stringify(i.value))
  return `| where Indicator !in (${values.join(', ')})`
}

function examples(indicators: Indicator[]): string[] {
  return indicators.slice(0, EXAMPLE_LIMIT).map((i) => i.value)
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return new Map([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])))
}

function formatCounts(counts: Map<string, number>): string {
  return [...counts].map(([key, n]) => `${key}: ${n}`).join(', ')
}
