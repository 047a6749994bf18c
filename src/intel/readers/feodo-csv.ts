/**
 * @module
 * The Feodo Tracker botnet C2 blocklist CSV (`/downloads/ipblocklist.csv`): a `#` banner, an
 * uncommented header `"first_seen_utc","dst_ip","dst_port","c2_status","last_online","malware"`
 * and a `# END n entries` trailer. Each row is one C2 address and port, so one `ip:port`.
 */

import { IntelFormatError } from '../../errors.ts'
import type { IntelRecord } from '../indicator.ts'
import { CsvCursor } from './csv-rows.ts'
import { feedName, present, toIsoUtc } from './fields.ts'
import type { IntelReadResult } from './types.ts'

const REQUIRED = ['dst_ip', 'dst_port'] as const

/**
 * Reads a Feodo Tracker CSV blocklist. `c2_status` (online/offline) becomes a tag, so a
 * pack can still tell which servers answered when the list was made.
 *
 * @example readFeodoCsv(text, 'ipblocklist.csv').records[0]?.value // '192.0.2.7:443'
 */
export function readFeodoCsv(text: string, file: string): IntelReadResult {
  const feed = feedName(file)
  const cursor = new CsvCursor(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, file)
  const records: IntelRecord[] = []
  const meta: IntelReadResult['meta'] = {}
  let columns: Map<string, number> | undefined

  while (!cursor.done) {
    const first = cursor.peek()
    if (first === 35 /* # */) {
      readBanner(cursor.readLine().replace(/^#+\s*/, ''), meta)
      continue
    }
    if (first === 13 || first === 10) {
      cursor.readLine()
      continue
    }

    const line = cursor.line
    const fields = cursor.readRow()
    if (columns === undefined) {
      columns = new Map(fields.map((name, index) => [name, index]))
      const missing = REQUIRED.filter((name) => !columns?.has(name))
      if (missing.length > 0) {
        throw new IntelFormatError(`Feodo CSV header has no ${missing.join(', ')} column`, {
          file,
          line,
        })
      }
      continue
    }
    if (fields.length !== columns.size) {
      throw new IntelFormatError(
        `Feodo CSV row has ${fields.length} fields, expected ${columns.size}`,
        { file, line },
      )
    }

    const get = (name: string) => {
      const index = columns?.get(name)
      return index === undefined ? undefined : present(fields[index])
    }
    const family = get('malware')
    const status = get('c2_status')
    const ip = get('dst_ip') ?? ''
    // An IPv6 address needs brackets before a port, or the port reads as its last group.
    const host = ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip
    records.push({
      value: `${host}:${get('dst_port') ?? ''}`,
      type: 'ip:port',
      claimedKind: 'ip:port',
      defanged: false,
      family,
      threatType: 'botnet_cc',
      firstSeen: toIsoUtc(get('first_seen_utc')),
      lastSeen: toIsoUtc(get('last_online')),
      tags: status === undefined ? undefined : [`c2_status:${status}`],
      source: { feed, file, line },
    })
  }

  return { format: 'feodo-csv', records, meta }
}

function readBanner(comment: string, meta: IntelReadResult['meta']): void {
  const text = comment.replace(/\s*#*\s*$/, '')
  const updated = /^Last updated:\s*(.+)$/i.exec(text)
  const count = /^END\s+(\d+)\s+entries$/i.exec(text)
  if (updated?.[1]) meta.updated = toIsoUtc(updated[1])
  else if (count?.[1]) meta.declaredCount = Number(count[1])
  else if (meta.title === undefined && /Feodo Tracker/i.test(text)) meta.title = text
}
