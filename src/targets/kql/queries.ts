/**
 * @module
 * The body of each hunt's query. Four shapes (addresses, domains, URLs, hashes), each filled
 * with the columns of one table. Feed values reach the text only through `kqlString`/`kqlInt`.
 * The shape builders are exported so other targets (`asim`) match the same way on other sources.
 */

import type { Indicator } from '../../intel/indicator.ts'
import { SHARED_CONTENT_HOSTS } from '../../intel/shared-services.ts'
import type { Hunt } from '../../pack/hunts.ts'
import { kqlInt, kqlString } from './literal.ts'
import type { TableSchema } from './tables.ts'

interface BodyOptions {
  lookback: string
  /** Set when the indicators come from a watchlist rather than inline. */
  watchlistAlias?: string
}

export type Shape = 'ip' | 'domain' | 'url' | 'hash'

interface IocColumn {
  /** Name inside the query. */
  name: string
  type: 'string' | 'int'
  /** Name in the watchlist CSV. */
  csv: string
  value(indicator: Indicator): string | number | undefined
}

const INDICATOR: IocColumn = {
  name: 'Indicator',
  type: 'string',
  csv: 'SearchKey',
  value: (i) => i.value,
}
const KIND: IocColumn = {
  name: 'IndicatorKind',
  type: 'string',
  csv: 'IndicatorKind',
  value: (i) => i.kind,
}
const ADDRESS: IocColumn = {
  name: 'IocAddress',
  type: 'string',
  csv: 'Address',
  value: (i) => (i.kind === 'ip:port' ? i.ip : i.value),
}
const PORT: IocColumn = {
  name: 'IocPort',
  type: 'int',
  csv: 'Port',
  value: (i) => (i.kind === 'ip:port' ? i.port : undefined),
}

const COLUMNS: Record<Shape, IocColumn[]> = {
  ip: [INDICATOR, KIND, ADDRESS, PORT],
  domain: [INDICATOR, KIND],
  url: [INDICATOR, KIND],
  hash: [INDICATOR, KIND],
}

export function shapeOf(hunt: Hunt): Shape {
  const kinds = new Set(hunt.kinds)
  if (kinds.has('domain')) return 'domain'
  if (kinds.has('url')) return 'url'
  if (kinds.has('sha256') || kinds.has('sha1') || kinds.has('md5')) return 'hash'
  return 'ip'
}

export interface IocSource {
  /** CSV header of the hunt's watchlist; `SearchKey` (the indicator value) first. */
  watchlistHeader: string[]
  watchlistRows: string[][]
}

export function iocSource(hunt: Hunt): IocSource {
  const columns = COLUMNS[shapeOf(hunt)]
  return {
    watchlistHeader: columns.map((c) => c.csv),
    watchlistRows: hunt.indicators.map((i) => columns.map((c) => String(c.value(i) ?? ''))),
  }
}

/** `let iocs = ...;`: the indicators as a table, from a datatable literal or a watchlist. */
function iocsStatement(hunt: Hunt, columns: IocColumn[], alias: string | undefined): string[] {
  if (alias) {
    // The CSV writer puts `'` before a cell a spreadsheet would run as a formula (a host can
    // start with `-`); no indicator starts with `'`, so taking it off restores the value.
    const conversions = columns.map((c) =>
      c.type === 'int'
        ? `${c.name} = toint(${c.csv})`
        : `${c.name} = trim_start("'", tostring(${c.csv}))`,
    )
    return [
      `let iocs = _GetWatchlist(${kqlString(alias)})`,
      `    | project ${conversions.join(', ')};`,
    ]
  }
  const schema = columns.map((c) => `${c.name}:${c.type}`).join(', ')
  const rows = hunt.indicators.map((indicator, index) => {
    const cells = columns.map((c) => {
      const value = c.value(indicator)
      if (c.type === 'int') return typeof value === 'number' ? kqlInt(value) : 'int(null)'
      return kqlString(String(value ?? ''))
    })
    return `    ${cells.join(', ')}${index < hunt.indicators.length - 1 ? ',' : ''}`
  })
  return [`let iocs = datatable(${schema})[`, ...rows, '];']
}

export interface HuntBody {
  /** `let iocs = ...;`: the only lines that hold feed values. */
  iocs: string[]
  /** Everything after it: table, window, matching and projection, no feed value. */
  rest: string[]
}

export function huntBody(hunt: Hunt, table: TableSchema, options: BodyOptions): HuntBody {
  const window = `| where ${table.timeColumn} > ago(${options.lookback})`
  const iocs = iocsStatement(hunt, COLUMNS[shapeOf(hunt)], options.watchlistAlias)
  const spec = SPECS[hunt.id]
  if (!spec) throw new Error(`no KQL template for hunt ${hunt.id}`)
  return { iocs, rest: spec(hunt, table.name, window) }
}

type Spec = (hunt: Hunt, table: string, window: string) => string[]

/** A `case()` that picks the column named by `MatchedField`. */
function pick(fields: readonly string[], values: readonly string[], otherwise: string): string {
  const arms = fields.map((field, i) => `MatchedField == ${kqlString(field)}, ${values[i]}`)
  return `case(${arms.join(', ')}, ${otherwise})`
}

function fieldList(fields: readonly string[]): string {
  return `dynamic([${fields.map(kqlString).join(', ')}])`
}

/** `| where a\n    or b`: one condition per line. */
function anyOf(conditions: string[], indent: string): string[] {
  return conditions.map((c, i) => (i === 0 ? `${indent}| where ${c}` : `${indent}    or ${c}`))
}

// ---- addresses -------------------------------------------------------------------------------

export interface AddressField {
  address: string
  port?: string
}

/**
 * Addresses are compared through `parse_ipv6`, which writes any IPv4 or IPv6 text in one
 * expanded form: compressed and expanded IPv6, upper case, and the `::ffff:a.b.c.d` mapping
 * Defender uses for IPv4 all meet the indicator's key, where string equality would miss them.
 */
export function addressQuery(
  hunt: Hunt,
  table: string,
  window: string,
  source: { fields: AddressField[] } | { list: string },
  project: string[],
): string[] {
  const cidrs = hunt.indicators.filter((i) => i.kind === 'cidr')
  const hasAddresses = hunt.indicators.some((i) => i.kind !== 'cidr')
  const hasV4Ranges = cidrs.some((i) => !i.value.includes(':'))
  const hasV6Ranges = cidrs.some((i) => i.value.includes(':'))
  const lines: string[] = []

  if (hasAddresses) {
    lines.push(
      // One row per address with its indicators listed, so an event gives one row per matched
      // field carrying its best match, not one row per indicator that shares the address.
      'let iocAddresses = iocs',
      "    | where IndicatorKind != 'cidr'",
      '    | extend IocKey = parse_ipv6(IocAddress)',
      '    | summarize IocEntries = make_list(pack_array(Indicator, IndicatorKind, IocPort)) by IocKey;',
      'let iocKeys = iocAddresses',
      '    | project IocKey;',
    )
  }
  if (cidrs.length > 0) {
    lines.push(
      'let iocRanges = toscalar(iocs',
      "    | where IndicatorKind == 'cidr'",
      '    | summarize make_list(IocAddress));',
    )
  }
  if (hasV4Ranges) {
    lines.push(
      'let iocV4Ranges = toscalar(iocs',
      "    | where IndicatorKind == 'cidr' and IocAddress !contains ':'",
      '    | summarize make_list(IocAddress));',
    )
  }
  if (hasV6Ranges) {
    lines.push(
      'let iocV6Ranges = toscalar(iocs',
      "    | where IndicatorKind == 'cidr' and IocAddress contains ':'",
      '    | summarize make_list(IocAddress));',
    )
  }
  // An IPv4 range test needs dotted IPv4, so the `::ffff:` mapping is taken off first.
  const matches = (expr: string): string[] => [
    ...(hasAddresses ? [`parse_ipv6(${expr}) in (iocKeys)`] : []),
    ...(hasV4Ranges
      ? [`ipv4_is_in_any_range(trim_start('(?i)::ffff:', ${expr}), iocV4Ranges)`]
      : []),
    ...(hasV6Ranges ? [`ipv6_is_in_any_range(${expr}, iocV6Ranges)`] : []),
  ]

  const branches = (hasAddresses ? 1 : 0) + (cidrs.length > 0 ? 1 : 0)
  lines.push(
    branches > 1 ? 'let events = materialize(' : 'let events =',
    `    ${table}`,
    `    ${window}`,
  )
  if ('list' in source) {
    // A comma-separated answer list is split into elements, so 1.2.3.4 never matches 11.2.3.45.
    lines.push(
      `    | where isnotempty(${source.list})`,
      `    | mv-expand ObservedAddress = split(${source.list}, ',') to typeof(string)`,
      "    | extend ObservedAddress = trim(@'\\s+', ObservedAddress)",
      `    | extend MatchedField = ${kqlString(source.list)}, ObservedPort = int(null)`,
      ...anyOf(matches('ObservedAddress'), '    '),
    )
  } else if (source.fields.length === 1) {
    const [only] = source.fields
    if (!only) throw new Error('no address field')
    lines.push(
      ...anyOf(matches(only.address), '    '),
      `    | extend MatchedField = ${kqlString(only.address)}, ObservedAddress = ${only.address}, ObservedPort = ${only.port ?? 'int(null)'}`,
    )
  } else {
    const names = source.fields.map((f) => f.address)
    lines.push(
      ...anyOf(
        source.fields.flatMap((f) => matches(f.address)),
        '    ',
      ),
      `    | mv-expand MatchedField = ${fieldList(names)} to typeof(string)`,
      `    | extend ObservedAddress = ${pick(names, names, "''")}`,
      `    | extend ObservedPort = ${pick(
        names,
        source.fields.map((f) => f.port ?? 'int(null)'),
        'int(null)',
      )}`,
    )
  }
  if (branches > 1) lines.push(');')
  else lines[lines.length - 1] += ';'

  const results: string[] = []
  if (hasAddresses) {
    results.push('addressMatches')
    lines.push(
      'let addressMatches = events',
      '    | extend ObservedKey = parse_ipv6(ObservedAddress)',
      '    | join kind=inner iocAddresses on $left.ObservedKey == $right.IocKey',
      '    | mv-apply IocEntry = IocEntries to typeof(dynamic) on (',
      '        extend Indicator = tostring(IocEntry[0]), IndicatorKind = tostring(IocEntry[1]), IocPort = toint(IocEntry[2])',
      "        | extend MatchKind = case(isnull(IocPort), 'exact', IocPort == ObservedPort, 'exact', 'address-only')",
      "        | extend MatchRank = iff(MatchKind == 'exact', 0, 1)",
      '        | top 1 by MatchRank asc',
      '        );',
    )
  }
  if (cidrs.length > 0) {
    results.push('rangeMatches')
    lines.push(
      'let rangeMatches = events',
      '    | mv-apply IocRange = iocRanges to typeof(string) on (',
      "        where iff(IocRange contains ':', ipv6_is_in_range(ObservedAddress, IocRange), ipv4_is_in_range(trim_start('(?i)::ffff:', ObservedAddress), IocRange))",
      '        )',
      "    | extend Indicator = IocRange, IndicatorKind = 'cidr', MatchKind = 'in-range';",
    )
  }
  lines.push(
    results.length > 1 ? `union ${results.join(', ')}` : (results[0] ?? ''),
    `| project ${[...project, 'Indicator', 'IndicatorKind', 'MatchKind', 'MatchedField', 'ObservedAddress', 'ObservedPort'].join(', ')}`,
  )
  return lines
}

// ---- host names ----------------------------------------------------------------------------

/**
 * The host of a URL-ish field, lower case, without port, user info or trailing dots. Proxy and
 * Defender fields hold a bare host, `host:port`, or a full URL, so the scheme is optional.
 */
const HOST_OF = [
  'let hostOf = (u: string) {',
  "    trim_end(@'\\.+', tolower(extract(@'^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/?#]*@)?(\\[[^\\]/?#]*\\]|[^:/?#]+)', 1, u)))",
  '};',
]

/** The most values `has_any` takes in one list. */
export const HAS_ANY_LIMIT = 10_000

/** Needles `has_any` can take safely: they start and end on a term character. */
export function termSafe(values: string[]): boolean {
  return values.every((v) => /^[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/.test(v))
}

export interface HostField {
  field: string
  /** The field holds URLs or `host:port`, not a bare host. */
  url: boolean
}

/**
 * A host matches a domain when one of its label suffixes equals it: `a.evil.com` yields
 * `a.evil.com`, `evil.com`, `com`, so it matches `evil.com`, while `notevil.com` never yields
 * `evil.com`. Suffixes turn the label-boundary test into an equi-join, which stays fast for
 * watchlists of any size; `endswith` would need one comparison per indicator per row.
 */
export function domainQuery(
  hunt: Hunt,
  table: string,
  window: string,
  fields: HostField[],
  project: string[],
): string[] {
  const host = (f: HostField) =>
    f.url ? `hostOf(${f.field})` : `trim_end(@'\\.+', tolower(${f.field}))`
  // `has` is a term match, so a host at a label boundary always has its domain as a term
  // sequence: a cheap, index-backed superset filter, also when the values come from a watchlist
  // (the list is the watchlist's, read at run time) as long as `has_any` can take them all.
  const prefilter =
    hunt.indicators.length <= HAS_ANY_LIMIT && termSafe(hunt.indicators.map((i) => i.value))
  const head: string[] = []
  if (prefilter)
    head.push('let iocDomains = toscalar(iocs', '    | summarize make_list(Indicator));')
  const pipe: string[] = [table, window]
  if (prefilter)
    pipe.push(
      ...anyOf(
        fields.map((f) => `${f.field} has_any (iocDomains)`),
        '',
      ),
    )
  if (fields.length === 1) {
    const [only] = fields
    if (!only) throw new Error('no host field')
    pipe.push(`| extend MatchedField = ${kqlString(only.field)}, ObservedHost = ${host(only)}`)
  } else {
    const names = fields.map((f) => f.field)
    pipe.push(
      `| mv-expand MatchedField = ${fieldList(names)} to typeof(string)`,
      `| extend ObservedHost = ${pick(names, fields.map(host), "''")}`,
    )
  }
  pipe.push(
    "| extend Labels = split(ObservedHost, '.')",
    '| mv-expand LabelIndex = range(0, array_length(Labels) - 1) to typeof(long)',
    "| extend Suffix = strcat_array(array_slice(Labels, LabelIndex, -1), '.')",
    '| join kind=inner iocs on $left.Suffix == $right.Indicator',
    "| extend MatchKind = iff(LabelIndex == 0, 'exact', 'subdomain')",
    `| project ${[...project, 'Indicator', 'IndicatorKind', 'MatchKind', 'MatchedField', 'ObservedHost'].join(', ')}`,
  )
  return [...(fields.some((f) => f.url) ? HOST_OF : []), ...head, ...pipe]
}

// ---- URLs ----------------------------------------------------------------------------------

/**
 * The comparable part of a URL, for recorded URLs and indicators alike: host (lower case) and
 * port without `:80`/`:443`, then path and query as recorded, fragment dropped, an empty path
 * written `/`. The scheme and any user info are left out, because many proxies log
 * `host/path` with no scheme; paths keep their case.
 */
const URL_KEY = [
  'let urlKey = (u: string) {',
  "    let noScheme = replace_regex(u, @'^[A-Za-z][A-Za-z0-9+.-]*://', '');",
  "    let authority = tolower(extract(@'^[^/?#]*', 0, noScheme));",
  "    let hostPort = replace_regex(replace_regex(authority, @'^[^@]*@', ''), @':(80|443)$', '');",
  "    let rest = extract(@'^[^/?#]*([^#]*)', 1, noScheme);",
  "    strcat(hostPort, iff(rest startswith '/', rest, strcat('/', rest)))",
  '};',
]

/** Hosts where a host-only match is noise; written whole so every URL query has one shape. */
const SHARED_HOSTS = `let sharedHosts = dynamic([${SHARED_CONTENT_HOSTS.map(kqlString).join(', ')}]);`

export function urlQuery(
  hunt: Hunt,
  table: string,
  window: string,
  field: string,
  project: string[],
): string[] {
  const hosts = [...new Set(hunt.indicators.map((i) => hostOfUrl(i.value)))]
  const prefilter = hosts.length <= HAS_ANY_LIMIT && termSafe(hosts)
  const lines = [
    ...HOST_OF,
    ...URL_KEY,
    SHARED_HOSTS,
    // One row per host with its URLs listed: an event gives one row, its best match.
    'let iocHosts = iocs',
    '    | extend IocHost = hostOf(Indicator)',
    '    | summarize IocEntries = make_list(pack_array(Indicator, IndicatorKind, urlKey(Indicator)))',
    '        by IocHost;',
  ]
  if (prefilter) {
    lines.push('let iocHostList = toscalar(iocHosts', '    | summarize make_list(IocHost));')
  }
  lines.push(table, window)
  if (prefilter) lines.push(`| where ${field} has_any (iocHostList)`)
  lines.push(
    `| extend MatchedField = ${kqlString(field)}, ObservedHost = hostOf(${field})`,
    '| join kind=inner iocHosts on $left.ObservedHost == $right.IocHost',
    `| extend ObservedUrl = urlKey(${field})`,
    '| mv-apply IocEntry = IocEntries to typeof(dynamic) on (',
    '    extend Indicator = tostring(IocEntry[0]), IndicatorKind = tostring(IocEntry[1])',
    // host-only is the weaker finding: same host, another URL (or a field holding only the host).
    "    | extend MatchKind = iff(ObservedUrl == tostring(IocEntry[2]), 'exact', 'host-only')",
    "    | extend MatchRank = iff(MatchKind == 'exact', 0, 1)",
    '    | top 1 by MatchRank asc',
    '    )',
    "| where MatchKind == 'exact' or IocHost !in (sharedHosts)",
    `| project ${[...project, 'Indicator', 'IndicatorKind', 'MatchKind', 'MatchedField', 'ObservedHost'].join(', ')}`,
  )
  return lines
}

/** The host part of a canonical URL indicator, as `hostOf` in the query would extract it. */
export function hostOfUrl(url: string): string {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:\/\/)?(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]+)/.exec(url)
  return (match?.[1] ?? '').toLowerCase().replace(/\.+$/, '')
}

// ---- hashes --------------------------------------------------------------------------------

const HASH_COLUMNS: Record<'sha256' | 'sha1' | 'md5', string> = {
  sha256: 'SHA256',
  sha1: 'SHA1',
  md5: 'MD5',
}

function hashQuery(hunt: Hunt, table: string, window: string, project: string[]): string[] {
  const fields: string[] = []
  for (const kind of ['sha256', 'sha1', 'md5'] as const) {
    if (!hunt.indicators.some((i) => i.kind === kind)) continue
    fields.push(HASH_COLUMNS[kind], `InitiatingProcess${HASH_COLUMNS[kind]}`)
  }
  return [
    'let iocHashes = iocs',
    '    | project Indicator;',
    table,
    window,
    ...anyOf(
      fields.map((f) => `${f} in~ (iocHashes)`),
      '',
    ),
    `| mv-expand MatchedField = ${fieldList(fields)} to typeof(string)`,
    `| extend ObservedHash = tolower(${pick(fields, fields, "''")})`,
    '| join kind=inner iocs on $left.ObservedHash == $right.Indicator',
    "| extend MatchKind = 'exact'",
    `| project ${[...project, 'Indicator', 'IndicatorKind', 'MatchKind', 'MatchedField'].join(', ')}`,
  ]
}

// ---- the hunts -----------------------------------------------------------------------------

const CSL_CONTEXT = [
  'TimeGenerated',
  'Computer',
  'DeviceVendor',
  'DeviceProduct',
  'DeviceAction',
  'Activity',
  'SourceIP',
  'SourcePort',
  'DestinationIP',
  'DestinationPort',
  'DestinationHostName',
  'RequestURL',
  'SourceUserName',
]

const MDE_NETWORK_CONTEXT = [
  'Timestamp',
  'DeviceName',
  'ActionType',
  'LocalIP',
  'LocalPort',
  'RemoteIP',
  'RemotePort',
  'RemoteUrl',
  'Protocol',
  'InitiatingProcessAccountName',
  'InitiatingProcessFileName',
  'InitiatingProcessCommandLine',
]

const DNS_CONTEXT = ['TimeGenerated', 'Computer', 'ClientIP', 'Name', 'QueryType', 'IPAddresses']

const SPECS: Record<string, Spec> = {
  'csl-ip': (hunt, table, window) =>
    addressQuery(
      hunt,
      table,
      window,
      {
        fields: [
          { address: 'SourceIP', port: 'SourcePort' },
          { address: 'DestinationIP', port: 'DestinationPort' },
          { address: 'SourceTranslatedAddress', port: 'SourceTranslatedPort' },
          { address: 'DestinationTranslatedAddress', port: 'DestinationTranslatedPort' },
        ],
      },
      CSL_CONTEXT,
    ),
  'mde-network-ip': (hunt, table, window) =>
    addressQuery(
      hunt,
      table,
      window,
      { fields: [{ address: 'RemoteIP', port: 'RemotePort' }] },
      MDE_NETWORK_CONTEXT,
    ),
  'dns-resolved-ip': (hunt, table, window) =>
    addressQuery(hunt, table, window, { list: 'IPAddresses' }, DNS_CONTEXT),
  'dns-domain': (hunt, table, window) =>
    domainQuery(hunt, table, window, [{ field: 'Name', url: false }], DNS_CONTEXT),
  'mde-network-domain': (hunt, table, window) =>
    domainQuery(hunt, table, window, [{ field: 'RemoteUrl', url: true }], MDE_NETWORK_CONTEXT),
  'csl-domain': (hunt, table, window) =>
    domainQuery(
      hunt,
      table,
      window,
      [
        { field: 'DestinationHostName', url: true },
        { field: 'RequestURL', url: true },
      ],
      CSL_CONTEXT,
    ),
  'mde-network-url': (hunt, table, window) =>
    urlQuery(hunt, table, window, 'RemoteUrl', MDE_NETWORK_CONTEXT),
  'email-url-click': (hunt, table, window) =>
    urlQuery(hunt, table, window, 'Url', [
      'TimeGenerated',
      'AccountUpn',
      'Workload',
      'ActionType',
      'IsClickedThrough',
      'IPAddress',
      'NetworkMessageId',
      'ThreatTypes',
      'Url',
    ]),
  'csl-url': (hunt, table, window) => urlQuery(hunt, table, window, 'RequestURL', CSL_CONTEXT),
  'mde-file-hash': (hunt, table, window) =>
    hashQuery(hunt, table, window, [
      'Timestamp',
      'DeviceName',
      'ActionType',
      'FolderPath',
      'FileName',
      'SHA256',
      'SHA1',
      'MD5',
      'FileOriginUrl',
      'InitiatingProcessAccountName',
      'InitiatingProcessFileName',
      'InitiatingProcessCommandLine',
    ]),
  'mde-process-hash': (hunt, table, window) =>
    hashQuery(hunt, table, window, [
      'Timestamp',
      'DeviceName',
      'ActionType',
      'AccountName',
      'FolderPath',
      'FileName',
      'ProcessCommandLine',
      'SHA256',
      'SHA1',
      'MD5',
      'InitiatingProcessFileName',
      'InitiatingProcessCommandLine',
    ]),
}
