/**
 * @module
 * Packs: the indicators of one malware family (or threat type, or everything) that are hunted
 * together, with what was kept out of the hunts and why. Grouping and filtering live here;
 * hunts, queries and pages are built from a pack elsewhere.
 */
import type { Indicator, Rejection } from '../intel/indicator.ts'

export const GROUP_BY = ['family', 'threat-type', 'none'] as const
export type GroupBy = (typeof GROUP_BY)[number]

export interface PackFilters {
  /** Family names, ids or aliases, case-insensitive; empty keeps every family. */
  families?: string[]
  /** Keep indicators whose confidence is at least this; unknown confidence fails the filter. */
  minConfidence?: number
  /** ISO time; keep indicators last (or first) seen at or after it. */
  since?: string
}

export interface PackOptions extends PackFilters {
  groupBy: GroupBy
  /** Hunt warninglisted indicators too instead of listing them apart. */
  includeWarninglisted?: boolean
  /** Title prefix, usually the feed's name (`ThreatFox`), or a function of the pack's feeds. */
  feedTitle: string | ((feeds: string[]) => string)
}

export interface Pack {
  /** File-name safe and unique among the packs of one build (`xworm`, `cobalt-strike`). */
  id: string
  /** What the pack is about: a family display name, a threat type, or `All`. */
  name: string
  title: string
  groupBy: GroupBy
  familyId?: string
  aliases: string[]
  /** Feed labels (file names) the indicators came from. */
  feeds: string[]
  /** Indicators the hunts look for. */
  indicators: Indicator[]
  /** Indicators held by a warninglist, listed but not hunted. */
  warninglisted: Indicator[]
  /** Values of this pack's records that were refused, with the reason. */
  rejections: Rejection[]
}

export interface PackingResult {
  packs: Pack[]
  /** Rejections that belong to no pack (no family, or a family with nothing valid left). */
  unassignedRejections: Rejection[]
  /** How many indicators each filter removed, for the summary. */
  filtered: { family: number; confidence: number; since: number }
  /** `--family` names that matched no indicator or rejection: likely a typo. */
  unmatchedFamilies: string[]
}

const UNKNOWN_FAMILY = 'Unknown family'

export function packIndicators(
  indicators: readonly Indicator[],
  rejections: readonly Rejection[],
  options: PackOptions,
): PackingResult {
  const filtered = { family: 0, confidence: 0, since: 0 }
  const familyFilter = normaliseNames(options.families)
  const matchedFamilies = new Set<string>()
  const groups = new Map<string, Pack>()

  for (const indicator of indicators) {
    if (familyFilter && !familyMatches(familyFilter, indicator, matchedFamilies)) {
      filtered.family++
      continue
    }
    if (
      options.minConfidence !== undefined &&
      (indicator.confidence === undefined || indicator.confidence < options.minConfidence)
    ) {
      filtered.confidence++
      continue
    }
    if (options.since !== undefined && (lastSeen(indicator) ?? '') < options.since) {
      filtered.since++
      continue
    }
    for (const key of groupKeys(indicator, options.groupBy)) {
      const pack = groups.get(key) ?? newPack(key, indicator, options)
      groups.set(key, pack)
      addIndicator(pack, indicator, options)
    }
  }

  const unassignedRejections: Rejection[] = []
  for (const rejection of rejections) {
    if (familyFilter && !familyMatches(familyFilter, rejection, matchedFamilies)) continue
    const key = groupKeys(rejection, options.groupBy)[0]
    const pack = key === undefined ? undefined : groups.get(key)
    if (pack) pack.rejections.push(rejection)
    else unassignedRejections.push(rejection)
  }

  const packs = [...groups.values()].sort(byName)
  assignIds(packs)
  for (const pack of packs) {
    const prefix =
      typeof options.feedTitle === 'string' ? options.feedTitle : options.feedTitle(pack.feeds)
    pack.title = `${prefix}: ${pack.name} IOCs`
  }
  const unmatchedFamilies = (options.families ?? []).filter(
    (name) => !matchedFamilies.has(name.trim().toLowerCase()),
  )
  return { packs, unassignedRejections, filtered, unmatchedFamilies }
}

function groupKeys(item: GroupItem, groupBy: GroupBy): string[] {
  if (groupBy === 'none') return ['all']
  if (groupBy === 'threat-type') {
    const types = 'threatTypes' in item ? item.threatTypes : [item.threatType]
    const known = types.filter((t): t is string => Boolean(t))
    return known.length > 0 ? known.map((t) => `t:${t}`) : ['t:unknown']
  }
  return [`f:${(item.familyId ?? item.family ?? '').toLowerCase()}`]
}

type GroupItem = Pick<Indicator, 'family' | 'familyId' | 'threatTypes'> | Rejection

function newPack(key: string, first: Indicator, options: PackOptions): Pack {
  let name: string
  if (options.groupBy === 'none') name = 'All'
  else if (options.groupBy === 'threat-type')
    name = key.slice(2) === 'unknown' ? 'Unknown threat type' : key.slice(2)
  else name = first.family ?? first.familyId ?? UNKNOWN_FAMILY
  return {
    id: '',
    name,
    title: '',
    groupBy: options.groupBy,
    familyId: options.groupBy === 'family' ? first.familyId : undefined,
    aliases: [],
    feeds: [],
    indicators: [],
    warninglisted: [],
    rejections: [],
  }
}

function addIndicator(pack: Pack, indicator: Indicator, options: PackOptions): void {
  if (indicator.warninglists.length > 0 && !options.includeWarninglisted) {
    pack.warninglisted.push(indicator)
  } else {
    pack.indicators.push(indicator)
  }
  if (options.groupBy === 'family') {
    for (const alias of indicator.aliases)
      if (!pack.aliases.includes(alias)) pack.aliases.push(alias)
  }
  for (const source of indicator.sources) {
    if (!pack.feeds.includes(source.feed)) pack.feeds.push(source.feed)
  }
}

function lastSeen(indicator: Indicator): string | undefined {
  return indicator.lastSeen ?? indicator.firstSeen
}

function normaliseNames(names: string[] | undefined): Set<string> | undefined {
  if (!names || names.length === 0) return undefined
  return new Set(names.map((n) => n.trim().toLowerCase()))
}

/** Whether the item is of a filtered family; the filter names it answers go into `matched`. */
function familyMatches(
  filter: Set<string>,
  item: { family?: string; familyId?: string; aliases?: string[] },
  matched: Set<string>,
): boolean {
  let found = false
  for (const name of [item.family, item.familyId, ...(item.aliases ?? [])]) {
    const key = name?.toLowerCase()
    if (key === undefined || !filter.has(key)) continue
    matched.add(key)
    found = true
  }
  return found
}

function byName(a: Pack, b: Pack): number {
  return a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }) || a.name.localeCompare(b.name)
}

/** Slugs from names; a clash (two ids, one name) gets a numeric suffix in sorted order. */
function assignIds(packs: Pack[]): void {
  const taken = new Set<string>()
  for (const pack of packs) {
    const base = slug(pack.name) || 'pack'
    let id = base
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
    taken.add(id)
    pack.id = id
  }
}

/** A folder name from a display name: accents dropped, letters of any script kept. */
export function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
}
