/**
 * @module
 * Intake: records from every reader in, indicators and rejections out. Each value is
 * classified; duplicates are merged per family; every indicator is checked against the
 * warninglists. Nothing is dropped: a value that fails lands in `rejections` with its reason.
 *
 * Built for millions of records: one map lookup per record with no key to build, arrays shared
 * until written (see `shared`), warninglists checked once per merged indicator.
 */

import { type Classified, type ClassifyOptions, classify } from './classify.ts'
import type {
  Indicator,
  IndicatorKind,
  IntelRecord,
  Rejection,
  RejectionCode,
} from './indicator.ts'
import { WarninglistSet } from './warninglist.ts'

export interface IntakeOptions {
  /** Lists to flag indicators with; the built-in special-use lists when absent. */
  warninglists?: WarninglistSet
}

export interface IntakeResult {
  /** Merged indicators in order of first appearance. */
  indicators: Indicator[]
  /** Refused records in input order. */
  rejections: Rejection[]
  /** Records read, accepted or not. */
  recordCount: number
}

const LIVE: ClassifyOptions = { defanged: false }
const DEFANGED: ClassifyOptions = { defanged: true }

let builtIn: WarninglistSet | undefined

/**
 * Classify, merge and flag. Duplicates are keyed by kind, canonical value and family (id, else
 * name, case-insensitive): a value two families share belongs to both packs, so it stays two
 * indicators. A merge keeps the earliest first-seen, latest last-seen and highest confidence,
 * unites tags, aliases, threat types, references and reporters in order of first appearance,
 * and appends every source.
 *
 * @example intake(records).indicators.map((i) => i.value) // ['evil.com', '1.2.3.4:443']
 */
export function intake(records: Iterable<IntelRecord>, options?: IntakeOptions): IntakeResult {
  const indicators: Indicator[] = []
  const rejections: Rejection[] = []
  // Keyed by canonical value alone: the value already exists, so a lookup allocates nothing, and
  // no two kinds share a canonical value. The rare value held by several families keeps an array.
  const byValue = new Map<string, Indicator | Indicator[]>()
  let recordCount = 0

  for (const record of records) {
    recordCount++
    if (record.notForDetection !== undefined) {
      rejections.push(reject(record, 'not-for-detection', record.notForDetection))
      continue
    }
    if (record.type !== undefined && record.claimedKind === undefined) {
      const type = JSON.stringify(record.type)
      rejections.push(reject(record, 'unknown-type', `the feed type ${type} is not one we hunt`))
      continue
    }
    const result = classify(record.value, record.claimedKind, record.defanged ? DEFANGED : LIVE)
    if (!result.ok) {
      rejections.push(reject(record, result.code, result.reason))
      continue
    }
    const found = byValue.get(result.value)
    const same = found === undefined ? undefined : sameIndicator(found, result.kind, record)
    if (same !== undefined) {
      merge(same, record)
      continue
    }
    const indicator = create(result, record)
    indicators.push(indicator)
    if (found === undefined) byValue.set(result.value, indicator)
    else if (Array.isArray(found)) found.push(indicator)
    else byValue.set(result.value, [found, indicator])
  }

  builtIn ??= WarninglistSet.builtIn()
  const lists = options?.warninglists ?? builtIn
  for (const indicator of indicators) {
    const names = lists.match(indicator)
    if (names.length > 0) indicator.warninglists = names
  }
  return { indicators, rejections, recordCount }
}

/**
 * The family a record or indicator belongs to for merging: its id when it has one, else its
 * name ignoring case. An indicator's key never changes, since only records with the same key
 * merge into it.
 */
function familyKey(item: { family?: string; familyId?: string }): string {
  return item.familyId ?? item.family?.toLowerCase() ?? ''
}

function sameIndicator(
  found: Indicator | Indicator[],
  kind: IndicatorKind,
  record: IntelRecord,
): Indicator | undefined {
  const key = familyKey(record)
  if (!Array.isArray(found))
    return found.kind === kind && familyKey(found) === key ? found : undefined
  return found.find((indicator) => indicator.kind === kind && familyKey(indicator) === key)
}

function create(result: Extract<Classified, { ok: true }>, record: IntelRecord): Indicator {
  // Every field is set, even when undefined, so that all indicators share one object shape:
  // later stages loop over a million of them, and mixed shapes make each access slow.
  return {
    kind: result.kind,
    value: result.value,
    original: record.value,
    ip: result.ip,
    port: result.port,
    family: record.family,
    familyId: record.familyId,
    aliases: sharedList(record.aliases),
    threatTypes: shared(record.threatType),
    confidence: record.confidence,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
    tags: sharedList(record.tags),
    references: record.reference === undefined ? (EMPTY as string[]) : [record.reference],
    reporters: shared(record.reporter),
    sources: [record.source],
    warninglists: EMPTY as string[],
  }
}

function merge(into: Indicator, record: IntelRecord): void {
  into.sources.push(record.source)
  if (record.familyId !== undefined) into.familyId ??= record.familyId
  if (record.family !== undefined) into.family ??= record.family
  if (record.confidence !== undefined && !(record.confidence <= (into.confidence ?? -1))) {
    into.confidence = record.confidence
  }
  if (record.firstSeen !== undefined && !(earlier(into.firstSeen, record.firstSeen) ?? false)) {
    into.firstSeen = record.firstSeen
  }
  if (record.lastSeen !== undefined && (earlier(into.lastSeen, record.lastSeen) ?? true)) {
    into.lastSeen = record.lastSeen
  }
  for (const alias of record.aliases ?? EMPTY) addTo(into, 'aliases', alias)
  for (const tag of record.tags ?? EMPTY) addTo(into, 'tags', tag)
  if (record.threatType !== undefined) addTo(into, 'threatTypes', record.threatType)
  if (record.reference !== undefined) addTo(into, 'references', record.reference)
  if (record.reporter !== undefined) addTo(into, 'reporters', record.reporter)
}

type ListField = 'aliases' | 'tags' | 'threatTypes' | 'references' | 'reporters'

/** Add once, in order of first appearance; a shared frozen array is copied before its change. */
function addTo(indicator: Indicator, field: ListField, item: string): void {
  const items = indicator[field]
  if (items.includes(item)) return
  if (Object.isFrozen(items)) indicator[field] = [...items, item]
  else items.push(item)
}

/**
 * Most indicators have no aliases and no warninglist, and thousands share one threat type,
 * reporter or tag list. Those arrays are shared and frozen rather than allocated per indicator (a million
 * indicators would otherwise carry millions of identical arrays); a frozen array throws on
 * `push`, so a consumer that changes one in place fails loudly instead of changing them all.
 */
const EMPTY: readonly string[] = Object.freeze([])
const singletons = new Map<string, readonly string[]>()
const lists = new Map<string, readonly string[]>()

function shared(item: string | undefined): string[] {
  if (item === undefined) return EMPTY as string[]
  let items = singletons.get(item)
  if (items === undefined) {
    items = Object.freeze([item])
    // Bounded: a feed with a distinct threat type per record gains nothing from sharing.
    if (singletons.size < 1024) singletons.set(item, items)
  }
  return items as string[]
}

/**
 * Whether `kept` is before `other`; undefined when `kept` is absent. Compared as instants, not
 * text, so `…28Z` and `…28.000Z` are the same moment.
 */
function earlier(kept: string | undefined, other: string): boolean | undefined {
  if (kept === undefined) return undefined
  if (kept === other) return true
  const a = Date.parse(kept)
  const b = Date.parse(other)
  return Number.isNaN(a) || Number.isNaN(b) ? kept < other : a <= b
}

/** Like `shared`, for whole lists (`['AsyncRAT', 'RAT']` recurs across a family's records). */
function sharedList(items: readonly string[] | undefined): string[] {
  if (items === undefined || items.length === 0) return EMPTY as string[]
  if (items.length === 1) return shared(items[0])
  const key = items.join('\u0000')
  let list = lists.get(key)
  if (list === undefined) {
    list = Object.freeze([...new Set(items)])
    if (lists.size < 4096) lists.set(key, list)
  }
  return list as string[]
}

function reject(record: IntelRecord, code: RejectionCode, reason: string): Rejection {
  const rejection: Rejection = { code, reason, original: record.value, source: record.source }
  if (record.type !== undefined) rejection.claimedType = record.type
  if (record.family !== undefined) rejection.family = record.family
  if (record.familyId !== undefined) rejection.familyId = record.familyId
  if (record.threatType !== undefined) rejection.threatType = record.threatType
  return rejection
}
