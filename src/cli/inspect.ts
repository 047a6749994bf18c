/**
 * @module
 * `huntpack inspect`: what feeds hold, by kind, family and threat type, with every warninglisted
 * and rejected value and why. A table on stdout, or JSON with `--json`.
 */
import type { Command } from 'commander'
import { type IntelLoad, loadIntel } from '../build.ts'
import type { Indicator, Rejection } from '../intel/indicator.ts'
import { intake } from '../intel/intake.ts'
import { stderrLogger } from '../util/log.ts'
import { plural } from '../util/plural.ts'
import { loadWarninglists, reportLoad } from './intel-common.ts'
import { parseIntelFormat } from './options.ts'

interface InspectFlags {
  format?: string
  warninglists?: string
  json?: boolean
  quiet?: boolean
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what intel files hold, and every rejected or warninglisted value')
    .argument('<files...>', 'intel files')
    .option('-f, --format <format>', 'read every file as this format instead of detecting it')
    .option('--warninglists <dir>', 'MISP warninglist files to flag benign values with')
    .option('--json', 'print JSON instead of tables')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (files: string[], flags: InspectFlags) => {
      const log = stderrLogger({ quiet: flags.quiet })
      const warninglists = await loadWarninglists(flags.warninglists, log)
      const load = await loadIntel(files, parseIntelFormat(flags.format))
      reportLoad(load, log)
      const { indicators, rejections } = intake(load.records, { warninglists })
      const report = inspection(load, indicators, rejections)
      process.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : render(report))
    })
}

export interface Inspection {
  feeds: IntelLoad['feeds']
  records: number
  indicators: number
  rejected: number
  warninglisted: number
  byKind: Record<string, number>
  byThreatType: Record<string, number>
  byFamily: Record<string, number>
  warninglistedValues: { kind: string; value: string; family: string | null; lists: string[] }[]
  rejections: Rejection[]
}

export function inspection(
  load: IntelLoad,
  indicators: Indicator[],
  rejections: Rejection[],
): Inspection {
  const count = (into: Record<string, number>, key: string) => {
    into[key] = (into[key] ?? 0) + 1
  }
  const byKind: Record<string, number> = {}
  const byThreatType: Record<string, number> = {}
  const byFamily: Record<string, number> = {}
  for (const indicator of indicators) {
    count(byKind, indicator.kind)
    for (const type of indicator.threatTypes) count(byThreatType, type)
    count(byFamily, familyLabel(indicator))
  }
  const warninglisted = indicators.filter((i) => i.warninglists.length > 0)
  return {
    feeds: load.feeds,
    records: load.records.length,
    indicators: indicators.length,
    rejected: rejections.length,
    warninglisted: warninglisted.length,
    byKind: sortCounts(byKind),
    byThreatType: sortCounts(byThreatType),
    byFamily: sortCounts(byFamily),
    warninglistedValues: warninglisted.map((i) => ({
      kind: i.kind,
      value: i.value,
      family: i.family ?? null,
      lists: i.warninglists,
    })),
    rejections,
  }
}

function familyLabel(item: { family?: string; familyId?: string }): string {
  if (item.family && item.familyId) return `${item.family} (${item.familyId})`
  return item.family ?? item.familyId ?? '(no family)'
}

function sortCounts(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  )
}

function render(report: Inspection): string {
  const out: string[] = []
  out.push('Feeds')
  for (const feed of report.feeds) {
    const updated = feed.updated ? `, updated ${feed.updated}` : ''
    out.push(`  ${safe(feed.file)}  ${feed.format}, ${plural(feed.records, 'record')}${updated}`)
  }
  // Each record is one indicator or one rejection; the rest merged into an indicator.
  const merged = report.records - report.indicators - report.rejected
  out.push(
    '',
    `${plural(report.records, 'record')}: ${plural(report.indicators, 'indicator')}` +
      `${merged > 0 ? ` (${plural(merged, 'duplicate')} merged)` : ''}, ` +
      `${report.rejected} rejected, ${report.warninglisted} warninglisted`,
  )
  for (const [title, counts] of [
    ['By kind', report.byKind],
    ['By threat type', report.byThreatType],
    ['By family', report.byFamily],
  ] as const) {
    out.push('', title, ...columns(Object.entries(counts).map(([k, n]) => [safe(k), String(n)])))
  }
  if (report.warninglistedValues.length > 0) {
    out.push('', `Warninglisted (${report.warninglistedValues.length}, not hunted by default)`)
    out.push(
      ...columns(
        report.warninglistedValues.map((w) => [w.kind, safe(w.value), w.lists.join(', ')]),
      ),
    )
  }
  if (report.rejections.length > 0) {
    out.push('', `Rejected (${report.rejections.length}, never hunted)`)
    out.push(
      ...columns(
        report.rejections.map((r) => [
          location(r),
          safe(r.claimedType ?? '-'),
          safe(r.original),
          safe(r.reason),
        ]),
      ),
    )
  }
  return `${out.join('\n')}\n`
}

function location(r: Rejection): string {
  const { feed, line, record } = r.source
  if (line !== undefined) return `${safe(feed)}:${line}`
  return record !== undefined ? `${safe(feed)}#${safe(record)}` : safe(feed)
}

function columns(rows: string[][]): string[] {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.min(60, Math.max(widths[i] ?? 0, cell.length))
    })
  }
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join('  ')}`,
  )
}

/** Control characters shown as escapes, so a hostile value cannot drive the terminal. */
function safe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
  })
}
