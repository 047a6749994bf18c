/**
 * @module
 * What each Log Analytics table means, one mapping per table: which column is the initiator,
 * where a DNS name and its answers are, what the reporting device is. A row names its table in
 * its `Type` column; an export without one is recognised by its header's columns.
 *
 * - `CommonSecurityLog` (CEF): the columns are CEF keys renamed; `Dvc` is `DeviceName` (the
 *   appliance), else `Computer` (the forwarder); `FileHash` goes to the column its length
 *   says; vendor keys in `AdditionalExtensions` through `applyVendorKey` (`cef.ts`). The time is
 *   `TimeGenerated`, else `ReceiptTime`, `StartTime`, `EndTime`, else `rt`/`start`/`end` of
 *   `AdditionalExtensions` (the Vectra sample has only those).
 * - `DnsEvents`: `Name` looked up by `ClientIP`, answers in `IPAddresses`, `Computer` the
 *   DNS server.
 * - `Device*`, `Identity*`, `CloudAppEvents`: Defender's mapping (`defender.ts`).
 * - `VMConnection`: `SourceIp` is the initiator whatever `Direction` says.
 * - `Syslog`, `Event`, `WindowsEvent`, `SecurityEvent`: Windows and Sysmon event data through
 *   the mapping of `windows-event.ts` (the XML of `Event.EventData`, Sysmon for Linux XML in
 *   `SyslogMessage`, `SecurityEvent`'s flattened columns); other rows keep host, process, user.
 * - Azure Firewall (`AZFW*`, also as a custom `_CL` table): `Fqdn` is the host asked for,
 *   `TargetUrl` the URL, `QueryName` a DNS name.
 * - ASIM-normalised tables and exports (`ASim*`, or columns `SrcIpAddr`, `DnsQuery`…): the
 *   names are already ours.
 * - Cisco Umbrella DNS exports (`Domain`, `InternalIp`, `ExternalIp`): `InternalIp` is the
 *   client; `ExternalIp` is that client's public address, neither target nor answer, and is
 *   left out. The policy identity (a device in roaming-client exports) is `Dvc`.
 */
import type { EventKind, LogEvent } from '../event.ts'
import { parseLogTime } from '../time.ts'
import { applyAdditionalExtensions, cefTime } from './cef.ts'
import { applyDefenderRecord } from './defender.ts'
import { readEventXml } from './event-xml.ts'
import {
  asText,
  dropIcmpPorts,
  kindFromFields,
  listOf,
  portOf,
  type RecordView,
  setHashByLength,
  transportOf,
  urlFrom,
} from './export-fields.ts'
import { applyWindowsEvent, type EventFields, eventIdOf, windowsLogOf } from './windows-event.ts'

/**
 * Fills an event from one row of a table; throws when the row's embedded data (event XML or
 * JSON) is unreadable, which the reader reports as a broken record.
 */
export type TableMapping = (event: LogEvent, row: RecordView) => void

function commonSecurityLog(e: LogEvent, row: RecordView): void {
  e.TimeGenerated =
    parseLogTime(row.text('TimeGenerated')) ??
    cefTime(row.text('ReceiptTime')) ??
    parseLogTime(row.text('StartTime')) ??
    parseLogTime(row.text('EndTime'))
  e.SrcIpAddr = row.text('SourceIP')
  e.SrcPortNumber = portOf(row.text('SourcePort'))
  e.DstIpAddr = row.text('DestinationIP')
  e.DstPortNumber = portOf(row.text('DestinationPort'))
  e.NetworkProtocol = transportOf(row.text('Protocol'))
  e.TargetHostname = row.text('DestinationHostName')
  e.Url = urlFrom(row.text('RequestURL'), e.TargetHostname)
  e.DvcAction = row.text('DeviceAction') ?? row.text('SimplifiedDeviceAction')
  e.Dvc = row.text('DeviceName') ?? row.text('Computer') ?? row.text('DeviceAddress')
  e.User = row.text('SourceUserName') ?? row.text('DestinationUserName')
  e.Process = row.text('ProcessName') ?? row.text('SourceProcessName')
  setHashByLength(e, row.text('FileHash'))
  applyAdditionalExtensions(e, row.text('AdditionalExtensions'))
  dropIcmpPorts(e)
  e.EventType = kindFromFields(e)
}

function dnsEvents(e: LogEvent, row: RecordView): void {
  e.TimeGenerated = parseLogTime(row.text('TimeGenerated'))
  e.DnsQuery = row.text('Name')
  e.DnsResponse = listOf(row.value('IPAddresses'))
  e.SrcIpAddr = row.text('ClientIP')
  e.Dvc = row.text('Computer')
  e.EventType = e.DnsQuery === null ? 'other' : 'dns'
}

function defenderTable(e: LogEvent, row: RecordView): void {
  applyDefenderRecord(e, row)
}

function vmConnection(e: LogEvent, row: RecordView): void {
  e.TimeGenerated = parseLogTime(row.text('TimeGenerated'))
  e.SrcIpAddr = row.text('SourceIp')
  e.DstIpAddr = row.text('DestinationIp')
  e.DstPortNumber = portOf(row.text('DestinationPort'))
  e.NetworkProtocol = transportOf(row.text('Protocol'))
  e.Process = row.text('ProcessName')
  e.Dvc = row.text('Computer')
  e.EventType = e.SrcIpAddr === null && e.DstIpAddr === null ? 'other' : 'network'
}

function windowsEventTable(e: LogEvent, row: RecordView): void {
  const data = row.value('EventData')
  let fields: EventFields = {}
  if (typeof data === 'object' && data !== null) fields = data as EventFields
  else if (typeof data === 'string') {
    const text = data.trim()
    if (text.startsWith('<')) fields = readEventXml(text).data
    else if (text.startsWith('{')) fields = JSON.parse(text) as EventFields
  }
  const log = windowsLogOf(
    row.text('EventLog') ?? row.text('Channel'),
    row.text('Source') ?? row.text('Provider'),
  )
  applyWindowsEvent(e, log, eventIdOf(row.text('EventID')), fields)
  e.TimeGenerated ??= parseLogTime(row.text('TimeGenerated'))
  e.Dvc = row.text('Computer') ?? e.Dvc
  e.User ??= row.text('UserName')
}

/** SecurityEvent columns the Windows mapping reads, when the row has no EventData XML. */
const SECURITY_COLUMNS = [
  'SourceAddress',
  'SourcePort',
  'DestAddress',
  'DestPort',
  'Protocol',
  'Application',
  'NewProcessName',
  'CommandLine',
  'TargetUserName',
  'TargetDomainName',
  'SubjectUserName',
  'SubjectDomainName',
]

/**
 * `SecurityEvent`: the Security log through the Windows mapping (5156–5159 connections, 4688
 * processes), read from the `EventData` XML when the row carries it, else from the columns
 * Log Analytics flattens it into.
 */
function securityEvent(e: LogEvent, row: RecordView): void {
  const xml = row.text('EventData')
  let fields: EventFields = {}
  if (xml?.trimStart().startsWith('<')) fields = readEventXml(xml).data
  for (const column of SECURITY_COLUMNS) {
    if (fields[column] === undefined) {
      const value = row.text(column)
      if (value !== null) fields[column] = value
    }
  }
  applyWindowsEvent(e, 'security', eventIdOf(row.text('EventID')), fields)
  e.TimeGenerated = parseLogTime(row.text('TimeGenerated'))
  e.Dvc = row.text('Computer')
  e.User ??= row.text('Account')
}

function syslog(e: LogEvent, row: RecordView): void {
  const message = row.text('SyslogMessage')
  e.Dvc = row.text('Computer') ?? row.text('HostName')
  const start = message?.trimStart() ?? ''
  if (message !== null && (start.startsWith('<Event') || start.startsWith('<?xml'))) {
    const xml = readEventXml(message)
    applyWindowsEvent(e, windowsLogOf(xml.channel, xml.provider), eventIdOf(xml.eventId), xml.data)
    e.Dvc = xml.computer ?? e.Dvc
    e.TimeGenerated ??= parseLogTime(xml.timeCreated)
  } else e.Process = row.text('ProcessName')
  e.TimeGenerated ??= parseLogTime(row.text('EventTime')) ?? parseLogTime(row.text('TimeGenerated'))
}

function resourceName(id: string | null): string | null {
  if (id === null) return null
  const slash = id.lastIndexOf('/')
  return slash < 0 ? id : id.slice(slash + 1) || null
}

function azureFirewall(e: LogEvent, row: RecordView): void {
  e.TimeGenerated = parseLogTime(row.text('TimeGenerated'))
  e.SrcIpAddr = row.text('SourceIp')
  e.SrcPortNumber = portOf(row.text('SourcePort'))
  e.DstIpAddr = row.text('DestinationIp')
  e.DstPortNumber = portOf(row.text('DestinationPort'))
  const protocol = row.text('Protocol')
  const upper = protocol?.toUpperCase() ?? ''
  const web = upper.startsWith('HTTP') || upper.startsWith('TLS')
  e.NetworkProtocol = transportOf(protocol) ?? (web ? 'tcp' : null)
  e.TargetHostname = row.text('Fqdn') ?? row.text('DestinationFqdn')
  e.Url = urlFrom(row.text('TargetUrl'), e.TargetHostname)
  e.DnsQuery = row.text('QueryName')
  e.DvcAction = row.text('Action')
  e.Dvc = row.text('Computer') ?? resourceName(row.text('_ResourceId'))
  let kind: EventKind = kindFromFields(e)
  if (kind === 'network' && web)
    kind = upper === 'HTTPS' || upper.startsWith('TLS') ? 'tls' : 'http'
  e.EventType = kind
}

const ASIM_KINDS: Record<string, EventKind> = {
  NetworkSession: 'network',
  Dns: 'dns',
  WebSession: 'http',
  FileEvent: 'file',
  ProcessEvent: 'process',
}

/** ASIM columns; also the mapping of tables this module does not know (it reads what fits). */
function asim(e: LogEvent, row: RecordView): void {
  e.TimeGenerated =
    parseLogTime(row.text('TimeGenerated')) ?? parseLogTime(row.text('EventStartTime'))
  e.SrcIpAddr = row.text('SrcIpAddr')
  e.SrcPortNumber = portOf(row.text('SrcPortNumber'))
  e.DstIpAddr = row.text('DstIpAddr')
  e.DstPortNumber = portOf(row.text('DstPortNumber'))
  e.NetworkProtocol = transportOf(row.text('NetworkProtocol'))
  e.DnsQuery = row.text('DnsQuery')
  e.DnsResponse = listOf(row.value('DnsResponseName'))
  e.TargetHostname = row.text('DstFQDN') ?? row.text('HttpHost') ?? row.text('DstHostname')
  e.Url = urlFrom(row.text('Url'), e.TargetHostname)
  e.FileMD5 = row.text('TargetFileMD5') ?? row.text('TargetProcessMD5') ?? row.text('SrcFileMD5')
  e.FileSHA1 =
    row.text('TargetFileSHA1') ?? row.text('TargetProcessSHA1') ?? row.text('SrcFileSHA1')
  e.FileSHA256 =
    row.text('TargetFileSHA256') ?? row.text('TargetProcessSHA256') ?? row.text('SrcFileSHA256')
  const commandLine = row.text('TargetProcessCommandLine')
  e.CommandLine = commandLine ?? row.text('ActingProcessCommandLine')
  e.Process =
    (commandLine !== null ? row.text('TargetProcessName') : null) ??
    row.text('ActingProcessName') ??
    row.text('SrcProcessName')
  e.User =
    row.text('SrcUsername') ??
    row.text('ActorUsername') ??
    row.text('TargetUsername') ??
    row.text('DstUsername')
  e.Dvc =
    row.text('Dvc') ?? row.text('DvcHostname') ?? row.text('DvcIpAddr') ?? row.text('Computer')
  e.DvcAction = row.text('DvcAction')
  const schema = asText(row.value('EventSchema'))
  e.EventType = (schema !== null ? ASIM_KINDS[schema] : undefined) ?? kindFromFields(e)
}

function umbrellaDns(e: LogEvent, row: RecordView): void {
  e.TimeGenerated = parseLogTime(row.text('Timestamp'))
  e.SrcIpAddr = row.text('InternalIp')
  e.DnsQuery = row.text('Domain')
  e.DvcAction = row.text('Action')
  e.Dvc = row.text('Policy Identity') ?? row.text('Identities/0')
  e.EventType = e.DnsQuery === null ? 'other' : 'dns'
}

/** Mappings by table name (`Type`). */
export const SENTINEL_TABLES: ReadonlyMap<string, TableMapping> = new Map<string, TableMapping>([
  ['CommonSecurityLog', commonSecurityLog],
  ['DnsEvents', dnsEvents],
  ['VMConnection', vmConnection],
  ['Syslog', syslog],
  ['Event', windowsEventTable],
  ['WindowsEvent', windowsEventTable],
  ['SecurityEvent', securityEvent],
  ['AZFWThreatIntel', azureFirewall],
  ['AZFWApplicationRule', azureFirewall],
  ['AZFWNetworkRule', azureFirewall],
  ['AZFWNatRule', azureFirewall],
  ['AZFWDnsQuery', azureFirewall],
  ['AZFWIdpsSignature', azureFirewall],
  ['AZFWFqdnResolveFailure', azureFirewall],
])

/** Name the Umbrella export is known by in findings (it has no `Type`). */
export const UMBRELLA_DNS = 'UmbrellaDns'

const BY_GUESS: Record<string, TableMapping> = {
  [UMBRELLA_DNS]: umbrellaDns,
  AzureFirewall: azureFirewall,
  DefenderTable: defenderTable,
  ASIM: asim,
}

/** The mapping for a table name, including families (`Device*`, `ASim*`), or null. */
export function tableMapping(type: string): TableMapping | null {
  const known = SENTINEL_TABLES.get(type) ?? BY_GUESS[type]
  if (known !== undefined) return known
  if (
    type.startsWith('Device') ||
    type.startsWith('Identity') ||
    type === 'CloudAppEvents' ||
    type === 'AlertEvidence'
  ) {
    return defenderTable
  }
  if (type.startsWith('ASim') || type.startsWith('_Im_') || type.startsWith('_ASim_')) return asim
  if (type.startsWith('AZFW')) return azureFirewall
  return null
}

/** The table a header's columns say, for exports without a `Type` column (or custom tables). */
export function tableOfColumns(columns: ReadonlySet<string>): string | null {
  const has = (c: string) => columns.has(c)
  if (has('DeviceVendor') && has('DeviceProduct')) return 'CommonSecurityLog'
  if (has('Name') && has('IPAddresses') && has('ClientIP')) return 'DnsEvents'
  if (has('SyslogMessage')) return 'Syslog'
  if (has('Direction') && has('SourceIp') && has('RemoteIp')) return 'VMConnection'
  if (has('Domain') && has('InternalIp') && has('ExternalIp')) return UMBRELLA_DNS
  if (has('SourceIp') && (has('Fqdn') || has('TargetUrl') || has('QueryName'))) {
    return 'AzureFirewall'
  }
  if (has('Timestamp') && has('ActionType')) return 'DefenderTable'
  if (has('SrcIpAddr') || has('DstIpAddr') || has('DnsQuery') || has('EventSchema')) return 'ASIM'
  if (has('EventID') && (has('EventData') || has('ParameterXml'))) return 'Event'
  return null
}

/** The mapping of last resort: ASIM names and `Computer`, whatever the table. */
export const GENERIC_MAPPING: TableMapping = asim
