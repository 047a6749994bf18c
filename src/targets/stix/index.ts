/**
 * @module
 * The `stix` target: a STIX 2.1 bundle per pack (`stix/bundle.json`), one `indicator` per hunted
 * value with a STIX pattern, a `malware` object (`is_family: true`) per family, and an
 * `indicates` relationship from each indicator to its family.
 *
 * Ids are UUID version 5 in huntpack's namespace, so a rebuilt bundle updates the objects a
 * platform already holds: `stix/<pack id>/<kind>/<value>` for an indicator, `stix/malware/<family
 * id or name>` for a family (the same family in any pack and build), and the pair for a
 * relationship. Times come from the feed, never from the build: `valid_from` and `created` are
 * the first time the feed saw the value, `modified` the last.
 */
import type { Indicator } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'
import type { Target } from '../target.ts'
import { earliestSeen, exchangeId, indicatorLinks, isoMillis, unwritable } from './references.ts'

/** When neither the indicator nor its pack has a time: the epoch, stated rather than invented. */
const NO_TIME = '1970-01-01T00:00:00.000Z'

type StixObject = Record<string, unknown>

export const stixTarget: Target = {
  id: 'stix',
  describe: 'a STIX 2.1 bundle: indicators with patterns, the family and indicates relationships',
  emit(content) {
    return [{ path: `${content.pack.id}/stix/bundle.json`, content: stixBundle(content) }]
  },
}

/** The bundle as JSON text, one object a line so large bundles diff and stream well. */
export function stixBundle(content: PackContent): string[] {
  const { pack } = content
  const fallback = isoMillis(earliestSeen(pack.indicators) ?? NO_TIME)
  const malware = new Map<string, StixObject>()
  const objects: StixObject[] = []
  const relationships: StixObject[] = []
  for (const indicator of pack.indicators) {
    const created = isoMillis(indicator.firstSeen ?? indicator.lastSeen ?? fallback)
    const modified = isoMillis(indicator.lastSeen ?? indicator.firstSeen ?? fallback)
    const id = `indicator--${exchangeId(`stix/${pack.id}/${indicator.kind}/${indicator.value}`)}`
    objects.push({
      type: 'indicator',
      spec_version: '2.1',
      id,
      created,
      modified: [created, modified].sort()[1],
      name: `${indicator.family ?? pack.name}: ${indicator.kind} ${indicator.value}`,
      indicator_types: ['malicious-activity'],
      pattern: stixPattern(indicator, pack.id),
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: created,
      ...(indicator.confidence !== undefined && { confidence: indicator.confidence }),
      ...(labelsOf(indicator).length > 0 && { labels: labelsOf(indicator) }),
      ...externalReferences(content, indicator),
    })
    if (indicator.family === undefined) continue
    const family = familyObject(indicator, created)
    const known = malware.get(family.id as string)
    if (!known) malware.set(family.id as string, family)
    else if ((known.created as string) > created) known.created = created
    relationships.push({
      type: 'relationship',
      spec_version: '2.1',
      id: `relationship--${exchangeId(`${id} indicates ${family.id}`)}`,
      created,
      modified: created,
      relationship_type: 'indicates',
      source_ref: id,
      target_ref: family.id,
    })
  }
  for (const family of malware.values()) family.modified = family.created
  const all = [...malware.values(), ...objects, ...relationships]
  const bundleId = `bundle--${exchangeId(`stix/${pack.id}`)}`
  const lines = all.map(
    (object, i) => `    ${JSON.stringify(object)}${i < all.length - 1 ? ',' : ''}\n`,
  )
  return [`{\n  "type": "bundle",\n  "id": "${bundleId}",\n  "objects": [\n`, ...lines, '  ]\n}\n']
}

function familyObject(indicator: Indicator, created: string): StixObject {
  const key = (indicator.familyId ?? indicator.family ?? '').toLowerCase()
  return {
    type: 'malware',
    spec_version: '2.1',
    id: `malware--${exchangeId(`stix/malware/${key}`)}`,
    created,
    modified: created,
    name: indicator.family,
    is_family: true,
    ...(indicator.aliases.length > 0 && { aliases: [...indicator.aliases] }),
  }
}

/** The feed's threat types and tags, each once: what STIX calls labels. */
function labelsOf(indicator: Indicator): string[] {
  return [...new Set([...indicator.threatTypes, ...indicator.tags])]
}

function externalReferences(content: PackContent, indicator: Indicator) {
  const links = indicatorLinks(content, indicator)
  if (links.length === 0) return {}
  return {
    external_references: links.map((link) => ({
      source_name: link.source,
      url: link.url,
      ...(link.record !== undefined && { external_id: link.record }),
    })),
  }
}

/** A STIX string literal: `'` and `\` escaped, as the patterning grammar wants. */
export function stixString(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`
}

const HASH_PATHS = { md5: 'MD5', sha1: "'SHA-1'", sha256: "'SHA-256'" } as const

/**
 * The pattern for one indicator. An `ip:port` is the destination of network traffic, the
 * address type stated so the pattern is valid without context.
 *
 * @example stixPattern(indicator('ip:port', '203.0.113.7:443'), 'x')
 * // "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.7' AND network-traffic:dst_port = 443]"
 */
export function stixPattern(indicator: Indicator, packId: string): string {
  const value = stixString(indicator.value)
  switch (indicator.kind) {
    case 'ipv4':
      return `[ipv4-addr:value = ${value}]`
    case 'ipv6':
      return `[ipv6-addr:value = ${value}]`
    case 'cidr':
      return `[${indicator.value.includes(':') ? 'ipv6' : 'ipv4'}-addr:value = ${value}]`
    case 'ip:port': {
      const { ip, port } = indicator
      if (ip === undefined || port === undefined || !Number.isInteger(port)) {
        throw unwritable('stix', packId, indicator, 'it has no address and port')
      }
      const type = ip.includes(':') ? 'ipv6-addr' : 'ipv4-addr'
      return (
        `[network-traffic:dst_ref.type = '${type}' AND ` +
        `network-traffic:dst_ref.value = ${stixString(ip)} AND network-traffic:dst_port = ${port}]`
      )
    }
    case 'domain':
      return `[domain-name:value = ${value}]`
    case 'url':
      return `[url:value = ${value}]`
    default:
      return `[file:hashes.${HASH_PATHS[indicator.kind]} = ${value}]`
  }
}
