/**
 * @module
 * Reading one record of a table export, whatever its encoding: a CSV row found by column name
 * or a JSON object. Log Analytics renames columns in ways a mapping should not care about: a
 * time column exported as `TimeGenerated [UTC]` or `TimeGenerated [Local Time]`, a column that
 * holds different types in a `union` split into `ReportId_long` and `ReportId_string`, and
 * custom-log columns typed by suffix (`Fqdn_s`). `RecordView.text('TimeGenerated')` finds all
 * of them. Also the small value helpers the table mappings share: ports, transport protocols,
 * hashes told apart by length, lists.
 */
import type { LogEvent } from '../event.ts'

/** One record; `text` is the column's value as text, or null when absent or empty. */
export interface RecordView {
  text(column: string): string | null
  /** The value as the export holds it: objects and arrays stay parsed (JSON exports). */
  value(column: string): unknown
}

/** Suffixes Log Analytics adds to a column name, tried when the plain name is absent. */
const TYPE_SUFFIXES = [
  '_string',
  '_s',
  '_long',
  '_int',
  '_real',
  '_d',
  '_dynamic',
  '_datetime',
  '_t',
  '_bool',
  '_b',
  '_guid',
  '_g',
  '_CF',
]

/**
 * The plain column name of an export header: `TimeGenerated [UTC]` → `TimeGenerated` (with
 * `local` telling a `[Local Time]` column apart), `Fqdn_s` → `Fqdn`.
 */
export function plainColumn(header: string): { name: string; local: boolean; typed: string } {
  let name = header.trim()
  let local = false
  const bracket = name.indexOf(' [')
  if (bracket > 0 && name.endsWith(']')) {
    local = name.slice(bracket + 2, -1).toLowerCase() !== 'utc'
    name = name.slice(0, bracket)
  }
  let typed = name
  for (const suffix of TYPE_SUFFIXES) {
    if (name.length > suffix.length && name.endsWith(suffix)) {
      typed = name.slice(0, -suffix.length)
      break
    }
  }
  return { name, local, typed }
}

/**
 * Column positions of a header, by plain name. Exact names win over suffix-stripped ones, and
 * a `[UTC]` time column over a `[Local Time]` one of the same name.
 */
export function columnIndex(header: readonly string[]): Map<string, number> {
  const index = new Map<string, number>()
  const local = new Set<string>()
  const plain = header.map(plainColumn)
  plain.forEach((column, i) => {
    const seen = index.has(column.name)
    if (!seen || (local.has(column.name) && !column.local)) {
      index.set(column.name, i)
      if (column.local) local.add(column.name)
      else local.delete(column.name)
    }
  })
  plain.forEach((column, i) => {
    if (column.typed !== column.name && !index.has(column.typed)) index.set(column.typed, i)
  })
  return index
}

/** A CSV row (or a positional row of a JSON table) read through its header's column index. */
export class PositionalRecord implements RecordView {
  values: readonly unknown[] = []

  constructor(readonly index: Map<string, number>) {}

  has(column: string): boolean {
    return this.index.has(column)
  }

  text(column: string): string | null {
    const at = this.index.get(column)
    return at === undefined ? null : asText(this.values[at])
  }

  value(column: string): unknown {
    const at = this.index.get(column)
    return at === undefined ? undefined : this.values[at]
  }
}

/**
 * A JSON object record. Absent names are looked up with the type suffixes the file uses
 * (`ReportId_long`, `Fqdn_s`), which `useSuffixesOf` learns from a record's keys.
 */
export class ObjectRecord implements RecordView {
  object: Record<string, unknown> = {}
  #suffixes: string[] = []

  /**
   * Learns which type suffixes the keys of `record` carry, adding to those already known
   * (call with the first record of each table a file holds).
   */
  useSuffixesOf(record: Record<string, unknown>): void {
    const found = new Set<string>(this.#suffixes)
    for (const key of Object.keys(record)) {
      const { name, typed } = plainColumn(key)
      if (typed !== name) found.add(name.slice(typed.length))
    }
    this.#suffixes = TYPE_SUFFIXES.filter((s) => found.has(s))
  }

  text(column: string): string | null {
    return asText(this.value(column))
  }

  value(column: string): unknown {
    const object = this.object
    const value = object[column]
    if (value !== undefined && value !== null && value !== '') return value
    for (const suffix of this.#suffixes) {
      const typed = object[column + suffix]
      if (typed !== undefined && typed !== null && typed !== '') return typed
    }
    return value
  }
}

/** Text of a value as an export holds it; empty strings and nulls are null. */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value === '' ? null : value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

/** A port number 0–65535, or null for anything else (empty, `-`, words). */
export function portOf(text: string | null): number | null {
  if (text === null) return null
  const n = Number(text.trim())
  return Number.isInteger(n) && n >= 0 && n <= 65535 && text.trim() !== '' ? n : null
}

const PROTOCOL_NUMBERS: Record<string, string> = {
  '1': 'icmp',
  '2': 'igmp',
  '6': 'tcp',
  '17': 'udp',
  '47': 'gre',
  '50': 'esp',
  '51': 'ah',
  '58': 'ipv6-icmp',
  '132': 'sctp',
}

const TRANSPORTS = new Set([
  'tcp',
  'udp',
  'icmp',
  'icmpv6',
  'ipv6-icmp',
  'igmp',
  'gre',
  'esp',
  'ah',
  'sctp',
])

/**
 * The transport protocol a column names: `TCP`, `Tcp`, `TcpV4`, IANA numbers (`6`, `17`), or
 * null when the column holds something else (an application protocol such as `HTTP/1.1` or
 * `Drsr`), which would be wrong in `NetworkProtocol`.
 */
export function transportOf(text: string | null): string | null {
  if (text === null) return null
  const value = text.trim()
  const named = PROTOCOL_NUMBERS[value]
  if (named !== undefined) return named
  let lower = value.toLowerCase()
  if (lower.length > 3 && (lower.endsWith('v4') || lower.endsWith('v6')) && lower !== 'icmpv6') {
    lower = lower.slice(0, -2)
  }
  return TRANSPORTS.has(lower) ? lower : null
}

/**
 * Puts a hash whose algorithm the log does not name (CEF `fileHash`) into the column its
 * length says: 32 hex digits MD5, 40 SHA-1, 64 SHA-256. Other values are left out.
 */
export function setHashByLength(event: LogEvent, text: string | null): void {
  if (text === null) return
  const value = text.trim()
  if (!/^[0-9a-fA-F]+$/.test(value)) return
  if (value.length === 32) event.FileMD5 ??= value
  else if (value.length === 40) event.FileSHA1 ??= value
  else if (value.length === 64) event.FileSHA256 ??= value
}

/** Items of a list written `a,b` or `a; b` or as a JSON array, trimmed, empty ones dropped. */
export function listOf(value: unknown): string[] {
  if (value === null || value === undefined || value === '') return []
  let items: unknown[]
  if (Array.isArray(value)) items = value
  else if (typeof value === 'string') {
    const text = value.trim()
    if (text.startsWith('[')) {
      try {
        const parsed: unknown = JSON.parse(text)
        items = Array.isArray(parsed) ? parsed : [text]
      } catch {
        items = text.split(/[,;\s]+/)
      }
    } else items = text.split(/[,;\s]+/)
  } else items = [value]
  const out: string[] = []
  for (let item of items) {
    if (typeof item === 'object' && item !== null) {
      // ASIM answers may be records: `{"rdata": "192.0.2.1", "type": "A", …}`.
      const record = item as Record<string, unknown>
      item = record.rdata ?? record.Address ?? record.IpAddress ?? null
    }
    const text = asText(item)?.trim()
    if (text) out.push(text)
  }
  return out
}

/**
 * `Url` from what a log holds: a URL with a scheme as it is, `host/path` when the log has no
 * scheme, and a bare path joined to the host it was requested from.
 */
export function urlFrom(url: string | null, host: string | null): string | null {
  if (url === null) return null
  const value = url.trim()
  if (value === '' || value === '-') return null
  if (value.startsWith('/') && host !== null && host.trim() !== '') return `${host.trim()}${value}`
  return value
}

/** ICMP has no ports: what logs write there (type and code) must not match an `ip:port`. */
export function dropIcmpPorts(event: LogEvent): void {
  const protocol = event.NetworkProtocol
  if (protocol === 'icmp' || protocol === 'ipv6-icmp' || protocol === 'icmpv6') {
    event.SrcPortNumber = null
    event.DstPortNumber = null
  }
}

/**
 * The kind of an event from what was filled: a DNS lookup, a URL, a connection, a file by
 * hash. Mappings that know better set `EventType` themselves.
 */
export function kindFromFields(event: LogEvent): LogEvent['EventType'] {
  if (event.DnsQuery !== null) return 'dns'
  if (event.Url !== null) return 'http'
  if (event.SrcIpAddr !== null || event.DstIpAddr !== null) return 'network'
  if (event.FileMD5 !== null || event.FileSHA1 !== null || event.FileSHA256 !== null) return 'file'
  if (event.CommandLine !== null) return 'process'
  return 'other'
}
