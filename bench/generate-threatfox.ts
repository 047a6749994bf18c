/**
 * @module
 * A seeded generator of ThreatFox-format CSV exports for benchmarks: the real layout (banner,
 * commented header, `", "` fields, CRLF, trailer), a realistic mix of kinds, and families of
 * very unequal size, as in the real feed.
 */

import { once } from 'node:events'
import { createWriteStream } from 'node:fs'

/** Small, fast, seedable (mulberry32): the same seed gives the same file. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const TLDS = ['com', 'net', 'top', 'xyz', 'shop', 'ru', 'info', 'online', 'in.net', 'site']
const THREAT_TYPES = ['botnet_cc', 'payload_delivery', 'payload']
const PORTS = [80, 443, 8080, 2404, 7000, 4782, 1604, 5552, 6606, 8443, 3389, 55555]
const SYLLABLES = ['ka', 'vo', 'tri', 'lex', 'mon', 'ra', 'zen', 'qu', 'pol', 'ser', 'dax', 'ni']

export interface GeneratedFeed {
  rows: number
  bytes: number
  families: number
}

export async function generateThreatFoxCsv(
  path: string,
  rows: number,
  seed = 1,
): Promise<GeneratedFeed> {
  const next = random(seed)
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T
  const word = (n: number) => Array.from({ length: n }, () => pick(SYLLABLES)).join('')
  const familyCount = Math.max(1, Math.min(400, Math.floor(rows / 2500)))
  const families = Array.from({ length: familyCount }, (_, i) => {
    const name = `${word(2)}${i}`
    return { id: `win.${name}`, printable: `${name[0]?.toUpperCase()}${name.slice(1)} RAT` }
  })

  const out = createWriteStream(path)
  let bytes = 0
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text)
    if (!out.write(text)) await once(out, 'drain')
  }
  await write(
    '################################################################\r\n' +
      '# ThreatFox IOCs: recent additions - CSV format                #\r\n' +
      '# Last updated: 2026-12-01 00:00:00 UTC                        #\r\n' +
      '# Generated for huntpack benchmarks: invented values           #\r\n' +
      '################################################################\r\n#\r\n' +
      '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
      '"malware_alias","malware_printable","last_seen_utc","confidence_level",' +
      '"is_compromised","reference","tags","anonymous","reporter"\r\n',
  )
  const start = Date.UTC(2026, 9, 1)
  for (let i = 0; i < rows; i++) {
    // Squaring the draw gives a few large families and a long tail, as in the real feed.
    const family = families[Math.floor(next() ** 2 * families.length)] as (typeof families)[0]
    const [value, type] = indicatorValue(next, pick, word, i)
    const first = new Date(start + Math.floor(next() * 60 * 86_400_000))
    const seen = next() < 0.3 ? stamp(new Date(first.getTime() + 3_600_000)) : 'None'
    const fields = [
      stamp(first),
      String(2_000_000 + i),
      value,
      type,
      pick(THREAT_TYPES),
      family.id,
      'None',
      family.printable,
      seen,
      String(pick([25, 50, 75, 100])),
      'False',
      'None',
      family.printable.split(' ')[0]?.toLowerCase() ?? '',
      String(next() < 0.1 ? 1 : 0),
      'bench',
    ]
    await write(`"${fields.join('", "')}"\r\n`)
  }
  await write(`# Number of entries: ${rows}`)
  out.end()
  await once(out, 'finish')
  return { rows, bytes, families: familyCount }
}

function indicatorValue(
  next: () => number,
  pick: <T>(items: readonly T[]) => T,
  word: (n: number) => string,
  i: number,
): [string, string] {
  const roll = next()
  const host = () => `${word(2)}-${i.toString(36)}.${word(3)}.${pick(TLDS)}`
  const ip = () =>
    `${1 + Math.floor(next() * 222)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${
      1 + Math.floor(next() * 254)
    }`
  if (roll < 0.6) return [host(), 'domain']
  if (roll < 0.75) return [`https://${host()}/${word(2)}/${word(1)}.php?id=${i}`, 'url']
  if (roll < 0.95) return [`${ip()}:${pick(PORTS)}`, 'ip:port']
  let hash = ''
  while (hash.length < 64)
    hash += Math.floor(next() * 0x100000000)
      .toString(16)
      .padStart(8, '0')
  return [hash, 'sha256_hash']
}

function stamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}
