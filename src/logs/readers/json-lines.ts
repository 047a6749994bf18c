/**
 * @module
 * Small helpers the JSON-lines readers share (Zeek JSON, Suricata EVE): what a JSON object is,
 * blank lines, and the objects at the start of a file for format detection.
 */

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Empty or whitespace only; trims only lines that start with whitespace. */
export function isBlank(text: string): boolean {
  return text === '' || (text.charCodeAt(0) <= 32 && text.trim() === '')
}

function parseObject(text: string): JsonObject | undefined {
  if (text.charCodeAt(0) !== 123) return undefined
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    return undefined
  }
}

/**
 * The first `limit` lines of a file's head that parse as JSON objects. Lines that do not parse
 * are skipped (a broken first line does not decide the format); a last line without its newline
 * counts only when it parses, since the head may cut it.
 */
export function headObjects(head: string, limit = 5): JsonObject[] {
  const objects: JsonObject[] = []
  let start = 0
  while (objects.length < limit && start < head.length) {
    let end = head.indexOf('\n', start)
    if (end < 0) end = head.length
    const object = parseObject(head.slice(start, end).trim())
    if (object !== undefined) objects.push(object)
    start = end + 1
  }
  return objects
}
