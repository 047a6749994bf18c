/**
 * @module
 * Reading the store: what is live (not expired, still carried by some source), counts for
 * `store stats`, the changes between two times for `diff`, and the live indicators as records
 * for `build --from-store`.
 */
import { statSync } from 'node:fs'
import type { IntelLoad } from '../build.ts'
import type { ClaimedKind, IntelRecord } from '../intel/indicator.ts'
import type { IntelFormat } from '../intel/readers/types.ts'
import { type ExpiryPolicy, expirySql } from './expiry.ts'
import type { IndicatorAttrs } from './ingest.ts'
import { SCHEMA_VERSION } from './schema.ts'
import type { Store } from './store.ts'

/** SQL: the indicator `i` is carried by no source any more. */
const REMOVED = `NOT EXISTS (SELECT 1 FROM presence p
  WHERE p.indicator_id = i.id AND p.removed_at IS NULL)`

function liveSql(policy: ExpiryPolicy, now: number): string {
  const expires = expirySql(policy)
  return `(${expires} IS NULL OR ${expires} > ${now}) AND NOT ${REMOVED}`
}

export interface SourceStats {
  source: string
  pulls: number
  lastPull: string
  lastMode: string
  /** Indicators this source still carries. */
  carried: number
}

export interface StoreStats {
  path: string
  bytes: number
  schemaVersion: number
  indicators: number
  live: number
  expired: number
  removed: number
  sightings: number
  pulls: number
  byKind: { kind: string; indicators: number; live: number }[]
  sources: SourceStats[]
  /** The last `build --from-store`: when, where, how many packs. */
  lastBuild?: { at: string; out: string; packs: number }
}

export async function storeStats(
  store: Store,
  policy: ExpiryPolicy,
  now = Date.now(),
): Promise<StoreStats> {
  const expires = expirySql(policy)
  const totals = await store.one(
    `SELECT count(*) AS indicators,
       count(*) FILTER (WHERE ${liveSql(policy, now)}) AS live,
       count(*) FILTER (WHERE ${expires} IS NOT NULL AND ${expires} <= ${now}) AS expired,
       count(*) FILTER (WHERE ${REMOVED}) AS removed
     FROM indicators i`,
  )
  const byKind = await store.all(
    `SELECT kind, count(*) AS indicators, count(*) FILTER (WHERE ${liveSql(policy, now)}) AS live
     FROM indicators i GROUP BY kind ORDER BY kind`,
  )
  const sources = await store.all(
    `SELECT p.source, count(*) AS pulls, max(p.finished) AS last,
       arg_max(p.mode, p.id) AS mode,
       (SELECT count(*) FROM presence r WHERE r.source = p.source AND r.removed_at IS NULL)
         AS carried
     FROM pulls p GROUP BY p.source ORDER BY p.source`,
  )
  const sightings = await store.one('SELECT count(*) AS n FROM sightings')
  const pulls = await store.one('SELECT count(*) AS n FROM pulls')
  const build = await store.one(
    `SELECT built_at, any_value(out_dir) AS out, count(*) AS packs FROM packs
     WHERE built_at = (SELECT max(built_at) FROM packs) GROUP BY built_at`,
  )
  return {
    path: store.path,
    bytes: statSync(store.path).size,
    schemaVersion: SCHEMA_VERSION,
    indicators: Number(totals.indicators),
    live: Number(totals.live),
    expired: Number(totals.expired),
    removed: Number(totals.removed),
    sightings: Number(sightings.n),
    pulls: Number(pulls.n),
    byKind: byKind.map((r) => ({
      kind: String(r.kind),
      indicators: Number(r.indicators),
      live: Number(r.live),
    })),
    sources: sources.map((r) => ({
      source: String(r.source),
      pulls: Number(r.pulls),
      lastPull: new Date(Number(r.last)).toISOString(),
      lastMode: String(r.mode),
      carried: Number(r.carried),
    })),
    lastBuild:
      build.built_at === undefined
        ? undefined
        : {
            at: new Date(Number(build.built_at)).toISOString(),
            out: String(build.out),
            packs: Number(build.packs),
          },
  }
}

export const DIFF_CHANGES = ['new', 'changed', 'expired', 'removed'] as const
export type DiffChange = (typeof DIFF_CHANGES)[number]

export interface DiffEntry {
  change: DiffChange
  kind: string
  value: string
  family: string
  /** When the change happened (ISO). */
  at: string
  /** The source that removed it (`removed`) or whose pull changed it. */
  source?: string
}

export interface FamilyDiff {
  family: string
  counts: Record<DiffChange, number>
  entries: DiffEntry[]
}

/**
 * What changed in (since, until]: indicators first stored, changed by a pull, expired under the
 * policy, or removed by a source's full list. An indicator new in the window is listed as new
 * only. Families in name order; entries by change, then time, then value.
 */
export async function diffStore(
  store: Store,
  window: { since: number; until: number },
  policy: ExpiryPolicy,
): Promise<FamilyDiff[]> {
  const { since, until } = window
  const family = "coalesce(i.family, i.family_id, '(no family)')"
  const expires = expirySql(policy)
  const rows = await store.all(
    `WITH firsts AS (
       SELECT indicator_id, min(changed_at) AS first_at FROM changes WHERE change = 'added'
       GROUP BY indicator_id
     ),
     news AS (
       SELECT indicator_id, first_at FROM firsts WHERE first_at > ${since} AND first_at <= ${until}
     ),
     entries AS (
       SELECT 'new' AS change, n.indicator_id, n.first_at AS at,
              (SELECT min(source) FROM changes c WHERE c.indicator_id = n.indicator_id
                 AND c.change = 'added') AS source
       FROM news n
       UNION ALL
       SELECT 'changed', c.indicator_id, max(c.changed_at), arg_max(c.source, c.changed_at)
       FROM changes c
       WHERE c.change = 'changed' AND c.changed_at > ${since} AND c.changed_at <= ${until}
         AND c.indicator_id NOT IN (SELECT indicator_id FROM news)
       GROUP BY c.indicator_id
       UNION ALL
       SELECT 'removed', c.indicator_id, c.changed_at, c.source
       FROM changes c
       WHERE c.change = 'removed' AND c.changed_at > ${since} AND c.changed_at <= ${until}
       UNION ALL
       SELECT 'expired', i.id, ${expires}, NULL FROM indicators i
       WHERE ${expires} > ${since} AND ${expires} <= ${until}
     )
     SELECT e.change, i.kind, i.value, ${family} AS family, e.at, e.source
     FROM entries e JOIN indicators i ON i.id = e.indicator_id
     ORDER BY family, CASE e.change WHEN 'new' THEN 0 WHEN 'changed' THEN 1
       WHEN 'expired' THEN 2 ELSE 3 END, e.at, i.value, e.source`,
  )
  const families = new Map<string, FamilyDiff>()
  for (const row of rows) {
    const name = String(row.family)
    let diff = families.get(name)
    if (diff === undefined) {
      diff = { family: name, counts: { new: 0, changed: 0, expired: 0, removed: 0 }, entries: [] }
      families.set(name, diff)
    }
    const change = row.change as DiffChange
    diff.counts[change]++
    const entry: DiffEntry = {
      change,
      kind: String(row.kind),
      value: String(row.value),
      family: name,
      at: new Date(Number(row.at)).toISOString(),
    }
    if (row.source !== null && row.source !== undefined) entry.source = String(row.source)
    diff.entries.push(entry)
  }
  return [...families.values()]
}

/** Formats a feed label may carry into `build`, so pages name the service (ThreatFox). */
const KNOWN_FORMATS = new Set<string>([
  'threatfox-csv',
  'threatfox-json',
  'threatfox-api',
  'stix',
  'misp',
  'feodo-csv',
  'ioc-json',
  'markdown',
  'text',
])

/**
 * The live indicators as one record each (plus one per further threat type, reference or
 * reporter, which intake merges back), in the order they were first stored, so `build` packs
 * them exactly as it packs files.
 */
export async function loadFromStore(
  store: Store,
  policy: ExpiryPolicy,
  now = Date.now(),
): Promise<IntelLoad> {
  const rows = await store.all(
    `SELECT i.kind, i.value, i.family, i.family_id, i.attrs, i.confidence, i.first_seen,
       i.last_seen, i.feed, i.record
     FROM indicators i WHERE ${liveSql(policy, now)} ORDER BY i.id`,
  )
  const formatOf = new Map<string, string>()
  for (const row of await store.all(
    `SELECT s.feed, arg_max(p.format, p.id) AS format
     FROM sightings s JOIN pulls p ON p.id = s.pull_id GROUP BY s.feed`,
  )) {
    formatOf.set(String(row.feed), String(row.format))
  }
  const records: IntelRecord[] = []
  const feeds = new Map<string, { format: IntelFormat; records: number }>()
  for (const row of rows) {
    const feed = String(row.feed)
    const format = formatOf.get(feed) ?? 'text'
    const entry = feeds.get(feed) ?? {
      format: (KNOWN_FORMATS.has(format) ? format : 'text') as IntelFormat,
      records: 0,
    }
    entry.records++
    feeds.set(feed, entry)
    const attrs = JSON.parse(String(row.attrs)) as IndicatorAttrs
    const { threatTypes, references: refs, reporters } = attrs
    const extra = Math.max(1, threatTypes.length, refs.length, reporters.length)
    for (let n = 0; n < extra; n++) {
      records.push({
        value: String(row.value),
        claimedKind: row.kind as ClaimedKind,
        defanged: false,
        family: (row.family as string | null) ?? undefined,
        familyId: (row.family_id as string | null) ?? undefined,
        aliases: attrs.aliases,
        threatType: threatTypes[n],
        confidence: (row.confidence as number | null) ?? undefined,
        firstSeen: new Date(Number(row.first_seen)).toISOString().replace('.000Z', 'Z'),
        lastSeen: new Date(Number(row.last_seen)).toISOString().replace('.000Z', 'Z'),
        tags: attrs.tags,
        reference: refs[n],
        reporter: reporters[n],
        source: { feed, record: (row.record as string | null) ?? undefined },
      })
    }
  }
  return {
    feeds: [...feeds].map(([file, f]) => ({ file, format: f.format, records: f.records })),
    records,
  }
}

/** Records the packs a build from the store wrote. */
export async function recordPacks(
  store: Store,
  out: string,
  packs: { id: string; name: string; indicators: number; hunts: number }[],
  now = Date.now(),
): Promise<void> {
  await store.transaction(async () => {
    for (const pack of packs) {
      await store.run('INSERT INTO packs VALUES (?, ?, ?, ?, ?, ?)', [
        pack.id,
        pack.name,
        now,
        out,
        pack.indicators,
        pack.hunts,
      ] as never)
    }
  })
}
