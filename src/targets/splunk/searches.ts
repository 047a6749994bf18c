/**
 * @module
 * SPL searches over the Splunk CIM data models, one per hunt kind. Each `tstats` over its data
 * model, reads the observed values from the fields it names, and matches them in steps (first
 * match wins) against keys made from the pack's indicators: inline `case()` arms for a small
 * pack, a lookup CSV written beside the search for a large one. Feed values reach the text only
 * through `splString` and `splSearchTerm`.
 */
import type { Indicator } from '../../intel/indicator.ts'
import {
  addressOf,
  kindCounts,
  SHARED_HOSTS,
  type Shape,
  type ShapeSet,
  urlParts,
} from '../siem/indicators.ts'
import {
  isSplLiteral,
  isSplSearchTerm,
  splCommentText,
  splEarliest,
  splSearchTerm,
  splString,
  splSubdomainTerm,
} from './literal.ts'

/** One matching step: its key expression over the event, and the keys it knows. */
interface Step {
  /** Names the step's fields (`MatchPort`) and prefixes its keys (`port|...`). */
  name: string
  /** SPL expression of the observed key, without the prefix. */
  observed: string
  /** The MatchKind a hit in this step gives: an SPL expression. */
  matchKind: string
  /** Key (without prefix) → `kind|indicator`; the first indicator of a key is kept. */
  rows: Map<string, string>
}

export interface SplunkSearch {
  id: string
  title: string
  purpose: string
  /** `Network_Traffic.All_Traffic`. */
  datamodel: string
  shape: Shape
}

/** The hunt kinds, in the order packs list them. */
export const SPLUNK_SEARCHES: readonly SplunkSearch[] = [
  {
    id: 'network-ip',
    title: 'Connections to or from C2 addresses',
    purpose:
      'Finds Network_Traffic connections whose source or destination is a listed address or lies in a listed range, telling an exact ip:port hit (address and port on the same side) from an address-only one.',
    datamodel: 'Network_Traffic.All_Traffic',
    shape: 'ip',
  },
  {
    id: 'dns-resolved-ip',
    title: 'DNS lookups that resolved to C2 addresses',
    purpose:
      'Finds Network_Resolution DNS events whose answer is a listed address or lies in a listed range, which names the domain the malware used.',
    datamodel: 'Network_Resolution.DNS',
    shape: 'ip',
  },
  {
    id: 'dns-domain',
    title: 'DNS lookups of C2 domains',
    purpose:
      'Finds Network_Resolution DNS queries for a listed domain or a subdomain of it, matched at label boundaries.',
    datamodel: 'Network_Resolution.DNS',
    shape: 'domain',
  },
  {
    id: 'web-domain',
    title: 'Web requests to C2 domains',
    purpose:
      'Finds Web requests whose site, destination or URL host is a listed domain or a subdomain of it, matched at label boundaries.',
    datamodel: 'Web.Web',
    shape: 'domain',
  },
  {
    id: 'web-url',
    title: 'Web requests for malicious URLs',
    purpose:
      'Finds Web requests for a listed URL (compared without the scheme), or for another URL of the same host.',
    datamodel: 'Web.Web',
    shape: 'url',
  },
  {
    id: 'process-hash',
    title: 'Malware processes started on endpoints',
    purpose: 'Finds Endpoint process events whose process hash is a listed hash.',
    datamodel: 'Endpoint.Processes',
    shape: 'hash',
  },
  {
    id: 'file-hash',
    title: 'Malware files on endpoints',
    purpose: 'Finds Endpoint filesystem events whose file hash is a listed hash.',
    datamodel: 'Endpoint.Filesystem',
    shape: 'hash',
  },
]

// ---- the keys of each shape ------------------------------------------------------------------

function entry(i: Indicator): string {
  return `${i.kind}|${i.value}`
}

function rowsOf(pairs: Iterable<[string, string]>): Map<string, string> {
  const rows = new Map<string, string>()
  for (const [key, value] of pairs) if (!rows.has(key)) rows.set(key, value)
  return rows
}

/**
 * IP steps, first match wins: address and port on the same side (`exact`), a listed plain
 * address (`exact`), then the address of a listed ip:port with another port (`address-only`).
 */
function addressSteps(indicators: Indicator[]): Step[] {
  const withPort = indicators.filter((i) => i.kind === 'ip:port')
  const plain = indicators.filter((i) => i.kind === 'ipv4' || i.kind === 'ipv6')
  return [
    {
      name: 'Port',
      observed: 'ObservedAddress."|".ObservedPort',
      matchKind: '"exact"',
      rows: rowsOf(withPort.map((i) => [`${addressOf(i)}|${i.port}`, entry(i)])),
    },
    {
      name: 'Address',
      observed: 'ObservedAddress',
      matchKind: '"exact"',
      rows: rowsOf(plain.map((i) => [i.value, entry(i)])),
    },
    {
      name: 'AddressOnly',
      observed: 'ObservedAddress',
      matchKind: '"address-only"',
      rows: rowsOf(withPort.map((i) => [addressOf(i), entry(i)])),
    },
  ]
}

function domainSteps(indicators: Indicator[]): Step[] {
  return [
    {
      name: 'Domain',
      observed: 'Suffix',
      matchKind: 'if(Suffix==ObservedHost, "exact", "subdomain")',
      rows: rowsOf(indicators.map((i) => [i.value, entry(i)])),
    },
  ]
}

/** URL steps: the same URL without scheme (`exact`), then the same host (`host-only`). */
function urlSteps(indicators: Indicator[]): Step[] {
  const parsed = indicators.flatMap((i) => {
    const parts = urlParts(i.value)
    return parts ? [{ i, parts }] : []
  })
  return [
    {
      name: 'Url',
      observed: 'ObservedUrl',
      matchKind: '"exact"',
      rows: rowsOf(parsed.map(({ i, parts }) => [parts.key, entry(i)])),
    },
    {
      name: 'Host',
      observed: 'ObservedHost',
      matchKind: '"host-only"',
      // On hosts that serve everyone's content, only the exact URL is reported.
      rows: rowsOf(
        parsed
          .filter(({ parts }) => !SHARED_HOSTS.has(parts.host))
          .map(({ i, parts }) => [parts.host, entry(i)]),
      ),
    },
  ]
}

function hashSteps(indicators: Indicator[]): Step[] {
  return [
    {
      name: 'Hash',
      observed: 'ObservedHash',
      matchKind: '"exact"',
      rows: rowsOf(indicators.map((i) => [i.value, entry(i)])),
    },
  ]
}

const STEPS: Record<Shape, (indicators: Indicator[]) => Step[]> = {
  ip: addressSteps,
  domain: domainSteps,
  url: urlSteps,
  hash: hashSteps,
}

/**
 * The lookup of a large shape: `key,entry`, one row per step key. Keys start with the step
 * (`port|`, `host|`) and entries with the indicator kind, so no cell starts like a formula.
 */
export function lookupRows(set: ShapeSet, shape: Shape): string[][] {
  const indicators = set.indicators.filter((i) => i.kind !== 'cidr')
  const rows: string[][] = []
  for (const step of STEPS[shape](indicators)) {
    for (const [key, value] of step.rows) rows.push([`${step.name.toLowerCase()}|${key}`, value])
  }
  return rows
}

/** A shape is written to a lookup when the pack is large or a value has no SPL spelling. */
export function needsLookup(set: ShapeSet): boolean {
  return set.large || set.indicators.some((i) => !isSplLiteral(i.value))
}

// ---- observing: tstats and the fields each search reads ----------------------------------------

/**
 * The host of a field holding a bare host, `host:port` or a URL, lower case and without
 * trailing dots. No backslash, so the regex reads the same to SPL and to PCRE.
 */
const HOST_REX =
  '^(?:[A-Za-z][A-Za-z0-9+.-]*://)?(?:[^@/?#]*@)?(?<ObservedHost>[[][^]/?#]*[]]|[^:/?#]+)'

/** A URL's host, port and path with query, fragment dropped (the indicator side's `urlParts`). */
const URL_REX = `${HOST_REX}(?::(?<UrlPort>[0-9]*))?(?<UrlRest>[^#]*)`

/** `Suffix`: the host and each parent domain, one row each, for label-boundary matching. */
const SUFFIXES = [
  '| eval ObservedHost=lower(replace(ObservedHost, "[.]+$", ""))',
  '| eval Labels=split(ObservedHost, "."), LabelIndex=mvrange(0, mvcount(Labels))',
  '| eval Suffix=mvmap(LabelIndex, mvjoin(mvindex(Labels, LabelIndex, -1), "."))',
  '| mvexpand Suffix',
]

/** Several fields of one row read in turn: one row per field, `MatchedField` naming it. */
function eachField(fields: string[], into: string): string[] {
  const quoted = fields.map(splString)
  // In eval, single quotes name a field: `'site'` is the renamed `Web.site`.
  const pick = fields.map((f, n) => `MatchedField==${quoted[n]}, '${f.split('.').pop()}'`)
  return [
    `| eval MatchedField=mvappend(${quoted.join(', ')})`,
    '| mvexpand MatchedField',
    `| eval ${into}=case(${pick.join(', ')})`,
  ]
}

interface Observe {
  by: string[]
  /** A search-term filter for `tstats where`, when the values allow one. */
  prefilter?: string
  lines: string[]
  /** Fields shown besides the match columns. */
  observed: string[]
}

function ipTerms(indicators: Indicator[]): string[] | undefined {
  if (indicators.some((i) => i.kind === 'cidr')) return undefined
  const addresses = [...new Set(indicators.map(addressOf))]
  return addresses.every(isSplSearchTerm) ? addresses.map(splSearchTerm) : undefined
}

function domainTerms(indicators: Indicator[]): string[] | undefined {
  const domains = indicators.map((i) => i.value)
  if (!domains.every(isSplSearchTerm)) return undefined
  // A trailing dot is how some resolvers log a name; the match below takes it off.
  return domains.flatMap((d) => [
    splSearchTerm(d),
    splSubdomainTerm(d),
    splSearchTerm(`${d}.`),
    splSubdomainTerm(`${d}.`),
  ])
}

function observe(search: SplunkSearch, set: ShapeSet, lookup: boolean): Observe {
  const { indicators } = set
  switch (search.id) {
    case 'network-ip': {
      const terms = lookup ? undefined : ipTerms(indicators)
      return {
        by: ['src', 'src_port', 'dest', 'dest_port', 'transport', 'action'],
        prefilter: terms && `(All_Traffic.src IN (${terms}) OR All_Traffic.dest IN (${terms}))`,
        lines: [
          '| eval MatchedField=mvappend("All_Traffic.src", "All_Traffic.dest")',
          '| mvexpand MatchedField',
          '| eval ObservedAddress=if(MatchedField=="All_Traffic.src", src, dest)',
          '| eval ObservedPort=if(MatchedField=="All_Traffic.src", src_port, dest_port)',
        ],
        observed: ['ObservedAddress', 'ObservedPort'],
      }
    }
    case 'dns-resolved-ip': {
      const terms = lookup ? undefined : ipTerms(indicators)
      return {
        by: ['src', 'query', 'answer'],
        prefilter: terms && `DNS.answer IN (${terms})`,
        lines: ['| eval MatchedField="DNS.answer", ObservedAddress=answer, ObservedPort=null()'],
        observed: ['ObservedAddress'],
      }
    }
    case 'dns-domain': {
      const terms = lookup ? undefined : domainTerms(indicators)
      return {
        by: ['src', 'query'],
        prefilter: terms && `DNS.query IN (${terms.join(', ')})`,
        lines: ['| eval MatchedField="DNS.query", ObservedHost=query', ...SUFFIXES],
        observed: ['ObservedHost'],
      }
    }
    case 'web-domain':
      return {
        by: ['src', 'dest', 'site', 'url', 'http_method', 'status'],
        lines: [
          ...eachField(['Web.site', 'Web.dest', 'Web.url'], 'ObservedValue'),
          `| rex field=ObservedValue ${splString(HOST_REX)}`,
          ...SUFFIXES,
        ],
        observed: ['ObservedHost'],
      }
    case 'web-url':
      return {
        by: ['src', 'dest', 'site', 'url', 'http_method', 'status'],
        lines: [
          '| eval MatchedField="Web.url"',
          `| rex field=url ${splString(URL_REX)}`,
          '| eval ObservedHost=lower(replace(ObservedHost, "[.]+$", ""))',
          '| eval UrlPort=if(isnull(UrlPort) OR UrlPort=="" OR UrlPort=="80" OR UrlPort=="443", "", ":".UrlPort)',
          '| eval UrlRest=if(substr(UrlRest, 1, 1)=="/", UrlRest, "/".UrlRest)',
          '| eval ObservedUrl=ObservedHost.UrlPort.UrlRest',
        ],
        observed: ['ObservedHost', 'ObservedUrl'],
      }
    case 'process-hash':
    case 'file-hash': {
      const field = search.id === 'process-hash' ? 'process_hash' : 'file_hash'
      const object = search.datamodel.split('.')[1] ?? ''
      const by =
        search.id === 'process-hash'
          ? ['dest', 'user', 'process_name', 'process', 'process_hash', 'parent_process_name']
          : ['dest', 'user', 'file_name', 'file_path', 'file_hash', 'action']
      return {
        by,
        lines: [
          `| eval MatchedField="${object}.${field}"`,
          // Sysmon-style values hold several (`MD5=...,SHA256=...`): every hex run is a candidate.
          `| rex field=${field} max_match=0 "(?<ObservedHash>[0-9A-Fa-f]+)"`,
          '| mvexpand ObservedHash',
          '| eval ObservedHash=lower(ObservedHash)',
        ],
        observed: ['ObservedHash'],
      }
    }
    default:
      throw new Error(`no SPL template for search ${search.id}`)
  }
}

// ---- matching ----------------------------------------------------------------------------------

function matchLines(steps: Step[], lookupName: string | undefined): string[] {
  const lines: string[] = []
  for (const step of steps) {
    if (step.rows.size === 0) continue
    const prefix = `${step.name.toLowerCase()}|`
    if (lookupName) {
      lines.push(
        `| eval LookupKey=${splString(prefix)}.${step.observed}`,
        `| lookup ${lookupName} key AS LookupKey OUTPUT entry AS Match${step.name}`,
      )
    } else {
      lines.push(`| eval LookupKey=${step.observed}`)
      const arms = [...step.rows].map(
        ([key, value]) => `LookupKey==${splString(key)}, ${splString(value)}`,
      )
      lines.push(`| eval Match${step.name}=case(${arms.join(', ')})`)
    }
  }
  return lines
}

/** `cidrmatch` arms for ranges, which are always inline (a CIDR lookup needs a definition). */
function rangeLines(indicators: Indicator[]): { lines: string[]; used: boolean } {
  const ranges = indicators.filter((i) => i.kind === 'cidr')
  if (ranges.length === 0) return { lines: [], used: false }
  const arms = ranges.map(
    (i) => `cidrmatch(${splString(i.value)}, ObservedAddress), ${splString(entry(i))}`,
  )
  return { lines: [`| eval MatchRange=case(${arms.join(', ')})`], used: true }
}

export interface SearchContext {
  packId: string
  packTitle: string
  feeds: string[]
  lookback: string
  /** The lookup file the shape's values are in, when they are not inline. */
  lookup?: string
}

/**
 * The `.spl` of one hunt kind for a pack's values of its shape; undefined when none of them can
 * be matched (URLs that do not parse).
 */
export function splunkSearch(
  search: SplunkSearch,
  set: ShapeSet,
  context: SearchContext,
): string | undefined {
  const earliest = splEarliest(context.lookback)
  const observing = observe(search, set, context.lookup !== undefined)
  const object = search.datamodel.split('.')[1] ?? ''
  const nonRanges = set.indicators.filter((i) => i.kind !== 'cidr')
  const steps = STEPS[search.shape](nonRanges).filter((s) => s.rows.size > 0)
  const ranges = search.shape === 'ip' ? rangeLines(set.indicators) : { lines: [], used: false }
  const matchFields = [
    ...steps.map((s) => `Match${s.name}`),
    ...(ranges.used ? ['MatchRange'] : []),
  ]
  if (matchFields.length === 0) return undefined
  const kinds = [
    ...steps.map((s) => `isnotnull(Match${s.name}), ${s.matchKind}`),
    ...(ranges.used ? ['isnotnull(MatchRange), "in-range"'] : []),
  ]

  const header = [
    search.title,
    search.purpose,
    `Pack: ${context.packTitle} (${context.packId})`,
    `Feeds: ${context.feeds.length > 0 ? context.feeds.join(', ') : 'none named'}`,
    `Data model: ${search.datamodel} (Splunk CIM)`,
    `Lookback: ${context.lookback}`,
    `Indicators: ${set.indicators.length} (${kindCounts(set.indicators)})`,
    context.lookup
      ? `Indicators are read from the lookup ${context.lookup}: upload it beside this search first`
      : 'Indicators are inline below',
  ].map((line) => `\`\`\` ${splCommentText(line)} \`\`\``)

  const where = [`earliest=${earliest}`, ...(observing.prefilter ? [observing.prefilter] : [])]
  const by = observing.by.map((f) => `${object}.${f}`).join(' ')
  const lines = [
    ...header,
    `| tstats summariesonly=false fillnull_value="unknown" count min(_time) AS firstTime max(_time) AS lastTime from datamodel=${search.datamodel} where ${where.join(' ')} by ${by}`,
    `| rename ${object}.* AS *`,
    ...observing.lines,
    ...matchLines(steps, context.lookup),
    ...ranges.lines,
    `| eval IocEntry=coalesce(${matchFields.map((f) => `mvindex(${f}, 0)`).join(', ')})`,
    `| eval MatchKind=case(${kinds.join(', ')})`,
    '| where isnotnull(IocEntry)',
    '| eval IndicatorKind=mvindex(split(IocEntry, "|"), 0)',
    '| eval Indicator=substr(IocEntry, len(IndicatorKind) + 2)',
    '| convert ctime(firstTime) ctime(lastTime)',
    `| table ${['firstTime', 'lastTime', 'count', ...observing.by, 'Indicator', 'IndicatorKind', 'MatchKind', 'MatchedField', ...observing.observed].join(' ')}`,
  ]
  return `${lines.join('\n')}\n`
}
