/**
 * @module
 * Microsoft Sentinel / Log Analytics table exports: the portal's CSV ("Export to CSV"), JSON
 * (lines or an array, as `az monitor log-analytics query` writes) and the query API's reply
 * (`{"tables": [{"columns", "rows"}]}`), of any table `sentinel-tables.ts` maps, several tables in one file
 * included (each row's `Type` picks its mapping; without `Type`, the header's columns do).
 *
 * Times: the portal writes `TimeGenerated [UTC]` or `TimeGenerated [Local Time]`, in US style
 * (`8/9/2023, 2:24:24.550 PM`). A `[UTC]` column is preferred when both exist. A `[Local Time]`
 * column is the exporting browser's wall clock and says nothing of its zone (the samples hold
 * UTC+05:30 and unknown zones); it is read as if it were UTC, so such times can be off by the
 * exporter's offset. Sysmon rows take their own `UtcTime` instead, which is exact.
 *
 * JSON detection claims records by `Type` only, and leaves `Event`, `WindowsEvent`, `Syslog`
 * and `VMConnection` to the Azure Monitor reader, which reads the same tables from JSON.
 */
import { blankEvent, type EventSink, type LogEvent } from '../event.ts'
import { type LogInput, peekText, readAllText } from '../input.ts'
import { CSV_RECORDS, type LogReader } from '../reader.ts'
import { isDefenderColumns } from './defender.ts'
import { csvHeaderOf, ExportFormatError, forEachCsvRecord } from './export-csv.ts'
import {
  columnIndex,
  ObjectRecord,
  PositionalRecord,
  plainColumn,
  type RecordView,
} from './export-fields.ts'
import { firstJsonRecord, forEachJsonRecord, type JsonObject } from './json-records.ts'
import {
  GENERIC_MAPPING,
  type TableMapping,
  tableMapping,
  tableOfColumns,
} from './sentinel-tables.ts'

const CSV_FORMAT = 'sentinel-csv'
const JSON_FORMAT = 'sentinel-json'

/** Tables whose JSON exports the Azure Monitor reader reads. */
const AZURE_MONITOR_TABLES = new Set(['Event', 'WindowsEvent', 'Syslog', 'VMConnection'])

/** Picks each row's mapping by its `Type`, falling back on the header's, caching by name. */
class MappingChooser {
  readonly #byType = new Map<string, TableMapping>()
  #fallback: TableMapping | undefined

  constructor(private readonly guess: () => TableMapping) {}

  for(row: RecordView): TableMapping {
    const type = row.text('Type')
    if (type !== null) {
      let mapping = this.#byType.get(type)
      if (mapping === undefined) {
        mapping = tableMapping(type) ?? this.fallback()
        this.#byType.set(type, mapping)
      }
      return mapping
    }
    return this.fallback()
  }

  fallback(): TableMapping {
    this.#fallback ??= this.guess()
    return this.#fallback
  }
}

/** Maps a row; a row whose embedded data cannot be read is broken (false), not fatal. */
function mapRow(
  chooser: MappingChooser,
  row: RecordView,
  event: LogEvent,
  sink: EventSink,
): boolean {
  try {
    chooser.for(row)(event, row)
    return true
  } catch (error) {
    const at = {
      record: event.SourceRecord,
      ...(event.SourceLine === null ? {} : { line: event.SourceLine }),
    }
    sink.broken(at, `unreadable ${row.text('Type') ?? 'row'} data: ${(error as Error).message}`)
    return false
  }
}

function guessFromColumns(columns: Iterable<string>): TableMapping {
  const table = tableOfColumns(new Set(columns))
  return (table === null ? null : tableMapping(table)) ?? GENERIC_MAPPING
}

/** Whether a header is a Log Analytics export: its own columns, or a table this knows. */
export function isSentinelHeader(header: readonly string[]): boolean {
  const names = header.map((h) => plainColumn(h).name)
  if (isDefenderColumns(names)) return false
  const set = new Set(names)
  return set.has('TimeGenerated') || set.has('TenantId') || tableOfColumns(set) !== null
}

export const sentinelCsvReader: LogReader = {
  id: CSV_FORMAT,
  describe: 'Microsoft Sentinel / Log Analytics CSV exports (CommonSecurityLog, DnsEvents, …)',
  detect(head) {
    const start = head.trimStart().charCodeAt(0)
    if (start === 123 || start === 91) return false
    const header = csvHeaderOf(head)
    return header !== null && header.length > 1 && isSentinelHeader(header)
  },
  splittable: () => CSV_RECORDS,
  async read(input, sink, onBytes) {
    let row: PositionalRecord | null = null
    let chooser: MappingChooser | null = null
    await forEachCsvRecord(
      input,
      sink,
      {
        header(fields, line) {
          if (!isSentinelHeader(fields)) {
            throw new ExportFormatError(
              'not a Log Analytics export: the header has no TimeGenerated or TenantId and ' +
                'no column set of a table huntpack maps',
              input.name,
              line,
            )
          }
          const index = columnIndex(fields)
          row = new PositionalRecord(index)
          chooser = new MappingChooser(() => guessFromColumns(index.keys()))
        },
        record(fields, line, record) {
          const view = row as PositionalRecord
          view.values = fields
          const event = blankEvent(CSV_FORMAT, input.name, record, line)
          if (mapRow(chooser as MappingChooser, view, event, sink)) sink.event(event)
        },
      },
      onBytes,
    )
  },
}

/** Whether a JSON record is a row of a table this reader claims. */
function isSentinelRecord(record: JsonObject): boolean {
  const type = record.Type
  if (typeof type !== 'string' || AZURE_MONITOR_TABLES.has(type)) return false
  return tableMapping(type) !== null || type.endsWith('_CL')
}

/** The Log Analytics query API's reply: `{"tables": [{"columns": [{"name"…}], "rows": [[…]]}]}`. */
function isQueryApiHead(head: string): boolean {
  const start = head.trimStart()
  return (
    start.startsWith('{') &&
    /^\{\s*"tables"\s*:\s*\[/.test(start) &&
    /"columns"\s*:\s*\[\s*\{\s*"name"/.test(start)
  )
}

/**
 * Reads a query API reply: each table's rows by its column names, numbered across tables.
 * The reply is one document, so rows have no line.
 */
async function readQueryApiReply(input: LogInput, sink: EventSink): Promise<void> {
  const text = await readAllText(input)
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch (error) {
    throw new ExportFormatError(`not readable JSON: ${(error as Error).message}`, input.name)
  }
  const tables = (document as { tables?: unknown }).tables
  if (!Array.isArray(tables)) {
    throw new ExportFormatError('a Log Analytics reply without a tables array', input.name)
  }
  let no = 0
  for (const table of tables as { columns?: unknown; rows?: unknown }[]) {
    const columns = Array.isArray(table?.columns) ? table.columns : []
    const names = columns.map((c: { name?: unknown }) => String(c?.name ?? ''))
    const index = columnIndex(names)
    const view = new PositionalRecord(index)
    const chooser = new MappingChooser(() => guessFromColumns(index.keys()))
    for (const row of Array.isArray(table?.rows) ? table.rows : []) {
      no++
      if (!Array.isArray(row) || row.length !== names.length) {
        sink.broken({ record: no }, `a row of ${names.length} values was expected`)
        continue
      }
      view.values = row
      const event = blankEvent(JSON_FORMAT, input.name, no, null)
      if (mapRow(chooser, view, event, sink)) sink.event(event)
    }
  }
}

export const sentinelJsonReader: LogReader = {
  id: JSON_FORMAT,
  describe:
    'Microsoft Sentinel / Log Analytics JSON exports (lines, array or query API reply) by table',
  detect(head) {
    if (isQueryApiHead(head)) return true
    const record = firstJsonRecord(head)
    return record !== null && isSentinelRecord(record)
  },
  async read(input, sink, onBytes) {
    if (isQueryApiHead(await peekText(input, 4096))) {
      await readQueryApiReply(input, sink)
      onBytes?.(input.size)
      return
    }
    const view = new ObjectRecord()
    let chooser: MappingChooser | null = null
    const tables = new Set<string>()
    await forEachJsonRecord(
      input,
      sink,
      (record, no, line) => {
        view.object = record
        chooser ??= new MappingChooser(() => guessFromColumns(Object.keys(record)))
        const type = typeof record.Type === 'string' ? record.Type : ''
        if (!tables.has(type)) {
          tables.add(type)
          view.useSuffixesOf(record)
        }
        const event: LogEvent = blankEvent(JSON_FORMAT, input.name, no, line)
        if (mapRow(chooser, view, event, sink)) sink.event(event)
      },
      onBytes,
    )
  },
}
