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
    const fields = cursor.readRow(row)
    if (names === undefined) {
      names = fields.length === 14 ? COLUMNS_14 : fields.length === 15 ? COLUMNS_15 : undefined
      if (names === undefined) {
        const found = `${fields.length} fields and no commented header naming the columns`
        throw new IntelFormatError(`ThreatFox CSV row has ${found}; expected 14 or 15`, {
          file,
          line,
        })
      }
    }
    makeRecord ??= recordMaker(indexColumns(names, cursor), feed, file)
    if (fields.length !== names.length) {
      throw new IntelFormatError(
        `ThreatFox CSV row has ${fields.length} fields, expected ${names.length}`,
        { file, line },
      )
    }
    records.push(makeRecord(fields, line))
  }

  return { format: 'threatfox-csv', records, meta }
}

/**
 * Builds records for one file. Most columns repeat a handful of values across a million rows
 * (type, family, reporter, tag lists), so those are interned: one string or list per distinct
 * value instead of one per row. With a million records kept, every object less per record is
 * garbage-collector time saved; this reader must stay near 1.5 s per million rows.
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

  return (fields: string[], line: number): IntelRecord => {
    const typeName = type.get(fields[col.type])
    const id = familyId.get(fields[col.familyId])
    const known = id !== undefined && id !== 'unknown'
    return {
      value: fields[col.value] ?? '',
      type: typeName,
      claimedKind: threatfoxKind(typeName),
      defanged: false,
      family: known ? (family.get(fields[col.family]) ?? id) : undefined,
      familyId: known ? id : undefined,
      aliases: aliases.get(fields[col.aliases]),
      threatType: threatType.get(fields[col.threatType]),
      confidence: toConfidence(fields[col.confidence]),
      firstSeen: toIsoUtc(fields[col.firstSeen]),
      lastSeen: toIsoUtc(fields[col.lastSeen]),
      tags: tags.get(fields[col.tags]),
      reference: reference.get(fields[col.reference]),
      reporter: reporter.get(fields[col.reporter]),
      source: { feed, file, line, record: present(fields[col.id]) },
    }
  }
}

/** Lists are shared by every row that repeats them; frozen, so a change fails loudly. */
function frozenList(raw: string | undefined): string[] | undefined {
  const list = splitList(raw)
  return list && (Object.freeze(list) as string[])
}

/**
 * Memoises a mapping of raw field text. Neighbouring rows usually repeat a value, so the last
 * one is checked before the map; past a bound it stops remembering, to cap memory.
 */
class Interner<T> {
  readonly #seen = new Map<string, T>()
  #lastRaw: string | undefined
  #last: T | undefined

  constructor(readonly map: (raw: string | undefined) => T) {}

  get(raw: string | undefined): T {
    if (raw === this.#lastRaw && raw !== undefined) return this.#last as T
    if (raw === undefined) return this.map(raw)
    let mapped = this.#seen.get(raw)
    if (mapped === undefined && !this.#seen.has(raw)) {
      mapped = this.map(raw)
      if (this.#seen.size < 50_000) this.#seen.set(raw, mapped)
    }
    this.#lastRaw = raw
    this.#last = mapped
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
