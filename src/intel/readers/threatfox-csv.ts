/**
 * @module
 * ThreatFox CSV exports (`/export/csv/recent/`, `/export/csv/full/`): a `#` banner, the column
 * names in a commented header (`# "first_seen_utc","ioc_id",…`), fully quoted rows separated
 * by `", "`, and a `# Number of entries: N` trailer. Columns are mapped by the header's names
 * when it is there, else by count (14 columns before `is_compromised` was added, 15 after).
 */

import { IntelFormatError } from '../../errors.ts'
import type { IntelRecord } from '../indicator.ts'
import { CsvCursor } from './csv-rows.ts'
import { feedName, present, splitList, threatfoxKind, toConfidence, toIsoUtc } from './fields.ts'
import type { IntelReadResult } from './types.ts'

const COLUMNS_15 = [
  'first_seen_utc',
  'ioc_id',
  'ioc_value',
  'ioc_type',
  'threat_type',
  'fk_malware',
  'malware_alias',
  'malware_printable',
  'last_seen_utc',
  'confidence_level',
  'is_compromised',
  'reference',
  'tags',
  'anonymous',
  'reporter',
]
const COLUMNS_14 = COLUMNS_15.filter((name) => name !== 'is_compromised')

/** Columns a row needs to be a record at all. */
const REQUIRED = ['ioc_value', 'ioc_type'] as const

type Columns = Record<string, number | undefined>

/**
 * Reads a ThreatFox CSV export. A count mismatch with the trailer is not an error; it is
 * returned as `meta.declaredCount` for the caller to compare with `records.length`.
 *
 * @example readThreatfoxCsv(text, 'recent.csv').records[0]?.claimedKind // 'domain'
 */
export function readThreatfoxCsv(text: string, file: string): IntelReadResult {
  const feed = feedName(file)
  const cursor = new CsvCursor(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file)
  const records: IntelRecord[] = []
  const meta: IntelReadResult['meta'] = {}
  let names: string[] | undefined
  let makeRecord: ReturnType<typeof recordMaker> | undefined
  const row: string[] = []
  // Two offsets per field; room for more columns than ThreatFox has, so a row with too many
  // still reaches the count check below.
  const spans = new Int32Array(2 * (COLUMNS_15.length + 2))

  while (!cursor.done) {
    const first = cursor.peek()
    if (first === 35 /* # */) {
      const comment = cursor.readLine().replace(/^#+\s*/, '')
      if (comment.startsWith('"')) {
        names = headerNames(comment)
        makeRecord = recordMaker(indexColumns(names, cursor), feed, file)
      } else readBanner(comment, meta)
      continue
    }
    if (first === 13 || first === 10) {
      cursor.readLine()
      continue
    }

    const line = cursor.line
    let source = cursor.text
    let bounds = spans
    let count = cursor.scanRow(spans)
    if (count < 0) {
      // Escaped quotes, odd white space or broken quoting: the full tokenizer reads (or refuses)
      // the row, and its fields are laid end to end so the same span code maps them.
      const fields = cursor.readRow(row)
      count = fields.length
      source = fields.join('')
      bounds = new Int32Array(2 * count)
      let at = 0
      fields.forEach((field, index) => {
        bounds[2 * index] = at
        at += field.length
        bounds[2 * index + 1] = at
      })
    }
    if (names === undefined) {
      names = count === 14 ? COLUMNS_14 : count === 15 ? COLUMNS_15 : undefined
      if (names === undefined) {
        const found = `${count} fields and no commented header naming the columns`
        throw new IntelFormatError(`ThreatFox CSV row has ${found}; expected 14 or 15`, {
          file,
          line,
        })
      }
    }
    makeRecord ??= recordMaker(indexColumns(names, cursor), feed, file)
    if (count !== names.length) {
      throw new IntelFormatError(
        `ThreatFox CSV row has ${count} fields, expected ${names.length}`,
        { file, line },
      )
    }
    records.push(makeRecord(source, bounds, line))
  }

  return { format: 'threatfox-csv', records, meta }
}

/**
 * Builds records for one file from field spans (see `CsvCursor.scanRow`). Most columns repeat
 * a handful of values across a million rows (type, family, reporter, tag lists), so those are
 * interned: one string or list per distinct value instead of one per row, found without
 * slicing. Every string a record keeps is a copy, never a slice of the file: V8 slices
 * point into their parent, and one kept slice would keep the whole file text alive.
 */
function recordMaker(columns: Columns, feed: string, file: string) {
  const at = (name: string) => columns[name] ?? -1
  const col = {
    value: at('ioc_value'),
    type: at('ioc_type'),
    id: at('ioc_id'),
    threatType: at('threat_type'),
    familyId: at('fk_malware'),
    family: at('malware_printable'),
    aliases: at('malware_alias'),
    tags: at('tags'),
    reference: at('reference'),
    reporter: at('reporter'),
    confidence: at('confidence_level'),
    firstSeen: at('first_seen_utc'),
    lastSeen: at('last_seen_utc'),
  }
  const text = () => new Interner(present)
  const [type, familyId, family, threatType] = [text(), text(), text(), text()]
  const [reference, reporter] = [text(), text()]
  const [aliases, tags] = [new Interner(frozenList), new Interner(frozenList)]

  // No functions are defined in here: tsx names each one as it is created, once per row.
  return (row: string, bounds: Int32Array, line: number): IntelRecord => {
    const typeName = type.get(row, bounds, col.type)
    const id = familyId.get(row, bounds, col.familyId)
    const known = id !== undefined && id !== 'unknown'
    return {
      value: fieldAt(row, bounds, col.value) ?? '',
      type: typeName,
      claimedKind: threatfoxKind(typeName),
      defanged: false,
      family: known ? (family.get(row, bounds, col.family) ?? id) : undefined,
      familyId: known ? id : undefined,
      aliases: aliases.get(row, bounds, col.aliases),
      threatType: threatType.get(row, bounds, col.threatType),
      confidence: confidenceAt(row, bounds, col.confidence),
      firstSeen: isoAt(row, bounds, col.firstSeen),
      lastSeen: isoAt(row, bounds, col.lastSeen),
      tags: tags.get(row, bounds, col.tags),
      reference: reference.get(row, bounds, col.reference),
      reporter: reporter.get(row, bounds, col.reporter),
      source: { feed, file, line, record: present(fieldAt(row, bounds, col.id)) },
    }
  }
}

/** A column's field as its own string; undefined for a column the file does not have. */
function fieldAt(row: string, bounds: Int32Array, column: number): string | undefined {
  if (column < 0) return undefined
  return copyOf(row, bounds[2 * column] as number, bounds[2 * column + 1] as number)
}

/**
 * `text.slice(start, end)` as a string of its own. V8 copies short slices anyway; a longer one
 * would point into `text`, so it is joined from two pieces, which makes a flat copy.
 */
function copyOf(text: string, start: number, end: number): string {
  if (end - start < 13) return text.slice(start, end)
  return [text.slice(start, start + 1), text.slice(start + 1, end)].join('')
}

/** `toConfidence` of a span; the usual one to three digits are read in place. */
function confidenceAt(text: string, bounds: Int32Array, column: number): number | undefined {
  if (column < 0) return toConfidence(undefined)
  const start = bounds[2 * column] as number
  const end = bounds[2 * column + 1] as number
  if (end - start >= 1 && end - start <= 3) {
    let number = 0
    let i = start
    for (; i < end; i++) {
      const c = text.charCodeAt(i)
      if (c < 48 || c > 57) break
      number = number * 10 + (c - 48)
    }
    if (i === end) return number <= 100 ? number : undefined
  }
  return toConfidence(text.slice(start, end))
}

/**
 * `toIsoUtc` of a span. ThreatFox's `2026-04-12 04:49:28` (no white space to trim around it)
 * is rebuilt from two short slices, which are copies; anything else takes the general path.
 */
function isoAt(text: string, bounds: Int32Array, column: number): string | undefined {
  if (column < 0) return toIsoUtc(undefined)
  const start = bounds[2 * column] as number
  const end = bounds[2 * column + 1] as number
  if (
    end - start === 19 &&
    text.charCodeAt(start + 10) === 32 &&
    text.charCodeAt(start + 4) === 45 &&
    isVisibleAscii(text.charCodeAt(start)) &&
    isVisibleAscii(text.charCodeAt(end - 1))
  ) {
    // `join` gives a flat string; a concatenation would be flattened later, at a cost.
    return [text.slice(start, start + 10), 'T', text.slice(start + 11, end), 'Z'].join('')
  }
  return toIsoUtc(copyOf(text, start, end))
}

function isVisibleAscii(c: number): boolean {
  return c > 32 && c < 127
}

/** Lists are shared by every row that repeats them; frozen, so a change fails loudly. */
function frozenList(raw: string | undefined): string[] | undefined {
  const list = splitList(raw)
  return list && (Object.freeze(list) as string[])
}

/** Slots of the interners' direct-mapped cache; a power of two. */
const SLOTS = 4096

/**
 * Memoises a mapping of raw field text, read from a span of the row. A small table indexed by
 * a hash of the characters answers most rows without making a string; misses fall back to a
 * map, which past a bound stops remembering, to cap memory.
 */
class Interner<T> {
  readonly #seen = new Map<string, T>()
  readonly #raws: (string | undefined)[] = new Array(SLOTS).fill(undefined)
  readonly #mapped: (T | undefined)[] = new Array(SLOTS).fill(undefined)
  #last = 0

  constructor(readonly map: (raw: string | undefined) => T) {}

  /** The mapping of a column's field; of undefined for a column the file does not have. */
  get(text: string, bounds: Int32Array, column: number): T {
    if (column < 0) return this.map(undefined)
    const start = bounds[2 * column] as number
    const end = bounds[2 * column + 1] as number
    const length = end - start
    // Neighbouring rows often repeat a value (type, reporter): try the last one before hashing.
    const last = this.#raws[this.#last]
    if (last !== undefined && last.length === length && text.startsWith(last, start)) {
      return this.#mapped[this.#last] as T
    }
    let hash = length
    for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0
    const slot = hash & (SLOTS - 1)
    this.#last = slot
    const cached = this.#raws[slot]
    if (cached !== undefined && cached.length === length && text.startsWith(cached, start)) {
      return this.#mapped[slot] as T
    }
    const raw = copyOf(text, start, end)
    let mapped = this.#seen.get(raw)
    if (mapped === undefined && !this.#seen.has(raw)) {
      mapped = this.map(raw)
      if (this.#seen.size < 50_000) this.#seen.set(raw, mapped)
    }
    this.#raws[slot] = raw
    this.#mapped[slot] = mapped
    return mapped as T
  }
}

function headerNames(comment: string): string[] {
  return comment.split(',').map((name) => name.trim().replace(/^"|"$/g, ''))
}

function indexColumns(names: string[], cursor: CsvCursor): Columns {
  const columns: Columns = {}
  names.forEach((name, index) => {
    columns[name] = index
  })
  for (const name of REQUIRED) {
    if (columns[name] === undefined) {
      throw new IntelFormatError(`ThreatFox CSV header has no "${name}" column`, {
        file: cursor.file,
        line: cursor.line - 1,
      })
    }
  }
  return columns
}

/** Banner lines worth keeping: the title, `Last updated: …`, `Number of entries: N`. */
function readBanner(comment: string, meta: IntelReadResult['meta']): void {
  const text = comment.replace(/\s*#*\s*$/, '')
  const updated = /^Last updated:\s*(.+)$/i.exec(text)
  const count = /^Number of entries:\s*(\d+)$/i.exec(text)
  if (updated?.[1]) meta.updated = toIsoUtc(updated[1])
  else if (count?.[1]) meta.declaredCount = Number(count[1])
  else if (meta.title === undefined && /^ThreatFox\b/i.test(text)) meta.title = text
}
