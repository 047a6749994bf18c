/**
 * @module
 * The main job as a library call: intel files in, packs out. Reading, intake, packing, hunts,
 * checked KQL and pages are chained here; the CLI only parses options, prints and writes.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { HuntpackError } from './errors.ts'
import type { IntelRecord, Rejection, SourceRef } from './intel/indicator.ts'
import { intake } from './intel/intake.ts'
import { readIntel } from './intel/readers/index.ts'
import type { IntelFormat } from './intel/readers/types.ts'
import type { WarninglistSet } from './intel/warninglist.ts'
import type { PackArtefact, PackContent, PackHunt, PackTable } from './pack/content.ts'
import { packGuidance } from './pack/guidance.ts'
import { planHunts } from './pack/hunts.ts'
import { type GroupBy, type Pack, type PackFilters, packIndicators } from './pack/pack.ts'
import { packJsonChunks } from './pack/pack-json.ts'
import { describePack, type PackSummary, summarisePack } from './pack/summary.ts'
import { type IndexEntry, renderIndex, renderPackPage } from './report/pack-page.ts'
import { DEFAULT_TARGETS, resolveTargets } from './targets/index.ts'
import { emitPackKql } from './targets/kql/emit.ts'
import { tableConnector } from './targets/kql/tables.ts'

export interface FeedFile {
  file: string
  format: IntelFormat
  records: number
  /** What the feed says about itself, for a warning when it disagrees with what was read. */
  declaredCount?: number
  updated?: string
}

export interface IntelLoad {
  feeds: FeedFile[]
  records: IntelRecord[]
}

const FEED_TITLES: Partial<Record<IntelFormat, string>> = {
  'threatfox-csv': 'ThreatFox',
  'threatfox-json': 'ThreatFox',
  'threatfox-api': 'ThreatFox',
  'feodo-csv': 'Feodo Tracker',
  misp: 'MISP',
}

/** Reads and parses each file; the first bad one stops the load with its location. */
export async function loadIntel(files: string[], format?: IntelFormat): Promise<IntelLoad> {
  const feeds: FeedFile[] = []
  const records: IntelRecord[] = []
  for (const file of files) {
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      throw new HuntpackError('ERR_INPUT', `cannot read intel file: ${(error as Error).message}`, {
        file,
      })
    }
    const result = readIntel(text.replace(/^\uFEFF/, ''), file, format)
    for (const record of result.records) records.push(record)
    feeds.push({
      file,
      format: result.format,
      records: result.records.length,
      declaredCount: result.meta.declaredCount,
      updated: result.meta.updated,
    })
  }
  return { feeds, records }
}

/**
 * The name pages give a set of feeds: the service for formats that name one (`ThreatFox`),
 * else the file name; several joined with `+`.
 */
export function feedTitle(load: IntelLoad, feedLabels?: string[]): string {
  const titles: string[] = []
  for (const feed of load.feeds) {
    const label = basename(feed.file)
    if (feedLabels && !feedLabels.includes(label)) continue
    const title = FEED_TITLES[feed.format] ?? label
    if (!titles.includes(title)) titles.push(title)
  }
  return titles.join(' + ')
}

export interface BuildOptions extends PackFilters {
  groupBy: GroupBy
  lookback: string
  inlineLimit: number
  includeWarninglisted: boolean
  warninglists: WarninglistSet
  /** Overrides the title prefix taken from the feeds. */
  title?: string
  /** Links a record to its page on the feed's site; see `recordUrls`. */
  recordUrl?: (source: SourceRef) => string | undefined
  /** Target ids (`sentinel-rule`); `kql` is always written. */
  targets?: readonly string[]
}

const RECORD_PAGES: Partial<Record<IntelFormat, (record: string) => string>> = {
  'threatfox-csv': (id) => `https://threatfox.abuse.ch/ioc/${id}/`,
  'threatfox-json': (id) => `https://threatfox.abuse.ch/ioc/${id}/`,
  'threatfox-api': (id) => `https://threatfox.abuse.ch/ioc/${id}/`,
}

/** Record pages for the feeds that have them: each ThreatFox IOC id has a page on the site. */
export function recordUrls(load: IntelLoad): (source: SourceRef) => string | undefined {
  const byFeed = new Map<string, (record: string) => string>()
  for (const feed of load.feeds) {
    const page = RECORD_PAGES[feed.format]
    if (page) byFeed.set(basename(feed.file), page)
  }
  return (source) => {
    const page = byFeed.get(source.feed)
    return page && source.record && /^\d+$/.test(source.record) ? page(source.record) : undefined
  }
}

export interface OutputFile {
  /** Relative to the output folder, `/`-separated. */
  path: string
  /** The text, or pieces of it in order (large files). */
  content: string | string[]
}

export interface BuiltPack {
  pack: Pack
  summary: PackSummary
  files: OutputFile[]
  queries: number
}

/** Intake and packing done; each pack is then built (and can be written) on its own. */
export interface PreparedBuild {
  packs: Pack[]
  /** `<feed>: hunt packs`, the index title. */
  title: string
  indicators: number
  rejections: Rejection[]
  unassignedRejections: Rejection[]
  filtered: { family: number; confidence: number; since: number }
  unmatchedFamilies: string[]
}

export function preparePacks(load: IntelLoad, options: BuildOptions): PreparedBuild {
  // 1. Validate, canonicalise, merge and flag every record.
  const { indicators, rejections } = intake(load.records, { warninglists: options.warninglists })

  // 2. Group into packs and apply the filters.
  const packing = packIndicators(indicators, rejections, {
    ...options,
    feedTitle: options.title ?? ((feeds) => feedTitle(load, feeds)),
  })
  return {
    packs: packing.packs,
    title: `${options.title ?? feedTitle(load)}: hunt packs`,
    indicators: indicators.length,
    rejections,
    unassignedRejections: packing.unassignedRejections,
    filtered: packing.filtered,
    unmatchedFamilies: packing.unmatchedFamilies,
  }
}

export function indexFile(prepared: PreparedBuild, entries: IndexEntry[]): OutputFile {
  return {
    path: 'index.md',
    content: renderIndex(prepared.title, entries, prepared.unassignedRejections),
  }
}

export function indexEntry(built: BuiltPack): IndexEntry {
  const { id, name } = built.pack
  return { pack: { id, name }, summary: built.summary, huntCount: built.queries }
}

export interface BuildResult extends PreparedBuild {
  built: BuiltPack[]
  index: OutputFile
}

/** The whole build in memory; the CLI instead builds and writes one pack at a time. */
export function buildPacks(load: IntelLoad, options: BuildOptions): BuildResult {
  options = { recordUrl: recordUrls(load), ...options }
  const prepared = preparePacks(load, options)
  // 3. Per pack: hunts, checked queries, guidance, page and pack.json.
  const built = prepared.packs.map((pack) => buildPack(pack, options))
  return { ...prepared, built, index: indexFile(prepared, built.map(indexEntry)) }
}

export function buildPack(pack: Pack, options: BuildOptions): BuiltPack {
  const hunts = planHunts(pack.indicators, { includeWarninglisted: options.includeWarninglisted })
  const queries = emitPackKql(
    hunts,
    { id: pack.id, title: pack.title, feeds: pack.feeds },
    {
      lookback: options.lookback,
      inlineLimit: options.inlineLimit,
    },
  )
  const pageHunts: PackHunt[] = queries.map((q) => ({
    id: q.hunt.id,
    title: q.hunt.title,
    purpose: q.hunt.purpose,
    table: q.hunt.table,
    file: q.file,
    query: q.text,
    indicatorCount: q.hunt.indicators.length,
    watchlist: q.watchlist ? { alias: q.watchlist.alias, file: q.watchlist.file } : undefined,
  }))
  const tables = tablesOf(pageHunts)
  const summary = summarisePack(pack)
  const content: PackContent = {
    pack,
    summary,
    description: describePack(pack, summary),
    hunts: pageHunts,
    tables,
    recordUrl: options.recordUrl,
    guidance: packGuidance(pack, {
      namespaceOf: (host) => options.warninglists.namespaceOf(host),
    }),
    lookback: options.lookback,
  }
  const artefacts: PackArtefact[] = []
  content.artefacts = artefacts
  // Every target sees the content before the page and pack.json, which list what they wrote.
  const files: OutputFile[] = []
  for (const target of resolveTargets(options.targets ?? DEFAULT_TARGETS)) {
    for (const file of target.emit(content, queries)) {
      files.push(file)
      // The KQL target's files are the hunts' own, which the page and `hunts[]` already name.
      if (target.id === 'kql') continue
      const relative = file.path.slice(pack.id.length + 1)
      artefacts.push({ target: target.id, file: relative, hunt: file.hunt ?? null })
    }
  }
  files.push({ path: `${pack.id}/README.md`, content: renderPackPage(content) })
  files.push({ path: `${pack.id}/pack.json`, content: packJsonChunks(content) })
  return { pack, summary, files, queries: queries.length }
}

function tablesOf(hunts: PackHunt[]): PackTable[] {
  const tables = new Map<string, PackTable>()
  for (const hunt of hunts) {
    const entry = tables.get(hunt.table) ?? {
      table: hunt.table,
      connector: tableConnector(hunt.table),
      hunts: [],
    }
    entry.hunts.push(hunt.id)
    tables.set(hunt.table, entry)
  }
  return [...tables.values()]
}
