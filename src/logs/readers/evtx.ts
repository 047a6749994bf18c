/**
 * @module
 * Windows event logs as `.evtx` files, read by our own parser (`src/logs/evtx/`), one 64 KiB
 * chunk at a time. Each record goes through the Windows mapping of `windows-event.ts` (Sysmon
 * 1, 3 and 22, Security 5156–5159 and 4688; other events stay `other`), as the JSON exports of
 * the same events do. The record number of the file is the event's record; EVTX has no lines.
 * A chunk or record the parser cannot read is reported with its file offset and skipped.
 */
import { blankEvent } from '../event.ts'
import { EvtxFormatError, hex, isEvtx } from '../evtx/header.ts'
import { parseEvtx } from '../evtx/parse.ts'
import { isoFromMs } from '../evtx/values.ts'
import { LogFormatError, type LogReader } from '../reader.ts'
import { parseLogTime } from '../time.ts'
import { applyWindowsEvent, fieldText, windowsLogOf } from './windows-event.ts'

const FORMAT = 'evtx'

export const evtxReader: LogReader = {
  id: FORMAT,
  describe: 'Windows event log files (.evtx): Sysmon, Security, forwarded events, any channel',
  detect(head) {
    return isEvtx(Buffer.from(head.slice(0, 8), 'latin1'))
  },
  async read(input, sink, onBytes) {
    const stream = await input.open()
    const records = parseEvtx(stream, {
      onBytes,
      onIssue(issue) {
        const at = issue.recordId === undefined ? {} : { record: issue.recordId }
        sink.broken(at, `${issue.message} (at offset ${hex(issue.offset)})`)
      },
    })
    try {
      for await (const record of records) {
        const event = blankEvent(FORMAT, input.name, record.recordId, null)
        const log = windowsLogOf(record.channel, record.provider)
        applyWindowsEvent(event, log, record.eventId, record.eventData)
        event.Dvc = fieldText(record.computer)
        event.TimeGenerated ??= parseLogTime(record.timeCreated) ?? isoFromMs(record.written)
        sink.event(event)
      }
    } catch (error) {
      if (error instanceof EvtxFormatError) {
        throw new LogFormatError(`not a readable EVTX file: ${error.message}`, input.name, {
          cause: error,
        })
      }
      throw error
    } finally {
      stream.destroy()
    }
  },
}
