/**
 * @module
 * ES|QL queries over ECS fields, one per hunt kind: the time window, a filter that keeps only
 * events touching a listed value, then a `CASE` whose arms, first match wins, name the indicator
 * and how it matched. Feed values reach the text only through `esqlString` and `esqlInt`.
 */
import type { Indicator } from '../../intel/indicator.ts'
import {
  addressOf,
  kindCounts,
  mostSpecificFirst,
  SHARED_HOSTS,
  type Shape,
  type ShapeSet,
  urlParts,
} from '../siem/indicators.ts'
import { esqlCommentText, esqlInt, esqlString, esqlTimeSpan } from './literal.ts'

/** The indices the queries read; Elastic Agent integrations write `logs-<dataset>-<ns>`. */
export const ELASTIC_INDEX = 'logs-*'

export interface ElasticQuery {
  id: string
  title: string
  purpose: string
  shape: Shape
  /** ECS fields the query reads, for its header. */
  fields: string[]
}

export const ELASTIC_QUERIES: readonly ElasticQuery[] = [
  {
    id: 'network-ip',
    title: 'Connections to or from C2 addresses',
    purpose:
      'Finds events whose source or destination address is a listed address or lies in a listed range, telling an exact ip:port hit (address and port on the same side) from an address-only one.',
    shape: 'ip',
    fields: ['source.ip', 'source.port', 'destination.ip', 'destination.port'],
  },
  {
    id: 'dns-resolved-ip',
    title: 'DNS lookups that resolved to C2 addresses',
    purpose:
      'Finds DNS events whose resolved addresses include a listed address or an address in a listed range.',
    shape: 'ip',
    fields: ['dns.question.name', 'dns.resolved_ip'],
  },
  {
    id: 'dns-domain',
    title: 'DNS lookups of C2 domains',
    purpose:
      'Finds DNS queries for a listed domain or a subdomain of it, matched at label boundaries.',
    shape: 'domain',
    fields: ['dns.question.name'],
  },
  {
    id: 'url-domain',
    title: 'Web requests to C2 domains',
    purpose:
      'Finds requests whose URL domain is a listed domain or a subdomain of it, matched at label boundaries.',
    shape: 'domain',
    fields: ['url.domain'],
  },
  {
    id: 'url',
    title: 'Requests for malicious URLs',
    purpose:
      'Finds requests for a listed URL (compared without the scheme), or for another URL of the same host.',
    shape: 'url',
    fields: ['url.full', 'url.domain'],
  },
  {
    id: 'file-hash',
    title: 'Malware files on hosts',
    purpose: 'Finds file events whose file hash is a listed hash, by algorithm.',
    shape: 'hash',
    fields: ['file.hash.md5', 'file.hash.sha1', 'file.hash.sha256'],
  },
  {
    id: 'process-hash',
    title: 'Malware processes started on hosts',
    purpose: 'Finds process events whose executable hash is a listed hash, by algorithm.',
    shape: 'hash',
    fields: ['process.hash.md5', 'process.hash.sha1', 'process.hash.sha256'],
  },
]

/** `a OR b` over many terms, one term per line after the first. */
function anyOf(terms: string[]): string {
  return terms.join('\n    OR ')
}

/** `CASE(cond, value, ...)` with one arm per line; null when no arm holds. */
function caseOf(arms: [string, string][]): string {
  return `CASE(\n    ${arms.map(([c, v]) => `${c}, ${v}`).join(',\n    ')}\n  )`
}

function ip(value: string): string {
  return `TO_IP(${esqlString(value)})`
}

function list(values: Iterable<string>, literal: (v: string) => string): string {
  return `(${[...values].map(literal).join(', ')})`
}

/** `"match|kind|value"`, read back with DISSECT; the value is last, so it may hold `|`. */
function iocEntry(match: string, i: Indicator): string {
  return esqlString(`${match}|${i.kind}|${i.value}`)
}

const DISSECT = '| DISSECT ioc "%{match_kind}|%{indicator_kind}|%{indicator}"'

// ---- addresses -------------------------------------------------------------------------------

/**
 * Arms, first match wins: address and port on the same side (`exact`), a listed address
 * (`exact`), the address of a listed ip:port with another port (`address-only`), a range.
 */
function addressArms(indicators: Indicator[], withPort: boolean): [string, string][] {
  const arms: [string, string][] = []
  if (withPort) {
    for (const i of indicators) {
      if (i.kind !== 'ip:port' || i.port === undefined) continue
      arms.push([
        `observed_ip == ${ip(addressOf(i))} AND observed_port == ${esqlInt(i.port)}`,
        iocEntry('exact', i),
      ])
    }
  }
  for (const i of indicators) {
    if (i.kind === 'ipv4' || i.kind === 'ipv6')
      arms.push([`observed_ip == ${ip(i.value)}`, iocEntry('exact', i)])
  }
  const seen = new Set<string>()
  for (const i of indicators) {
    if (i.kind !== 'ip:port' || seen.has(addressOf(i))) continue
    seen.add(addressOf(i))
    arms.push([`observed_ip == ${ip(addressOf(i))}`, iocEntry('address-only', i)])
  }
  for (const i of indicators) {
    if (i.kind === 'cidr')
      arms.push([`CIDR_MATCH(observed_ip, ${esqlString(i.value)})`, iocEntry('in-range', i)])
  }
  return arms
}

/** The filter on a field: in the listed addresses, or in a listed range. */
function addressFilter(field: string, indicators: Indicator[]): string[] {
  const addresses = new Set(indicators.filter((i) => i.kind !== 'cidr').map(addressOf))
  const ranges = indicators.filter((i) => i.kind === 'cidr').map((i) => esqlString(i.value))
  return [
    ...(addresses.size > 0 ? [`${field} IN ${list(addresses, ip)}`] : []),
    ...(ranges.length > 0 ? [`CIDR_MATCH(${field}, ${ranges.join(', ')})`] : []),
  ]
}

function networkIp(indicators: Indicator[]): string[] {
  return [
    `| WHERE ${anyOf([...addressFilter('source.ip', indicators), ...addressFilter('destination.ip', indicators)])}`,
    // One row per side, so a connection between two listed addresses reports both.
    '| EVAL matched_field = SPLIT("source.ip,destination.ip", ",")',
    '| MV_EXPAND matched_field',
    '| EVAL observed_ip = CASE(matched_field == "source.ip", source.ip, destination.ip)',
    '| EVAL observed_port = CASE(matched_field == "source.ip", source.port, destination.port)',
    `| EVAL ioc = ${caseOf(addressArms(indicators, true))}`,
    '| WHERE ioc IS NOT NULL',
    DISSECT,
  ]
}

function dnsResolvedIp(indicators: Indicator[]): string[] {
  return [
    '| WHERE dns.resolved_ip IS NOT NULL',
    // A comparison on a multi-valued field is null: each answer gets its own row first.
    '| EVAL observed_ip = dns.resolved_ip, matched_field = "dns.resolved_ip"',
    '| MV_EXPAND observed_ip',
    `| WHERE ${anyOf(addressFilter('observed_ip', indicators))}`,
    `| EVAL ioc = ${caseOf(addressArms(indicators, false))}`,
    '| WHERE ioc IS NOT NULL',
    DISSECT,
  ]
}

// ---- domains ---------------------------------------------------------------------------------

/**
 * A name matches a domain when it equals it or ends with `.` and the domain: `a.evil.com`
 * matches `evil.com`, `notevil.com` does not. Equal names first, then the closest domain.
 */
function domainQuery(field: string, indicators: Indicator[]): string[] {
  const domains = indicators.map((i) => i.value)
  const under = mostSpecificFirst(domains).map((d): [string, string] => [
    `ENDS_WITH(observed_host, ${esqlString(`.${d}`)})`,
    esqlString(d),
  ])
  return [
    `| WHERE ${field} IS NOT NULL`,
    `| EVAL observed_host = REPLACE(TO_LOWER(${field}), "[.]+$", ""), matched_field = ${esqlString(field)}`,
    `| WHERE ${anyOf([`observed_host IN ${list(domains, esqlString)}`, ...under.map(([c]) => c)])}`,
    `| EVAL indicator = ${caseOf([[`observed_host IN ${list(domains, esqlString)}`, 'observed_host'], ...under])}`,
    '| EVAL indicator_kind = "domain"',
    '| EVAL match_kind = CASE(observed_host == indicator, "exact", "subdomain")',
  ]
}

// ---- URLs ------------------------------------------------------------------------------------

/**
 * The URL as compared: without scheme and user info, default port and fragment, an empty path
 * written `/` (the indicator side's `urlParts`). Java regexes without backslashes.
 */
const OBSERVED_URL = [
  '| EVAL observed_url = REPLACE(url.full, "^[A-Za-z][A-Za-z0-9+.-]*://([^@/?#]*@)?", "")',
  '| EVAL observed_url = REPLACE(observed_url, "#.*$", "")',
  '| EVAL observed_url = REPLACE(observed_url, "^([^/?#:]*):(80|443)(?=[/?]|$)", "$1")',
  '| EVAL observed_url = REPLACE(observed_url, "^([^/?#]*)(?=[?]|$)", "$1/")',
]

function urlQuery(indicators: Indicator[]): string[] | undefined {
  const parsed = indicators.flatMap((i) => {
    const parts = urlParts(i.value)
    return parts ? [{ i, parts }] : []
  })
  const exact = new Map<string, Indicator>()
  const hosts = new Map<string, Indicator>()
  for (const { i, parts } of parsed) {
    if (!exact.has(parts.key)) exact.set(parts.key, i)
    // On hosts that serve everyone's content, only the exact URL is reported.
    if (!SHARED_HOSTS.has(parts.host) && !hosts.has(parts.host)) hosts.set(parts.host, i)
  }
  const arms: [string, string][] = [
    ...[...exact].map(([key, i]): [string, string] => [
      `observed_url == ${esqlString(key)}`,
      iocEntry('exact', i),
    ]),
    ...[...hosts].map(([host, i]): [string, string] => [
      `observed_host == ${esqlString(host)}`,
      iocEntry('host-only', i),
    ]),
  ]
  if (arms.length === 0) return undefined
  const filters = [
    ...(exact.size > 0 ? [`observed_url IN ${list(exact.keys(), esqlString)}`] : []),
    ...(hosts.size > 0 ? [`observed_host IN ${list(hosts.keys(), esqlString)}`] : []),
  ]
  return [
    '| WHERE url.full IS NOT NULL OR url.domain IS NOT NULL',
    ...OBSERVED_URL,
    '| EVAL observed_host = REPLACE(TO_LOWER(url.domain), "[.]+$", "")',
    `| WHERE ${anyOf(filters)}`,
    `| EVAL ioc = ${caseOf(arms)}`,
    '| WHERE ioc IS NOT NULL',
    DISSECT,
    '| EVAL matched_field = CASE(match_kind == "exact", "url.full", "url.domain")',
  ]
}

// ---- hashes ----------------------------------------------------------------------------------

const ALGORITHMS = ['sha256', 'sha1', 'md5'] as const

/** Each listed algorithm against its own field: a hash matches by algorithm. */
function hashQuery(prefix: string, indicators: Indicator[]): string[] {
  const byAlgorithm = ALGORITHMS.flatMap((algorithm) => {
    const values = indicators.filter((i) => i.kind === algorithm).map((i) => i.value)
    return values.length > 0 ? [{ field: `${prefix}.${algorithm}`, algorithm, values }] : []
  })
  const tests = byAlgorithm.map(
    ({ field, values }) => `TO_LOWER(${field}) IN ${list(values, esqlString)}`,
  )
  return [
    `| WHERE ${anyOf(tests)}`,
    `| EVAL matched_field = ${caseOf(byAlgorithm.map(({ field }, n): [string, string] => [tests[n] ?? '', esqlString(field)]))}`,
    `| EVAL indicator = ${caseOf(byAlgorithm.map(({ field }): [string, string] => [`matched_field == ${esqlString(field)}`, `TO_LOWER(${field})`]))}`,
    `| EVAL indicator_kind = ${caseOf(byAlgorithm.map(({ field, algorithm }): [string, string] => [`matched_field == ${esqlString(field)}`, esqlString(algorithm)]))}`,
    '| EVAL match_kind = "exact"',
  ]
}

// ---- the queries -----------------------------------------------------------------------------

/** Columns each query keeps besides the match columns. */
const CONTEXT: Record<string, string[]> = {
  'network-ip': ['source.ip', 'source.port', 'destination.ip', 'destination.port'],
  'dns-resolved-ip': ['source.ip', 'dns.question.name', 'dns.resolved_ip', 'observed_ip'],
  'dns-domain': ['source.ip', 'dns.question.name', 'observed_host'],
  'url-domain': ['source.ip', 'url.domain', 'observed_host'],
  url: ['source.ip', 'url.full', 'url.domain', 'observed_url', 'observed_host'],
  'file-hash': ['file.path'],
  'process-hash': ['process.executable', 'process.command_line'],
}

function body(query: ElasticQuery, indicators: Indicator[]): string[] | undefined {
  switch (query.id) {
    case 'network-ip':
      return networkIp(indicators)
    case 'dns-resolved-ip':
      return dnsResolvedIp(indicators)
    case 'dns-domain':
      return domainQuery('dns.question.name', indicators)
    case 'url-domain':
      return domainQuery('url.domain', indicators)
    case 'url':
      return urlQuery(indicators)
    case 'file-hash':
      return hashQuery('file.hash', indicators)
    case 'process-hash':
      return hashQuery('process.hash', indicators)
    default:
      throw new Error(`no ES|QL template for query ${query.id}`)
  }
}

export interface QueryContext {
  packId: string
  packTitle: string
  feeds: string[]
  lookback: string
}

/**
 * The `.esql` of one hunt kind for a pack's values of its shape; undefined when none of them can
 * be matched (URLs that do not parse).
 */
export function elasticQuery(
  query: ElasticQuery,
  set: ShapeSet,
  context: QueryContext,
): string | undefined {
  const matching = body(query, set.indicators)
  if (matching === undefined) return undefined
  const header = [
    query.title,
    query.purpose,
    `Pack: ${context.packTitle} (${context.packId})`,
    `Feeds: ${context.feeds.length > 0 ? context.feeds.join(', ') : 'none named'}`,
    `Index: ${ELASTIC_INDEX}; ECS fields: ${query.fields.join(', ')}`,
    `Lookback: ${context.lookback}`,
    `Indicators: ${set.indicators.length} (${kindCounts(set.indicators)})`,
  ].map((line) => `// ${esqlCommentText(line)}`)
  const keep = [
    '@timestamp',
    'host.name',
    'event.dataset',
    ...(CONTEXT[query.id] ?? []),
    'indicator',
    'indicator_kind',
    'match_kind',
    'matched_field',
  ]
  const lines = [
    ...header,
    `FROM ${ELASTIC_INDEX}`,
    `| WHERE @timestamp > NOW() - ${esqlTimeSpan(context.lookback)}`,
    ...matching,
    `| KEEP ${keep.join(', ')}`,
    '| SORT @timestamp DESC',
  ]
  return `${lines.join('\n')}\n`
}
