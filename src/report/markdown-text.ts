/**
 * @module
 * Escaping for Markdown. Every value from a feed reaches a page through one of these, so no
 * value can open a link, raw HTML, a code block or a new table cell.
 */

const TEXT_SPECIALS = /[\\`*_[\]|~#!]/g
const NEEDS_TEXT_ESCAPE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\\`*_[\]|~#!&<>\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/
const HTML_SPECIALS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/** Inline text: Markdown punctuation escaped, HTML neutralised, line breaks flattened. */
export function mdText(value: string): string {
  if (!NEEDS_TEXT_ESCAPE.test(value)) return value
  return flatten(value)
    .replace(/[&<>]/g, (c) => HTML_SPECIALS[c] as string)
    .replace(TEXT_SPECIALS, (c) => `\\${c}`)
}

/**
 * A code span that shows `value` verbatim. The fence is longer than any backtick run inside,
 * and `|` is escaped because GFM splits table cells before it reads code spans.
 */
export function mdCode(value: string): string {
  const text = flatten(value).replaceAll('|', '\\|')
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  const pad = text.startsWith('`') || text.endsWith('`') || text.startsWith(' ') ? ' ' : ''
  return `${fence}${pad}${text}${pad}${fence}`
}

/** A fenced block whose fence no line of `text` can close. */
export function mdFence(text: string, language: string): string {
  const longestRun = Math.max(2, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longestRun + 1)
  return `${fence}${language}\n${text.replace(/\n$/, '')}\n${fence}`
}

/**
 * A link only for http(s) targets; anything else is shown as code, never followed. Characters
 * that could end the link or its table cell are percent-encoded, which keeps the address.
 */
export function mdLink(label: string, target: string): string {
  if (!/^https?:\/\/[^\s<>()]+$/i.test(target)) return mdCode(target)
  return `[${mdText(label)}](<${target.replace(LINK_UNSAFE, encodeURIComponent)}>)`
}

const LINK_UNSAFE = /[<>|`\\[\]()]/g

export function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/**
 * Line breaks and invisible characters shown as visible escapes: a value's newline must not
 * end a table row, and a bidi override must not make a page read differently from its text.
 */
function flatten(value: string): string {
  return value
    .replace(/\r\n|\r|\n/g, (m) => (m === '\n' ? '\\n' : m === '\r' ? '\\r' : '\\r\\n'))
    .replace(INVISIBLE, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)
}

/** Bidi controls, zero-width characters and other format characters, and C0/C1 controls. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g
