/**
 * @module
 * Replies of the ThreatFox API (`POST /api/v1/`, e.g. `get_iocs` or `search_ioc`):
 * `{ query_status, data: [...] }` with `ioc`, `ioc_type`, `malware`, `malware_alias`,
 * `first_seen`/`last_seen` ending in ` UTC` (or null), `tags` as an array (or null) and `id`.
 * `no_result` is an empty feed; any other status than `ok` is the API refusing the query.
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
 * Reads a saved ThreatFox API reply.
 *
 * @example readThreatfoxApi('{"query_status":"no_result","data":"Your search did not yield any results"}', 'r.json').records // []
 */
export function readThreatfoxApi(text: string, file: string): IntelReadResult {
  const reply = parseJson(text, file)
  if (!isObject(reply) || typeof reply.query_status !== 'string') {
    throw new IntelFormatError('a ThreatFox API reply is an object with a "query_status"', {
      file,
    })
  }

  const status = reply.query_status
  if (status === 'no_result') return { format: 'threatfox-api', records: [], meta: {} }
  if (status !== 'ok') {
    const detail = typeof reply.data === 'string' ? ` (${reply.data})` : ''
    throw new IntelFormatError(`the ThreatFox API refused the query: "${status}"${detail}`, {
      file,
    })
  }
  if (!Array.isArray(reply.data)) {
    throw new IntelFormatError('ThreatFox API reply with status "ok" has no "data" array', {
      file,
    })
  }

  const feed = feedName(file)
  const records = reply.data.map((entry, index): IntelRecord => {
    if (!isObject(entry) || typeof entry.ioc !== 'string') {
      throw new IntelFormatError('entry is not a ThreatFox IOC object with an "ioc"', {
        file,
        record: `data[${index}]`,
      })
    }
    const type = present(entry.ioc_type)
    return {
      value: entry.ioc,
      type,
      claimedKind: threatfoxKind(type),
      defanged: false,
      ...familyOf(entry.malware, entry.malware_printable),
      aliases: splitList(entry.malware_alias),
      threatType: present(entry.threat_type),
      confidence: toConfidence(entry.confidence_level),
      firstSeen: toIsoUtc(entry.first_seen),
      lastSeen: toIsoUtc(entry.last_seen),
      tags: splitList(entry.tags),
      reference: present(entry.reference),
      reporter: present(entry.reporter),
      source: { feed, file, record: present(entry.id) },
    }
  })
  return { format: 'threatfox-api', records, meta: {} }
}
