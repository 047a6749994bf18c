/**
 * @module
 * Figures about a pack, computed once and shown on its page, in `pack.json` and in the index:
 * counts by kind and threat type, the time span and the confidence range.
 */
import type { Indicator, IndicatorKind } from '../intel/indicator.ts'
import { plural } from '../util/plural.ts'
import type { Pack } from './pack.ts'

export interface PackSummary {
  indicators: number
  byKind: Partial<Record<IndicatorKind, number>>
  byThreatType: Record<string, number>
  firstSeen?: string
  lastSeen?: string
  confidence?: { min: number; max: number }
  warninglisted: number
  rejected: number
}

export function summarisePack(pack: Pack): PackSummary {
  const byKind: Partial<Record<IndicatorKind, number>> = {}
  const byThreatType: Record<string, number> = {}
  let firstSeen: string | undefined
  let lastSeen: string | undefined
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY

  const indicators = pack.indicators
  for (let n = 0; n < indicators.length; n++) {
    const indicator = indicators[n] as Indicator
    byKind[indicator.kind] = (byKind[indicator.kind] ?? 0) + 1
    const types = indicator.threatTypes
    for (let t = 0; t < types.length; t++) {
      const type = types[t] as string
      byThreatType[type] = (byThreatType[type] ?? 0) + 1
    }
    const first = indicator.firstSeen
    if (first !== undefined && (firstSeen === undefined || first < firstSeen)) firstSeen = first
    const seen = indicator.lastSeen ?? first
    if (seen !== undefined && (lastSeen === undefined || seen > lastSeen)) lastSeen = seen
    const confidence = indicator.confidence
    if (confidence !== undefined) {
      if (confidence < min) min = confidence
      if (confidence > max) max = confidence
    }
  }

  return {
    indicators: pack.indicators.length,
    byKind,
    byThreatType,
    firstSeen,
    lastSeen,
    confidence: Number.isFinite(min) ? { min, max } : undefined,
    warninglisted: pack.warninglisted.length,
    rejected: pack.rejections.length,
  }
}

const KIND_NAMES: Record<IndicatorKind, [string, string]> = {
  ipv4: ['IPv4 address', 'IPv4 addresses'],
  ipv6: ['IPv6 address', 'IPv6 addresses'],
  'ip:port': ['address:port', 'address:port pairs'],
  cidr: ['address range', 'address ranges'],
  domain: ['domain', 'domains'],
  url: ['URL', 'URLs'],
  md5: ['MD5 hash', 'MD5 hashes'],
  sha1: ['SHA-1 hash', 'SHA-1 hashes'],
  sha256: ['SHA-256 hash', 'SHA-256 hashes'],
}

export function kindCount(kind: IndicatorKind, n: number): string {
  const [one, many] = KIND_NAMES[kind]
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

/**
 * One paragraph of plain text written from the data: who, how many of what, when, how sure.
 * Plain so that each output language escapes it its own way.
 */
export function describePack(pack: Pack, summary: PackSummary): string {
  const parts: string[] = []
  const subject = pack.familyId ? `${pack.name} (${pack.familyId})` : pack.name
  const same = (a: string) => a.replace(/[\s_-]/g, '').toLowerCase()
  const otherNames = pack.aliases.filter((a) => same(a) !== same(pack.name))
  const aliases = otherNames.length > 0 ? `, also known as ${otherNames.join(', ')},` : ''
  const kinds = Object.entries(summary.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => kindCount(kind as IndicatorKind, n))
  parts.push(
    `This pack hunts ${subject}${aliases} with ${plural(summary.indicators, 'indicator')}` +
      `${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''} from ${pack.feeds.join(', ')}.`,
  )
  const types = Object.entries(summary.byThreatType).sort((a, b) => b[1] - a[1])
  if (types.length > 0) {
    parts.push(`Threat types: ${types.map(([t, n]) => `${t} (${n})`).join(', ')}.`)
  }
  if (summary.firstSeen && summary.lastSeen) {
    parts.push(`First seen ${day(summary.firstSeen)}, last seen ${day(summary.lastSeen)}.`)
  }
  if (summary.confidence) {
    const { min, max } = summary.confidence
    parts.push(min === max ? `Confidence ${min}.` : `Confidence ${min} to ${max}.`)
  }
  if (summary.warninglisted > 0 || summary.rejected > 0) {
    parts.push(
      `Not hunted: ${summary.warninglisted} warninglisted and ` +
        `${plural(summary.rejected, 'rejected value')}.`,
    )
  }
  return parts.join(' ')
}

function day(iso: string): string {
  return iso.slice(0, 10)
}
