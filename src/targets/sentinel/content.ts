/**
 * @module
 * What Sentinel's analytics rules and hunting queries share, in the schema of the Azure-Sentinel
 * content repository: stable ids, data connectors, MITRE ATT&CK mappings, entity mappings and
 * the query as Sentinel runs it.
 */
import { createHash } from 'node:crypto'
import { stringify } from 'yaml'
import type { PackContent } from '../../pack/content.ts'
import type { Hunt } from '../../pack/hunts.ts'
import { plural } from '../../util/plural.ts'
import { assertKqlClean, type KqlCheckContext } from '../kql/check.ts'
import type { EmittedQuery } from '../kql/emit.ts'

/**
 * The namespace of huntpack's content ids. Fixed forever: changing it would give every rule
 * and hunting query a new id, and Sentinel would deploy them as new content beside the old.
 */
const ID_NAMESPACE = 'f3c98bee-01d1-496f-8ec1-503151af18de'

/**
 * A UUID that is the same on every run for one target, pack and hunt, so a rebuilt rule
 * updates the deployed one instead of adding another: version 5 of `<target>/<pack id>/<hunt
 * id>` (ids never hold `/`) in huntpack's namespace. The target is part of the name because the
 * content repository wants ids unique across rules and hunting queries.
 */
export function stableId(target: string, packId: string, huntId: string): string {
  return uuidV5(ID_NAMESPACE, `${target}/${packId}/${huntId}`)
}

/** RFC 9562 version 5: the SHA-1 of the namespace's 16 bytes and the UTF-8 name, marked. */
export function uuidV5(namespace: string, name: string): string {
  const sha1 = createHash('sha1')
    .update(Buffer.from(namespace.replaceAll('-', ''), 'hex'))
    .update(name, 'utf8')
    .digest()
  sha1[6] = ((sha1[6] ?? 0) & 0x0f) | 0x50
  sha1[8] = ((sha1[8] ?? 0) & 0x3f) | 0x80
  const hex = sha1.subarray(0, 16).toString('hex')
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)]
  return [...parts, hex.slice(20, 32)].join('-')
}

/** Content-repository connector ids (`requiredDataConnectors`) of the tables our hunts read. */
const CONNECTOR_IDS: Record<string, string> = {
  CommonSecurityLog: 'CefAma',
  DeviceNetworkEvents: 'MicrosoftThreatProtection',
  DeviceFileEvents: 'MicrosoftThreatProtection',
  DeviceProcessEvents: 'MicrosoftThreatProtection',
  DnsEvents: 'DNS',
  UrlClickEvents: 'MicrosoftThreatProtection',
}

export function requiredDataConnectors(hunt: Hunt) {
  const connectorId = CONNECTOR_IDS[hunt.table]
  if (!connectorId) throw new Error(`no Sentinel data connector id for table ${hunt.table}`)
  return [{ connectorId, dataTypes: [hunt.table] }]
}

interface Attack {
  tactics: string[]
  relevantTechniques: string[]
}

// A connection to a C2 address or name, or a lookup of one, is the implant's command channel
// over an application protocol (T1071) whatever the port or protocol.
const C2_CHANNEL: Attack = { tactics: ['CommandAndControl'], relevantTechniques: ['T1071'] }
// A request for a listed URL is, in these feeds, mostly a payload download: tool transfer.
const PAYLOAD_DOWNLOAD: Attack = {
  tactics: ['CommandAndControl'],
  relevantTechniques: ['T1105'],
}
// A file with a malware hash written or started on a device is malware execution by a user
// opening it (T1204), the usual first run of a stealer or RAT sample.
const MALWARE_FILE: Attack = { tactics: ['Execution'], relevantTechniques: ['T1204'] }

/** MITRE ATT&CK tactics and techniques by hunt: what a hit on that table says happened. */
const ATTACK: Record<string, Attack> = {
  'csl-ip': C2_CHANNEL,
  'mde-network-ip': C2_CHANNEL,
  'dns-resolved-ip': C2_CHANNEL,
  'dns-domain': C2_CHANNEL,
  'mde-network-domain': C2_CHANNEL,
  'csl-domain': C2_CHANNEL,
  'mde-network-url': PAYLOAD_DOWNLOAD,
  // A click in mail, Teams or Office on a listed URL is a phishing link being followed.
  'email-url-click': { tactics: ['InitialAccess'], relevantTechniques: ['T1566'] },
  'csl-url': PAYLOAD_DOWNLOAD,
  'mde-file-hash': MALWARE_FILE,
  'mde-process-hash': MALWARE_FILE,
}

export function attackOf(hunt: Hunt): Attack {
  const attack = ATTACK[hunt.id]
  if (!attack) throw new Error(`no MITRE ATT&CK mapping for hunt ${hunt.id}`)
  return { tactics: [...attack.tactics], relevantTechniques: [...attack.relevantTechniques] }
}

type FieldMapping = [identifier: string, columnName: string]
type EntityMapping = [entityType: string, ...FieldMapping[]]

const DEVICE: EntityMapping = ['Host', ['FullName', 'DeviceName']]
const HASH: EntityMapping = ['FileHash', ['Algorithm', 'FileHashAlgorithm'], ['Value', 'Indicator']]

/**
 * Entities by hunt, from columns each query projects. The observed value is mapped rather than
 * the indicator, since that is what the event holds. `Computer` is left out of CEF and DNS
 * hunts: there it names the log forwarder or the DNS server, not the device involved.
 */
const ENTITIES: Record<string, EntityMapping[]> = {
  'csl-ip': [['IP', ['Address', 'ObservedAddress']]],
  'mde-network-ip': [['IP', ['Address', 'ObservedAddress']], DEVICE],
  'dns-resolved-ip': [
    ['IP', ['Address', 'ObservedAddress']],
    ['DNS', ['DomainName', 'Name']],
  ],
  'dns-domain': [['DNS', ['DomainName', 'ObservedHost']]],
  'mde-network-domain': [['DNS', ['DomainName', 'ObservedHost']], DEVICE],
  'csl-domain': [
    ['DNS', ['DomainName', 'ObservedHost']],
    ['URL', ['Url', 'RequestURL']],
  ],
  'mde-network-url': [
    ['URL', ['Url', 'RemoteUrl']],
    ['DNS', ['DomainName', 'ObservedHost']],
    DEVICE,
  ],
  'email-url-click': [
    ['URL', ['Url', 'Url']],
    ['DNS', ['DomainName', 'ObservedHost']],
    ['Account', ['FullName', 'AccountUpn']],
    ['IP', ['Address', 'IPAddress']],
  ],
  'csl-url': [
    ['URL', ['Url', 'RequestURL']],
    ['DNS', ['DomainName', 'ObservedHost']],
  ],
  'mde-file-hash': [HASH, DEVICE],
  'mde-process-hash': [HASH, DEVICE],
}

export function entityMappings(hunt: Hunt) {
  const mappings = ENTITIES[hunt.id]
  if (!mappings) throw new Error(`no entity mapping for hunt ${hunt.id}`)
  return mappings.map(([entityType, ...fields]) => ({
    entityType,
    fieldMappings: fields.map(([identifier, columnName]) => ({ identifier, columnName })),
  }))
}

/** Lines added to a hunt's query for Sentinel: the FileHash entity needs the algorithm name. */
const QUERY_TAILS: Record<string, string[]> = {
  'mde-file-hash': ['| extend FileHashAlgorithm = toupper(IndicatorKind)'],
  'mde-process-hash': ['| extend FileHashAlgorithm = toupper(IndicatorKind)'],
}

export interface SentinelQuery {
  text: string
  /** The CSV header of the watchlist the query reads, for the checker. */
  watchlistColumns?: string[]
}

/**
 * A hunt's query as Sentinel runs it: the `.kql` without its opening comment lines (the YAML's
 * name and description say the same, and rule queries are limited in length), plus the
 * hunt's tail. Query bodies never start a line with `//`, so only the header is taken off.
 */
export function sentinelQuery(query: EmittedQuery): SentinelQuery {
  const lines = query.text.split('\n')
  let start = 0
  while (lines[start]?.startsWith('//')) start++
  const body = lines.slice(start, lines.at(-1) === '' ? -1 : undefined)
  const text = `${[...body, ...(QUERY_TAILS[query.hunt.id] ?? [])].join('\n')}\n`
  const header = query.watchlist?.csv.split(/\r?\n/, 1)[0]
  return header ? { text, watchlistColumns: header.split(',') } : { text }
}

const checked = new Set<string>()

/**
 * Checks a Sentinel query with Kusto once per target, hunt and form (inline or watchlist):
 * past the header and tail, the text is the `.kql` the KQL emitter already checked, and the
 * tail is the same for every pack.
 */
export function checkOnce(target: string, hunt: Hunt, query: SentinelQuery, label: string): void {
  const key = `${target} ${hunt.id} ${query.watchlistColumns ? 'watchlist' : 'inline'}`
  if (checked.has(key)) return
  const context: KqlCheckContext = { watchlistColumns: query.watchlistColumns }
  assertKqlClean(query.text, label, context)
  checked.add(key)
}

/**
 * YAML as the content repository writes it, with line breaks kept in block scalars. YAML 1.1
 * quoting, so a value such as `yes` or `on` stays a string for PyYAML-based tooling too.
 */
export function toYaml(document: object): string {
  return stringify(document, { version: '1.1', lineWidth: 0, blockQuote: 'literal' })
}

/** Where the indicators of a query come from, for descriptions. */
export interface WatchlistNote {
  alias: string
  /** Relative to the pack folder. */
  file: string
}

/** The description both kinds of content carry: purpose, pack, and what to upload first. */
export function huntDescription(
  content: PackContent,
  hunt: Hunt,
  watchlist: WatchlistNote | undefined,
  more: string[] = [],
): string {
  const { pack } = content
  const lines = [
    hunt.purpose,
    `Pack: ${pack.title} (${pack.id}); ${plural(hunt.indicators.length, 'indicator')}; feeds: ${pack.feeds.join(', ') || 'none named'}.`,
  ]
  if (watchlist) {
    lines.push(
      `Reads the watchlist '${watchlist.alias}': upload ${watchlist.file} from the pack under that alias, with SearchKey as its search key, first.`,
    )
  }
  lines.push(...more, 'False-positive guidance is on the pack page (README.md).')
  return `${lines.join('\n')}\n`
}
