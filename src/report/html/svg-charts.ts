/**
 * @module
 * Charts drawn as inline SVG when a page is written: no script draws them and nothing is
 * loaded. Labels and tooltips (`<title>`) go through `htmlText`, so a host or family name
 * from a log or feed shows as text. Numbers are rounded to one decimal, so the same data gives
 * the same bytes.
 */
import { htmlAttr, htmlText } from './escape.ts'

/** Okabe–Ito colours, told apart with the common colour-vision deficiencies; grey is "other". */
export const SERIES_COLOURS = [
  '#0072b2',
  '#e69f00',
  '#009e73',
  '#cc79a7',
  '#56b4e9',
  '#d55e00',
  '#8a7b00',
  '#332288',
] as const
export const OTHER_COLOUR = '#9a9a9a'

export interface Bar {
  label: string
  value: number
  /** Shown on hover; defaults to the label and value. */
  title?: string
}

const LABEL_CHARS = 38

/** A horizontal bar chart, one row a bar, the label left, the count right of its bar. */
export function barChart(bars: readonly Bar[], caption: string): string {
  const width = 720
  const labelWidth = 300
  const valueWidth = 60
  const rowHeight = 24
  const height = bars.length * rowHeight + 8
  const max = Math.max(1, ...bars.map((b) => b.value))
  const scale = (width - labelWidth - valueWidth) / max
  const rows = bars.map((bar, n) => {
    const y = 4 + n * rowHeight
    const w = Math.max(1, bar.value * scale)
    const title = bar.title ?? `${bar.label}: ${bar.value}`
    return (
      `<g><title>${htmlText(title)}</title>` +
      `<text x="${labelWidth - 8}" y="${num(y + 16)}" text-anchor="end">${htmlText(short(bar.label))}</text>` +
      `<rect x="${labelWidth}" y="${num(y + 3)}" width="${num(w)}" height="${rowHeight - 6}" fill="${SERIES_COLOURS[0]}"></rect>` +
      `<text x="${num(labelWidth + w + 6)}" y="${num(y + 16)}">${bar.value.toLocaleString('en-US')}</text></g>`
    )
  })
  return svg(width, height, caption, rows.join(''))
}

export interface TimelineFinding {
  /** ISO 8601 UTC. */
  time: string
  /** The series it belongs to (a family name, or a label for none). */
  series: string
}

export interface Timeline {
  /** The chart, or '' when no finding has a time. */
  svg: string
  /** The series in stacking order with their colours, for a legend. */
  legend: { series: string; colour: string; count: number }[]
  /** The bucket size in words (`1 hour`). */
  bucket: string
}

const BUCKETS: [number, string][] = [
  [60_000, '1 minute'],
  [5 * 60_000, '5 minutes'],
  [15 * 60_000, '15 minutes'],
  [3_600_000, '1 hour'],
  [3 * 3_600_000, '3 hours'],
  [6 * 3_600_000, '6 hours'],
  [12 * 3_600_000, '12 hours'],
  [86_400_000, '1 day'],
  [7 * 86_400_000, '7 days'],
  [30 * 86_400_000, '30 days'],
  [365 * 86_400_000, '365 days'],
]
const MAX_BARS = 60
/** Series beyond these are stacked as one grey "other". */
const MAX_SERIES = SERIES_COLOURS.length

/**
 * Findings over time as stacked columns, one colour a series (family), in buckets chosen so
 * that the span fits in at most 60 columns.
 */
export function timelineChart(findings: readonly TimelineFinding[], caption: string): Timeline {
  const timed = findings
    .map((f) => ({ t: Date.parse(f.time), series: f.series }))
    .filter((f) => Number.isFinite(f.t))
  if (timed.length === 0) return { svg: '', legend: [], bucket: '' }

  const totals = new Map<string, number>()
  for (const f of timed) totals.set(f.series, (totals.get(f.series) ?? 0) + 1)
  const ranked = [...totals].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const named = ranked.slice(0, ranked.length > MAX_SERIES ? MAX_SERIES - 1 : MAX_SERIES)
  const colourOf = new Map(named.map(([s], n) => [s, SERIES_COLOURS[n] as string]))
  const legend = named.map(([series, count]) => ({
    series,
    colour: colourOf.get(series) as string,
    count,
  }))
  const otherCount = timed.length - legend.reduce((n, l) => n + l.count, 0)
  const other = `other (${ranked.length - named.length} more)`
  if (otherCount > 0) legend.push({ series: other, colour: OTHER_COLOUR, count: otherCount })

  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (const f of timed) {
    if (f.t < min) min = f.t
    if (f.t > max) max = f.t
  }
  const [size, bucketName] = BUCKETS.find(
    ([ms]) => Math.floor(max / ms) - Math.floor(min / ms) + 1 <= MAX_BARS,
  ) ?? [BUCKETS.at(-1)?.[0] as number, BUCKETS.at(-1)?.[1] as string]
  const first = Math.floor(min / size)
  const count = Math.floor(max / size) - first + 1
  const columns: Map<string, number>[] = Array.from({ length: count }, () => new Map())
  for (const f of timed) {
    const column = columns[Math.floor(f.t / size) - first] as Map<string, number>
    const series = colourOf.has(f.series) ? f.series : other
    column.set(series, (column.get(series) ?? 0) + 1)
  }

  const width = 720
  const height = 220
  const left = 44
  const bottom = 36
  const top = 10
  const plotHeight = height - top - bottom
  const highest = Math.max(...columns.map((c) => [...c.values()].reduce((a, b) => a + b, 0)))
  const step = (width - left - 8) / count
  const barWidth = Math.max(1, step * 0.8)
  const parts: string[] = [
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 4}" y2="${top + plotHeight}" stroke="#57606a"></line>`,
    `<text x="${left - 6}" y="${top + 10}" text-anchor="end">${highest}</text>`,
    `<text x="${left - 6}" y="${top + plotHeight}" text-anchor="end">0</text>`,
  ]
  columns.forEach((column, n) => {
    const x = left + n * step + (step - barWidth) / 2
    let y = top + plotHeight
    const start = new Date((first + n) * size).toISOString()
    for (const { series, colour } of legend) {
      const value = column.get(series)
      if (value === undefined) continue
      const h = (value / highest) * plotHeight
      y -= h
      parts.push(
        `<rect x="${num(x)}" y="${num(y)}" width="${num(barWidth)}" height="${num(h)}" fill="${colour}">` +
          `<title>${htmlText(`${series}: ${value} from ${timeLabel(start)} (${bucketName})`)}</title></rect>`,
      )
    }
  })
  const end = new Date((first + count - 1) * size).toISOString()
  parts.push(
    `<text x="${left}" y="${height - 12}">${htmlText(timeLabel(new Date(first * size).toISOString()))}</text>`,
    `<text x="${width - 4}" y="${height - 12}" text-anchor="end">${htmlText(timeLabel(end))}</text>`,
  )
  return { svg: svg(width, height, caption, parts.join('')), legend, bucket: bucketName }
}

/** A small square of a legend's colour. */
export function swatch(colour: string): string {
  return `<svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" fill="${htmlAttr(colour)}"></rect></svg>`
}

function svg(width: number, height: number, caption: string, content: string): string {
  return (
    `<svg class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ` +
    `font-size="12" font-family="system-ui, sans-serif" fill="#1b1f24"><title>${htmlText(caption)}</title>${content}</svg>`
  )
}

/** `2026-12-01 10:00` (UTC). */
function timeLabel(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`
}

function short(label: string): string {
  const chars = [...label]
  return chars.length > LABEL_CHARS ? `${chars.slice(0, LABEL_CHARS - 1).join('')}…` : label
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10)
}
