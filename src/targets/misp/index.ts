/**
 * @module
 * The `misp` target: a MISP event per pack (`misp/event.json`), importable with MISP's "Add
 * event from JSON" or `PyMISP`. Each hunted value is an attribute marked for detection
 * (`to_ids`), with the feed's threat type, confidence and record page in its comment. The
 * family is a malpedia galaxy tag on the event (on each attribute when the pack groups by
 * threat type or not at all); the event is tagged `tlp:amber`, since huntpack does not know the
 * feed's own marking and the most a user should assume is their organisation and its clients.
 *
 * Uuids are version 5 of `misp/<pack id>` for the event and `misp/<pack id>/<kind>/<value>`
 * for an attribute, so an import of a rebuilt pack updates the event instead of adding one.
 */
import type { Indicator, IndicatorKind } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'
import {
  earliestSeen,
  exchangeId,
  indicatorLinks,
  isoMillis,
  latestSeen,
  oneLine,
} from '../stix/references.ts'
import type { Target } from '../target.ts'

const ATTRIBUTE_TYPES: Record<IndicatorKind, string> = {
  ipv4: 'ip-dst',
  ipv6: 'ip-dst',
  cidr: 'ip-dst',
  'ip:port': 'ip-dst|port',
  domain: 'domain',
  url: 'url',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
}

/** MISP threat levels: 1 High, 2 Medium, 3 Low, 4 Undefined. */
const THREAT_LEVELS: Record<string, number> = { botnet_cc: 1, payload: 1, payload_delivery: 2 }

export const mispTarget: Target = {
  id: 'misp',
  describe: 'a MISP event: attributes for detection, the family as a malpedia galaxy tag',
  emit(content) {
    return [{ path: `${content.pack.id}/misp/event.json`, content: mispEvent(content) }]
  },
}

/** The event as JSON text, one attribute a line. */
export function mispEvent(content: PackContent): string[] {
  const { pack } = content
  const byFamily = pack.groupBy === 'family'
  const first = earliestSeen(pack.indicators)
  const latest = latestSeen(pack.indicators)
  const eventTags = [{ name: 'tlp:amber' }]
  const family = pack.indicators[0]?.family
  if (byFamily && family !== undefined) eventTags.push(galaxyTag(family))
  const event = {
    uuid: exchangeId(`misp/${pack.id}`),
    info: oneLine(pack.title),
    date: (first ?? '1970-01-01').slice(0, 10),
    threat_level_id: String(threatLevel(pack.indicators)),
    analysis: '2',
    distribution: '0',
    published: false,
    timestamp: String(seconds(latest)),
    Tag: eventTags,
  }
  const head = JSON.stringify({ Event: event }, null, 2).replace(/\n {2}\}\n\}$/, '')
  const attributes = pack.indicators.map((indicator, i) => {
    const attribute = mispAttribute(content, indicator, !byFamily)
    return `      ${JSON.stringify(attribute)}${i < pack.indicators.length - 1 ? ',' : ''}\n`
  })
  return [`${head},\n    "Attribute": [\n`, ...attributes, '    ]\n  }\n}\n']
}

function mispAttribute(content: PackContent, indicator: Indicator, familyTag: boolean) {
  const type = ATTRIBUTE_TYPES[indicator.kind]
  const value = indicator.kind === 'ip:port' ? `${indicator.ip}|${indicator.port}` : indicator.value
  const network = !['md5', 'sha1', 'sha256'].includes(indicator.kind)
  const tags = familyTag && indicator.family !== undefined ? [galaxyTag(indicator.family)] : []
  return {
    uuid: exchangeId(`misp/${content.pack.id}/${indicator.kind}/${indicator.value}`),
    type,
    category: network ? 'Network activity' : 'Payload delivery',
    value,
    to_ids: true,
    distribution: '5',
    comment: comment(content, indicator),
    timestamp: String(seconds(indicator.lastSeen ?? indicator.firstSeen)),
    ...(indicator.firstSeen !== undefined && { first_seen: isoMillis(indicator.firstSeen) }),
    ...(indicator.lastSeen !== undefined && { last_seen: isoMillis(indicator.lastSeen) }),
    ...(tags.length > 0 && { Tag: tags }),
  }
}

/** `misp-galaxy:malpedia="XWorm"`; a line break would make the tag unreadable, so none is kept. */
export function galaxyTag(family: string): { name: string } {
  return { name: `misp-galaxy:malpedia="${oneLine(family)}"` }
}

function comment(content: PackContent, indicator: Indicator): string {
  const parts: string[] = []
  if (indicator.threatTypes.length > 0) parts.push(indicator.threatTypes.join(', '))
  if (indicator.confidence !== undefined) parts.push(`confidence ${indicator.confidence}`)
  const link = indicatorLinks(content, indicator)[0]
  if (link) parts.push(link.url)
  return oneLine(parts.join('; '))
}

/** The most severe threat type's level; Medium for types MISP has no word for, 4 for none. */
function threatLevel(indicators: readonly Indicator[]): number {
  let level = 4
  for (const indicator of indicators) {
    for (const type of indicator.threatTypes) level = Math.min(level, THREAT_LEVELS[type] ?? 2)
  }
  return level
}

function seconds(time: string | undefined): number {
  return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000)
}
