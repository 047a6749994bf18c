/**
 * @module
 * What the exchange targets (STIX, MISP, Zeek, Suricata, blocklists) say about where an
 * indicator came from: its record pages and references, and the feed location an error names.
 */
import { createHash } from 'node:crypto'
import { HuntpackError, type InputLocation } from '../../errors.ts'
import type { Indicator } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'

export interface IndicatorLink {
  /** The feed label (`threatfox_recent.csv`) for a record page, `reference` otherwise. */
  source: string
  url: string
  /** The feed's record id, for a record page. */
  record?: string
}

/**
 * The indicator's record pages on the feed's site (one per source that has one), then the
 * references the feed gave, each URL once, in feed order. Only http and https references are
 * kept: outputs show them as links, and a `javascript:` one would run in whatever shows it.
 */
export function indicatorLinks(content: PackContent, indicator: Indicator): IndicatorLink[] {
  const links: IndicatorLink[] = []
  const seen = new Set<string>()
  for (const source of indicator.sources) {
    const url = content.recordUrl?.(source)
    if (url === undefined || seen.has(url)) continue
    seen.add(url)
    links.push({ source: source.feed, url, record: source.record })
  }
  for (const url of indicator.references) {
    if (seen.has(url) || !/^https?:\/\/[^\s]+$/i.test(url)) continue
    seen.add(url)
    links.push({ source: 'reference', url })
  }
  return links
}

/** Where the indicator was first read, for an error message. */
export function indicatorLocation(indicator: Indicator): InputLocation | undefined {
  const source = indicator.sources[0]
  if (!source) return undefined
  return { file: source.file ?? source.feed, line: source.line, record: source.record }
}

/**
 * An indicator a target cannot write without breaking its format. Canonical values never do
 * this (intake refuses them first), so it means a bug or a hand-made pack, and the build stops.
 */
export function unwritable(
  target: string,
  packId: string,
  indicator: Indicator,
  problem: string,
): HuntpackError {
  return new HuntpackError(
    'ERR_TARGET',
    `${packId}: ${target} cannot write the ${indicator.kind} ${JSON.stringify(indicator.value)}: ${problem}`,
    indicatorLocation(indicator),
  )
}

/** huntpack's namespace for STIX and MISP ids; fixed, or every object would become new. */
export const EXCHANGE_NAMESPACE = '0b6c1f3e-5d0a-5c43-9a8e-6f2d7e41b9c5'
const NAMESPACE_BYTES = Buffer.from(EXCHANGE_NAMESPACE.replaceAll('-', ''), 'hex')

/**
 * A UUID version 5 of `name` in the exchange namespace: the same as `uuidV5` of the Sentinel
 * targets, with the namespace's bytes made once, since a bundle asks for two ids an indicator.
 */
export function exchangeId(name: string): string {
  const sha1 = createHash('sha1').update(NAMESPACE_BYTES).update(name, 'utf8').digest()
  sha1[6] = ((sha1[6] ?? 0) & 0x0f) | 0x50
  sha1[8] = ((sha1[8] ?? 0) & 0x3f) | 0x80
  const hex = sha1.toString('hex', 0, 16)
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

const isoCache = new Map<string, string>()

/** ISO time as STIX and MISP want it: UTC with milliseconds, `2026-04-12T04:49:28.000Z`. */
export function isoMillis(time: string): string {
  let iso = isoCache.get(time)
  if (iso === undefined) {
    iso = new Date(time).toISOString()
    // Feeds repeat times (one per upload batch); bounded so a feed cannot grow it without end.
    if (isoCache.size < 65_536) isoCache.set(time, iso)
  }
  return iso
}

/** The earliest first-seen time of the indicators, if any has one. */
export function earliestSeen(indicators: readonly Indicator[]): string | undefined {
  let earliest: string | undefined
  for (const indicator of indicators) {
    const time = indicator.firstSeen ?? indicator.lastSeen
    if (time !== undefined && (earliest === undefined || time < earliest)) earliest = time
  }
  return earliest
}

/** The latest time an indicator was seen (last seen, or first seen without it), if any. */
export function latestSeen(indicators: readonly Indicator[]): string | undefined {
  let latest: string | undefined
  for (const indicator of indicators) {
    const time = indicator.lastSeen ?? indicator.firstSeen
    if (time !== undefined && (latest === undefined || time > latest)) latest = time
  }
  return latest
}

/** Text for a one-line comment or message: control characters and line separators as spaces. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ')
}
