/**
 * @module
 * The HTML hunt report: one file that works offline. Summary figures, a timeline of findings
 * by family, the top hosts and indicators as SVG drawn here, and the findings table, which an
 * inline script filters and sorts. Built from flat finding records (`docs/findings.md`), so a
 * hunt writes it directly and `huntpack report` writes it from saved NDJSON or JSON.
 */
import type { HuntCounts } from '../../hunt/summary.ts'
import { plural } from '../../util/plural.ts'
import { type AtomicOutput, type FindingRecord, openAtomicOutput } from '../findings.ts'
import { htmlAttr, htmlLink, htmlText } from './escape.ts'
import { renderPage } from './page.ts'
import { TABLE_SCRIPT } from './scripts.ts'
import { barChart, swatch, timelineChart } from './svg-charts.ts'

export interface HuntReportInput {
  records: readonly FindingRecord[]
  /** What the hunt read, when the hunt itself writes the report. */
  counts?: HuntCounts
  /** Where the findings came from: the logs hunted, or the findings file. */
  inputs: readonly string[]
  title?: string
  /** Findings exclusions left out, listed or not (records only hold those shown). */
  excluded?: number
}

/** Rows in the findings table; the charts and figures count every finding. */
export const REPORT_ROW_LIMIT = 10_000
const TOP = 10
const NO_FAMILY = '(no family)'
const NO_HOST = '(no host)'

/**
 * The host a finding is about, as the summary has it: the reporting device, else the address on
 * the other side from the indicator.
 */
export function recordHost(record: FindingRecord): string | null {
  const device = record.host?.trim()
  if (device) return device
  return record.direction === 'from' ? record.dst : record.src
}

export function renderHuntReport(input: HuntReportInput): string {
  const title = input.title ?? 'huntpack hunt report'
  const counted = input.records.filter((r) => !r.excluded)
  const excluded = Math.max(input.excluded ?? 0, input.records.length - counted.length)
  const body = [
    `<h1>${htmlText(title)}</h1>`,
    `<p class="muted">From ${input.inputs.map((i) => `<code>${htmlText(i)}</code>`).join(', ')}. Times are UTC.</p>`,
    figures(counted, excluded, input.counts),
    timelineSection(counted),
    topSection(
      'Top hosts',
      'host',
      countBy(counted, (r) => recordHost(r) ?? NO_HOST),
    ),
    topSection(
      'Top indicators',
      'indicator',
      countBy(counted, (r) => (r.family === null ? r.indicator : `${r.indicator} — ${r.family}`)),
    ),
    findingsSection(input.records),
  ]
  return renderPage({ title, body: body.join('\n'), style: REPORT_STYLE, script: TABLE_SCRIPT })
}

/** Writes the report to `path` whole, or leaves the file as it was. */
export async function writeHuntReport(path: string, input: HuntReportInput): Promise<void> {
  const output: AtomicOutput = await openAtomicOutput(path)
  try {
    output.stream.write(renderHuntReport(input))
    await output.commit()
  } catch (error) {
    await output.abort()
    throw error
  }
}

function figures(
  records: readonly FindingRecord[],
  excluded: number,
  counts: HuntCounts | undefined,
): string {
  const hosts = new Set(records.map(recordHost).filter((h) => h !== null))
  const indicators = new Set(records.map((r) => `${r.indicatorKind} ${r.indicator}`))
  const families = new Set(records.map((r) => r.family ?? r.familyId).filter((f) => f !== null))
  const times = records
    .map((r) => r.time)
    .filter((t) => t !== null)
    .sort()
  const span =
    times.length === 0
      ? 'no times'
      : `${timeText(times[0] as string)} – ${timeText(times.at(-1) as string)}`
  const items: [string, string][] = [
    ['findings', count(records.length)],
    ['hosts', count(hosts.size)],
    ['indicators', count(indicators.size)],
    ['families', count(families.size)],
    ['time span', span],
  ]
  if (excluded > 0) items.push(['excluded, not counted', count(excluded)])
  if (counts) {
    items.push(['events read', count(counts.events)], ['files read', count(counts.files)])
    if (counts.broken > 0) items.push(['records not read', count(counts.broken)])
  }
  const cells = items.map(
    ([label, value]) =>
      `<div class="figure"><dd>${htmlText(value)}</dd><dt>${htmlText(label)}</dt></div>`,
  )
  return `<dl class="figures" id="figures">${cells.join('')}</dl>`
}

function timelineSection(records: readonly FindingRecord[]): string {
  const timeline = timelineChart(
    records
      .filter((r) => r.time !== null)
      .map((r) => ({ time: r.time as string, series: r.family ?? r.familyId ?? NO_FAMILY })),
    'Findings over time by family',
  )
  const untimed = records.filter((r) => r.time === null).length
  const note = untimed > 0 ? ` ${plural(untimed, 'finding')} without a time are not drawn.` : ''
  if (timeline.svg === '') {
    return `<h2>Timeline</h2><p class="muted">No finding has a time.${htmlText(note)}</p>`
  }
  const legend = timeline.legend
    .map(
      (l) =>
        `<li>${swatch(l.colour)} ${htmlText(l.series)} <span class="muted">${count(l.count)}</span></li>`,
    )
    .join('')
  return [
    '<h2>Timeline</h2>',
    `<p class="muted">Findings by family, one column per ${htmlText(timeline.bucket)}.${htmlText(note)}</p>`,
    `<figure id="timeline">${timeline.svg}<ul class="legend">${legend}</ul></figure>`,
  ].join('\n')
}

function topSection(heading: string, what: string, counts: [string, number][]): string {
  if (counts.length === 0) return `<h2>${htmlText(heading)}</h2><p class="muted">None.</p>`
  const top = counts.slice(0, TOP)
  const more = counts.length > TOP ? ` The first ${TOP} of ${counts.length}.` : ''
  return [
    `<h2>${htmlText(heading)}</h2>`,
    `<p class="muted">Findings per ${htmlText(what)}.${htmlText(more)}</p>`,
    `<figure id="top-${htmlAttr(what)}s">${barChart(
      top.map(([label, value]) => ({
        label,
        value,
        title: `${label}: ${plural(value, 'finding')}`,
      })),
      heading,
    )}</figure>`,
  ].join('\n')
}

const COLUMNS: [string, 'text' | 'number', string][] = [
  ['Time', 'text', ''],
  ['Host', 'text', ''],
  ['Match', 'text', ''],
  ['Field', 'text', ''],
  ['Matched', 'text', ''],
  ['Indicator', 'text', ''],
  ['Family', 'text', ''],
  ['Event', 'text', ''],
  ['Source', 'text', ''],
]

function findingsSection(records: readonly FindingRecord[]): string {
  const rows = records.slice(0, REPORT_ROW_LIMIT).map(findingRow)
  const families = distinct(records.map((r) => r.family ?? NO_FAMILY))
  const matches = distinct(records.map((r) => r.match))
  const option = (v: string) => `<option value="${htmlAttr(v)}">${htmlText(v)}</option>`
  const more =
    records.length > REPORT_ROW_LIMIT
      ? `<p class="muted">The table lists the first ${count(REPORT_ROW_LIMIT)} of ${count(records.length)} findings; the figures and charts count them all. Filter the findings file for the rest.</p>`
      : ''
  const header = COLUMNS.map(
    ([name, sort]) =>
      `<th scope="col"><button type="button" data-sort="${sort}">${htmlText(name)}</button></th>`,
  ).join('')
  return [
    '<h2>Findings</h2>',
    '<div class="filters">',
    '<label>Filter <input type="search" id="filter-text" placeholder="any text: host, value, file…" autocomplete="off"></label>',
    `<label>Family <select id="filter-family" data-filter="family"><option value="">all</option>${families.map(option).join('')}</select></label>`,
    `<label>Match <select id="filter-match" data-filter="match"><option value="">all</option>${matches.map(option).join('')}</select></label>`,
    `<span id="filter-count" class="muted">${count(rows.length)} of ${count(rows.length)} shown</span>`,
    '</div>',
    more,
    records.length === 0
      ? '<p>No findings.</p>'
      : `<table class="filterable wide" id="findings"><thead><tr>${header}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
  ].join('\n')
}

function findingRow(r: FindingRecord): string {
  const host = recordHost(r)
  const direction = r.direction === null ? '' : ` (${r.direction})`
  const reference =
    r.reference === null
      ? ''
      : `<br><span class="muted">${htmlLink('reference', r.reference)}</span>`
  const excluded = r.excluded
    ? `<br><span class="excluded">excluded: ${htmlText(r.exclusion ?? '')}${r.exclusionReason ? ` — ${htmlText(r.exclusionReason)}` : ''}</span>`
    : ''
  const source = `${r.file}${r.line === null ? '' : `:${r.line}`}`
  const sortSource = `${r.file}\u0000${String(r.line ?? r.record).padStart(12, '0')}`
  const cells = [
    `<td data-v="${htmlAttr(r.time ?? '')}">${htmlText(r.time === null ? '' : timeText(r.time))}</td>`,
    `<td>${host === null ? '<span class="muted">none</span>' : htmlText(host)}</td>`,
    `<td><span class="match match-${htmlAttr(r.match)}">${htmlText(r.match)}</span>${excluded}</td>`,
    `<td><code>${htmlText(r.field)}</code>${htmlText(direction)}</td>`,
    `<td><code>${htmlText(r.matched)}</code></td>`,
    `<td><code>${htmlText(r.indicator)}</code> <span class="muted">${htmlText(r.indicatorKind)}</span>${reference}</td>`,
    `<td>${htmlText(r.family ?? NO_FAMILY)}</td>`,
    `<td>${eventText(r)}</td>`,
    `<td data-v="${htmlAttr(sortSource)}"><code>${htmlText(source)}</code></td>`,
  ]
  const attrs = [
    `data-family="${htmlAttr(r.family ?? NO_FAMILY)}"`,
    `data-match="${htmlAttr(r.match)}"`,
    r.excluded ? 'class="is-excluded"' : '',
  ].filter((a) => a !== '')
  return `<tr ${attrs.join(' ')}>${cells.join('')}</tr>`
}

/** The event in a few lines: the connection, then who and what, then the log format. */
function eventText(r: FindingRecord): string {
  const lines: string[] = []
  const side = (address: string | null, port: number | null) =>
    address === null ? '?' : port === null ? address : `${address}:${port}`
  if (r.src !== null || r.dst !== null) {
    const proto = r.protocol === null ? '' : ` ${r.protocol}`
    lines.push(`${side(r.src, r.srcPort)} → ${side(r.dst, r.dstPort)}${proto}`)
  }
  if (r.url !== null && r.field !== 'Url') lines.push(r.url)
  if (r.user !== null) lines.push(`user ${r.user}`)
  if (r.process !== null) lines.push(`process ${r.process}`)
  if (r.action !== null) lines.push(`action ${r.action}`)
  lines.push(`${r.eventType}, ${r.logFormat}`)
  return lines.map(htmlText).join('<br>')
}

function countBy(records: readonly FindingRecord[], key: (r: FindingRecord) => string) {
  const counts = new Map<string, number>()
  for (const r of records) {
    const k = key(r)
    counts.set(k, (counts.get(k) ?? 0) + 1)
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
}

function distinct(values: string[]): string[] {
  return [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

function count(n: number): string {
  return n.toLocaleString('en-US')
}

/** `2026-12-01 10:00:00` from ISO 8601 UTC; other text as it is. */
function timeText(iso: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso)
    ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}`
    : iso
}

const REPORT_STYLE = `
.figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 1rem 0; padding: 0; }
.figure { border: 1px solid var(--line); border-radius: 8px; padding: .6rem 1rem; min-width: 9rem; background: var(--bg-alt); }
.figure dd { margin: 0; font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure dt { color: var(--muted); font-size: .85rem; }
figure { margin: .5rem 0; }
svg.chart { max-width: 100%; height: auto; }
.legend { list-style: none; padding: 0; margin: .3rem 0 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; font-size: 14px; }
.legend li { overflow-wrap: anywhere; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; align-items: center; margin: .5rem 0; }
th button { all: unset; cursor: pointer; display: block; width: 100%; }
th button::after { content: " \\2195"; color: var(--muted); font-weight: normal; }
th[aria-sort=ascending] button::after { content: " \\2191"; color: var(--fg); }
th[aria-sort=descending] button::after { content: " \\2193"; color: var(--fg); }
#findings td { font-size: 13px; }
#findings td:first-child { white-space: nowrap; }
#findings td:nth-child(2) { min-width: 7rem; }
#findings td:nth-child(3), #findings td:nth-child(4) { white-space: nowrap; }
.match { font-weight: 600; }
.match-address-only, .match-host-only { color: #8a5a00; }
.excluded { color: var(--muted); font-size: 12px; }
tr.is-excluded td { background: #f3f3f3; color: var(--muted); }
`
