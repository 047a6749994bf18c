/**
 * @module
 * The only ways a feed value enters an SPL search: an eval string literal, a quoted search term,
 * or the text of a ```` ``` ```` comment. Each either denotes exactly the value or refuses it.
 */

/**
 * Characters an SPL string cannot hold as themselves: SPL has no escape for a line break or
 * another control character, a backtick starts a macro call even inside quotes, and invisible
 * format characters (bidi overrides, zero-width characters, separators, BOM) make a search read
 * differently from how it runs. Values holding one go to a lookup CSV instead.
 */
const UNSPELLABLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u001f\u007f-\u009f`\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/u

/** Wildcards of the search command, which has no escape for them. */
const WILDCARD = /[*?]/

/** Whether `splString` can write the value. */
export function isSplLiteral(value: string): boolean {
  return !UNSPELLABLE.test(value)
}

/** Whether `splSearchTerm` can write the value: a literal without search wildcards. */
export function isSplSearchTerm(value: string): boolean {
  return isSplLiteral(value) && !WILDCARD.test(value)
}

/** A value SPL cannot spell: callers check first, so reaching this is a huntpack bug. */
export class SplLiteralError extends RangeError {
  constructor(value: string, what: string) {
    super(`cannot write ${JSON.stringify(value)} as ${what}`)
    this.name = 'SplLiteralError'
  }
}

function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`
}

/**
 * A double-quoted string for `eval` and `where`, denoting exactly `value`: only `\` and `"` are
 * escaped there, and `*`, `?`, `|` and `[` are plain characters inside it.
 *
 * @example splString('say "hi"') // "say \"hi\""
 */
export function splString(value: string): string {
  if (!isSplLiteral(value)) throw new SplLiteralError(value, 'an SPL string')
  return quoted(value)
}

/**
 * A quoted term for the search command or a `tstats` `where` clause. There `*` is a wildcard
 * that no escape turns off, so a value holding `*` or `?` is refused.
 */
export function splSearchTerm(value: string): string {
  if (!isSplSearchTerm(value)) throw new SplLiteralError(value, 'an SPL search term')
  return quoted(value)
}

/** `"*.evil.com"`: the search-term filter for the names under a domain, at a label boundary. */
export function splSubdomainTerm(domain: string): string {
  if (!isSplSearchTerm(domain)) throw new SplLiteralError(domain, 'an SPL search term')
  return quoted(`*.${domain}`)
}

/**
 * Text safe inside a ```` ```comment``` ````: backticks (which would end it) and every
 * character `splString` refuses become spaces.
 */
export function splCommentText(text: string): string {
  return text.replace(new RegExp(UNSPELLABLE.source, 'gu'), ' ')
}

/** `14d` as the relative time `-14d` that `earliest=` takes. */
export function splEarliest(lookback: string): string {
  if (!/^[1-9][0-9]{0,4}[dhm]$/.test(lookback)) throw new RangeError(`not a lookback: ${lookback}`)
  return `-${lookback}`
}
