/**
 * @module
 * Azure Monitor (Log Analytics) table exports as JSON lines or a JSON array, for the tables
 * that carry Windows and Sysmon events or connections:
 * - `WindowsEvent`: `EventData` is a JSON object (or its text) of EventData fields.
 * - `Event`: `EventData` is XML, `<DataItem …><EventData><Data Name="…">…</Data>…`.
 * - `Syslog`: Sysmon for Linux writes its whole event XML (`<Event><System>…<EventData>…`)
 *   into `SyslogMessage`; other syslog rows are kept as `other`.
 * - `VMConnection` (VM insights): `SourceIp` is the initiator whatever `Direction` says (an
 *   inbound row has the remote address as `SourceIp`); the table has no source port.
 * Windows events go through the mapping of `windows-event.ts`, XML through `event-xml.ts`.
 * Rows of other tables in the same file become `other` events; files of other tables
 * (CommonSecurityLog, SecurityEvent…) are not claimed.
 */
import { blankEvent, type LogEvent } from '../event.ts'
import type { LogReader } from '../reader.ts'
import { parseLogTime } from '../time.ts'
import { readEventXml } from './event-xml.ts'
import {
  firstJsonRecord,
  forEachJsonRecord,
  JsonExportError,
  type JsonObject,
} from './json-records.ts'
import {
  applyWindowsEvent,
  type EventFields,
  eventIdOf,
  fieldText,
  portOf,
  windowsLogOf,
} from './windows-event.ts'

const FORMAT = 'azure-monitor'

type TableKind = 'WindowsEvent' | 'Event' | 'Syslog' | 'VMConnection'

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The table a row comes from, when it is one this reader maps. */
export function azureTableOf(record: JsonObject): TableKind | null {
  const type = record.Type
  if (type === 'VMConnection') return 'VMConnection'
  if (type === 'Syslog' || (type === undefined && typeof record.SyslogMessage === 'string')) {
    return typeof record.SyslogMessage === 'string' ? 'Syslog' : null
  }
  if ((type === 'WindowsEvent' || type === 'Event') && 'EventID' in record) return type
  return null
}

const NO_FIELDS: EventFields = Object.freeze(Object.create(null))

function applyWindowsEventRow(event: LogEvent, row: JsonObject): void {
  let data = NO_FIELDS
  const raw = row.EventData
  if (isObject(raw)) data = raw
  else if (typeof raw === 'string' && raw.trim() !== '') {
    const parsed: unknown = JSON.parse(raw)
    if (isObject(parsed)) data = parsed
  }
  applyWindowsEvent(event, windowsLogOf(row.Channel, row.Provider), eventIdOf(row.EventID), data)
  event.Dvc = fieldText(row.Computer)
}

function applyEventRow(event: LogEvent, row: JsonObject): void {
  const raw = row.EventData
  const data = typeof raw === 'string' && raw.trim() !== '' ? readEventXml(raw).data : NO_FIELDS
  applyWindowsEvent(event, windowsLogOf(row.EventLog, row.Source), eventIdOf(row.EventID), data)
  event.Dvc = fieldText(row.Computer)
}

function applySyslogRow(event: LogEvent, row: JsonObject): void {
  const message = row.SyslogMessage as string
  event.Dvc = fieldText(row.Computer) ?? fieldText(row.HostName)
  const start = message.trimStart()
  if (!start.startsWith('<Event') && !start.startsWith('<?xml')) {
    event.Process = fieldText(row.ProcessName)
    event.TimeGenerated = parseLogTime(fieldText(row.EventTime))
    return
  }
  const xml = readEventXml(message)
  applyWindowsEvent(
    event,
    windowsLogOf(xml.channel, xml.provider),
    eventIdOf(xml.eventId),
    xml.data,
  )
  event.Dvc = fieldText(xml.computer) ?? event.Dvc
  if (event.TimeGenerated === null) {
    event.TimeGenerated = parseLogTime(xml.timeCreated) ?? parseLogTime(fieldText(row.EventTime))
  }
}

function applyVmConnectionRow(event: LogEvent, row: JsonObject): void {
  event.EventType = 'network'
  event.SrcIpAddr = fieldText(row.SourceIp)
  event.DstIpAddr = fieldText(row.DestinationIp)
  event.DstPortNumber = portOf(row.DestinationPort)
  event.NetworkProtocol = fieldText(row.Protocol)
  event.Process = fieldText(row.ProcessName)
  event.Dvc = fieldText(row.Computer)
}

export const azureMonitorReader: LogReader = {
  id: FORMAT,
  describe:
    'Azure Monitor / Log Analytics JSON exports of WindowsEvent, Event, Syslog (Sysmon for ' +
    'Linux) and VMConnection',
  detect(head) {
    const record = firstJsonRecord(head)
    return record !== null && azureTableOf(record) !== null
  },
  async read(input, sink, onBytes) {
    let checked = false
    await forEachJsonRecord(
      input,
      sink,
      (row, recordNo, line) => {
        const table = azureTableOf(row)
        if (!checked) {
          if (table === null) {
            throw new JsonExportError(
              `not an Azure Monitor export of WindowsEvent, Event, Syslog or VMConnection: ` +
                `record ${recordNo} has Type ${JSON.stringify(row.Type ?? null)}`,
              input.name,
            )
          }
          checked = true
        }
        const event = blankEvent(FORMAT, input.name, recordNo, line)
        try {
          if (table === 'WindowsEvent') applyWindowsEventRow(event, row)
          else if (table === 'Event') applyEventRow(event, row)
          else if (table === 'Syslog') applySyslogRow(event, row)
          else if (table === 'VMConnection') applyVmConnectionRow(event, row)
          else event.Dvc = fieldText(row.Computer)
        } catch (error) {
          const at = line === null ? { record: recordNo } : { line, record: recordNo }
          sink.broken(at, `unreadable ${table} event data: ${(error as Error).message}`)
          return
        }
        if (event.TimeGenerated === null) {
          event.TimeGenerated = parseLogTime(fieldText(row.TimeGenerated))
        }
        sink.event(event)
      },
      onBytes,
    )
  },
}
