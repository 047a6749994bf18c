/**
 * @module
 * JSON records as exports write them: one object a line (JSON lines), or one JSON array of
 * objects (Log Analytics and `az` exports can be either). Readers get each record with its
 * 1-based record number and, for JSON lines, its line; detection gets the first record of a
 * file from its head, even when the head ends in the middle of an array.
 */
import { HuntpackError } from '../../errors.ts'
import type { EventSink } from '../event.ts'
import { forEachLine, type LogInput, peekText, readAllText } from '../input.ts'

/** A JSON file whose whole is unreadable (an array that does not parse). */
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
 * Calls `onRecord` for each object of a JSON-lines file or JSON array, in file order. A line
 * that is not a JSON object goes to `sink.broken` and counts as a record; blank lines are
 * skipped. Records of an array have no line (`null`). An array that does not parse throws
 * `JsonExportError`, since nothing of it can be read.
 */
export async function forEachJsonRecord(
  input: LogInput,
  sink: EventSink,
  onRecord: (record: JsonObject, recordNo: number, line: number | null) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const head = await peekText(input, 1024)
  if (head.trimStart().startsWith('[')) {
    const text = await readAllText(input)
    onBytes?.(input.size)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (error) {
      throw new JsonExportError(
        `not a readable JSON array: ${(error as Error).message}`,
        input.name,
        { cause: error },
      )
    }
    if (!Array.isArray(value)) throw new JsonExportError('not a JSON array', input.name)
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i]
      if (isObject(item)) onRecord(item, i + 1, null)
      else sink.broken({ record: i + 1 }, 'array element is not a JSON object')
    }
    return
  }
  let recordNo = 0
  await forEachLine(
    input,
    (text, line) => {
      if (text.length === 0) return
      const first = text.charCodeAt(0)
      if ((first === 32 || first === 9) && text.trim() === '') return
      recordNo++
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch (error) {
        sink.broken({ line, record: recordNo }, `not JSON: ${(error as Error).message}`)
        return
      }
      if (isObject(value)) onRecord(value, recordNo, line)
      else sink.broken({ line, record: recordNo }, 'not a JSON object')
    },
    onBytes,
  )
}
