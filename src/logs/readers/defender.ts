/**
 * @module
 * Microsoft Defender XDR advanced-hunting exports: the portal's CSV, JSON (array or lines) and
 * the API's `{"Schema": […], "Results": […]}` reply, of the `Device*`, `Identity*`, `Email*`,
 * `UrlClickEvents` and `CloudAppEvents` tables, alone or `union`ed (columns of several types then carry a suffix:
 * `ReportId_long`, `AdditionalFields_string`).
 *
 * Direction: `RemoteIP`/`LocalIP` are not source and destination. A connection is outbound from
 * the device (Src = Local) unless `ActionType` is `InboundConnectionAccepted` (Src = Remote);
 * `ListeningConnectionCreated` has only the listening side, put in Dst. `RemoteUrl` is a URL
 * when it has a path or scheme, otherwise only a host name (`TargetHostname`), so a URL
 * indicator never matches it exactly. Without hashes of its own, an event carries the hashes
 * of its initiating process, the binary that made the connection or wrote the file.
 * `AdditionalFields` of network-protection inspections give the HTTP host and path, the TLS
 * server name and the DNS name; `DnsQueryResponse` events and IdentityQueryEvents' `DNS query`
 * rows the DNS name.
 *
 * A Log Analytics (Sentinel) export of the same tables has `TimeGenerated` and `Type`; the
 * Sentinel readers claim it and use `applyDefenderRecord` all the same.
 */
import { blankEvent, type LogEvent } from '../event.ts'
import { type LogInput, peekText, readAllText } from '../input.ts'
import { CSV_RECORDS, type LogReader } from '../reader.ts'
import { parseLogTime } from '../time.ts'
import { csvHeaderOf, ExportFormatError, forEachCsvRecord } from './export-csv.ts'
import {
  asText,
  columnIndex,
  ObjectRecord,
  PositionalRecord,
  portOf,
  type RecordView,
  transportOf,
} from './export-fields.ts'
import { firstJsonRecord, forEachJsonRecord, JsonExportError } from './json-records.ts'

const CSV_FORMAT = 'defender-csv'
const JSON_FORMAT = 'defender-json'

function additionalFields(row: RecordView): Record<string, unknown> | null {
  const value = row.value('AdditionalFields')
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return value as Record<string, unknown>
  }
  if (typeof value !== 'string' || !value.startsWith('{')) return null
  try {
    const parsed: unknown = JSON.parse(value)
    return typeof parsed === 'object' && parsed !== null
      ? (parsed as Record<string, unknown>)
      : null
  } catch {
    return null
  }
}

/** Fills an event from one advanced-hunting row of any Defender table. */
export function applyDefenderRecord(event: LogEvent, row: RecordView): void {
  const action = row.text('ActionType')
  event.TimeGenerated = parseLogTime(row.text('Timestamp') ?? row.text('TimeGenerated'))
  event.DvcAction = action
  event.Dvc = row.text('DeviceName')

  // Device tables: local and remote ends.
  const remote = row.text('RemoteIP')
  const local = row.text('LocalIP')
  if (remote !== null || local !== null) {
    const remotePort = portOf(row.text('RemotePort'))
    const localPort = portOf(row.text('LocalPort'))
    if (action === 'InboundConnectionAccepted') {
      event.SrcIpAddr = remote
      event.SrcPortNumber = remotePort
      event.DstIpAddr = local
      event.DstPortNumber = localPort
    } else if (action === 'ListeningConnectionCreated') {
      event.DstIpAddr = local
      event.DstPortNumber = localPort
    } else {
      event.SrcIpAddr = local
      event.SrcPortNumber = localPort
      event.DstIpAddr = remote
      event.DstPortNumber = remotePort
    }
  } else {
    // Identity, cloud-app and e-mail tables: the client (or sending) address, and the
    // target when there is one.
    event.SrcIpAddr = row.text('IPAddress') ?? row.text('SenderIPv4') ?? row.text('SenderIPv6')
    event.SrcPortNumber = portOf(row.text('Port'))
    event.DstIpAddr = row.text('DestinationIPAddress')
    event.DstPortNumber = portOf(row.text('DestinationPort'))
    event.TargetHostname = row.text('DestinationDeviceName')
  }
  event.NetworkProtocol = transportOf(row.text('Protocol'))

  const remoteUrl = row.text('RemoteUrl')
  if (remoteUrl !== null) {
    if (remoteUrl.includes('/')) event.Url = remoteUrl
    else event.TargetHostname = remoteUrl
  }
  // UrlClickEvents and EmailUrlInfo name the URL `Url`; a downloaded file its origin.
  event.Url ??= row.text('Url') ?? row.text('FileOriginUrl')
  if (event.DstIpAddr === null && event.SrcIpAddr === null) {
    event.DstIpAddr = row.text('FileOriginIP')
  }

  event.FileSHA1 = row.text('SHA1')
  event.FileSHA256 = row.text('SHA256')
  event.FileMD5 = row.text('MD5')
  const ownHashes = event.FileSHA1 !== null || event.FileSHA256 !== null || event.FileMD5 !== null
  if (!ownHashes) {
    event.FileSHA1 = row.text('InitiatingProcessSHA1')
    event.FileSHA256 = row.text('InitiatingProcessSHA256')
    event.FileMD5 = row.text('InitiatingProcessMD5')
  }

  const commandLine = row.text('ProcessCommandLine')
  event.CommandLine = commandLine ?? row.text('InitiatingProcessCommandLine')
  event.Process =
    (commandLine !== null ? row.text('FileName') : null) ?? row.text('InitiatingProcessFileName')
  event.User =
    row.text('AccountName') ??
    row.text('InitiatingProcessAccountName') ??
    row.text('AccountUpn') ??
    row.text('AccountDisplayName')

  // IdentityQueryEvents: a domain controller's DNS lookups, the name in QueryTarget.
  if (action === 'DNS query') event.DnsQuery = row.text('QueryTarget')
  if (
    action === 'HttpConnectionInspected' ||
    action === 'SslConnectionInspected' ||
    action === 'DnsConnectionInspected' ||
    action === 'DnsQueryResponse'
  ) {
    applyInspection(event, action, additionalFields(row))
  }

  event.EventType = defenderKind(event, action, row.text('Type'), ownHashes, commandLine !== null)
}

function applyInspection(
  event: LogEvent,
  action: string,
  fields: Record<string, unknown> | null,
): void {
  if (fields === null) return
  if (action === 'HttpConnectionInspected') {
    const host = asText(fields.host)
    const uri = asText(fields.uri)
    if (host !== null) event.TargetHostname = host
    if (host !== null && uri !== null) event.Url = uri.startsWith('/') ? `${host}${uri}` : uri
  } else if (action === 'SslConnectionInspected') {
    const name = asText(fields.server_name)
    if (name !== null) event.TargetHostname = name
  } else if (action === 'DnsConnectionInspected') {
    event.DnsQuery = asText(fields.query)
  } else {
    event.DnsQuery = asText(fields.DnsQueryString)
  }
}

function defenderKind(
  event: LogEvent,
  action: string | null,
  table: string | null,
  ownHashes: boolean,
  process: boolean,
): LogEvent['EventType'] {
  if (action === 'HttpConnectionInspected') return 'http'
  if (action === 'SslConnectionInspected') return 'tls'
  if (event.DnsQuery !== null) return 'dns'
  if (table === 'DeviceFileEvents' || action?.startsWith('File')) return 'file'
  if (table === 'DeviceProcessEvents' || action === 'ProcessCreated') return 'process'
  if (event.Url !== null) return 'http'
  if (event.SrcIpAddr !== null || event.DstIpAddr !== null) return 'network'
  if (ownHashes) return 'file'
  return process ? 'process' : 'other'
}

/**
 * Whether columns are an advanced-hunting result: `Timestamp` with a report id (every
 * Defender table has one), or with `ActionType` and a device; and no Log Analytics columns.
 */
export function isDefenderColumns(columns: Iterable<string>): boolean {
  const set = new Set(columns)
  if (set.has('TimeGenerated') || set.has('TenantId') || set.has('Type')) return false
  if (!set.has('Timestamp')) return false
  if (set.has('ReportId') || set.has('ReportId_long') || set.has('ReportId_string')) return true
  return set.has('ActionType') && (set.has('DeviceName') || set.has('DeviceId'))
}

export const defenderCsvReader: LogReader = {
  id: CSV_FORMAT,
  describe: 'Microsoft Defender XDR advanced-hunting results exported as CSV',
  detect(head) {
    const header = csvHeaderOf(head)
    return header !== null && isDefenderColumns(header.map((h) => h.trim()))
  },
  splittable: () => CSV_RECORDS,
  async read(input, sink, onBytes) {
    let row: PositionalRecord | null = null
    await forEachCsvRecord(
      input,
      sink,
      {
        header(fields, line) {
          if (!isDefenderColumns(fields.map((h) => h.trim()))) {
            throw new ExportFormatError(
              'not a Defender advanced-hunting CSV: the header lacks Timestamp, ActionType ' +
                'and DeviceName/DeviceId/ReportId',
              input.name,
              line,
            )
          }
          row = new PositionalRecord(columnIndex(fields))
        },
        record(fields, line, record) {
          const view = row as PositionalRecord
          view.values = fields
          const event = blankEvent(CSV_FORMAT, input.name, record, line)
          applyDefenderRecord(event, view)
          sink.event(event)
        },
      },
      onBytes,
    )
  },
}

/** `{"Schema": […], "Results": […]}` (advanced-hunting API) or Graph's lower-case form. */
function apiResults(document: unknown): unknown[] | null {
  if (typeof document !== 'object' || document === null) return null
  const object = document as Record<string, unknown>
  const results = object.Results ?? object.results
  return Array.isArray(results) ? results : null
}

async function readApiReply(
  input: LogInput,
  onRecord: (record: Record<string, unknown>, no: number) => void,
  broken: (no: number, reason: string) => void,
): Promise<void> {
  const text = await readAllText(input)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new JsonExportError(`not readable JSON: ${(error as Error).message}`, input.name, {
      cause: error,
    })
  }
  const results = apiResults(document)
  if (results === null) {
    throw new JsonExportError('a JSON document without a Results array', input.name)
  }
  results.forEach((item, i) => {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      onRecord(item as Record<string, unknown>, i + 1)
    } else broken(i + 1, 'result is not a JSON object')
  })
}

function isApiReplyHead(head: string): boolean {
  const start = head.trimStart()
  return (
    start.startsWith('{') &&
    /"(Schema|schema)"\s*:/.test(start) &&
    /"(Results|results)"\s*:/.test(start)
  )
}

export const defenderJsonReader: LogReader = {
  id: JSON_FORMAT,
  describe: 'Microsoft Defender XDR advanced-hunting results as JSON lines, array or API reply',
  detect(head) {
    if (isApiReplyHead(head)) return true
    const record = firstJsonRecord(head)
    return record !== null && isDefenderColumns(Object.keys(record))
  },
  async read(input, sink, onBytes) {
    const view = new ObjectRecord()
    let first = true
    const emit = (record: Record<string, unknown>, no: number, line: number | null) => {
      if (first) {
        view.useSuffixesOf(record)
        first = false
      }
      view.object = record
      const event = blankEvent(JSON_FORMAT, input.name, no, line)
      applyDefenderRecord(event, view)
      sink.event(event)
    }
    if (isApiReplyHead(await peekText(input, 4096))) {
      await readApiReply(
        input,
        (record, no) => emit(record, no, null),
        (no, reason) => sink.broken({ record: no }, reason),
      )
      onBytes?.(input.size)
      return
    }
    await forEachJsonRecord(input, sink, emit, onBytes)
  },
}
