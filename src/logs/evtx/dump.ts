/**
 * @module
 * EVTX records as JSON lines in the shape of python-evtx's reference export (`file`,
 * `record_id` = `System/EventRecordID`, `event_id`, `provider`, `channel`, `computer`,
 * `time_created`, `event_data`), plus `record_number` (the record header's number), so the
 * output of `huntpack logs dump` compares line by line with other parsers'.
 */
import { listLogInputs } from '../input.ts'
import { LogFormatError } from '../reader.ts'
import { EvtxFormatError } from './header.ts'
import { type EvtxIssue, parseEvtx } from './parse.ts'
import type { EvtxRecord } from './record.ts'

/** One record in the reference shape. */
export function recordJson(file: string, record: EvtxRecord): Record<string, unknown> {
  return {
    file,
    record_id: record.eventRecordId,
    record_number: record.recordId,
    event_id: record.eventId,
    provider: record.provider,
    channel: record.channel,
    computer: record.computer,
    time_created: record.timeCreated,
    event_data: record.eventData,
  }
}

/**
 * Writes every record of the EVTX files (plain, gzip, or zip members) as JSON lines through
 * `write`, which may return a promise to pause. Issues go to `onIssue` with the file name. A
 * file the user named that is not EVTX throws LogFormatError; one found in a folder goes to
 * `onSkip` and is left out.
 */
export async function dumpEvtx(
  paths: readonly string[],
  write: (line: string) => void | Promise<void>,
  onIssue: (file: string, issue: EvtxIssue) => void,
  onSkip: (file: string, reason: string) => void,
): Promise<number> {
  let count = 0
  for (const input of await listLogInputs(paths)) {
    const stream = await input.open()
    try {
      const records = parseEvtx(stream, { onIssue: (issue) => onIssue(input.name, issue) })
      for await (const record of records) {
        await write(JSON.stringify(recordJson(input.name, record)))
        count++
      }
    } catch (error) {
      if (error instanceof EvtxFormatError && !input.named && error.offset === 0) {
        onSkip(input.name, error.reason)
        continue
      }
      if (error instanceof EvtxFormatError) {
        throw new LogFormatError(`not a readable EVTX file: ${error.message}`, input.name, {
          cause: error,
        })
      }
      throw error
    } finally {
      stream.destroy()
    }
  }
  return count
}
