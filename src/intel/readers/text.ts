/**
 * @module
 * Free text and IOC lists as analysts and vendors publish them (Talos `.txt` files, notes):
 * section headings, blank lines, trailing spaces, values defanged with `[.]`, `(.)`, `[dot]`,
 * `[:]`, `[://]`, `hxxp`, `[@]`. Each whitespace-separated token that looks like an address,
 * host, URL or hash once lightly refanged is a candidate and becomes a record with its line.
 *
 * The reader only picks candidates; the classifier refangs and validates them. Odd tokens
 * (`…/xml[.]dat'` with a stray quote) are kept, so their rejection is visible.
 */

import { IntelFormatError } from '../../errors.ts'
import type { ClaimedKind, IntelRecord } from '../indicator.ts'
import { feedName } from './fields.ts'
import type { IntelReadResult } from './types.ts'

type Shape = 'ip' | 'ip:port' | 'host' | 'host:port' | 'url' | 'hash' | 'email'

/** Headings that name one kind, and the token shapes that kind agrees with. */
const HEADINGS: { pattern: RegExp; kind: ClaimedKind; shapes: Shape[] }[] = [
  { pattern: /^(?:ip(?:v4)?s?|ip(?:v4)? addresses|addresses)$/i, kind: 'ip', shapes: ['ip'] },
  { pattern: /^(?:domains?|hostnames?|domain names?)$/i, kind: 'domain', shapes: ['host'] },
  { pattern: /^(?:urls?|uris?|links?)$/i, kind: 'url', shapes: ['url'] },
  { pattern: /^(?:sha-?256s?|sha-?256 hashes)$/i, kind: 'sha256', shapes: ['hash'] },
  { pattern: /^(?:sha-?1s?|sha-?1 hashes)$/i, kind: 'sha1', shapes: ['hash'] },
  { pattern: /^(?:md5s?|md5 hashes)$/i, kind: 'md5', shapes: ['hash'] },
  { pattern: /^(?:hashes|file hashes)$/i, kind: 'hash', shapes: ['hash'] },
]

/**
 * Reads defanged text. A line without candidates is a heading (or prose); a heading that
 * names one kind (`Domains`) is the claimed kind of the values under it, for values of that
 * shape only, until the next heading. Anything less clear is left for the classifier to infer.
 *
 * @example readText('Domains\nevil[.]example\n', 'notes.txt').records[0] // { value: 'evil[.]example', claimedKind: 'domain', … }
 */
export function readText(text: string, file: string): IntelReadResult {
  const feed = feedName(file)
  const records: IntelRecord[] = []
  let hint: (typeof HEADINGS)[number] | undefined

  const lines = text.split(/\r\n|\n|\r/)
  lines.forEach((content, index) => {
    const line = index + 1
    const tokens = content
      .split(/\s+/)
      .map(trimToken)
      .filter((token) => token !== '')
    const found = tokens.map((token) => [token, shapeOf(token)] as const)
    const candidates = found.filter(([, shape]) => shape !== undefined)

    if (candidates.length === 0) {
      const heading = content.trim().replace(/^#+\s*|:$/g, '')
      if (heading !== '') hint = HEADINGS.find((h) => h.pattern.test(heading))
      return
    }
    for (const [value, shape] of candidates) {
      const claimed = hint && shape && hint.shapes.includes(shape) ? hint.kind : undefined
      records.push({ value, claimedKind: claimed, defanged: true, source: { feed, file, line } })
    }
  })

  if (records.length === 0 && text.trim() !== '') {
    throw new IntelFormatError('no IP address, host, URL or hash found in this text', { file })
  }
  return { format: 'text', records, meta: {} }
}

/** Sentence punctuation and wrapping around a token; quotes stay (they are the feed's). */
function trimToken(token: string): string {
  return token.replace(/^[(<]+/, '').replace(/[,;>)]+$|(?<=[a-z0-9/])\.$/i, '')
}

/** A light refang, only to judge the shape: the value kept is the token as written. */
function refangForShape(token: string): string {
  return token
    .replace(/^h[xX]{2}p(s?)/i, 'http$1')
    .replace(/^fxp/i, 'ftp')
    .replace(/\[:\/\/\]|\[:\]\/\//g, '://')
    .replace(/\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)/gi, '.')
    .replace(/\[:\]/g, ':')
    .replace(/\[@\]|\(@\)|\[at\]/gi, '@')
}

const IPV4 = String.raw`\d{1,3}(?:\.\d{1,3}){3}`
const HOST = String.raw`(?:[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]+)\.?`
const SHAPES: [Shape, RegExp][] = [
  ['url', /^[a-z][a-z0-9+.-]{1,9}:\/\/[^\s/?#]+\S*$/i],
  ['ip', new RegExp(`^${IPV4}(?:/\\d{1,2})?$`)],
  ['ip:port', new RegExp(`^(?:${IPV4}|\\[[0-9a-f:.]+\\]):\\d{1,5}$`, 'i')],
  ['hash', /^(?:[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$/i],
  ['host', new RegExp(`^${HOST}$`, 'i')],
  ['host:port', new RegExp(`^${HOST}:\\d{1,5}$`, 'i')],
  ['email', new RegExp(`^[^\\s@]+@${HOST}$`, 'i')],
]

function shapeOf(token: string): Shape | undefined {
  const refanged = refangForShape(token)
  for (const [shape, pattern] of SHAPES) if (pattern.test(refanged)) return shape
  return looksLikeIpv6(refanged) ? 'ip' : undefined
}

/** Hex groups with `::` or all eight groups; a clock time (`12:30:00`) has neither. */
function looksLikeIpv6(token: string): boolean {
  // A range (`2a0e:97c0:3e3::/48`) is judged by its address part.
  const bare = token.replace(/^\[|\]$/g, '').replace(/\/\d{1,3}$/, '')
  if (!/^[0-9a-f:.]+$/i.test(bare) || !/[0-9a-f]/i.test(bare)) return false
  return bare.includes('::') || bare.split(':').length === 8
}
