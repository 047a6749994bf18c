/**
 * @module
 * Format detection and the one entry point the rest of huntpack calls. Detection reads the
 * content, never the file name: exports get renamed, and `.json` alone says nothing.
 */

import { IntelFormatError } from '../../errors.ts'
import { readFeodoCsv } from './feodo-csv.ts'
import { isObject, parseJson } from './fields.ts'
import { readIocJson } from './ioc-json.ts'
import { readMarkdown } from './markdown.ts'
import { readMisp } from './misp.ts'
import { readStix } from './stix.ts'
import { readText } from './text.ts'
import { readThreatfoxApi } from './threatfox-api.ts'
import { readThreatfoxCsv } from './threatfox-csv.ts'
import { readThreatfoxJson } from './threatfox-json.ts'
import type { IntelFormat, IntelReader, IntelReadResult } from './types.ts'

export { INTEL_FORMATS, type IntelFormat, type IntelReader, type IntelReadResult } from './types.ts'

export const INTEL_READERS: Readonly<Record<IntelFormat, IntelReader>> = {
  'threatfox-csv': readThreatfoxCsv,
  'threatfox-json': readThreatfoxJson,
  'threatfox-api': readThreatfoxApi,
  stix: readStix,
  misp: readMisp,
  'feodo-csv': readFeodoCsv,
  'ioc-json': readIocJson,
  markdown: readMarkdown,
  text: readText,
}

/** How much of a line-oriented file detection looks at; headers sit in the first lines. */
const SNIFF_LINES = 64

/**
 * The format of an intel file, from its content. Throws an IntelFormatError naming what was
 * found when no format fits; `--format` overrides detection.
 *
 * @example detectIntelFormat('{"query_status":"ok","data":[]}', 'reply.json') // 'threatfox-api'
 */
export function detectIntelFormat(text: string, file: string): IntelFormat {
  const body = text.replace(/^\uFEFF/, '').trimStart()
  if (body === '') throw new IntelFormatError('the file is empty', { file })
  if (body.startsWith('{') || body.startsWith('[')) return detectJson(parseJson(body, file), file)

  const head = firstLines(body, SNIFF_LINES)
  if (head.some((line) => /^#\s*"first_seen_utc"\s*,\s*"ioc_id"/.test(line))) {
    return 'threatfox-csv'
  }
  if (head.some((line) => /^"?first_seen_utc"?,\s*"?dst_ip"?,\s*"?dst_port"?/.test(line))) {
    return 'feodo-csv'
  }
  const row = head.find((line) => line.startsWith('"'))
  if (row !== undefined && /^"[^"]*", "\d+", "/.test(row)) return 'threatfox-csv'
  if (/^\|(?=.*\btype\b)(?=.*\bvalue\b).*\|\s*$/im.test(body)) return 'markdown'
  if (/[\0\uFFFD]/.test(head.join('\n'))) {
    throw new IntelFormatError('binary content, not an intel feed', { file })
  }
  return 'text'
}

/**
 * Reads an intel file: detects the format unless one is given, then runs its reader.
 *
 * @example readIntel(text, 'recent.csv').format // 'threatfox-csv'
 */
export function readIntel(text: string, file: string, format?: IntelFormat): IntelReadResult {
  const chosen = format ?? detectIntelFormat(text, file)
  return INTEL_READERS[chosen](text, file)
}

function detectJson(root: unknown, file: string): IntelFormat {
  if (isObject(root)) {
    if (typeof root.query_status === 'string') return 'threatfox-api'
    if (Array.isArray(root.iocs)) return 'ioc-json'
    if (isObject(root.Event) || Array.isArray(root.response)) return 'misp'
    if (root.type === 'bundle' || isStixObject(root)) return 'stix'
    const values = Object.values(root)
    const keys = Object.keys(root)
    if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key)) && values.every(Array.isArray)) {
      return 'threatfox-json'
    }
    const shown = keys.slice(0, 5).join(', ')
    throw new IntelFormatError(`JSON of no known intel format (top-level keys: ${shown})`, {
      file,
    })
  }
  if (Array.isArray(root)) {
    const first = root.find(isObject)
    if (first === undefined) return 'ioc-json'
    if (isObject(first.Event)) return 'misp'
    if (isStixObject(first)) return 'stix'
    if (typeof first.ioc === 'string') return 'ioc-json'
  }
  throw new IntelFormatError('JSON of no known intel format', { file })
}

function isStixObject(value: Record<string, unknown>): boolean {
  return typeof value.type === 'string' && /^[a-z-]+--[0-9a-f-]{36}$/.test(String(value.id))
}

function firstLines(text: string, count: number): string[] {
  const lines: string[] = []
  let start = 0
  while (lines.length < count && start < text.length) {
    let end = text.indexOf('\n', start)
    if (end === -1) end = text.length
    lines.push(text.slice(start, end).replace(/\r$/, ''))
    start = end + 1
  }
  return lines
}
