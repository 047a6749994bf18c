/**
 * @module
 * What a log reader is. Each format is one module under `readers/` that says whether the first
 * bytes of a file are its format and turns the file into normalised events.
 */
import { HuntpackError, type InputLocation } from '../errors.ts'
import type { EventSink } from './event.ts'
import type { LogInput } from './input.ts'

export interface LogReader {
  /** What `--log-format` takes and findings show: `zeek-tsv`, `suricata-eve`… */
  id: string
  /** One line for `--help`. */
  describe: string
  /**
   * Whether the input is this format, judged from its first 64 KiB of text (decompressed,
   * without a byte-order mark) and its name. Content decides; names only break ties.
   */
  detect(head: string, name: string): boolean
  /**
   * Reads the whole input into the sink, in file order. Throws a HuntpackError naming the
   * file only when the input as a whole is not this format; a single bad record goes to
   * `sink.broken` and reading goes on.
   */
  read(input: LogInput, sink: EventSink, onBytes?: (bytes: number) => void): Promise<void>
  /**
   * Whether a file whose first bytes are `head` can be read in pieces: every line is a record
   * on its own, with no header, so a range of whole lines read apart gives the same events
   * (line and record numbers counted from the range's start). Large files of such formats are
   * read on several cores.
   */
  splittable?(head: string): boolean
}

/**
 * A log that is not the format it was detected or forced as, or that no reader recognises;
 * the location names the file and, where it helps, the line.
 */
export class LogFormatError extends HuntpackError {
  constructor(message: string, file: string | InputLocation, options?: ErrorOptions) {
    super('ERR_LOG_FORMAT', message, typeof file === 'string' ? { file } : file, options)
  }
}
