/**
 * @module
 * Zeek logs in both encodings Zeek writes. TSV: `#separator`, `#set_separator`, `#empty_field`,
 * `#unset_field`, `#path`, `#fields` headers (a file may hold several header blocks, as
 * concatenated logs do), values escaped as `\xHH` and `\\`. JSON lines: Zeek's own dotted names
 * (`id.orig_h`, `_path`), the flattened `id_orig_h` of RockNSM/Kafka pipelines (`@stream`,
 * `@system`), and `id` as a nested object; `ts` as epoch seconds or ISO text. The log type
 * comes from `#path`, `_path` or `@stream`, else from the fields; `zeek-map.ts` turns records
 * into events. JSON values are used as JSON decodes them: Zeek writes bytes that are no UTF-8
 * there as the text `\xHH`, which stays as written (decoded it could only become U+FFFD).
 */
import { HuntpackError } from '../../errors.ts'
import { blankEvent, type EventSink } from '../event.ts'
import { forEachLine, type LogInput } from '../input.ts'
import { EACH_LINE, type LogReader } from '../reader.ts'
import { headObjects, isBlank, isObject, type JsonObject } from './json-lines.ts'
import { logTimes } from './log-times.ts'
import {
  F,
  fillZeekEvent,
  guessZeekPath,
  ZEEK_FIELDS,
  type ZeekRecord,
  zeekLogFormat,
} from './zeek-map.ts'

function notThisFormat(message: string, file: string, line?: number): HuntpackError {
  return new HuntpackError('ERR_LOG_FORMAT', message, { file, line })
}

const decoder = new TextDecoder('utf-8')

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 32
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

/**
 * Undoes Zeek's ASCII escapes: `\xHH` is a byte (runs of them decode together as UTF-8, so
 * `\xc3\xb1` is `ñ`; bytes that are no UTF-8 become U+FFFD) and `\\` a backslash. Other
 * backslashes stay as written.
 *
 * @example unescapeZeek('a\\x09b') // 'a\tb'
 */
export function unescapeZeek(value: string): string {
  if (value.indexOf('\\') < 0) return value
  let out = ''
  let bytes: number[] = []
  let i = 0
  while (i < value.length) {
    const code = value.charCodeAt(i)
    if (code === 92 && value.charCodeAt(i + 1) === 120) {
      const high = hexDigit(value.charCodeAt(i + 2))
      const low = hexDigit(value.charCodeAt(i + 3))
      if (high >= 0 && low >= 0) {
        bytes.push(high * 16 + low)
        i += 4
        continue
      }
    }
    if (bytes.length > 0) {
      out += decoder.decode(Uint8Array.from(bytes))
      bytes = []
    }
    if (code === 92 && value.charCodeAt(i + 1) === 92) {
      out += '\\'
      i += 2
      continue
    }
    out += value[i]
    i++
  }
  if (bytes.length > 0) out += decoder.decode(Uint8Array.from(bytes))
  return out
}

/** The header state of a TSV file: reset by each `#separator` or `#fields`. */
class TsvHeader implements ZeekRecord {
  separator = '\t'
  setSeparator = ','
  emptyField = '(empty)'
  unsetField = '-'
  path = ''
  fields: string[] | null = null
  /** Column of each field of `ZEEK_FIELDS`, or -1. */
  columns = new Int32Array(ZEEK_FIELDS.length).fill(-1)
  format = 'zeek-tsv'
  row: string[] = []

  directive(text: string): void {
    if (text.startsWith('#separator ')) {
      this.separator = unescapeZeek(text.slice('#separator '.length)) || '\t'
      this.path = ''
      this.format = 'zeek-tsv'
      return
    }
    const cut = text.indexOf(this.separator)
    if (cut < 0) return
    const name = text.slice(1, cut)
    const rest = text.slice(cut + this.separator.length)
    if (name === 'set_separator') this.setSeparator = unescapeZeek(rest)
    else if (name === 'empty_field') this.emptyField = rest
    else if (name === 'unset_field') this.unsetField = rest
    else if (name === 'path') this.setPath(rest)
    else if (name === 'fields') this.setFields(rest.split(this.separator))
  }

  private setPath(path: string): void {
    this.path = path
    this.format = zeekLogFormat(path, 'zeek-tsv')
  }

  private setFields(fields: string[]): void {
    this.fields = fields
    this.columns.fill(-1)
    ZEEK_FIELDS.forEach((name, i) => {
      this.columns[i] = fields.indexOf(name)
    })
    if (this.path === '') {
      const names = new Set(fields)
      this.setPath(guessZeekPath((n) => names.has(n)))
    }
  }

  private raw(field: number): string | null {
    const column = this.columns[field] as number
    if (column < 0) return null
    const value = this.row[column] as string
    return value === this.unsetField || value === this.emptyField || value === '' ? null : value
  }

  value(field: number): string | null {
    const value = this.raw(field)
    return value === null ? null : unescapeZeek(value)
  }

  list(field: number): string[] {
    const value = this.raw(field)
    if (value === null) return []
    const items = value.split(this.setSeparator)
    for (let i = 0; i < items.length; i++) items[i] = unescapeZeek(items[i] as string)
    return items
  }
}

export const zeekTsvReader: LogReader = {
  id: 'zeek-tsv',
  describe: 'Zeek logs, tab-separated with #fields headers (conn, dns, http, ssl, files, notice…)',

  detect(head) {
    if (head.startsWith('#fields\t')) return true
    return head.startsWith('#separator ') && head.includes('\n#fields')
  },

  async read(input: LogInput, sink: EventSink, onBytes?: (bytes: number) => void) {
    const header = new TsvHeader()
    const time = logTimes()
    let record = 0
    await forEachLine(
      input,
      (text, line) => {
        if (text.charCodeAt(0) === 35) {
          header.directive(text)
          return
        }
        if (isBlank(text)) return
        if (header.fields === null) {
          throw notThisFormat(
            'a record before any #fields header: not a Zeek TSV log',
            input.name,
            line,
          )
        }
        record++
        const row = text.split(header.separator)
        if (row.length !== header.fields.length) {
          sink.broken(
            { line, record },
            `${row.length} columns where #fields names ${header.fields.length}`,
          )
          return
        }
        header.row = row
        const event = blankEvent(header.format, input.name, record, line)
        fillZeekEvent(event, header.path, header, time)
        sink.event(event)
      },
      onBytes,
    )
    if (header.fields === null) {
      throw notThisFormat('no #fields header: not a Zeek TSV log', input.name)
    }
  },
}

/** Keys of each field in JSON: Zeek's dotted name, and the flattened one with underscores. */
const DOTTED: readonly string[] = ZEEK_FIELDS
const FLAT: readonly string[] = ZEEK_FIELDS.map((name) => name.replace('.', '_'))

class JsonRecord implements ZeekRecord {
  object: JsonObject = {}

  private raw(field: number): unknown {
    const o = this.object
    let value = o[DOTTED[field] as string]
    if (value === undefined) value = o[FLAT[field] as string]
    if (value === undefined && field >= F.origH && field <= F.respP) {
      const id = o.id
      if (typeof id === 'object' && id !== null) {
        value = (id as JsonObject)[(DOTTED[field] as string).slice(3)]
      }
    }
    return value
  }

  value(field: number): string | number | null {
    const value = this.raw(field)
    return typeof value === 'string' || typeof value === 'number' ? value : null
  }

  list(field: number): string[] {
    const value = this.raw(field)
    if (Array.isArray(value)) {
      const items: string[] = []
      for (const item of value) {
        if (typeof item === 'string') items.push(item)
        else if (typeof item === 'number') items.push(String(item))
      }
      return items
    }
    return typeof value === 'string' ? [value] : []
  }
}

/** File names of Zeek's logs, rotated or not: `stats.log`, `conn.00:00:00-01:00:00.log.gz`. */
const ZEEK_LOG_NAME =
  /(?:^|[/\\_.-])(?:capture_loss|conn|dce_rpc|dhcp|dns|dpd|files|ftp|http|kerberos|known_\w+|loaded_scripts|modbus|mysql|notice|ntlm|ntp|ocsp|packet_filter|pe|radius|rdp|reporter|sip|smb_\w+|smtp|snmp|socks|software|ssh|ssl|stats|syslog|tunnel|weird|x509)\.[^/\\]*$/

/** Keys only Zeek JSON has, besides `ts`. */
function looksZeekJson(o: JsonObject): boolean {
  if (o.ts === undefined || o.event_type !== undefined) return false
  return (
    o.uid !== undefined ||
    o.fuid !== undefined ||
    o._path !== undefined ||
    o['@stream'] !== undefined ||
    o._write_ts !== undefined ||
    o['id.orig_h'] !== undefined ||
    o.id_orig_h !== undefined ||
    (isObject(o.id) && o.id.orig_h !== undefined)
  )
}

function jsonLogType(o: JsonObject): string {
  const path = o._path ?? o['@stream']
  if (typeof path === 'string') return path
  return guessZeekPath((name) => o[name] !== undefined || o[name.replace('.', '_')] !== undefined)
}

export const zeekJsonReader: LogReader = {
  id: 'zeek-json',
  describe: 'Zeek logs as JSON lines (dotted id.orig_h or flattened id_orig_h names)',

  detect(head, name) {
    const objects = headObjects(head)
    if (objects.length === 0) return false
    if (objects.every(looksZeekJson)) return true
    // Zeek's own JSON has no `_path` unless configured: a Zeek log name breaks the tie.
    return (
      ZEEK_LOG_NAME.test(name) && objects.every((o) => o.ts !== undefined && !('event_type' in o))
    )
  },

  splittable: () => EACH_LINE,

  async read(input: LogInput, sink: EventSink, onBytes?: (bytes: number) => void) {
    const record = new JsonRecord()
    const time = logTimes()
    let records = 0
    let objects = 0
    await forEachLine(
      input,
      (text, line) => {
        if (isBlank(text)) return
        records++
        let value: unknown
        try {
          value = JSON.parse(text)
        } catch (error) {
          sink.broken({ line, record: records }, `not JSON: ${(error as Error).message}`)
          return
        }
        if (!isObject(value)) {
          sink.broken({ line, record: records }, 'not a JSON object')
          return
        }
        if (objects++ === 0 && value.ts === undefined) {
          throw notThisFormat('the first record has no "ts": not a Zeek JSON log', input.name, line)
        }
        record.object = value
        const path = jsonLogType(value)
        const event = blankEvent(zeekLogFormat(path, 'zeek-json'), input.name, records, line)
        fillZeekEvent(event, path, record, time)
        sink.event(event)
      },
      onBytes,
    )
    if (objects === 0 && records > 0) {
      throw notThisFormat('no line is a JSON object: not a Zeek JSON log', input.name)
    }
  },
}
