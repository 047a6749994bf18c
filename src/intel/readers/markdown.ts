/**
 * @module
 * Markdown pages with an IOC table, as huntpack's own pack pages write them:
 * `| Type | Value | Threat Type | First Seen | Confidence | Reference |`, values defanged and
 * usually in code spans (`` `84[.]38[.]129[.]122:443` ``), `\|` for a pipe inside a cell.
 * Columns are found by header name, so extra or reordered columns do not matter. The family
 * comes from a page title of the form `# <feed>: <family> IOCs`.
 *
 * A page with an `## IOC Summary` section is read from that section only: our pages also list
 * warninglisted values in a Type/Value table, and those are not the pack's hunted indicators.
 */

import { IntelFormatError } from '../../errors.ts'
import { type ClaimedKind, INDICATOR_KINDS, type IntelRecord } from '../indicator.ts'
import { feedName, present, threatfoxKind, toConfidence, toIsoUtc } from './fields.ts'
import type { IntelReadResult } from './types.ts'

const KINDS = new Set<string>([...INDICATOR_KINDS, 'ip', 'hash'])
const TITLE = /^#\s+(.+?)\s*$/
const FAMILY_TITLE = /^(.*):\s+(.+?)\s+IOCs$/
const SECTION = /^#{2,6}\s+(.+?)\s*#*$/
const SUMMARY = /^ioc summary$/i

/**
 * Reads every IOC table (a table whose header has `Type` and `Value`) on a Markdown page.
 *
 * @example readMarkdown('# F: XWorm IOCs\n\n| Type | Value |\n|---|---|\n| domain | `a[.]example` |\n', 'p.md').records[0]?.family // 'XWorm'
 */
export function readMarkdown(text: string, file: string): IntelReadResult {
  const feed = feedName(file)
  const lines = text.split(/\r\n|\n|\r/)
  const records: IntelRecord[] = []
  let title: string | undefined
  let family: string | undefined
  let columns: Map<string, number> | undefined
  const onlySummary = lines.some((line) => SUMMARY.test(SECTION.exec(line.trim())?.[1] ?? ''))
  let inSummary = false

  for (let index = 0; index < lines.length; index++) {
    const content = (lines[index] ?? '').trim()
    const heading = title === undefined ? TITLE.exec(content) : null
    if (heading?.[1]) {
      title = unescapeText(heading[1])
      family = FAMILY_TITLE.exec(title)?.[2]
      continue
    }
    const section = SECTION.exec(content)
    if (section?.[1]) inSummary = SUMMARY.test(unescapeText(section[1]))
    if (!content.startsWith('|') || (onlySummary && !inSummary)) {
      columns = undefined
      continue
    }

    const cells = splitRow(content)
    if (columns === undefined) {
      const names = cells.map((cell) => unescapeText(cell).toLowerCase())
      const isSeparator = /^\|?[\s|:-]+$/.test(lines[index + 1] ?? '')
      if (isSeparator && names.includes('type') && names.includes('value')) {
        columns = new Map(names.map((name, at) => [name, at]))
        index++
      }
      continue
    }

    const cell = (name: string) => {
      const at = columns?.get(name)
      return at === undefined ? undefined : cells[at]
    }
    const type = present(unescapeText(cell('type') ?? ''))
    records.push({
      value: cellValue(cell('value') ?? ''),
      type,
      claimedKind: kindOf(type),
      defanged: true,
      family,
      threatType: present(unescapeText(cell('threat type') ?? '')),
      confidence: toConfidence(unescapeText(cell('confidence') ?? '')),
      firstSeen: toIsoUtc(unescapeText(cell('first seen') ?? '')),
      lastSeen: toIsoUtc(unescapeText(cell('last seen') ?? '')),
      reference: firstLink(cell('reference')),
      source: { feed, file, line: index + 1 },
    })
  }

  if (records.length === 0 && !/^\|.*\btype\b.*\|/im.test(text)) {
    throw new IntelFormatError('no IOC table (a table with "Type" and "Value" columns)', { file })
  }
  return { format: 'markdown', records, meta: { title } }
}

/** Our own pages write our kind names; pages copied from ThreatFox write its type names. */
function kindOf(type: string | undefined): ClaimedKind | undefined {
  if (type === undefined) return undefined
  return KINDS.has(type) ? (type as ClaimedKind) : threatfoxKind(type)
}

/** Cells of a table row, split at pipes that are not escaped (`\|` stays in its cell). */
function splitRow(row: string): string[] {
  const cells: string[] = []
  let current = ''
  for (let at = row.startsWith('|') ? 1 : 0; at < row.length; at++) {
    const char = row[at]
    if (char === '\\' && at + 1 < row.length) {
      current += char + row[at + 1]
      at++
    } else if (char === '|') {
      cells.push(current.trim())
      current = ''
    } else current += char
  }
  if (current.trim() !== '') cells.push(current.trim())
  return cells
}

/** A value cell: a code span's text verbatim (only `\|` unescaped), else Markdown text. */
function cellValue(cell: string): string {
  const code = /^(`+)(.*)\1$/.exec(cell)
  if (!code) return unescapeText(cell)
  let inner = code[2] ?? ''
  // CommonMark strips one space on each side when both are there (a padded code span).
  if (inner.length > 2 && inner.startsWith(' ') && inner.endsWith(' ') && inner.trim() !== '') {
    inner = inner.slice(1, -1)
  }
  return inner.replaceAll('\\|', '|')
}

function unescapeText(text: string): string {
  return text
    .replace(/\\([\\`*_[\]|~#!{}()<>+.-])/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim()
}

/** The first link target in a cell: `[label](<url>)`, `[label](url)`, `<url>` or a bare URL. */
function firstLink(cell: string | undefined): string | undefined {
  if (cell === undefined) return undefined
  const link = /\]\(<([^>]+)>\)|\]\(([^)\s]+)\)|<(https?:\/\/[^>]+)>|(https?:\/\/\S+)/.exec(cell)
  return present(link?.slice(1).find((target) => target !== undefined))
}
