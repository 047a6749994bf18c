/**
 * @module
 * Findings written out: `ndjson` (one flat record a line), `csv` (the same columns), `json`
 * (one document: the findings, then the summary) and `table` (a line a finding for a
 * terminal, then the summaries). The flat record's fields are documented in
 * `docs/findings.md`; their names are a contract, so add fields rather than rename them.
 *
 * Log values are hostile input. JSON escapes them; CSV quotes them and defuses cells a
 * spreadsheet would run as formulas; the table shows control characters (and the Unicode
 * characters that reorder or break lines) as escapes, so a value cannot move the cursor,
 * colour the terminal or print a fake finding line.
 *
 * Writers stream to a `Writable` and wait when it is full. `openAtomicOutput` gives a file
 * that appears whole on `commit` or not at all.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { Writable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { HuntpackError } from '../errors.ts'
import { describeExclusion, type Exclusion } from '../hunt/exclusions.ts'
import type { Direction, Finding, MatchField, MatchKind } from '../hunt/finding.ts'
import { findingHost, type HuntSummary } from '../hunt/summary.ts'
import type { IndicatorKind, SourceRef } from '../intel/indicator.ts'
import type { EventKind } from '../logs/event.ts'
import { csvCell } from '../targets/kql/watchlist.ts'
import { plural } from '../util/plural.ts'

export const FINDING_FORMATS = ['table', 'ndjson', 'csv', 'json'] as const

export type FindingFormat = (typeof FINDING_FORMATS)[number]

/** One finding as a flat record; see `docs/findings.md`. */
export interface FindingRecord {
  time: string | null
  match: MatchKind
  field: MatchField
  direction: Direction
  matched: string
  indicator: string
  indicatorKind: IndicatorKind
  family: string | null
  familyId: string | null
  confidence: number | null
  threatTypes: string[]
  firstSeen: string | null
  lastSeen: string | null
  reference: string | null
  sources: string[]
  src: string | null
  srcPort: number | null
  dst: string | null
  dstPort: number | null
  protocol: string | null
  dnsQuery: string | null
  dnsResponse: string[]
  url: string | null
  targetHostname: string | null
  fileMD5: string | null
  fileSHA1: string | null
  fileSHA256: string | null
  host: string | null
  user: string | null
  process: string | null
  commandLine: string | null
  action: string | null
  eventType: EventKind
  logFormat: string
  file: string
  line: number | null
  record: number
  excluded: boolean
  exclusion: string | null
  exclusionReason: string | null
}

/** The record's field names, in column order. */
export const FINDING_COLUMNS = [
  'time',
  'match',
  'field',
  'direction',
  'matched',
  'indicator',
  'indicatorKind',
  'family',
  'familyId',
  'confidence',
  'threatTypes',
  'firstSeen',
  'lastSeen',
  'reference',
  'sources',
  'src',
  'srcPort',
  'dst',
  'dstPort',
  'protocol',
  'dnsQuery',
  'dnsResponse',
  'url',
  'targetHostname',
  'fileMD5',
  'fileSHA1',
  'fileSHA256',
  'host',
  'user',
  'process',
  'commandLine',
  'action',
  'eventType',
  'logFormat',
  'file',
  'line',
  'record',
  'excluded',
  'exclusion',
  'exclusionReason',
] as const satisfies readonly (keyof FindingRecord)[]

export interface FindingOutputOptions {
  /** Links a feed record to its page (ThreatFox IOC pages); preferred for `reference`. */
  recordUrl?: (source: SourceRef) => string | undefined
  /** Table only: ANSI colours for headings and match kinds. Off unless asked. */
  colour?: boolean
}

/** `feed.csv:10 (record 1784524)`. */
export function sourceText(source: SourceRef): string {
  let text = source.feed
  if (source.line !== undefined) text += `:${source.line}`
  if (source.record !== undefined) text += ` (record ${source.record})`
  return text
}

export function findingRecord(
  finding: Finding,
  exclusion?: Exclusion,
  options: FindingOutputOptions = {},
): FindingRecord {
  const { indicator: i, event: e } = finding
  let reference: string | null = null
  if (options.recordUrl !== undefined) {
    for (const source of i.sources) {
      reference = options.recordUrl(source) ?? null
      if (reference !== null) break
    }
  }
  reference ??= i.references[0] ?? null
  return {
    time: e.TimeGenerated,
    match: finding.match,
    field: finding.field,
    direction: finding.direction,
    matched: finding.matched,
    indicator: i.value,
    indicatorKind: i.kind,
    family: i.family ?? null,
    familyId: i.familyId ?? null,
    confidence: i.confidence ?? null,
    threatTypes: i.threatTypes,
    firstSeen: i.firstSeen ?? null,
    lastSeen: i.lastSeen ?? null,
    reference,
    sources: i.sources.map(sourceText),
    src: e.SrcIpAddr,
    srcPort: e.SrcPortNumber,
    dst: e.DstIpAddr,
    dstPort: e.DstPortNumber,
    protocol: e.NetworkProtocol,
    dnsQuery: e.DnsQuery,
    dnsResponse: e.DnsResponse,
    url: e.Url,
    targetHostname: e.TargetHostname,
    fileMD5: e.FileMD5,
    fileSHA1: e.FileSHA1,
    fileSHA256: e.FileSHA256,
    host: e.Dvc,
    user: e.User,
    process: e.Process,
    commandLine: e.CommandLine,
    action: e.DvcAction,
    eventType: e.EventType,
    logFormat: e.LogFormat,
    file: e.SourceFile,
    line: e.SourceLine,
    record: e.SourceRecord,
    excluded: exclusion !== undefined,
    exclusion: exclusion === undefined ? null : describeExclusion(exclusion),
    exclusionReason: exclusion?.reason ?? null,
  }
}

/** Writes findings one at a time, then what follows them; never ends the stream. */
export interface FindingWriter {
  /** One finding; `exclusion` when an excluded finding is shown (`--show-excluded`). */
  write(finding: Finding, exclusion?: Exclusion): Promise<void>
  /** Closes the document: the summary in `json` and `table`, nothing more in the others. */
  end(summary: HuntSummary): Promise<void>
}

export function findingWriter(
  format: FindingFormat,
  out: Writable,
  options: FindingOutputOptions = {},
): FindingWriter {
  switch (format) {
    case 'ndjson':
      return {
        write: (finding, exclusion) =>
          send(out, `${JSON.stringify(findingRecord(finding, exclusion, options))}\n`),
        end: async () => {},
      }
    case 'csv':
      return csvWriter(out, options)
    case 'json':
      return jsonWriter(out, options)
    case 'table':
      return tableWriter(out, options)
  }
}

/** Writes `text`, waiting for the stream to drain when it asks to. */
async function send(out: Writable, text: string): Promise<void> {
  if (out.destroyed || out.writableEnded) throw new Error('the findings output is closed')
  if (out.write(text)) return
  if (out.destroyed) throw out.errored ?? new Error('the findings output closed while writing')
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      out.off('drain', done)
      out.off('error', done)
      out.off('close', closed)
      if (error) reject(error)
      else resolve()
    }
    const closed = () => done(new Error('the findings output closed while writing'))
    out.on('drain', done)
    out.on('error', done)
    out.on('close', closed)
  })
}

// ---------------------------------------------------------------------------------------------
// CSV and JSON

/** Lists in a CSV cell are joined with this; JSON keeps them as arrays. */
export const CSV_LIST_SEPARATOR = ';'

function csvWriter(out: Writable, options: FindingOutputOptions): FindingWriter {
  let started = false
  const header = async () => {
    if (started) return
    started = true
    await send(out, `${FINDING_COLUMNS.join(',')}\n`)
  }
  return {
    async write(finding, exclusion) {
      await header()
      const record = findingRecord(finding, exclusion, options)
      const cells = FINDING_COLUMNS.map((column) => csvCell(csvText(record[column])))
      await send(out, `${cells.join(',')}\n`)
    },
    end: header,
  }
}

function csvText(value: FindingRecord[keyof FindingRecord]): string {
  if (value === null) return ''
  if (Array.isArray(value)) return value.join(CSV_LIST_SEPARATOR)
  return String(value)
}

function jsonWriter(out: Writable, options: FindingOutputOptions): FindingWriter {
  let count = 0
  return {
    async write(finding, exclusion) {
      const record = JSON.stringify(findingRecord(finding, exclusion, options))
      await send(out, `${count++ === 0 ? '{\n  "findings": [\n' : ',\n'}    ${record}`)
    },
    async end(summary) {
      const summaryText = JSON.stringify(summary, null, 2).replace(/\n/g, '\n  ')
      const head = count === 0 ? '{\n  "findings": [],\n' : '\n  ],\n'
      await send(out, `${head}  "summary": ${summaryText}\n}\n`)
    },
  }
}

// ---------------------------------------------------------------------------------------------
// Table

/** Column widths of the table's fixed columns; longer values are cut with `…`. */
const WIDTH = { time: 24, host: 18, match: 12, field: 20, matched: 64, family: 18, source: 48 }

const ANSI = {
  bold: '\u001b[1m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  reset: '\u001b[0m',
} as const

/**
 * Text safe to print on a terminal: C0 and C1 controls, DEL, line and paragraph separators,
 * bidirectional overrides, zero-width characters and lone surrogates shown as escapes
 * (`\n`, `\x1b`, `\u202e`). Backslashes are left alone, so Windows paths read naturally; the
 * other formats carry the exact text.
 */
export function terminalText(value: string): string {
  return UNSAFE.test(value) ? value.replace(UNSAFE_ALL, escapeChar) : value
}

// In Unicode mode a surrogate range matches only lone surrogates: pairs are one code point.
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]/u
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu')

const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeChar(char: string): string {
  const named = NAMED_ESCAPES[char]
  if (named !== undefined) return named
  const code = char.charCodeAt(0)
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`
}

/** Cuts to `width` characters (code points), marking the cut with `…`; `fromStart` keeps the end. */
export function cut(text: string, width: number, fromStart = false): string {
  if (text.length <= width) return text
  const chars = Array.from(text)
  if (chars.length <= width) return text
  return fromStart
    ? `…${chars.slice(chars.length - width + 1).join('')}`
    : `${chars.slice(0, width - 1).join('')}…`
}

function cell(text: string, width: number, fromStart = false): string {
  const shown = cut(terminalText(text), width, fromStart)
  return shown + ' '.repeat(Math.max(0, width - Array.from(shown).length))
}

function tableWriter(out: Writable, options: FindingOutputOptions): FindingWriter {
  const paint = (text: string, colour: string) =>
    options.colour === true ? `${colour}${text}${ANSI.reset}` : text
  let started = false
  const header = async () => {
    if (started) return
    started = true
    const names = ['TIME', 'HOST', 'MATCH', 'FIELD', 'MATCHED', 'FAMILY', 'SOURCE']
    const widths = Object.values(WIDTH)
    const line = names.map((name, n) => cell(name, widths[n] ?? 0)).join('  ')
    await send(out, `${paint(line.trimEnd(), ANSI.bold)}\n`)
  }

  return {
    async write(finding, exclusion) {
      await header()
      const { event, indicator } = finding
      const field =
        finding.direction === null ? finding.field : `${finding.field} ${finding.direction}`
      const source = `${event.SourceFile}:${event.SourceLine ?? `#${event.SourceRecord}`}`
      const match = cell(finding.match, WIDTH.match)
      const weak = finding.match === 'address-only' || finding.match === 'host-only'
      const parts = [
        cell(event.TimeGenerated ?? '-', WIDTH.time),
        cell(findingHost(finding) ?? '-', WIDTH.host),
        paint(match, weak ? ANSI.yellow : ANSI.red),
        cell(field, WIDTH.field),
        cell(finding.matched, WIDTH.matched),
        cell(indicator.family ?? indicator.familyId ?? '-', WIDTH.family),
        cut(terminalText(source), WIDTH.source, true),
      ]
      if (exclusion !== undefined) {
        const why = `excluded: ${exclusion.reason} (${exclusion.file}:${exclusion.line})`
        parts.push(cut(terminalText(why), 80))
      }
      await send(out, `${parts.join('  ').trimEnd()}\n`)
    },

    async end(summary) {
      if (!started) await send(out, 'No findings.\n')
      await send(out, summaryTable(summary, paint))
    },
  }
}

/** Names shown in a summary column: the first few, then how many more. */
function list(values: readonly string[], limit = 3): string {
  const shown = values.slice(0, limit).map((v) => cut(terminalText(v), 40))
  const more = values.length - shown.length
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ')
}

function span(first: string | null, last: string | null): string {
  if (first === null || last === null) return '-'
  return first === last ? first : `${first} .. ${last}`
}

function summaryTable(
  summary: HuntSummary,
  paint: (text: string, colour: string) => string,
): string {
  const lines: string[] = []
  const { totals } = summary
  if (summary.indicators.length > 0) {
    lines.push('', paint(`Indicators (${totals.indicators})`, ANSI.bold))
    for (const i of summary.indicators) {
      lines.push(
        [
          String(i.count).padStart(6),
          cell(i.value, WIDTH.matched),
          cell(i.kind, 7),
          cell(i.family ?? i.familyId ?? '-', WIDTH.family),
          cell(i.matches.join(','), 20),
          span(i.firstTime, i.lastTime),
        ]
          .join('  ')
          .trimEnd(),
        `${' '.repeat(8)}hosts: ${i.hosts.length === 0 ? '-' : list(i.hosts)}`,
      )
    }
  }
  if (summary.hosts.length > 0) {
    lines.push('', paint(`Hosts (${totals.hosts})`, ANSI.bold))
    for (const h of summary.hosts) {
      lines.push(
        [
          String(h.count).padStart(6),
          cell(h.host ?? '(none)', WIDTH.host),
          cell(list(h.families, 2) || '-', 30),
          span(h.firstTime, h.lastTime),
        ]
          .join('  ')
          .trimEnd(),
        `${' '.repeat(8)}indicators: ${list(h.indicators)}`,
      )
    }
  }
  const excluded = totals.excluded > 0 ? `; ${plural(totals.excluded, 'finding')} excluded` : ''
  lines.push(
    '',
    `${plural(totals.findings, 'finding')} in ${plural(totals.events, 'event')} ` +
      `from ${plural(totals.files, 'file')}${excluded}; ` +
      `${plural(totals.broken, 'broken record')}.`,
  )
  return `${lines.join('\n')}\n`
}

// ---------------------------------------------------------------------------------------------
// Files

/** A file written through a stream that replaces `path` only on `commit`. */
export interface AtomicOutput {
  stream: Writable
  /** Ends the stream and renames the file over `path`. */
  commit(): Promise<void>
  /** Drops what was written; `path` stays as it was. */
  abort(): Promise<void>
}

/** Opens a temporary file beside `path`; errors carry `ERR_OUTPUT`. */
export async function openAtomicOutput(path: string): Promise<AtomicOutput> {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  const failed = (error: unknown) =>
    new HuntpackError(
      'ERR_OUTPUT',
      `cannot write ${path}: ${(error as Error).message}`,
      undefined,
      {
        cause: error,
      },
    )
  try {
    await mkdir(dir, { recursive: true })
  } catch (error) {
    throw failed(error)
  }
  const stream = createWriteStream(temp, { flags: 'wx' })
  try {
    await once(stream, 'open')
  } catch (error) {
    throw failed(error)
  }
  // Later errors surface through the writer and `commit`; unhandled meanwhile they would crash.
  stream.on('error', () => {})
  return {
    stream,
    async commit() {
      try {
        stream.end()
        await finished(stream)
        await rename(temp, path)
      } catch (error) {
        await rm(temp, { force: true })
        throw failed(error)
      }
    },
    async abort() {
      stream.destroy()
      await rm(temp, { force: true })
    },
  }
}
