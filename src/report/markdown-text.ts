/**
 * @module
 * Escaping for Markdown. Every value from a feed reaches a page through one of these, so no
 * value can open a link, raw HTML, a code block or a new table cell.
 */

const TEXT_SPECIALS = /[\\`*_[\]|~#!]/g
const NEEDS_TEXT_ESCAPE = /[\\`*_[\]|~#!&<>\r\n]/
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

/** A link only for http(s) targets; anything else is shown as code, never followed. */
export function mdLink(label: string, target: string): string {
  if (!/^https?:\/\/[^\s<>()]+$/i.test(target)) return mdCode(target)
  return `[${mdText(label)}](<${target.replace(/[<>]/g, encodeURIComponent)}>)`
}

export function mdTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

/** Line breaks shown as visible escapes: a value's newline must not end a table row. */
function flatten(value: string): string {
  return value.replace(/\r\n|\r|\n/g, (m) => (m === '\n' ? '\\n' : m === '\r' ? '\\r' : '\\r\\n'))
}
