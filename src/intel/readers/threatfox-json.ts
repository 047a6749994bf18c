/**
 * @module
 * ThreatFox JSON exports (`/export/json/recent/`): one object keyed by IOC id, each value an
 * array holding one record with `ioc_value`, `ioc_type`, `malware`, `malware_alias` (a comma
 * string), `tags` (a comma string), times as `2026-10-03 16:05:06`, and nulls for "none".
 */

import { IntelFormatError } from '../../errors.ts'
import type { IntelRecord } from '../indicator.ts'
import {
  familyOf,
  feedName,
  isObject,
  parseJson,
  present,
  splitList,
  threatfoxKind,
  toConfidence,
  toIsoUtc,
} from './fields.ts'
import type { IntelReadResult } from './types.ts'

/**
 * Reads a ThreatFox JSON export. Records come in ascending id order, not the file's: that is
 * how `JSON.parse` orders integer-like keys, and ids are what the export is keyed by.
 *
 * @example readThreatfoxJson('{"1":[{"ioc_value":"a.example","ioc_type":"domain"}]}', 'f.json')
 */
export function readThreatfoxJson(text: string, file: string): IntelReadResult {
  const root = parseJson(text, file)
  if (!isObject(root)) {
    throw new IntelFormatError('a ThreatFox JSON export is an object keyed by IOC id', { file })
  }

  const feed = feedName(file)
  const records: IntelRecord[] = []
  for (const [id, entries] of Object.entries(root)) {
    const list = Array.isArray(entries) ? entries : [entries]
    for (const entry of list) {
      if (!isObject(entry) || typeof entry.ioc_value !== 'string') {
        throw new IntelFormatError('entry is not a ThreatFox IOC object with an "ioc_value"', {
          file,
          record: id,
        })
      }
      records.push(toRecord(entry, id, feed, file))
    }
  }
  return { format: 'threatfox-json', records, meta: {} }
}

function toRecord(
  entry: Record<string, unknown>,
  id: string,
  feed: string,
  file: string,
): IntelRecord {
  const type = present(entry.ioc_type)
  return {
    value: String(entry.ioc_value),
    type,
    claimedKind: threatfoxKind(type),
    defanged: false,
    ...familyOf(entry.malware, entry.malware_printable),
    aliases: splitList(entry.malware_alias),
    threatType: present(entry.threat_type),
    confidence: toConfidence(entry.confidence_level),
    firstSeen: toIsoUtc(entry.first_seen_utc ?? entry.first_seen),
    lastSeen: toIsoUtc(entry.last_seen_utc ?? entry.last_seen),
    tags: splitList(entry.tags),
    reference: present(entry.reference),
    reporter: present(entry.reporter),
    source: { feed, file, record: present(entry.id) ?? id },
  }
}
