/**
 * @module
 * Suricata rule text: option values escaped so a feed value can never end an option or a rule,
 * and sids that stay the same for a pack and indicator across builds.
 */
import { createHash } from 'node:crypto'

/** huntpack's sids: 1,000,000,000 to 1,999,999,999, outside the ranges rule vendors use. */
export const SID_BASE = 1_000_000_000
export const SID_SPAN = 1_000_000_000

/**
 * A sid from the SHA-1 of `<pack id>/<rule key>`. `taken` holds the pack's sids so far: on a
 * collision the next free sid is used, so sids are unique within a pack and stay the same while
 * the pack's rules do.
 */
export function stableSid(packId: string, key: string, taken: Set<number>): number {
  const digest = createHash('sha1').update(`${packId}/${key}`, 'utf8').digest()
  let sid = SID_BASE + (digest.readUInt32BE(0) % SID_SPAN)
  while (taken.has(sid)) sid = SID_BASE + ((sid - SID_BASE + 1) % SID_SPAN)
  taken.add(sid)
  return sid
}

/**
 * A `content` pattern: printable ASCII as it is, everything else and the four characters the
 * rule syntax gives a meaning (`"`, `;`, `\`, `|`) as hex bytes (`|3B|`), UTF-8 encoded.
 *
 * @example contentPattern('a;b') // 'a|3B|b'
 */
export function contentPattern(text: string): string {
  let out = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte)
    out +=
      byte >= 0x20 && byte < 0x7f && !'";\\|'.includes(c)
        ? c
        : `|${byte.toString(16).toUpperCase().padStart(2, '0')}|`
  }
  return out
}

/**
 * A `msg` value: `"`, `;` and `\` escaped with a backslash, as Suricata reads them; control
 * characters (which would end the rule's line) become spaces.
 */
export function messageText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ').replace(/["\\;]/g, '\\$&')
}

/** A `metadata` value: one token of letters, digits, `_`, `.` and `-` (commas split entries). */
export function metadataToken(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'none'
  )
}

/** A URL a `reference:url,` can carry: no character the rule syntax or the list splits on. */
const REFERENCE_URL = /^https?:\/\/([A-Za-z0-9._~:/?#@!$&'()*+=%[\]-]+)$/

/** The reference's text after `url,` (reference.config adds the scheme), or undefined. */
export function referenceUrl(url: string): string | undefined {
  return REFERENCE_URL.exec(url)?.[1]
}
