/**
 * @module
 * Windows event logs (Sysmon, Security, PowerShell…) exported as JSON, one event a line (or
 * one array), in three shapes:
 * - the flat fields NXLog and Logstash write (`EventID`, `Channel`, `SourceName`, `Hostname`,
 *   then every EventData field by name);
 * - Winlogbeat's nested `winlog` object (`winlog.event_id`, `winlog.event_data`);
 * - the event XML as JSON that EVTX converters write (`Event.System`, `Event.EventData`;
 *   evtx_dump puts attributes under `#attributes` and text beside them under `#text`).
 * Each event goes through the Windows mapping of `windows-event.ts`.
 *
 * Time: Sysmon's `UtcTime` first, the only field every writer keeps in UTC; then
 * `@timestamp` (Logstash and Winlogbeat write UTC), `TimeCreated`, and last NXLog's
 * `EventTime`, which is the collector's local time without a zone and is read as UTC. Not every
 * export keeps `@timestamp` in UTC either: OTRF's 2020 atomic datasets write local time (UTC-4)
 * with a `Z`, four hours off the `UtcTime` of the same Sysmon events; only events without
 * `UtcTime` (Security, PowerShell…) take that time.
 */

import { blankEvent } from '../event.ts'
import { EACH_LINE, type LogReader } from '../reader.ts'
import { parseLogTime } from '../time.ts'
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
  windowsLogOf,
} from './windows-event.ts'

const FORMAT = 'sysmon-json'

/** An XML element as JSON: its text, whether written plain, as `#text` or as `Value`. */
function textOf(node: unknown): unknown {
  if (!isObject(node)) return node
  return node['#text'] ?? node.Value
}

/** An XML attribute as JSON: under `#attributes` (evtx_dump) or beside the text. */
function attributeOf(node: unknown, name: string): unknown {
  if (!isObject(node)) return undefined
  const attributes = node['#attributes']
  return isObject(attributes) ? attributes[name] : node[name]
}

const NO_FIELDS: EventFields = Object.freeze(Object.create(null))

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Whether a record is a Windows event in one of the shapes this reader knows. Log Analytics
 * rows (`TenantId`, `Type`, an `EventData` column) belong to the Azure Monitor reader.
 */
export function isWindowsJsonRecord(record: JsonObject): boolean {
  const winlog = record.winlog
  if (isObject(winlog)) return eventIdOf(winlog.event_id) !== null
  const xml = record.Event
  if (isObject(xml)) return isObject(xml.System) && eventIdOf(textOf(xml.System.EventID)) !== null
  if (eventIdOf(record.EventID) === null) return false
  if ('TenantId' in record || 'Type' in record || 'EventData' in record) return false
  return typeof record.Channel === 'string' || typeof record.SourceName === 'string'
}

export const sysmonJsonReader: LogReader = {
  id: FORMAT,
  describe:
    'Windows/Sysmon events as JSON lines: flat fields (NXLog, Logstash), Winlogbeat, evtx_dump',
  detect(head) {
    const record = firstJsonRecord(head)
    return record !== null && isWindowsJsonRecord(record)
  },
  // JSON lines split; one JSON array does not.
  splittable: (head) => (head.trimStart().startsWith('[') ? false : EACH_LINE),
  async read(input, sink, onBytes) {
    let checked = false
    await forEachJsonRecord(
      input,
      sink,
      (record, recordNo, line) => {
        if (!checked) {
          if (!isWindowsJsonRecord(record)) {
            throw new JsonExportError(
              `not Windows events as JSON: record ${recordNo} has no EventID with a Channel ` +
                'or SourceName, no winlog object and no Event.System',
              input.name,
            )
          }
          checked = true
        }
        const event = blankEvent(FORMAT, input.name, recordNo, line)
        const winlog = record.winlog
        const xml = record.Event
        if (isObject(xml) && isObject(xml.System)) {
          const system = xml.System
          const data = isObject(xml.EventData) ? xml.EventData : NO_FIELDS
          const log = windowsLogOf(textOf(system.Channel), attributeOf(system.Provider, 'Name'))
          applyWindowsEvent(event, log, eventIdOf(textOf(system.EventID)), data)
          event.Dvc = fieldText(textOf(system.Computer))
          event.TimeGenerated ??= parseLogTime(
            fieldText(attributeOf(system.TimeCreated, 'SystemTime')),
          )
        } else if (isObject(winlog)) {
          const data = isObject(winlog.event_data) ? winlog.event_data : NO_FIELDS
          const log = windowsLogOf(winlog.channel, winlog.provider_name)
          applyWindowsEvent(event, log, eventIdOf(winlog.event_id), data)
          const host = record.host
          event.Dvc =
            fieldText(winlog.computer_name) ?? (isObject(host) ? fieldText(host.name) : null)
        } else {
          const log = windowsLogOf(record.Channel, record.SourceName)
          applyWindowsEvent(event, log, eventIdOf(record.EventID), record)
          event.Dvc = fieldText(record.Hostname) ?? fieldText(record.Computer)
        }
        if (event.TimeGenerated === null) {
          event.TimeGenerated =
            parseLogTime(fieldText(record['@timestamp'])) ??
            parseLogTime(fieldText(record.TimeCreated)) ??
            parseLogTime(fieldText(record.EventTime))
        }
        sink.event(event)
      },
      onBytes,
    )
  },
}
