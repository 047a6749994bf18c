/**
 * @module
 * The `asim` target: the pack's address, domain and URL hunts through Sentinel's ASIM filtering
 * parsers (`_Im_NetworkSession`, `_Im_Dns`, `_Im_WebSession`), so one query covers every source
 * normalised to the schema, as `asim/<hunt>.kql`.
 *
 * The parsers' list parameters are a pre-filter only: they match terms or IPv4 prefixes, and
 * each takes at most 10,000 values. The matching itself is the KQL target's (label boundaries,
 * `ip:port` sides, best match per field), run on the parser's output. A list the parameter
 * cannot take (too long, IPv6, values that are not whole terms) is left out of the call, and
 * the `where` after it does all the filtering.
 */
import type { Indicator } from '../../intel/indicator.ts'
import { assertKqlClean, type KqlCheckContext } from '../kql/check.ts'
import type { EmittedQuery } from '../kql/emit.ts'
import { kqlCommentText } from '../kql/literal.ts'
import {
  addressQuery,
  domainQuery,
  HAS_ANY_LIMIT,
  hostOfUrl,
  huntBody,
  type Shape,
  shapeOf,
  termSafe,
  urlQuery,
} from '../kql/queries.ts'
import { functionSchema, tableSchema } from '../kql/tables.ts'
import type { Target, TargetFile } from '../target.ts'

type Parser = '_Im_NetworkSession' | '_Im_Dns' | '_Im_WebSession'

export interface AsimHunt {
  id: string
  title: string
  purpose: string
  shape: Shape
  parser: Parser
}

/** The ASIM hunts, in the order packs list them; hashes have no parser among these three. */
export const ASIM_HUNTS: readonly AsimHunt[] = [
  {
    id: 'asim-network-ip',
    title: 'C2 addresses in normalised network sessions',
    purpose:
      'Finds network sessions from any ASIM source whose source or destination address is a listed address or lies in a listed range, telling an exact ip:port hit from an address-only one.',
    shape: 'ip',
    parser: '_Im_NetworkSession',
  },
  {
    id: 'asim-dns-resolved-ip',
    title: 'DNS lookups that resolved to C2 addresses, normalised',
    purpose:
      'Finds DNS queries from any ASIM source whose response holds a listed address or an address in a listed range.',
    shape: 'ip',
    parser: '_Im_Dns',
  },
  {
    id: 'asim-dns-domain',
    title: 'DNS lookups of C2 domains, normalised',
    purpose:
      'Finds DNS queries from any ASIM source for a listed domain or any subdomain of it, matched at label boundaries.',
    shape: 'domain',
    parser: '_Im_Dns',
  },
  {
    id: 'asim-web-domain',
    title: 'Web requests to C2 domains, normalised',
    purpose:
      'Finds web sessions from any ASIM source whose URL host is a listed domain or a subdomain of it, matched at label boundaries.',
    shape: 'domain',
    parser: '_Im_WebSession',
  },
  {
    id: 'asim-web-url',
    title: 'Web requests for malicious URLs, normalised',
    purpose:
      'Finds web sessions from any ASIM source that requested a listed URL, or another URL of the same host.',
    shape: 'url',
    parser: '_Im_WebSession',
  },
]

const NETWORK_CONTEXT = [
  'TimeGenerated',
  'EventProduct',
  'EventVendor',
  'EventType',
  'Dvc',
  'DvcAction',
  'SrcIpAddr',
  'SrcPortNumber',
  'SrcHostname',
  'SrcUsername',
  'DstIpAddr',
  'DstPortNumber',
  'DstHostname',
  'NetworkProtocol',
]
const DNS_CONTEXT = [
  'TimeGenerated',
  'EventProduct',
  'EventVendor',
  'Dvc',
  'SrcIpAddr',
  'SrcHostname',
  'SrcUsername',
  'DnsQuery',
  'DnsQueryTypeName',
  'DnsResponseName',
  'EventResultDetails',
]
const WEB_CONTEXT = [
  'TimeGenerated',
  'EventProduct',
  'EventVendor',
  'Dvc',
  'DvcAction',
  'SrcIpAddr',
  'SrcUsername',
  'DstIpAddr',
  'Url',
  'HttpRequestMethod',
  'HttpUserAgent',
  'EventResultDetails',
]

/** The answer addresses of a DNS response, whatever the source's format: a comma list. */
const RESPONSE_ADDRESSES =
  "| extend DnsResponseAddresses = strcat_array(extract_all(@'([0-9A-Fa-f.:]{2,})', DnsResponseName), ',')"

/**
 * IPv4 prefixes for `*_has_any_prefix`: an address as it is, a range as its whole leading
 * octets (`10.1.0.0/16` → `10.1.`). Computed from `iocs`, so a watchlist works the same.
 */
const PREFIXES = [
  'let asimPrefixes = toscalar(iocs',
  "    | extend IocNetwork = tostring(split(IocAddress, '/')[0])",
  "    | extend IocBits = iff(IndicatorKind == 'cidr', toint(split(IocAddress, '/')[1]), 32)",
  "    | extend AsimPrefix = iff(IocBits >= 32, IocNetwork, strcat(strcat_array(array_slice(split(IocNetwork, '.'), 0, IocBits / 8 - 1), '.'), '.'))",
  '    | summarize make_set(AsimPrefix));',
]

/** The prefixes `PREFIXES` computes, or undefined when a parameter cannot take them. */
export function ipv4Prefixes(
  indicators: readonly Indicator[],
  limit: number,
): string[] | undefined {
  const prefixes = new Set<string>()
  for (const i of indicators) {
    const address = i.kind === 'ip:port' ? (i.ip ?? '') : i.value
    if (address.includes(':') || i.kind === 'ipv6') return undefined
    if (i.kind === 'cidr') {
      const [network = '', bits = '32'] = address.split('/')
      const length = Number(bits)
      // Below /8 no octet is fixed: the parameter would take everything or nothing.
      if (length < 8) return undefined
      const octets = network.split('.').slice(0, Math.floor(length / 8))
      prefixes.add(length >= 32 ? network : `${octets.join('.')}.`)
    } else {
      prefixes.add(address)
    }
    if (prefixes.size > limit) return undefined
  }
  return [...prefixes]
}

export interface AsimQuery {
  /** The `let iocs = ...;` statement: the only lines with feed values. */
  iocs: string[]
  rest: string[]
  /** What the header says about the parser's list parameter. */
  prefilter: string
}

/**
 * One ASIM hunt over the indicators of a pack hunt of the same shape, reading them the way the
 * KQL target does (inline, or from the same watchlist).
 */
export function asimQuery(asim: AsimHunt, q: EmittedQuery, lookback: string): AsimQuery {
  const hunt = q.hunt
  const { iocs } = huntBody(hunt, tableSchema(hunt.table), {
    lookback,
    watchlistAlias: q.watchlist?.alias,
  })
  const limit = Math.min(functionSchema(asim.parser).listLimit, HAS_ANY_LIMIT)
  const time = `starttime=ago(${lookback}), endtime=now()`
  const window = `| where TimeGenerated > ago(${lookback})`
  const call = (list?: string) => `${asim.parser}(${time}${list ? `, ${list}` : ''})`

  switch (asim.id) {
    case 'asim-network-ip':
    case 'asim-dns-resolved-ip': {
      const prefixes = ipv4Prefixes(hunt.indicators, limit)
      const parameter =
        asim.id === 'asim-network-ip' ? 'ipaddr_has_any_prefix' : 'response_has_any_prefix'
      const head = prefixes ? PREFIXES : []
      const list = prefixes ? `${parameter}=asimPrefixes` : undefined
      const body =
        asim.id === 'asim-network-ip'
          ? addressQuery(
              hunt,
              call(list),
              window,
              {
                fields: [
                  { address: 'SrcIpAddr', port: 'SrcPortNumber' },
                  { address: 'DstIpAddr', port: 'DstPortNumber' },
                ],
              },
              NETWORK_CONTEXT,
            )
          : addressQuery(
              hunt,
              `${call(list)}\n    ${RESPONSE_ADDRESSES}`,
              window,
              { list: 'DnsResponseAddresses' },
              DNS_CONTEXT,
            )
      return {
        iocs,
        rest: [...head, ...body],
        prefilter: prefixes
          ? `${parameter} takes the IPv4 addresses and range prefixes; the where below matches exactly`
          : `no ${parameter}: IPv6 values, ranges wider than /8 or over ${limit} prefixes; the where below filters`,
      }
    }
    case 'asim-dns-domain':
    case 'asim-web-domain': {
      // The KQL target's domain query names its list `iocDomains` under the same condition.
      const listed =
        hunt.indicators.length <= limit && termSafe(hunt.indicators.map((i) => i.value))
      const parameter = asim.id === 'asim-dns-domain' ? 'domain_has_any' : 'url_has_any'
      const list = listed ? `${parameter}=iocDomains` : undefined
      const field =
        asim.id === 'asim-dns-domain'
          ? { field: 'DnsQuery', url: false }
          : { field: 'Url', url: true }
      const context = asim.id === 'asim-dns-domain' ? DNS_CONTEXT : WEB_CONTEXT
      return {
        iocs,
        rest: domainQuery(hunt, call(list), window, [field], context),
        prefilter: listed
          ? `${parameter} takes the domains (term match); the join below keeps label boundaries`
          : `no ${parameter}: over ${limit} domains or names has_any cannot take; the join below filters`,
      }
    }
    case 'asim-web-url': {
      // The KQL target's URL query names its host list `iocHostList` under the same condition.
      const hosts = [...new Set(hunt.indicators.map((i) => hostOfUrl(i.value)))]
      const listed = hosts.length <= limit && termSafe(hosts)
      const list = listed ? 'url_has_any=iocHostList' : undefined
      return {
        iocs,
        rest: urlQuery(hunt, call(list), window, 'Url', WEB_CONTEXT),
        prefilter: listed
          ? 'url_has_any takes the URL hosts (term match); the join below compares whole URLs'
          : `no url_has_any: over ${limit} hosts or hosts has_any cannot take; the join below filters`,
      }
    }
    default:
      throw new Error(`no ASIM query for ${asim.id}`)
  }
}

const checked = new Set<string>()

/** Checks each query once per shape, with its first indicator row, as the KQL target does. */
function checkOnce(query: AsimQuery, context: KqlCheckContext, label: string): void {
  // A watchlist statement differs between packs only in the alias, a `kqlString` literal.
  const source = context.watchlistColumns
    ? `watchlist ${context.watchlistColumns.join(',')}`
    : query.iocs[0]
  const key = `${source}\n${query.rest.join('\n')}`
  if (checked.has(key)) return
  const [opening = '', first = '', ...more] = query.iocs
  const iocs =
    opening.startsWith('let iocs = datatable(') && more.length >= 2
      ? [opening, first.replace(/,$/, ''), '];']
      : query.iocs
  assertKqlClean([...iocs, ...query.rest].join('\n'), label, context)
  checked.add(key)
}

/** The pack hunt whose indicators an ASIM hunt reads: the first of its shape. */
function sourceOf(asim: AsimHunt, queries: EmittedQuery[]): EmittedQuery | undefined {
  return queries.find((q) => shapeOf(q.hunt) === asim.shape)
}

export const asimTarget: Target = {
  id: 'asim',
  describe: 'address, domain and URL hunts through the ASIM network, DNS and web session parsers',
  emit(content, queries) {
    const { pack } = content
    const files: TargetFile[] = []
    for (const asim of ASIM_HUNTS) {
      const source = sourceOf(asim, queries)
      if (!source) continue
      const path = `${pack.id}/asim/${asim.id}.kql`
      const query = asimQuery(asim, source, content.lookback)
      const columns = source.watchlist?.csv.split(/\r?\n/, 1)[0]?.split(',')
      checkOnce(query, { watchlistColumns: columns }, path)
      const header = [
        asim.title,
        asim.purpose,
        `Pack: ${pack.title} (${pack.id})`,
        `Feeds: ${pack.feeds.length > 0 ? pack.feeds.join(', ') : 'none named'}`,
        `Parser: ${asim.parser} (ASIM); ${query.prefilter}`,
        `Lookback: ${content.lookback}`,
        `Indicators: ${source.hunt.indicators.length}`,
        source.watchlist
          ? `Indicators are read from watchlist '${source.watchlist.alias}': upload ${source.watchlist.file} under that alias`
          : 'Indicators are inline below',
      ]
      const comments = header.map((line) => `// ${kqlCommentText(line)}`)
      const text = `${[...comments, ...query.iocs, ...query.rest].join('\n')}\n`
      files.push({ path, content: text })
    }
    return files
  },
}
