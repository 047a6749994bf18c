/**
 * @module
 * A small, strict CSV tokenizer for the abuse.ch exports. It keeps line numbers, accepts the
 * ThreatFox `", "` separator (spaces after a comma are skipped), and refuses broken quoting
 * instead of guessing. It is written for speed: a ThreatFox export can hold a million rows, so
 * fields are found with `indexOf` and sliced, never built a character at a time.
 */

import { IntelFormatError } from '../../errors.ts'

const QUOTE = 34
const COMMA = 44
const SPACE = 32
const TAB = 9
const CR = 13
const LF = 10

/** Walks a CSV text line by line; rows are read by `readRow`, other lines by `readLine`. */
export class CsvCursor {
  /** Offset of the next unread character. */
  pos = 0
  /** 1-based line number of `pos`. */
  line = 1

  constructor(
    readonly text: string,
    readonly file: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.text.length
  }

  /** The first character of the current line (NaN at the end). */
  peek(): number {
    return this.text.charCodeAt(this.pos)
  }

  /** The current line without its line break, and moves past it. */
  readLine(): string {
    const { text, pos } = this
    let end = text.indexOf('\n', pos)
    if (end === -1) end = text.length
    this.pos = end + 1
    this.line++
    return text.slice(pos, end > pos && text.charCodeAt(end - 1) === CR ? end - 1 : end)
  }

  /**
   * The fields of the row at the cursor, and moves past its line break. Quoted fields may hold
   * `""` (one quote), commas and line breaks; anything after a closing quote other than a
   * separator or the end of the line is an error, as is a quote that never closes. Pass
   * `fields` to reuse one array across rows (it is emptied first).
   */
  readRow(fields: string[] = []): string[] {
    const { text } = this
    const start = this.pos
    fields.length = 0
    let p = start

    for (;;) {
      let c = text.charCodeAt(p)
      if (c === QUOTE) {
        let from = p + 1
        let close = text.indexOf('"', from)
        let value = ''
        while (close !== -1 && text.charCodeAt(close + 1) === QUOTE) {
          value += text.slice(from, close + 1)
          from = close + 2
          close = text.indexOf('"', from)
        }
        if (close === -1) this.fail(start, p, `quoted field ${fields.length + 1} never closes`)
        fields.push(value + text.slice(from, close))
        p = close + 1
        c = text.charCodeAt(p)
        while (c === SPACE || c === TAB) c = text.charCodeAt(++p)
        if (c !== COMMA && c !== CR && c !== LF && p < text.length) {
          const what = JSON.stringify(text.slice(p, p + 10))
          this.fail(
            start,
            p,
            `unexpected ${what} after the closing quote of field ${fields.length}`,
          )
        }
      } else {
        let end = p
        while (end < text.length) {
          const d = text.charCodeAt(end)
          if (d === COMMA || d === CR || d === LF) break
          if (d === QUOTE) this.fail(start, end, `stray quote inside field ${fields.length + 1}`)
          end++
        }
        fields.push(text.slice(p, end).trim())
        p = end
        c = text.charCodeAt(p)
      }

      if (c === COMMA) {
        p++
        c = text.charCodeAt(p)
        while (c === SPACE || c === TAB) c = text.charCodeAt(++p)
        continue
      }
      break
    }

    this.#endRow(start, p)
    return fields
  }

  /**
   * Like `readRow`, but records where each field lies instead of slicing it: field `i` is
   * `text.slice(bounds[2 * i], bounds[2 * i + 1])`, trimmed when unquoted. A million-row export
   * would otherwise allocate fifteen strings per row only to intern or parse most of them.
   * Returns the field count, or -1 without moving for a row it leaves to `readRow`: one with a
   * `""` escape (its value is not a span of the text) or broken quoting (`readRow` names it).
   */
  scanRow(bounds: Int32Array): number {
    const { text } = this
    const length = text.length
    const start = this.pos
    let count = 0
    let p = start

    for (;;) {
      if (2 * count + 1 >= bounds.length) return -1
      let c = text.charCodeAt(p)
      if (c === QUOTE) {
        const close = text.indexOf('"', p + 1)
        if (close === -1 || text.charCodeAt(close + 1) === QUOTE) return -1
        bounds[2 * count] = p + 1
        bounds[2 * count + 1] = close
        p = close + 1
        c = text.charCodeAt(p)
        while (c === SPACE || c === TAB) c = text.charCodeAt(++p)
        if (c !== COMMA && c !== CR && c !== LF && p < length) return -1
      } else {
        let end = p
        while (end < length) {
          const d = text.charCodeAt(end)
          if (d === COMMA || d === CR || d === LF) break
          if (d === QUOTE) return -1
          end++
        }
        // The same trim as `String.prototype.trim` on the slice, without making the slice.
        let from = p
        let to = end
        while (from < to && isTrimmed(text.charCodeAt(from))) from++
        while (to > from && isTrimmed(text.charCodeAt(to - 1))) to--
        // Non-ASCII at either end may be white space `trim` knows (NBSP, BOM): leave it to readRow.
        if (from < to && (text.charCodeAt(from) > 127 || text.charCodeAt(to - 1) > 127)) return -1
        bounds[2 * count] = from
        bounds[2 * count + 1] = to
        p = end
        c = text.charCodeAt(p)
      }
      count++

      if (c === COMMA) {
        p++
        c = text.charCodeAt(p)
        while (c === SPACE || c === TAB) c = text.charCodeAt(++p)
        continue
      }
      break
    }

    this.#endRow(start, p)
    return count
  }

  /** Throws an IntelFormatError for the row starting at `rowStart`, at the line of `at`. */
  /** Past the row's line break; breaks inside quoted fields count, so later lines stay true. */
  #endRow(start: number, p: number): void {
    const text = this.text
    const end = text.charCodeAt(p) === CR ? p + 1 : p
    this.pos = end + 1
    const firstBreak = text.indexOf('\n', start)
    this.line += firstBreak !== -1 && firstBreak < end ? countBreaks(text, start, end) + 1 : 1
  }

  fail(rowStart: number, at: number, message: string): never {
    const line = this.line + countBreaks(this.text, rowStart, Math.min(at, this.text.length))
    throw new IntelFormatError(message, { file: this.file, line })
  }
}

/** The ASCII white space `trim` removes (line breaks end an unquoted field first). */
function isTrimmed(c: number): boolean {
  return c === SPACE || c === TAB || c === 11 || c === 12
}

function countBreaks(text: string, from: number, to: number): number {
  let count = 0
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) {
    count++
  }
  return count
}
