/**
 * @module
 * The only ways a value from a feed enters a KQL query: as a string literal, an integer, or the
 * text of a `//` comment. Each is built so that no input can end it early.
 */

import { UsageError } from '../../errors.ts'

/**
 * Characters written as `\uXXXX` instead of raw: line breaks (a raw one ends the literal),
 * other C0/C1 controls and DEL, lone surrogates, and the invisible format characters that can
 * make a query read differently from how it parses (bidi overrides and isolates, zero-width
 * characters, line/paragraph separators, BOM).
 */
const ESCAPED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu

/** `ESCAPED` plus the quote and the backslash, tested without the global flag. */
const NEEDS_ESCAPE = new RegExp(`['\\\\]|${ESCAPED.source}`, 'u')

const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * A single-quoted KQL string literal denoting exactly `value`.
 *
 * Single quotes with backslash escapes rather than a verbatim `@'...'`: verbatim literals cannot
 * hold a line break at all, and the escaped form can spell every code point.
 *
 * @example kqlString(`it's`) // 'it\'s'
 */
export function kqlString(value: string): string {
  // Most values need no escape at all; the scan below is for the few that do.
  if (!NEEDS_ESCAPE.test(value)) return `'${value}'`
  let body = ''
  for (const ch of value) {
    if (ch === '\\') body += '\\\\'
    else if (ch === "'") body += "\\'"
    else body += ch
  }
  body = body.replace(ESCAPED, (ch) => SHORT_ESCAPES[ch] ?? unicodeEscape(ch))
  return `'${body}'`
}

function unicodeEscape(ch: string): string {
  return `\\u${(ch.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`
}

/** An `int` literal; refuses anything but a safe integer so nothing else can be spliced in. */
export function kqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`)
  return String(value)
}

/**
 * Text safe to put after `//`: Kusto ends a comment at a line break, so every line-breaking or
 * invisible character becomes a space.
 */
export function kqlCommentText(text: string): string {
  return text.replace(ESCAPED, ' ')
}

/** What `--lookback` accepts: a whole number of days, hours or minutes. */
export const LOOKBACK = /^([1-9][0-9]{0,4})([dhm])$/

/** Validates a lookback such as `14d`, `12h` or `30m` and returns it as a KQL timespan literal. */
export function kqlLookback(lookback: string): string {
  if (!LOOKBACK.test(lookback)) {
    throw new UsageError(
      `lookback must be a whole number of days, hours or minutes such as 14d, 12h or 30m; got ${JSON.stringify(lookback)}`,
    )
  }
  return lookback
}
