/**
 * @module
 * The indicators a hunt looks for: from feeds (read, classified, merged and warninglisted like
 * `build` does) or from a packs folder that `build` wrote (each `pack.json` lists its hunted
 * indicators), so a team can hunt with exactly the packs it reviewed.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { loadIntel, recordUrls } from '../build.ts'
import { HuntpackError } from '../errors.ts'
import type { Indicator, SourceRef } from '../intel/indicator.ts'
import { intake } from '../intel/intake.ts'
import type { IntelFormat } from '../intel/readers/index.ts'
import type { WarninglistSet } from '../intel/warninglist.ts'
import { packFolders } from '../pack/pack-folders.ts'
import { PACK_SCHEMA } from '../pack/pack-json.ts'

export interface HuntIntel {
  /** What is hunted, in feed order. */
  indicators: Indicator[]
  /** Left out because a warninglist holds them. */
  warninglisted: Indicator[]
  rejected: number
  /** The feed files or `pack.json` files read. */
  sources: string[]
  /** Links a feed record to its page on the feed's site, for feeds that have them. */
  recordUrl: (source: SourceRef) => string | undefined
}

export interface HuntIntelOptions {
  format?: IntelFormat
  warninglists?: WarninglistSet
  includeWarninglisted?: boolean
}

/** Feeds and packs folders may be mixed; a folder is read as packs. */
export async function loadHuntIntel(
  paths: readonly string[],
  options: HuntIntelOptions = {},
): Promise<HuntIntel> {
  const feeds: string[] = []
  const packFiles: string[] = []
  for (const path of paths) {
    if (await isDirectory(path))
      packFiles.push(
        ...(await packFolders(path, 'pass feed files or a folder that `huntpack build` wrote')).map(
          (folder) => join(folder, 'pack.json'),
        ),
      )
    else feeds.push(path)
  }
  const result: HuntIntel = {
    indicators: [],
    warninglisted: [],
    rejected: 0,
    sources: [],
    recordUrl: () => undefined,
  }
  if (feeds.length > 0) {
    const load = await loadIntel(feeds, options.format)
    result.recordUrl = recordUrls(load)
    const { indicators, rejections } = intake(load.records, {
      warninglists: options.warninglists,
    })
    for (const indicator of indicators) {
      if (indicator.warninglists.length > 0 && !options.includeWarninglisted) {
        result.warninglisted.push(indicator)
      } else {
        result.indicators.push(indicator)
      }
    }
    result.rejected += rejections.length
    result.sources.push(...feeds)
  }
  for (const file of packFiles) {
    const pack = await readPackJson(file)
    result.indicators.push(...pack.indicators)
    if (options.includeWarninglisted) result.indicators.push(...pack.warninglisted)
    else result.warninglisted.push(...pack.warninglisted)
    result.rejected += pack.rejected
    result.sources.push(file)
  }
  return result
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory()
  } catch (error) {
    throw new HuntpackError('ERR_INPUT', `cannot read intel: ${(error as Error).message}`, {
      file: path,
    })
  }
}

interface PackIndicatorJson {
  kind: Indicator['kind']
  value: string
  original: string | null
  ip: string | null
  port: number | null
  family: string | null
  familyId: string | null
  threatTypes: string[]
  confidence: number | null
  firstSeen: string | null
  lastSeen: string | null
  tags: string[]
  references: string[]
  reporters: string[]
  warninglists: string[]
  sources: { feed: string; line: number | null; record: string | null }[]
}

async function readPackJson(
  file: string,
): Promise<{ indicators: Indicator[]; warninglisted: Indicator[]; rejected: number }> {
  let pack: {
    schema?: unknown
    aliases?: string[]
    indicators?: PackIndicatorJson[]
    warninglisted?: PackIndicatorJson[]
    rejected?: unknown[]
  }
  try {
    pack = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new HuntpackError('ERR_INPUT', `not a readable pack.json: ${(error as Error).message}`, {
      file,
    })
  }
  if (pack.schema !== PACK_SCHEMA || !Array.isArray(pack.indicators)) {
    throw new HuntpackError(
      'ERR_INPUT',
      `not a huntpack pack (schema ${JSON.stringify(pack.schema)}, expected ${PACK_SCHEMA})`,
      { file },
    )
  }
  const aliases = pack.aliases ?? []
  const convert = (json: PackIndicatorJson): Indicator => ({
    kind: json.kind,
    value: json.value,
    original: json.original ?? json.value,
    ip: json.ip ?? undefined,
    port: json.port ?? undefined,
    family: json.family ?? undefined,
    familyId: json.familyId ?? undefined,
    aliases,
    threatTypes: json.threatTypes ?? [],
    confidence: json.confidence ?? undefined,
    firstSeen: json.firstSeen ?? undefined,
    lastSeen: json.lastSeen ?? undefined,
    tags: json.tags ?? [],
    references: json.references ?? [],
    reporters: json.reporters ?? [],
    sources: (json.sources ?? []).map(
      (s): SourceRef => ({
        feed: s.feed,
        ...(s.line === null ? {} : { line: s.line }),
        ...(s.record === null ? {} : { record: s.record }),
      }),
    ),
    warninglists: json.warninglists ?? [],
  })
  return {
    indicators: pack.indicators.map(convert),
    warninglisted: (pack.warninglisted ?? []).map(convert),
    rejected: pack.rejected?.length ?? 0,
  }
}
