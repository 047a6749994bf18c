/**
 * @module
 * JSON records as exports write them: one object a line (JSON lines), or one JSON array of
 * objects (Log Analytics and `az` exports can be either). Readers get each record with its
 * 1-based record number and the line it starts on; detection gets the first record of a file
 * from its head, even when the head ends in the middle of an array.
 */
import { HuntpackError } from '../../errors.ts'
import type { EventSink } from '../event.ts'
import { forEachLine, type LogInput, peekText } from '../input.ts'

/** A JSON file that is not the records its reader reads (or not JSON records at all). */
export class JsonExportError extends HuntpackError {
  constructor(message: string, file: string, options?: ErrorOptions) {
    super('ERR_LOG_FORMAT', message, { file }, options)
  }
}

export type JsonObject = Record<string, unknown>

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * The first record of a JSON-lines or JSON-array head, or null when the head holds no
 * complete object first.
 */
export function firstJsonRecord(head: string): JsonObject | null {
  let start = 0
  while (start < head.length && isSpace(head.charCodeAt(start))) start++
  const first = head.charCodeAt(start)
  if (first === 123) {
    let end = head.indexOf('\n', start)
    if (end < 0) end = head.length
    return parseObject(head.slice(start, end))
  }
  if (first !== 91) return null
  let open = start + 1
  while (open < head.length && isSpace(head.charCodeAt(open))) open++
  if (head.charCodeAt(open) !== 123) return null
  const close = objectEnd(head, open)
  return close < 0 ? null : parseObject(head.slice(open, close + 1))
}

function parseObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : null
  } catch {
    return null
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9
}

/** Index of the `}` closing the object opened at `open`, or -1 when the text ends first. */
function objectEnd(text: string, open: number): number {
  let depth = 0
  let inString = false
  for (let i = open; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++
      else if (c === 34) inString = false
    } else if (c === 34) inString = true
    else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) {
      depth--
      if (depth === 0) return i
    }
  }
  return -1
}

/**
 * Calls `onRecord` for each object of a JSON-lines file or JSON array, in file order, with the
 * line where the object starts. A record that is not a JSON object goes to `sink.broken` and
 * counts as a record; blank lines are skipped. Arrays are read element by element, so their
 * size is not bounded by memory; a file that starts with anything but `[` or `{` throws
 * `JsonExportError`.
 */
export async function forEachJsonRecord(
  input: LogInput,
  sink: EventSink,
  onRecord: (record: JsonObject, recordNo: number, line: number | null) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const head = await peekText(input, 1024)
  const accept = (text: string, recordNo: number, line: number): void => {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      sink.broken({ line, record: recordNo }, `not JSON: ${(error as Error).message}`)
      return
    }
    if (isObject(value)) onRecord(value, recordNo, line)
    else sink.broken({ line, record: recordNo }, 'not a JSON object')
  }
  if (head.trimStart().startsWith('[')) {
    await forEachArrayElement(input, sink, accept, onBytes)
    return
  }
  let recordNo = 0
  await forEachLine(
    input,
    (text, line) => {
      if (text.length === 0) return
      const first = text.charCodeAt(0)
      if ((first === 32 || first === 9) && text.trim() === '') return
      accept(text, ++recordNo, line)
    },
    onBytes,
  )
}

enum Phase {
  Before,
  Between,
  Element,
  After,
}

enum Kind {
  /** An object or array: ends when its brackets balance. */
  Nested,
  /** A string: ends with its closing quote. */
  Text,
  /** A number or literal: ends before a comma, `]` or white space. */
  Bare,
}

/** Index of the next `byte` from `from`, or the chunk's length when there is none. */
function nextByte(chunk: Buffer, byte: number, from: number): number {
  const at = chunk.indexOf(byte, from)
  return at < 0 ? chunk.length : at
}

function isWhite(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9
}

/**
 * The elements of a top-level JSON array as text, with the line each starts on, scanned from
 * the byte stream without holding more than one element.
 */
async function forEachArrayElement(
  input: LogInput,
  sink: EventSink,
  onElement: (text: string, recordNo: number, line: number) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const stream = await input.open()
  let phase = Phase.Before as Phase
  let kind = Kind.Nested as Kind
  let line = 1
  let depth = 0
  let inString = false
  let escaped = false
  let recordNo = 0
  let startLine = 0
  let parts: Buffer[] = []
  const emit = (chunk: Buffer, start: number, end: number): void => {
    const tail = chunk.subarray(start, end)
    const bytes = parts.length === 0 ? tail : Buffer.concat([...parts, tail])
    parts = []
    phase = Phase.Between
    onElement(bytes.toString('utf8'), ++recordNo, startLine)
  }
  try {
    for await (const data of stream) {
      const chunk = data as Buffer
      onBytes?.(chunk.length)
      let i = 0
      let start = 0
      let quote = -1
      let slash = -1
      while (i < chunk.length) {
        if (inString) {
          // Strings hold no raw line breaks; jump to the next quote or backslash.
          if (escaped) {
            escaped = false
            i++
            continue
          }
          if (quote < i) quote = nextByte(chunk, 34, i)
          if (slash < i) slash = nextByte(chunk, 92, i)
          if (slash < quote) {
            escaped = slash + 1 >= chunk.length
            i = slash + 2
          } else if (quote < chunk.length) {
            inString = false
            i = quote + 1
            if (phase === Phase.Element && kind === Kind.Text) emit(chunk, start, i)
          } else i = chunk.length
          continue
        }
        const c = chunk[i] as number
        if (phase === Phase.Element) {
          if (kind === Kind.Bare) {
            if (c === 44 || c === 93 || isWhite(c)) {
              emit(chunk, start, i)
              continue
            }
          } else if (c === 34) inString = true
          else if (c === 123 || c === 91) depth++
          else if (c === 125 || c === 93) {
            depth--
            if (depth === 0) emit(chunk, start, i + 1)
          } else if (c === 10) line++
          i++
          continue
        }
        if (c === 10) line++
        if (isWhite(c)) {
          i++
          continue
        }
        if (phase === Phase.Before) {
          // A byte-order mark may arrive split over chunks; nothing else precedes the array.
          if (c === 0xef || c === 0xbb || c === 0xbf) {
            i++
            continue
          }
          if (c !== 91) throw new JsonExportError('not a JSON array', input.name)
          phase = Phase.Between
        } else if (phase === Phase.Between) {
          if (c === 93) phase = Phase.After
          else if (c !== 44) {
            phase = Phase.Element
            start = i
            startLine = line
            if (c === 34) {
              kind = Kind.Text
              inString = true
            } else if (c === 123 || c === 91) {
              kind = Kind.Nested
              depth = 1
            } else kind = Kind.Bare
          }
        } else {
          sink.broken({ line }, 'text after the closing ] of the array')
          return
        }
        i++
      }
      if (phase === Phase.Element) parts.push(chunk.subarray(start))
    }
  } catch (error) {
    if (error instanceof HuntpackError) throw error
    throw new JsonExportError(
      `cannot read after line ${line}: ${(error as Error).message}`,
      input.name,
      { cause: error },
    )
  } finally {
    stream.destroy()
  }
  if (phase === Phase.Element && kind === Kind.Bare) emit(Buffer.alloc(0), 0, 0)
  if (phase === Phase.Element) {
    sink.broken({ line: startLine, record: recordNo + 1 }, 'the array ends inside this record')
  } else if (phase !== Phase.After) sink.broken({ line }, 'the array has no closing ]')
}
