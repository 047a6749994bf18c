/**
 * @module
 * ArcSight Common Event Format lines, as firewalls and proxies send them over syslog:
 * `<134>Mar  1 12:00:00 fw01 CEF:0|Vendor|Product|1.0|100|Name|5|src=10.0.0.1 dst=… request=…`,
 * with or without the syslog prefix (RFC 3164 or 5424). Header fields escape `\|` and `\\`;
 * extension values escape `\=`, `\\` and write line breaks as `\n`/`\r`, and a value may hold
 * spaces: it runs until the next ` key=`.
 *
 * The extension keys map onto the event the way Microsoft maps them onto CommonSecurityLog;
 * vendor keys that Log Analytics leaves in `AdditionalExtensions` (FortiGate DNS names and
 * answers, Check Point DNS queries, resources and file hashes) are mapped by `applyVendorKey`,
 * which the CommonSecurityLog mapping shares. Lines without a CEF header (a collector's own
 * messages) become `other` events with the syslog host; a CEF header with fewer than seven
 * fields is a broken record.
 */
import { blankEvent, type LogEvent } from '../event.ts'
import { forEachLine } from '../input.ts'
import { EACH_LINE, type LogReader } from '../reader.ts'
import { parseLogTime } from '../time.ts'
import {
  dropIcmpPorts,
  kindFromFields,
  listOf,
  portOf,
  setHashByLength,
  transportOf,
  urlFrom,
} from './export-fields.ts'

const FORMAT = 'cef'
const BACKSLASH = 92
const SPACE = 32

export interface CefRecord {
  /** Vendor, product, version, signature id, name, severity, unescaped. */
  header: string[]
  /** Extension keys in order of appearance, values unescaped. */
  extension: Map<string, string>
}

/**
 * Splits a CEF message (starting at `CEF:`) into header and extension, or returns a reason
 * when it has fewer than the seven header fields.
 */
export function parseCef(text: string): CefRecord | string {
  const fields: string[] = []
  let field = ''
  let from = text.indexOf(':') + 1
  let p = from
  while (fields.length < 7) {
    const pipe = text.indexOf('|', p)
    if (pipe < 0) return `CEF header has ${fields.length + 1} of its 8 fields`
    const slash = text.indexOf('\\', p)
    if (slash >= 0 && slash < pipe) {
      field += text.slice(from, slash) + (text[slash + 1] ?? '')
      from = p = slash + 2
      continue
    }
    fields.push(field + text.slice(from, pipe))
    field = ''
    from = p = pipe + 1
  }
  // The first field is the CEF version; the record keeps the six after it.
  fields.shift()
  return { header: fields, extension: parseExtension(text, from) }
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) ||
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 95 ||
    c === 46 ||
    c === 45 ||
    c === 91 ||
    c === 93
  )
}

/** Key=value pairs of a CEF extension, starting at `from`. */
export function parseExtension(text: string, from: number): Map<string, string> {
  const pairs = new Map<string, string>()
  let key: string | null = null
  let valueStart = from
  let search = from
  for (;;) {
    const eq = text.indexOf('=', search)
    if (eq < 0) break
    search = eq + 1
    let slashes = 0
    for (let i = eq - 1; i >= from && text.charCodeAt(i) === BACKSLASH; i--) slashes++
    if (slashes % 2 === 1) continue
    let k = eq
    while (k > from && isKeyChar(text.charCodeAt(k - 1))) k--
    if (k === eq) continue
    if (k > from && text.charCodeAt(k - 1) !== SPACE) continue
    // Only the first key may have nothing before it; later ones follow a value and a space.
    if (key === null && k > from && !onlySpaces(text, from, k)) continue
    if (key !== null) pairs.set(key, unescapeValue(text.slice(valueStart, k).trimEnd()))
    key = text.slice(k, eq)
    valueStart = eq + 1
  }
  if (key !== null) pairs.set(key, unescapeValue(text.slice(valueStart).trimEnd()))
  return pairs
}

function onlySpaces(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== SPACE) return false
  return true
}

function unescapeValue(text: string): string {
  if (text.indexOf('\\') < 0) return text
  return text.replace(/\\(.)/g, (_, c: string) => (c === 'n' || c === 'r' ? '\n' : c))
}

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
}

const CEF_DATE =
  /^([A-Za-z]{3}) +(\d{1,2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?: (?:UTC|GMT|Z))?$/

/**
 * A CEF time (`rt`, `start`, `end`): epoch milliseconds, `Mar 01 2023 12:00:00[.123]` (read as
 * UTC unless it names another zone, which is then refused as unknown), or an ISO time.
 */
export function cefTime(text: string | undefined | null): string | null {
  if (text === undefined || text === null) return null
  const value = text.trim()
  const m = CEF_DATE.exec(value)
  if (m) {
    const month = MONTHS[(m[1] as string).toLowerCase()]
    if (month === undefined) return null
    const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0
    const time = Date.UTC(
      Number(m[3]),
      month,
      Number(m[2]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6]),
      ms,
    )
    return Number.isFinite(time) ? new Date(time).toISOString() : null
  }
  return parseLogTime(value)
}

/**
 * Maps a vendor key Log Analytics leaves in `AdditionalExtensions` (and raw CEF carries in its
 * extension). Returns true when the key meant something here.
 * - FortiGate: `FTNTFGTqname` the DNS name looked up, `FTNTFGTipaddr` its answers (comma
 *   list), `FTNTFGThostname` the web-filter host.
 * - Check Point: `dns_query`, `resource` (the URL of URL filtering), `file_md5`,
 *   `file_sha1`, `file_sha256`.
 * - Everyone: `start`, `end`, `rt` as event times when the table has none.
 */
export function applyVendorKey(event: LogEvent, key: string, value: string): boolean {
  if (value === '') return false
  switch (key) {
    case 'FTNTFGTqname':
    case 'dns_query':
      event.DnsQuery ??= value
      return true
    case 'FTNTFGTipaddr':
      for (const answer of listOf(value)) event.DnsResponse.push(answer)
      return true
    case 'FTNTFGThostname':
      event.TargetHostname ??= value
      return true
    case 'resource':
      event.Url ??= value
      return true
    case 'file_md5':
      event.FileMD5 ??= value
      return true
    case 'file_sha1':
      event.FileSHA1 ??= value
      return true
    case 'file_sha256':
      event.FileSHA256 ??= value
      return true
    case 'rt':
    case 'end':
    case 'start':
      event.TimeGenerated ??= cefTime(value)
      return true
    default:
      return false
  }
}

/** Splits a `key=value;key=value` AdditionalExtensions text and maps the keys it knows. */
export function applyAdditionalExtensions(event: LogEvent, text: string | null): void {
  if (text === null) return
  let from = 0
  while (from < text.length) {
    let end = text.indexOf(';', from)
    if (end < 0) end = text.length
    const eq = text.indexOf('=', from)
    if (eq > from && eq < end)
      applyVendorKey(event, text.slice(from, eq).trim(), text.slice(eq + 1, end))
    from = end + 1
  }
}

/** Fills an event from a parsed CEF record. */
export function applyCef(event: LogEvent, cef: CefRecord): void {
  const x = cef.extension
  const get = (key: string): string | null => {
    const value = x.get(key)
    return value === undefined || value === '' ? null : value
  }
  event.SrcIpAddr = get('src') ?? get('c6a2')
  event.SrcPortNumber = portOf(get('spt'))
  event.DstIpAddr = get('dst') ?? get('c6a3')
  event.DstPortNumber = portOf(get('dpt'))
  event.NetworkProtocol = transportOf(get('proto'))
  event.TargetHostname = get('dhost')
  event.Url = urlFrom(get('request'), event.TargetHostname)
  event.DvcAction = get('act')
  event.User = get('suser') ?? get('duser')
  event.Process = get('deviceProcessName') ?? get('sproc')
  event.Dvc = get('dvchost') ?? get('dvc')
  setHashByLength(event, get('fileHash'))
  event.TimeGenerated = cefTime(get('rt'))
  for (const [key, value] of x) applyVendorKey(event, key, value)
  dropIcmpPorts(event)
  event.EventType = kindFromFields(event)
}

/** The host and time of a syslog prefix (RFC 5424 ISO times only: 3164 has no year). */
function syslogPrefix(prefix: string): { host: string | null; time: string | null } {
  let text = prefix.trim()
  if (text.startsWith('<')) {
    const close = text.indexOf('>')
    if (close > 0) text = text.slice(close + 1)
  }
  const parts = text.split(/\s+/).filter((p) => p !== '')
  if (parts.length === 0) return { host: null, time: null }
  if (/^\d{1,2}$/.test(parts[0] as string) && parts.length >= 3) {
    // RFC 5424: VERSION TIMESTAMP HOSTNAME APP-NAME …
    return { time: parseLogTime(parts[1]), host: nilToNull(parts[2]) }
  }
  if (parts[0] !== undefined && MONTHS[parts[0].toLowerCase()] !== undefined && parts.length >= 4) {
    // RFC 3164: Mmm dd hh:mm:ss HOSTNAME
    return { time: null, host: nilToNull(parts[3]) }
  }
  const iso = parseLogTime(parts[0])
  if (iso !== null) return { time: iso, host: nilToNull(parts[1]) }
  return { time: null, host: null }
}

function nilToNull(text: string | undefined): string | null {
  if (text === undefined || text === '-' || text === '') return null
  return text.endsWith(':') ? text.slice(0, -1) || null : text
}

function cefStart(line: string): number {
  for (let at = line.indexOf('CEF:'); at >= 0; at = line.indexOf('CEF:', at + 4)) {
    const c = line.charCodeAt(at + 4)
    if (c >= 48 && c <= 57 && line.indexOf('|', at) > 0) return at
  }
  return -1
}

export const cefReader: LogReader = {
  id: FORMAT,
  describe: 'CEF (ArcSight Common Event Format) lines, with or without a syslog prefix',
  detect(head) {
    let lines = 0
    let cef = 0
    for (const line of head.split('\n', 21).slice(0, 20)) {
      if (line.trim() === '') continue
      lines++
      const at = cefStart(line)
      if (at >= 0 && at < 512) cef++
    }
    return cef > 0 && cef * 2 >= lines
  },
  splittable: () => EACH_LINE,
  async read(input, sink, onBytes) {
    let record = 0
    await forEachLine(
      input,
      (text, line) => {
        if (text.trim() === '') return
        record++
        const at = cefStart(text)
        const prefix = syslogPrefix(at < 0 ? text : text.slice(0, at))
        const event = blankEvent(FORMAT, input.name, record, line)
        if (at >= 0) {
          const cef = parseCef(text.slice(at))
          if (typeof cef === 'string') {
            sink.broken({ line, record }, cef)
            return
          }
          applyCef(event, cef)
        }
        event.TimeGenerated ??= prefix.time
        event.Dvc ??= prefix.host
        sink.event(event)
      },
      onBytes,
    )
  },
}
