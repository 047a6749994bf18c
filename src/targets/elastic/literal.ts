/**
 * @module
 * The only ways a feed value enters an ES|QL query: a string literal, an integer, or the text of
 * a `//` comment. Each is built so that no input can end it early.
 */

/** Escapes ES|QL knows inside `"..."`: a raw line break would end the literal. */
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
}

/**
 * A double-quoted ES|QL string denoting exactly `value`. ES|QL escapes only `\`, `"`, and the
 * line break, carriage return and tab characters; every other character may stand as itself.
 *
 * @example esqlString('say "hi"') // "say \"hi\""
 */
export function esqlString(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (ch) => ESCAPES[ch] ?? ch)}"`
}

/** An integer literal; refuses anything but a safe integer so nothing else can be spliced in. */
export function esqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not an integer: ${value}`)
  return String(value)
}

/**
 * Characters replaced by a space in comments: line breaks (which end a `//` comment), other
 * controls, and invisible format characters that make a query read differently from how it runs.
 */
const UNSHOWN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/gu

/** Text safe to put after `//`. */
export function esqlCommentText(text: string): string {
  return text.replace(UNSHOWN, ' ')
}

const UNITS = { d: 'days', h: 'hours', m: 'minutes' } as const

/** `14d` as the ES|QL time span `14 days`. */
export function esqlTimeSpan(lookback: string): string {
  const match = /^([1-9][0-9]{0,4})([dhm])$/.exec(lookback)
  if (!match) throw new RangeError(`not a lookback: ${lookback}`)
  return `${match[1]} ${UNITS[match[2] as keyof typeof UNITS]}`
}
