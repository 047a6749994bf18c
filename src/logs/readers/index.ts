/**
 * @module
 * The registry of log readers, format detection, and the one loop that reads inputs into a
 * sink with every event normalised.
 */
import type { EventSink, LogEvent } from '../event.ts'
import { type LogInput, listLogInputs, peekText } from '../input.ts'
import { normaliseEvent } from '../normalise.ts'
import { LogFormatError, type LogReader } from '../reader.ts'
import { azureMonitorReader } from './azure-monitor.ts'
import { cefReader } from './cef.ts'
import { defenderCsvReader, defenderJsonReader } from './defender.ts'
import { evtxReader } from './evtx.ts'
import { sentinelCsvReader, sentinelJsonReader } from './sentinel.ts'
import { suricataEveReader } from './suricata.ts'
import { sysmonJsonReader } from './sysmon-json.ts'
import { zeekJsonReader, zeekTsvReader } from './zeek.ts'

/** Most specific first: detection takes the first reader that claims a file. */
export const LOG_READERS: readonly LogReader[] = [
  evtxReader,
  zeekTsvReader,
  zeekJsonReader,
  suricataEveReader,
  azureMonitorReader,
  sysmonJsonReader,
  defenderJsonReader,
  sentinelJsonReader,
  sentinelCsvReader,
  defenderCsvReader,
  cefReader,
]

export { LogFormatError }

export function readerById(id: string): LogReader {
  const reader = LOG_READERS.find((r) => r.id === id)
  if (!reader) {
    throw new LogFormatError(
      `unknown log format ${JSON.stringify(id)}; known: ${LOG_READERS.map((r) => r.id).join(', ')}`,
      '--log-format',
    )
  }
  return reader
}

/** The reader for an input, from its first bytes; throws LogFormatError naming the file. */
export async function detectLogFormat(input: LogInput, head?: string): Promise<LogReader> {
  head ??= await peekText(input)
  if (head.trim() === '') throw new LogFormatError('the file is empty', input.name)
  const reader = LOG_READERS.find((r) => r.detect(head, input.name))
  if (!reader) {
    throw new LogFormatError(
      'not a log format huntpack reads (use --log-format to force one; known: ' +
        `${LOG_READERS.map((r) => r.id).join(', ')})`,
      input.name,
    )
  }
  return reader
}

/**
 * The reader for an input: the forced one, else the detected one. A file found in a folder or
 * archive that no reader claims gives the reason to skip it; a file the user named throws.
 */
export async function readerFor(
  input: LogInput,
  forced: LogReader | undefined,
  head?: string,
): Promise<LogReader | { skip: string }> {
  if (forced) return forced
  try {
    return await detectLogFormat(input, head)
  } catch (error) {
    if (!(error instanceof LogFormatError) || input.named) throw error
    return {
      skip: error.message.endsWith('the file is empty')
        ? 'empty'
        : 'not a log format huntpack reads',
    }
  }
}

export interface ReadStats {
  events: number
  /** Files found in folders or archives that are no log format read here, and why. */
  skipped: { file: string; reason: string }[]
  broken: { file: string; line?: number; record?: number; reason: string }[]
}

/**
 * Reads every input into `onEvent`, normalised, in input order. `format` forces a reader for
 * all inputs. Broken records are collected, not thrown.
 */
export async function readLogInputs(
  inputs: readonly LogInput[],
  onEvent: (event: LogEvent) => void,
  options: {
    format?: string
    onBytes?: (bytes: number) => void
    onFile?: (input: LogInput, reader: LogReader) => void
  } = {},
): Promise<ReadStats> {
  const stats: ReadStats = { events: 0, skipped: [], broken: [] }
  const forced = options.format === undefined ? undefined : readerById(options.format)
  for (const input of inputs) {
    const reader = await readerFor(input, forced)
    if ('skip' in reader) {
      stats.skipped.push({ file: input.name, reason: reader.skip })
      continue
    }
    options.onFile?.(input, reader)
    const sink: EventSink = {
      event(event) {
        stats.events++
        onEvent(normaliseEvent(event))
      },
      broken(at, reason) {
        stats.broken.push({ file: input.name, ...at, reason })
      },
    }
    await reader.read(input, sink, options.onBytes)
  }
  return stats
}

/** Every event under the paths, in memory: for tests and small inputs. */
export async function readLogEvents(
  paths: readonly string[],
  options: { format?: string } = {},
): Promise<{ events: LogEvent[]; stats: ReadStats }> {
  const events: LogEvent[] = []
  const inputs = await listLogInputs(paths)
  const stats = await readLogInputs(inputs, (e) => events.push(e), options)
  return { events, stats }
}
