/**
 * @module
 * Windows and Sysmon events onto the normalised event, whatever carried them: flat JSON lines
 * (NXLog, Winlogbeat), the `WindowsEvent` and `Event` tables of Log Analytics, or the event XML
 * Sysmon for Linux writes into syslog. Callers hand over the event id, where it was logged and
 * its EventData fields by name; this module knows what each event id means.
 *
 * Connections keep the log's own Source and Destination, because both writers already put the
 * initiator first:
 * - Sysmon event 3 with `Initiated` false (the host did not open the connection) writes the
 *   remote initiator as Source: an inbound LDAP connection logged on a domain controller reads
 *   `SourceIp` = the workstation, `DestinationPort` = 389. Swapping on `Initiated` would turn
 *   every inbound TCP connection around. For UDP Sysmon sees no connection and its order is
 *   that of the packet it saw; it is kept as written.
 * - Security 5156/5157 write the initiator as Source Address in both directions: `Direction`
 *   `%%14592` (inbound) means the remote side initiated, and the local address is then
 *   `DestAddress`.
 */
import type { EventKind, LogEvent } from '../event.ts'
import { parseLogTime } from '../time.ts'

/** Which log an event came from, as far as the mapping cares. */
export type WindowsLog = 'sysmon' | 'security' | 'other'

/** EventData fields by name, as the carrier gives them (strings, sometimes numbers). */
export type EventFields = Record<string, unknown>

/**
 * The log of an event from its channel and provider: Sysmon for Windows or Linux
 * (`Microsoft-Windows-Sysmon/Operational`, `Linux-Sysmon`), the Security log, or another.
 */
export function windowsLogOf(channel: unknown, provider: unknown): WindowsLog {
  const c = typeof channel === 'string' ? channel.toLowerCase() : ''
  const p = typeof provider === 'string' ? provider.toLowerCase() : ''
  if (c.includes('sysmon') || p.includes('sysmon')) return 'sysmon'
  if (c === 'security' || p === 'microsoft-windows-security-auditing') return 'security'
  return 'other'
}

/** An event id as a number, from `3`, `"3"` or `" 3 "`; null when there is none. */
export function eventIdOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) ? value : null
  if (typeof value !== 'string') return null
  const text = value.trim()
  if (text === '') return null
  const id = Number(text)
  return Number.isInteger(id) ? id : null
}

/** A field's text, or null when absent, empty or `-` (Windows' "no value"). */
export function fieldText(value: unknown): string | null {
  if (typeof value === 'string') return value === '' || value === '-' ? null : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return null
}

/** A port from `443` or `"443"`; null when absent or out of range. */
export function portOf(value: unknown): number | null {
  const text = fieldText(value)
  if (text === null) return null
  const port = Number(text)
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? port : null
}

const SYSMON_KINDS: Record<number, EventKind> = {
  1: 'process',
  3: 'network',
  6: 'file',
  7: 'file',
  11: 'file',
  15: 'file',
  22: 'dns',
  23: 'file',
  26: 'file',
  29: 'file',
}

/** IANA protocol numbers the Security log writes (`Protocol` 6) as names. */
const IP_PROTOCOLS: Record<string, string> = {
  '1': 'icmp',
  '2': 'igmp',
  '6': 'tcp',
  '17': 'udp',
  '47': 'gre',
  '50': 'esp',
  '58': 'ipv6-icmp',
  '132': 'sctp',
}

/**
 * Fills `event` from one Windows event: EventType, connection, DNS, process and hashes.
 * Sysmon's `UtcTime` (always UTC) becomes TimeGenerated; callers fill time and Dvc otherwise.
 * Events without an observable stay `other`.
 */
export function applyWindowsEvent(
  event: LogEvent,
  log: WindowsLog,
  eventId: number | null,
  data: EventFields,
): void {
  if (log === 'sysmon') applySysmon(event, eventId, data)
  else if (log === 'security') applySecurity(event, eventId, data)
}

function applySysmon(event: LogEvent, eventId: number | null, data: EventFields): void {
  event.TimeGenerated = parseLogTime(fieldText(data.UtcTime))
  event.Process = fieldText(data.Image)
  event.User = fieldText(data.User)
  const hashes = fieldText(data.Hashes) ?? fieldText(data.Hash)
  if (hashes !== null) applyHashes(event, hashes)
  if (eventId === null) return
  event.EventType = SYSMON_KINDS[eventId] ?? 'other'
  if (eventId === 1) {
    event.CommandLine = fieldText(data.CommandLine)
  } else if (eventId === 3) {
    event.SrcIpAddr = fieldText(data.SourceIp)
    event.SrcPortNumber = portOf(data.SourcePort)
    event.DstIpAddr = fieldText(data.DestinationIp)
    event.DstPortNumber = portOf(data.DestinationPort)
    event.NetworkProtocol = fieldText(data.Protocol)
    event.TargetHostname = fieldText(data.DestinationHostname)
  } else if (eventId === 22) {
    event.DnsQuery = fieldText(data.QueryName)
    const results = fieldText(data.QueryResults)
    if (results !== null) event.DnsResponse = splitQueryResults(results)
  }
}

function applySecurity(event: LogEvent, eventId: number | null, data: EventFields): void {
  if (eventId === 5156 || eventId === 5157 || eventId === 5158 || eventId === 5159) {
    // 5156/5157: a connection permitted/blocked; 5158/5159: a local bind permitted/blocked.
    event.EventType = 'network'
    event.SrcIpAddr = fieldText(data.SourceAddress)
    event.SrcPortNumber = portOf(data.SourcePort)
    event.DstIpAddr = fieldText(data.DestAddress)
    event.DstPortNumber = portOf(data.DestPort)
    const protocol = fieldText(data.Protocol)
    event.NetworkProtocol = protocol === null ? null : (IP_PROTOCOLS[protocol] ?? protocol)
    event.Process = fieldText(data.Application)
    event.DvcAction = eventId === 5156 || eventId === 5158 ? 'allow' : 'deny'
  } else if (eventId === 4688) {
    event.EventType = 'process'
    event.Process = fieldText(data.NewProcessName)
    event.CommandLine = fieldText(data.CommandLine)
    // The new process runs as the target account when Windows names one, else as the subject.
    event.User =
      accountName(data.TargetDomainName, data.TargetUserName) ??
      accountName(data.SubjectDomainName, data.SubjectUserName)
  }
}

function accountName(domain: unknown, user: unknown): string | null {
  const name = fieldText(user)
  if (name === null) return null
  const realm = fieldText(domain)
  return realm === null ? name : `${realm}\\${name}`
}

/**
 * Sysmon's `Hashes` (`SHA1=…,MD5=…,SHA256=…,IMPHASH=…`, any subset, any order) into the
 * hash columns; IMPHASH has no column.
 */
export function applyHashes(event: LogEvent, hashes: string): void {
  let start = 0
  while (start < hashes.length) {
    let end = hashes.indexOf(',', start)
    if (end < 0) end = hashes.length
    const eq = hashes.indexOf('=', start)
    if (eq > start && eq < end) {
      const algorithm = hashes.slice(start, eq).trim().toUpperCase()
      const value = hashes.slice(eq + 1, end).trim()
      if (value !== '') {
        if (algorithm === 'MD5') event.FileMD5 = value
        else if (algorithm === 'SHA1') event.FileSHA1 = value
        else if (algorithm === 'SHA256') event.FileSHA256 = value
      }
    }
    start = end + 1
  }
}

/**
 * Sysmon's `QueryResults` into answers: `type:  5 edge.example.net;::ffff:1.2.3.4;` gives
 * `edge.example.net` (a CNAME; the `type:  N` prefix names the record type) and `1.2.3.4`
 * (IPv4 answers are written IPv4-mapped). Names and addresses are both kept.
 */
export function splitQueryResults(results: string): string[] {
  const answers: string[] = []
  let start = 0
  while (start < results.length) {
    let end = results.indexOf(';', start)
    if (end < 0) end = results.length
    let answer = results.slice(start, end).trim()
    start = end + 1
    if (answer.startsWith('type:')) {
      let i = 5
      while (i < answer.length && answer.charCodeAt(i) === 32) i++
      while (i < answer.length && answer.charCodeAt(i) >= 48 && answer.charCodeAt(i) <= 57) i++
      answer = answer.slice(i).trim()
    }
    if (answer.length > 7 && answer.slice(0, 7).toLowerCase() === '::ffff:') {
      const rest = answer.slice(7)
      if (rest.includes('.')) answer = rest
    }
    if (answer !== '' && answer !== '-') answers.push(answer)
  }
  return answers
}
