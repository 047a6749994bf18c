/**
 * @module
 * One pull into the store. The documents a client fetched are read and taken in (as `build`
 * does) before anything is written; the indicators are then appended to a staging table in
 * chunks and merged with set-based SQL (`INSERT … SELECT`, `UPDATE … FROM`), all inside one
 * transaction: a pull commits whole or leaves the store as it was. A source's latest documents
 * fetched again are recognised by their fingerprint and not stored twice.
 */
import { createHash } from 'node:crypto'
import { DOUBLE, DuckDBDataChunk, type DuckDBType, INTEGER, VARCHAR } from '@duckdb/node-api'
import type { Indicator, IntelRecord } from '../intel/indicator.ts'
import { intake } from '../intel/intake.ts'
import { readIntel } from '../intel/readers/index.ts'
import type { IntelFormat } from '../intel/readers/types.ts'
import { WarninglistSet } from '../intel/warninglist.ts'
import type { Store } from './store.ts'

/** One fetched file or reply, as text. */
export interface PullDocument {
  /** Where it came from, for messages and record locations (never a secret). */
  label: string
  text: string
  /** Forced format; detected from the content when absent. */
  format?: IntelFormat
}

export interface PullInput {
  /** The feed as the store names it: `threatfox`, `misp:host`, `file:feed.csv`. */
  source: string
  /** How it was fetched: `api`, `export-recent`, `export-full`, `events`, `feed`, `taxii`, `file`. */
  mode: string
  /**
   * The documents are the source's whole current list: indicators of this source missing from
   * them are marked removed by it.
   */
  full: boolean
  documents: PullDocument[]
  /** Where the next pull may start (TAXII `X-TAXII-Date-Added-Last`). */
  cursor?: string
  /** When the fetch began (ms); defaults to `now`. */
  started?: number
}

export interface PullResult {
  /** `ok`, or `unchanged` when the source's latest pull `pull` stored the same documents. */
  status: 'ok' | 'unchanged'
  pull: number
  source: string
  records: number
  indicators: number
  rejected: number
  added: number
  changed: number
  removed: number
  format: string
}

/** Records from each document, read as `build` reads files; a bad document throws first. */
export function readDocuments(documents: readonly PullDocument[]): {
  records: IntelRecord[]
  format: string
} {
  const records: IntelRecord[] = []
  const formats = new Set<string>()
  for (const document of documents) {
    const result = readIntel(document.text.replace(/^\uFEFF/, ''), document.label, document.format)
    formats.add(result.format)
    for (const record of result.records) records.push(record)
  }
  return { records, format: [...formats].join('+') || 'none' }
}

const NO_WARNINGLISTS = new WarninglistSet()

export function fingerprint(input: PullInput): string {
  const hash = createHash('sha256')
  hash.update(`${input.source}\0${input.mode}\0${input.full}\0`)
  for (const document of input.documents) {
    hash.update(document.text)
    hash.update('\0')
  }
  return hash.digest('hex')
}

/**
 * Reads, takes in and stores one pull. Nothing is written until every document has been read;
 * the writing is one transaction.
 */
export async function pullIntoStore(
  store: Store,
  input: PullInput,
  options: { now?: number } = {},
): Promise<PullResult> {
  const now = options.now ?? Date.now()
  const print = fingerprint(input)
  let read: ReturnType<typeof readDocuments> | undefined = readDocuments(input.documents)
  // Only the source's latest pull counts: the same list again after a different one is news.
  const latest = await store.one(
    'SELECT id, fingerprint FROM pulls WHERE source = ? ORDER BY id DESC LIMIT 1',
    [input.source],
  )
  const same = latest.fingerprint === print ? latest : {}
  // Warninglists flag values when packs are built, not in the store: none are checked here.
  const taken = intake(read.records, { warninglists: NO_WARNINGLISTS })
  const format = read.format
  // The records are not needed once taken in; on a large feed they are most of the memory.
  read = undefined
  const base: Omit<PullResult, 'status' | 'pull' | 'added' | 'changed' | 'removed'> = {
    source: input.source,
    records: taken.recordCount,
    indicators: taken.indicators.length,
    rejected: taken.rejections.length,
    format,
  }
  if (same.id !== undefined) {
    return { ...base, status: 'unchanged', pull: Number(same.id), added: 0, changed: 0, removed: 0 }
  }

  await store.run(`CREATE OR REPLACE TEMP TABLE stage (${STAGE_COLUMNS.join(', ')})`)
  try {
    await stage(store, taken.indicators, now)
    return await store.transaction(() => merge(store, input, base, print, now))
  } finally {
    await store.run('DROP TABLE IF EXISTS stage')
    await store.run('DROP TABLE IF EXISTS stage_dict')
    await store.run('DROP TABLE IF EXISTS matched')
  }
}

/**
 * Texts that repeat across indicators (kind, family, lists, feed) are staged as numbers into a
 * dictionary (`stage_dict`): passing a string from JavaScript to DuckDB is the costly part of
 * staging, and these few distinct strings are then passed once each.
 */
const STAGE_COLUMNS = [
  'kind_n INTEGER',
  'value VARCHAR',
  'family_n INTEGER',
  'family_id_n INTEGER',
  'original VARCHAR',
  'ip VARCHAR',
  'port INTEGER',
  'attrs_n INTEGER',
  'confidence INTEGER',
  'first_seen DOUBLE',
  'last_seen DOUBLE',
  'feed_n INTEGER',
  'record VARCHAR',
]

/** The staged rows with their dictionary texts, in feed order (`ord` from 1). */
const STAGED = `(
  SELECT st.rowid + 1 AS ord, dk.text AS kind, st.value, df.text AS family,
         di.text AS family_id, st.original, st.ip, st.port, da.text AS attrs, st.confidence,
         st.first_seen, st.last_seen, dfe.text AS feed, st.record
  FROM stage st
  JOIN stage_dict dk ON dk.n = st.kind_n
  LEFT JOIN stage_dict df ON df.n = st.family_n
  LEFT JOIN stage_dict di ON di.n = st.family_id_n
  JOIN stage_dict da ON da.n = st.attrs_n
  JOIN stage_dict dfe ON dfe.n = st.feed_n
)`

const STAGE_TYPES: DuckDBType[] = STAGE_COLUMNS.map((column) =>
  column.endsWith('INTEGER') ? INTEGER : column.endsWith('DOUBLE') ? DOUBLE : VARCHAR,
)

/** DuckDB's vector size: one appended chunk. */
const CHUNK = 2048

async function stage(store: Store, indicators: readonly Indicator[], now: number): Promise<void> {
  const attrs = attrsWriter()
  const dictionary = new Map<string, number>()
  const code = (text: string | undefined) => {
    if (text === undefined) return null
    let n = dictionary.get(text)
    if (n === undefined) {
      n = dictionary.size
      dictionary.set(text, n)
    }
    return n
  }
  const appender = await store.db.createAppender('stage', 'main', 'temp')
  const columns = STAGE_COLUMNS.length
  for (let start = 0; start < indicators.length; start += CHUNK) {
    const size = Math.min(CHUNK, indicators.length - start)
    const values: unknown[][] = Array.from({ length: columns }, () => new Array(size))
    for (let row = 0; row < size; row++) {
      const i = indicators[start + row] as Indicator
      const first = time(i.firstSeen) ?? now
      const last = Math.max(time(i.lastSeen) ?? first, first)
      const source = i.sources[0]
      let c = 0
      ;(values[c++] as unknown[])[row] = code(i.kind)
      ;(values[c++] as unknown[])[row] = i.value
      ;(values[c++] as unknown[])[row] = code(i.family)
      ;(values[c++] as unknown[])[row] = code(i.familyId)
      ;(values[c++] as unknown[])[row] = i.original === i.value ? null : i.original
      ;(values[c++] as unknown[])[row] = i.ip ?? null
      ;(values[c++] as unknown[])[row] = i.port ?? null
      ;(values[c++] as unknown[])[row] = code(attrs(i))
      ;(values[c++] as unknown[])[row] = i.confidence ?? null
      ;(values[c++] as unknown[])[row] = first
      ;(values[c++] as unknown[])[row] = last
      ;(values[c++] as unknown[])[row] = code(source?.feed ?? '')
      ;(values[c++] as unknown[])[row] = source?.record ?? null
    }
    const chunk = DuckDBDataChunk.create(STAGE_TYPES, size)
    for (let c = 0; c < columns; c++) chunk.setColumnValues(c, values[c] as never)
    appender.appendDataChunk(chunk)
  }
  appender.closeSync()

  await store.run('CREATE OR REPLACE TEMP TABLE stage_dict (n INTEGER, text VARCHAR)')
  const words = await store.db.createAppender('stage_dict', 'main', 'temp')
  const texts = [...dictionary.keys()]
  for (let start = 0; start < texts.length; start += CHUNK) {
    const part = texts.slice(start, start + CHUNK)
    const chunk = DuckDBDataChunk.create([INTEGER, VARCHAR], part.length)
    chunk.setColumnValues(
      0,
      part.map((_, n) => start + n),
    )
    chunk.setColumnValues(1, part)
    words.appendDataChunk(chunk)
  }
  words.closeSync()
}

/** The stored shape of an indicator's lists. */
export interface IndicatorAttrs {
  aliases: string[]
  threatTypes: string[]
  tags: string[]
  references: string[]
  reporters: string[]
}

/**
 * JSON of an indicator's lists. Intake shares list arrays between indicators, so the text is
 * cached by the identity of the five arrays (bounded).
 */
function attrsWriter(): (i: Indicator) => string {
  const ids = new Map<readonly string[], number>()
  const texts = new Map<string, string>()
  const idOf = (items: readonly string[]) => {
    let id = ids.get(items)
    if (id === undefined && ids.size < 65_536) {
      id = ids.size
      ids.set(items, id)
    }
    return id
  }
  return (i) => {
    const lists = [i.aliases, i.threatTypes, i.tags, i.references, i.reporters]
    const keys = lists.map(idOf)
    const key = keys.includes(undefined) ? undefined : keys.join(',')
    let text = key === undefined ? undefined : texts.get(key)
    if (text === undefined) {
      const value: IndicatorAttrs = {
        aliases: i.aliases,
        threatTypes: i.threatTypes,
        tags: i.tags,
        references: i.references,
        reporters: i.reporters,
      }
      text = JSON.stringify(value)
      if (key !== undefined && texts.size < 65_536) texts.set(key, text)
    }
    return text
  }
}

function time(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined
  const ms = Date.parse(iso)
  return Number.isNaN(ms) ? undefined : ms
}

/** Attributes whose change makes a `changed` entry; times are history, not change. */
const ATTRIBUTES = ['family', 'family_id', 'attrs']

async function merge(
  store: Store,
  input: PullInput,
  base: Omit<PullResult, 'status' | 'pull' | 'added' | 'changed' | 'removed'>,
  print: string,
  now: number,
): Promise<PullResult> {
  const pull = Number((await store.one('SELECT coalesce(max(id), 0) + 1 AS id FROM pulls')).id)
  const top = Number((await store.one('SELECT coalesce(max(id), 0) AS id FROM indicators')).id)
  const source = input.source

  // 1. Each staged indicator, its stored id (new ones get the next free ids) and whether it
  //    changed.
  const differs = ATTRIBUTES.map((a) => `s.${a} IS DISTINCT FROM i.${a}`)
  differs.push('(s.confidence IS NOT NULL AND s.confidence IS DISTINCT FROM i.confidence)')
  await store.run(
    `CREATE OR REPLACE TEMP TABLE matched AS
     SELECT s.*, i.id AS old_id, coalesce(i.id, ${top} + s.ord) AS id,
            i.id IS NOT NULL AND (${differs.join(' OR ')}) AS changed
     FROM (SELECT *, coalesce(family_id, lower(family), '') AS family_key FROM ${STAGED}) s
     LEFT JOIN indicators i
       ON i.kind = s.kind AND i.value = s.value AND i.family_key = s.family_key`,
  )

  // 2. Known indicators take this pull's attributes and widen their seen times.
  await store.run(
    `UPDATE indicators SET
       family = coalesce(m.family, indicators.family),
       family_id = coalesce(m.family_id, indicators.family_id),
       attrs = m.attrs,
       confidence = coalesce(m.confidence, indicators.confidence),
       first_seen = least(indicators.first_seen, CAST(m.first_seen AS BIGINT)),
       last_seen = greatest(indicators.last_seen, CAST(m.last_seen AS BIGINT)),
       last_pulled = ${now}, feed = m.feed, record = m.record
     FROM matched m WHERE indicators.id = m.old_id`,
  )

  // 3. New indicators; ids follow feed order, so readers order by id.
  await store.run(
    `INSERT INTO indicators
     SELECT id, kind, value, family_key, family, family_id, original, ip, port, attrs,
            confidence, CAST(first_seen AS BIGINT),
            CAST(last_seen AS BIGINT), ${now}, ${now}, feed, record
     FROM matched WHERE old_id IS NULL`,
  )

  // 4. The sightings of this pull.
  await store.run(
    `INSERT INTO sightings SELECT id, ${pull}, ?, ${now}, feed, record FROM matched`,
    [source],
  )

  // 5. Presence per source: seen again (and no longer removed), or seen for the first time.
  await store.run(
    `UPDATE presence SET last_pulled = ${now}, removed_at = NULL, removed_pull = NULL
     FROM matched m WHERE presence.indicator_id = m.id AND presence.source = ?`,
    [source],
  )
  await store.run(
    `INSERT INTO presence
     SELECT m.id, ?, ${now}, ${now}, NULL, NULL FROM matched m
     WHERE NOT EXISTS (SELECT 1 FROM presence p WHERE p.source = ? AND p.indicator_id = m.id)`,
    [source, source],
  )

  // 6. A full list removes, for this source, what it no longer carries.
  let removed = 0
  if (input.full) {
    await store.run(
      `INSERT INTO changes
       SELECT p.indicator_id, ${pull}, ${now}, 'removed', ? FROM presence p
       WHERE p.source = ? AND p.removed_at IS NULL
         AND NOT EXISTS (SELECT 1 FROM matched m WHERE m.id = p.indicator_id)`,
      [source, source],
    )
    await store.run(
      `UPDATE presence SET removed_at = ${now}, removed_pull = ${pull}
       FROM changes c
       WHERE c.pull_id = ${pull} AND c.change = 'removed'
         AND presence.indicator_id = c.indicator_id AND presence.source = ?`,
      [source],
    )
    removed = Number(
      (
        await store.one(
          `SELECT count(*) AS n FROM changes WHERE pull_id = ${pull} AND change = 'removed'`,
        )
      ).n,
    )
  }

  // 7. What this pull added and changed.
  await store.run(
    `INSERT INTO changes
     SELECT id, ${pull}, ${now}, CASE WHEN old_id IS NULL THEN 'added' ELSE 'changed' END, ?
     FROM matched WHERE old_id IS NULL OR changed`,
    [source],
  )
  const counts = await store.one(
    `SELECT count(*) FILTER (WHERE old_id IS NULL) AS added,
            count(*) FILTER (WHERE changed) AS changed
     FROM matched`,
  )
  const added = Number(counts.added)
  const changed = Number(counts.changed)

  await store.run('INSERT INTO pulls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
    pull,
    source,
    input.mode,
    input.full,
    base.format,
    input.started ?? now,
    now,
    'ok',
    print,
    input.cursor ?? null,
    base.records,
    base.indicators,
    base.rejected,
    added,
    changed,
    removed,
  ] as never)
  return { ...base, status: 'ok', pull, added, changed, removed }
}
