/**
 * @module
 * CSV records of table exports (Log Analytics, Defender advanced hunting), streamed line by
 * line so a record knows the line it starts on even when quoted fields hold line breaks.
 *
 * csv-parse was tried first and left: it counts a CR and an LF inside a quoted field as two
 * lines (so every later line number of a CRLF export is off), and after a stray quote its
 * `skip_records_with_error` swallows the rest of the file as one open field. Here a record is
 * only open while a field that began with a quote has not closed; a record still open at the
 * end of the file (or after `MAX_RECORD_LINES`), or that closes on a later line but is then
 * unreadable, is reported broken at its first line and the lines after it are read again as
 * records, so one bad quote costs one record.
 */
import { HuntpackError } from '../../errors.ts'
import type { EventSink } from '../event.ts'
import { forEachLine, type LogInput } from '../input.ts'

/** An export that is not the table export a reader was given (a header it cannot map). */
export class ExportFormatError extends HuntpackError {
  constructor(message: string, file: string, line?: number) {
    super('ERR_LOG_FORMAT', message, line === undefined ? { file } : { file, line })
  }
}

const QUOTE = 34
const COMMA = 44

/** A quoted field longer than this many lines is taken as a quote that never closes. */
export const MAX_RECORD_LINES = 10_000

/** Splits records field by field, keeping the state of a quoted field across lines. */
export class CsvRecordParser {
  /** Fields of the record being read; valid once `feed` returns true without `error`. */
  readonly fields: string[] = []
  /** Why the record just completed is unreadable, or null. */
  error: string | null = null
  #open: string | null = null

  /** True while a quoted field continues on the next line. */
  get open(): boolean {
    return this.#open !== null
  }

  /** Forgets a record left open (after the caller gave up on it). */
  reset(): void {
    this.#open = null
    this.fields.length = 0
  }

  /** Feeds one line (without its line break); true when a record is complete. */
  feed(line: string): boolean {
    let p = 0
    if (this.#open === null) {
      this.fields.length = 0
      this.error = null
    } else {
      this.#open += '\n'
      p = this.#quoted(line, 0)
      if (p < 0) return false
      const next = this.#afterQuote(line, p)
      if (next < 0) return true
      p = next
      if (p > line.length) return true
    }
    for (;;) {
      if (line.charCodeAt(p) === QUOTE) {
        this.#open = ''
        p = this.#quoted(line, p + 1)
        if (p < 0) return false
        const next = this.#afterQuote(line, p)
        if (next < 0 || next > line.length) return true
        p = next
        continue
      }
      let end = line.indexOf(',', p)
      if (end < 0) end = line.length
      this.fields.push(line.slice(p, end))
      if (end >= line.length) return true
      p = end + 1
    }
  }

  /** Reads a quoted field's text from `from`; the index after its closing quote, or -1. */
  #quoted(line: string, from: number): number {
    for (;;) {
      const q = line.indexOf('"', from)
      if (q < 0) {
        this.#open += line.slice(from)
        return -1
      }
      if (line.charCodeAt(q + 1) === QUOTE) {
        this.#open += line.slice(from, q + 1)
        from = q + 2
        continue
      }
      this.#open += line.slice(from, q)
      return q + 1
    }
  }

  /**
   * Ends a quoted field at `p` (just after its closing quote): the start of the next field,
   * `line.length + 1` when the record ends here, or -1 with `error` set.
   */
  #afterQuote(line: string, p: number): number {
    this.fields.push(this.#open as string)
    this.#open = null
    if (p >= line.length) return line.length + 1
    if (line.charCodeAt(p) === COMMA) return p + 1
    this.error = `unexpected ${JSON.stringify(line.slice(p, p + 12))} after the closing quote of field ${this.fields.length}`
    return -1
  }
}

export interface CsvHandlers {
  /** The header, its line; throw to refuse the file. */
  header(fields: readonly string[], line: number): void
  /** A data record with as many fields as the header; `record` counts data records from 1. */
  record(fields: readonly string[], line: number, record: number): void
}

/**
 * Reads a CSV export: the first record is the header, every later record goes to `record`
 * or, when unreadable or of another width than the header, to `sink.broken` (counted as a
 * record all the same). Blank lines between records are skipped.
 */
export async function forEachCsvRecord(
  input: LogInput,
  sink: EventSink,
  handlers: CsvHandlers,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const parser = new CsvRecordParser()
  let width = -1
  let records = 0
  let start = 0
  let pending: string[] = []

  const complete = (line: number) => {
    if (width < 0) {
      if (parser.error !== null) {
        sink.broken({ line }, `header: ${parser.error}`)
        return
      }
      width = parser.fields.length
      handlers.header(parser.fields, line)
      return
    }
    records++
    if (parser.error !== null) sink.broken({ line, record: records }, parser.error)
    else if (parser.fields.length !== width) {
      sink.broken(
        { line, record: records },
        `${parser.fields.length} fields where the header has ${width}`,
      )
    } else handlers.record(parser.fields, line, records)
  }

  const giveUp = (reason: string) => {
    const lines = pending
    const from = start
    pending = []
    parser.reset()
    if (width < 0) sink.broken({ line: from }, `header: ${reason}`)
    else sink.broken({ line: from, record: ++records }, reason)
    for (let i = 1; i < lines.length; i++) onLine(lines[i] as string, from + i)
  }

  const onLine = (text: string, line: number) => {
    if (!parser.open) {
      if (text.length === 0) return
      start = line
      if (parser.feed(text)) complete(line)
      else pending = [text]
      return
    }
    pending.push(text)
    if (parser.feed(text)) {
      // A quote that closed lines later but leaves the record unreadable was most likely a
      // stray one: the lines it swallowed are read again as records of their own.
      if (parser.error !== null) giveUp(parser.error)
      else {
        pending = []
        complete(start)
      }
    } else if (pending.length >= MAX_RECORD_LINES) {
      giveUp(`a quoted field runs over ${MAX_RECORD_LINES} lines without closing`)
    }
  }

  await forEachLine(input, onLine, onBytes)
  while (parser.open) giveUp('a quoted field never closes')
}

/** The header line of a CSV head (first 64 KiB), split into plain fields, or null. */
export function csvHeaderOf(head: string): string[] | null {
  const parser = new CsvRecordParser()
  let from = 0
  for (let lines = 0; lines < 50 && from < head.length; lines++) {
    let end = head.indexOf('\n', from)
    if (end < 0) end = head.length
    let line = head.slice(from, end)
    if (line.endsWith('\r')) line = line.slice(0, -1)
    from = end + 1
    if (!parser.open && line.length === 0) continue
    if (parser.feed(line)) return parser.error === null ? [...parser.fields] : null
  }
  return null
}
