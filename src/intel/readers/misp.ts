/**
 * @module
 * MISP event JSON: `{"Event": {…, "Attribute": [...], "Object": [{"Attribute": [...]}],
 * "Tag": [...]}}`, a bare array of such events, or a REST search reply `{"response": [...]}`.
 *
 * Every attribute becomes a record, including object attributes. Those MISP says not to detect
 * on (`to_ids: false`, or deleted) carry that as `notForDetection`, so intake shows them as
 * refused rather than hunting a victim's mail server or a retracted value. Types we do not hunt (`filename`, `mime-type`, `link`, `text`,
 * `datetime`…) keep their `type` and get no claimed kind, so intake reports them as
 * `unknown-type` instead of this reader dropping them unseen. A MISP event holds few of those;
 * a silent filter here would be harder to trust than a visible rejection there.
 */

import { IntelFormatError } from '../../errors.ts'
import type { ClaimedKind, IntelRecord } from '../indicator.ts'
import { feedName, isObject, parseJson, present, toIsoUtc } from './fields.ts'
import type { IntelReadResult } from './types.ts'

type MispObject = Record<string, unknown>

const KINDS: Readonly<Record<string, ClaimedKind>> = {
  'ip-dst': 'ip',
  'ip-src': 'ip',
  'ip-dst|port': 'ip:port',
  'ip-src|port': 'ip:port',
  domain: 'domain',
  hostname: 'domain',
  url: 'url',
  md5: 'md5',
  sha1: 'sha1',
  sha256: 'sha256',
  'filename|md5': 'md5',
  'filename|sha1': 'sha1',
  'filename|sha256': 'sha256',
}

/** Galaxy tags that name a malware family: `misp-galaxy:malpedia="Emotet"`. */
const FAMILY_TAG = /^misp-galaxy:(?:malpedia|mitre-malware|mitre-tool)="(.+)"$/

/**
 * Reads MISP events. The family comes from a malpedia or MITRE malware galaxy tag on the
 * attribute or the event; without one it stays unknown (an event's `info` is free text).
 *
 * @example readMisp('{"Event":{"Attribute":[{"type":"ip-dst","value":"192.0.2.1"}]}}', 'e.json').records[0]?.claimedKind // 'ip'
 */
export function readMisp(text: string, file: string): IntelReadResult {
  const events = mispEvents(parseJson(text, file), file)
  const feed = feedName(file)
  const records: IntelRecord[] = []

  for (const event of events) {
    const eventTags = tagNames(event.Tag)
    const eventFamily = familyOf(eventTags) ?? galaxyFamily(event.Galaxy)
    const reporter = isObject(event.Orgc) ? present(event.Orgc.name) : undefined
    const attributes = [
      ...list(event.Attribute),
      ...list(event.Object).flatMap((object) => list(object.Attribute)),
    ]

    for (const attribute of attributes) {
      const type = present(attribute.type)
      const raw = attribute.value
      if (type === undefined || (typeof raw !== 'string' && typeof raw !== 'number')) {
        throw new IntelFormatError('attribute has no "type" or no "value"', {
          file,
          record: present(attribute.uuid),
        })
      }
      const ownTags = tagNames(attribute.Tag)
      const tags = [...eventTags, ...ownTags]
      if (attribute.to_ids === false) tags.push('misp:to_ids=false')
      const notForDetection = truthy(attribute.deleted)
        ? 'the attribute is deleted in MISP'
        : attribute.to_ids === false
          ? 'MISP marks the attribute not for detection (to_ids is off)'
          : undefined
      const shared = {
        notForDetection,
        type,
        defanged: false,
        family: familyOf(ownTags) ?? eventFamily,
        threatType: present(attribute.category),
        firstSeen: toIsoUtc(attribute.first_seen ?? attribute.timestamp),
        lastSeen: toIsoUtc(attribute.last_seen),
        tags: tags.length > 0 ? tags : undefined,
        reporter,
        source: { feed, file, record: present(attribute.uuid) },
      }
      for (const [value, claimedKind] of values(type, String(raw))) {
        records.push({ ...shared, value, claimedKind })
      }
    }
  }

  const first = events[0]
  return {
    format: 'misp',
    records,
    meta: {
      title: events.length === 1 ? present(first?.info) : undefined,
      updated: events.length === 1 ? toIsoUtc(first?.timestamp) : undefined,
    },
  }
}

/** MISP writes booleans as `true`, `1` or `"1"` depending on version and export path. */
function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1'
}

/** The hunted values of one attribute: composite types carry the indicator in one half. */
function values(type: string, value: string): [string, ClaimedKind | undefined][] {
  const bar = value.indexOf('|')
  if (type.endsWith('|port') && bar !== -1) {
    const ip = value.slice(0, bar)
    const host = ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip
    return [[`${host}:${value.slice(bar + 1)}`, KINDS[type]]]
  }
  if (type.startsWith('filename|') && bar !== -1) return [[value.slice(bar + 1), KINDS[type]]]
  if (type === 'domain|ip' && bar !== -1) {
    return [
      [value.slice(0, bar), 'domain'],
      [value.slice(bar + 1), 'ip'],
    ]
  }
  return [[value, KINDS[type]]]
}

function mispEvents(root: unknown, file: string): MispObject[] {
  const items = isObject(root) && Array.isArray(root.response) ? root.response : [root].flat()
  const events = items.map((item) => (isObject(item) && isObject(item.Event) ? item.Event : item))
  if (
    events.length === 0 ||
    !events.every((event) => isObject(event) && ('Attribute' in event || 'Object' in event))
  ) {
    throw new IntelFormatError('not a MISP event: expected {"Event": {"Attribute": [...]}}', {
      file,
    })
  }
  return events as MispObject[]
}

function list(value: unknown): MispObject[] {
  return Array.isArray(value) ? value.filter(isObject) : []
}

function tagNames(tags: unknown): string[] {
  return list(tags)
    .map((tag) => present(tag.name))
    .filter((name): name is string => name !== undefined)
}

function familyOf(tags: string[]): string | undefined {
  for (const tag of tags) {
    const match = FAMILY_TAG.exec(tag)
    if (match?.[1]) return match[1]
  }
  return undefined
}

function galaxyFamily(galaxies: unknown): string | undefined {
  for (const galaxy of list(galaxies)) {
    if (galaxy.type !== 'malpedia' && galaxy.type !== 'mitre-malware') continue
    const cluster = list(galaxy.GalaxyCluster)[0]
    const name = present(cluster?.value)
    if (name !== undefined) return name
  }
  return undefined
}
