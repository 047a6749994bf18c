/**
 * @module
 * The generic IOC list some projects re-package feeds into:
 * `{"updated": <unix>, "source": "…", "count": n, "iocs": [{ioc, type, malware, confidence,
 * first_seen}]}`. Values are defanged on purpose (`43.166.202[.]32:8080`, `hxxp://`), so
 * records say so; types use ThreatFox's names. A bare array of such entries is read too.
 */

import { IntelFormatError } from '../../errors.ts'
import type { IntelRecord } from '../indicator.ts'
import {
  feedName,
  isObject,
  looksLikeFamilyId,
  parseJson,
  present,
  splitList,
  threatfoxKind,
  toConfidence,
  toIsoUtc,
} from './fields.ts'
import type { IntelReadResult } from './types.ts'

/**
 * Reads an `{"iocs": [...]}` list. `malware` is usually a display name (`Cobalt Strike`) but
 * sometimes a Malpedia id (`php.shin_webshell`); an id is kept as `familyId` as well.
 *
 * @example readIocJson('{"iocs":[{"ioc":"a[.]example","type":"domain"}]}', 'f.json').records[0]?.defanged // true
 */
export function readIocJson(text: string, file: string): IntelReadResult {
  const root = parseJson(text, file)
  const iocs = Array.isArray(root) ? root : isObject(root) ? root.iocs : undefined
  if (!Array.isArray(iocs)) {
    throw new IntelFormatError('an IOC list is an object with an "iocs" array', { file })
  }

  const feed = feedName(file)
  const records = iocs.map((entry, index): IntelRecord => {
    if (!isObject(entry) || typeof entry.ioc !== 'string') {
      throw new IntelFormatError('entry is not an object with an "ioc" string', {
        file,
        record: `iocs[${index}]`,
      })
    }
    const type = present(entry.type)
    const family = present(entry.malware)
    const known = family !== undefined && !/^unknown(?: malware)?$/i.test(family)
    return {
      value: entry.ioc,
      type,
      claimedKind: threatfoxKind(type),
      defanged: true,
      family: known ? family : undefined,
      familyId: known && looksLikeFamilyId(family) ? family : undefined,
      threatType: present(entry.threat_type),
      confidence: toConfidence(entry.confidence),
      firstSeen: toIsoUtc(entry.first_seen),
      lastSeen: toIsoUtc(entry.last_seen),
      tags: splitList(entry.tags),
      reference: present(entry.reference),
      source: { feed, file, record: present(entry.id) ?? `iocs[${index}]` },
    }
  })

  const meta: IntelReadResult['meta'] = {}
  if (isObject(root)) {
    meta.title = present(root.source)
    meta.updated = toIsoUtc(root.updated)
    if (typeof root.count === 'number') meta.declaredCount = root.count
  }
  return { format: 'ioc-json', records, meta }
}
