/**
 * @module
 * Finding records read back from a file `hunt` wrote: NDJSON (`--format ndjson`, one record a
 * line) or JSON (`--format json`, `{"findings": [...], "summary": {...}}`). Each record is
 * checked field by field against `docs/findings.md`, so a page is never rendered from a value of
 * the wrong type; a record that does not fit is refused naming the file and line.
 */
import { readFile } from 'node:fs/promises'
import { HuntpackError } from '../../errors.ts'
import type { FindingRecord } from '../findings.ts'

const REQUIRED_TEXT = ['match', 'field', 'matched', 'indicator', 'indicatorKind', 'file'] as const
const OPTIONAL_TEXT = [
  'time',
  'direction',
  'family',
  'familyId',
  'firstSeen',
  'lastSeen',
  'reference',
  'src',
  'dst',
  'protocol',
  'dnsQuery',
  'url',
  'targetHostname',
  'fileMD5',
  'fileSHA1',
  'fileSHA256',
  'host',
  'user',
  'process',
  'commandLine',
  'action',
  'exclusion',
  'exclusionReason',
] as const
const OPTIONAL_NUMBER = ['confidence', 'srcPort', 'dstPort', 'line'] as const
const LISTS = ['threatTypes', 'sources', 'dnsResponse'] as const

/** Reads a findings file, NDJSON or JSON, by its content. */
export async function readFindingRecords(file: string): Promise<FindingRecord[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new HuntpackError(
      'ERR_INPUT',
      `cannot read: ${(error as Error).message}`,
      { file },
      {
        cause: error,
      },
    )
  }
  return parseFindingRecords(text, file)
}

export function parseFindingRecords(text: string, file: string): FindingRecord[] {
  if (text.trim() === '') return []
  const document = wholeDocument(text)
  if (document !== undefined) {
    const findings = (document as { findings?: unknown }).findings
    if (!Array.isArray(findings)) {
      throw new HuntpackError('ERR_INPUT', 'a JSON document of findings needs a "findings" list', {
        file,
      })
    }
    return findings.map((f, n) => checkRecord(f, { file, record: `findings[${n}]` }))
  }
  const records: FindingRecord[] = []
  text.split('\n').forEach((line, n) => {
    if (line.trim() === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      throw new HuntpackError('ERR_INPUT', `not JSON: ${(error as Error).message}`, {
        file,
        line: n + 1,
      })
    }
    records.push(checkRecord(value, { file, line: n + 1 }))
  })
  return records
}

/** The text as one JSON document (`--format json`), or undefined when it is NDJSON. */
function wholeDocument(text: string): object | undefined {
  const lines = text.trim().split('\n')
  if (lines.length === 1 && !text.includes('"findings"')) return undefined
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null) return undefined
    return Array.isArray(value) || 'findings' in value || lines.length > 1 ? value : undefined
  } catch {
    return undefined
  }
}

function checkRecord(
  value: unknown,
  at: { file: string; line?: number; record?: string },
): FindingRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HuntpackError('ERR_INPUT', 'a finding record must be a JSON object', at)
  }
  const raw = value as Record<string, unknown>
  const wrong = (field: string, expected: string) =>
    new HuntpackError(
      'ERR_INPUT',
      `field "${field}" must be ${expected}, not ${JSON.stringify(raw[field]) ?? 'missing'}`,
      at,
    )
  const out: Record<string, unknown> = {}
  for (const field of REQUIRED_TEXT) {
    if (typeof raw[field] !== 'string') throw wrong(field, 'a string')
    out[field] = raw[field]
  }
  for (const field of OPTIONAL_TEXT) {
    const v = raw[field] ?? null
    if (v !== null && typeof v !== 'string') throw wrong(field, 'a string or null')
    out[field] = v
  }
  for (const field of OPTIONAL_NUMBER) {
    const v = raw[field] ?? null
    if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
      throw wrong(field, 'a number or null')
    }
    out[field] = v
  }
  for (const field of LISTS) {
    const v = raw[field] ?? []
    if (!Array.isArray(v) || v.some((item) => typeof item !== 'string')) {
      throw wrong(field, 'a list of strings')
    }
    out[field] = v
  }
  const record = raw.record ?? 0
  if (typeof record !== 'number') throw wrong('record', 'a number')
  out.record = record
  out.excluded = raw.excluded === true
  out.eventType = typeof raw.eventType === 'string' ? raw.eventType : 'other'
  out.logFormat = typeof raw.logFormat === 'string' ? raw.logFormat : 'unknown'
  return out as unknown as FindingRecord
}
