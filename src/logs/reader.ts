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
   * How a file whose first bytes are `head` can be read in pieces, or false. A piece is a
   * range of whole records read apart from the rest, with the file's header lines put in
   * front of it; line and record numbers are counted from the piece's start. Large files of
   * such formats are read on several cores.
   */
  splittable?(head: string): SplitRule | false
}

export interface SplitRule {
  /** Lines at the start of the file that every piece needs in front of it (a CSV header). */
  headerLines: number
  /** Fields may hold newlines inside double quotes: cut only after an even number of quotes. */
  quoted: boolean
}

/** One record a line, no header: JSON lines, CEF. */
export const EACH_LINE: SplitRule = { headerLines: 0, quoted: false }

/** A CSV export: one header line, quoted fields that may span lines. */
export const CSV_RECORDS: SplitRule = { headerLines: 1, quoted: true }

/**
 * A log that is not the format it was detected or forced as, or that no reader recognises;
 * the location names the file and, where it helps, the line.
 */
export class LogFormatError extends HuntpackError {
  constructor(message: string, file: string | InputLocation, options?: ErrorOptions) {
    super('ERR_LOG_FORMAT', message, typeof file === 'string' ? { file } : file, options)
  }
}
