/**
 * @module
 * The Markdown page of a pack, and the index of all packs. The IOC Summary table is also an
 * input format: huntpack reads its own pages back (`--format markdown`).
 */
import { defang } from '../intel/defang.ts'
import type { Indicator, Rejection } from '../intel/indicator.ts'
import type { PackArtefact, PackContent, PackTable } from '../pack/content.ts'
import type { GuidanceItem } from '../pack/guidance.ts'
import type { Pack } from '../pack/pack.ts'
import { kindCount, type PackSummary } from '../pack/summary.ts'
import { plural } from '../util/plural.ts'
import { mdCode, mdFence, mdLink, mdTable, mdText } from './markdown-text.ts'

/** Indicator rows shown on a page; the rest are in `pack.json` and the watchlist files. */
export const PAGE_ROW_LIMIT = 1000

export function renderPackPage(input: PackContent): string {
  const { pack, summary } = input
  const sections = [
    `# ${mdText(pack.title)}`,
    mdText(input.description),
    summarySection(summary),
    indicatorSection(pack.indicators, input.recordUrl, pack.groupBy !== 'family'),
    huntSection(input),
    tableSection(input.tables),
    artefactSection(input.artefacts ?? []),
    guidanceSection(input.guidance),
    warninglistedSection(pack.warninglisted),
    rejectedSection(pack.rejections),
  ]
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`
}

function summarySection(summary: PackSummary): string {
  const rows = Object.entries(summary.byKind)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => [mdText(kind), String(n)])
  return `## Summary\n\n${mdTable(['Kind', 'Indicators'], rows)}`
}

function indicatorSection(
  indicators: Indicator[],
  recordUrl: PackContent['recordUrl'],
  withFamily: boolean,
): string {
  if (indicators.length === 0) return '## IOC Summary\n\nNo indicator of this pack is hunted.'
  const rows = indicators
    .slice(0, PAGE_ROW_LIMIT)
    .map((i) => [
      mdText(i.kind),
      mdCode(defang(i.value, i.kind)),
      mdText(i.threatTypes.join(', ')),
      i.firstSeen ? mdText(i.firstSeen.replace('T', ' ').replace('Z', '')) : '',
      i.confidence === undefined ? '' : String(i.confidence),
      referenceLinks(i, recordUrl),
      ...(withFamily ? [mdText(i.family ?? i.familyId ?? '')] : []),
    ])
  const table = mdTable(
    [
      'Type',
      'Value',
      'Threat Type',
      'First Seen',
      'Confidence',
      'Reference',
      ...(withFamily ? ['Family'] : []),
    ],
    rows,
  )
  const more =
    indicators.length > PAGE_ROW_LIMIT
      ? `\n\n${indicators.length - PAGE_ROW_LIMIT} more indicators are in \`pack.json\`.`
      : ''
  return `## IOC Summary\n\nValues are defanged; times are UTC.\n\n${table}${more}`
}

/** The feed's own record pages (ThreatFox IOC pages), then the references the feed cites. */
function referenceLinks(indicator: Indicator, recordUrl: PackContent['recordUrl']): string {
  const links: string[] = []
  for (const source of indicator.sources) {
    const url = recordUrl?.(source)
    if (url !== undefined) links.push(mdLink(`#${source.record}`, url))
  }
  for (const reference of indicator.references) links.push(mdLink('reference', reference))
  return links.join(' ')
}

function huntSection(input: PackContent): string {
  if (input.hunts.length === 0) return ''
  const parts = input.hunts.map((hunt) => {
    const source = hunt.watchlist
      ? `Reads its ${plural(hunt.indicatorCount, 'value')} from the watchlist \`${hunt.watchlist.alias}\`: ` +
        `upload \`${hunt.watchlist.file}\` to Sentinel under that alias first, with ` +
        '`SearchKey` as its search key.'
      : `${plural(hunt.indicatorCount, 'value')} inline.`
    return [
      `### ${mdText(hunt.title)}`,
      `${mdText(hunt.purpose)} Table \`${hunt.table}\`; file \`${hunt.file}\`. ${source}`,
      mdFence(hunt.query, 'kql'),
    ].join('\n\n')
  })
  return `## Hunts\n\nEach query looks back ${input.lookback}.\n\n${parts.join('\n\n')}`
}

function tableSection(tables: PackTable[]): string {
  if (tables.length === 0) return ''
  const rows = tables.map((t) => [`\`${t.table}\``, mdText(t.connector), t.hunts.join(', ')])
  return `## Tables and data connectors\n\n${mdTable(['Table', 'Data connector', 'Hunts'], rows)}`
}

/** The files other targets wrote, by target; the queries and watchlists are under Hunts. */
function artefactSection(artefacts: PackArtefact[]): string {
  if (artefacts.length === 0) return ''
  const byTarget = new Map<string, string[]>()
  for (const a of artefacts) {
    const files = byTarget.get(a.target) ?? []
    files.push(mdCode(a.file))
    byTarget.set(a.target, files)
  }
  const items = [...byTarget].map(([target, files]) => `- \`${target}\`: ${files.join(', ')}`)
  return `## Artefacts\n\nFiles written for \`--targets\`, relative to this folder:\n\n${items.join('\n')}`
}

function guidanceSection(items: GuidanceItem[]): string {
  if (items.length === 0) return ''
  const parts = items.map((item) => {
    const lines = [`### ${mdText(item.title)}`, mdText(item.detail)]
    if (item.examples.length > 0) {
      const shown = item.examples.map((e) => mdCode(e)).join(', ')
      const rest =
        item.count > item.examples.length ? ` and ${item.count - item.examples.length} more` : ''
      lines.push(`Concerns: ${shown}${rest}.`)
    }
    if (item.exclusion) {
      lines.push(
        'To suppress reviewed hits of this kind, append to the query:',
        mdFence(item.exclusion.kql, 'kql'),
      )
    }
    return lines.join('\n\n')
  })
  return `## False-positive guidance\n\n${parts.join('\n\n')}`
}

function warninglistedSection(indicators: Indicator[]): string {
  if (indicators.length === 0) return ''
  const rows = indicators.map((i) => [
    mdText(i.kind),
    mdCode(defang(i.value, i.kind)),
    mdText(i.warninglists.join(', ')),
  ])
  return `## Warninglisted values (not hunted)\n\n${mdTable(['Type', 'Value', 'Warninglists'], rows)}`
}

function rejectedSection(rejections: Rejection[]): string {
  if (rejections.length === 0) return ''
  return `## Rejected values (not hunted)\n\n${rejectionTable(rejections)}`
}

export function rejectionTable(rejections: Rejection[], withFamily = false): string {
  const rows = rejections.map((r) => [
    mdText(r.claimedType ?? ''),
    mdCode(r.original),
    mdText(r.reason),
    mdText(sourceText(r)),
    ...(withFamily ? [mdText(r.family ?? r.familyId ?? '')] : []),
  ])
  const header = ['Claimed type', 'Value as written', 'Reason', 'Source']
  return mdTable(withFamily ? [...header, 'Family'] : header, rows)
}

function sourceText(r: Rejection): string {
  const { feed, line, record } = r.source
  return `${feed}${line !== undefined ? `:${line}` : ''}${record !== undefined ? ` #${record}` : ''}`
}

function confidenceRange({ confidence }: PackSummary): string {
  if (!confidence) return ''
  return confidence.min === confidence.max
    ? String(confidence.min)
    : `${confidence.min}–${confidence.max}`
}

export interface IndexEntry {
  pack: Pick<Pack, 'id' | 'name'>
  summary: PackSummary
  huntCount: number
}

export function renderIndex(title: string, entries: IndexEntry[], unassigned: Rejection[]): string {
  const rows = entries.map(({ pack, summary, huntCount }) => [
    `[${mdText(pack.name)}](<${pack.id}/README.md>)`,
    summary.indicators.toLocaleString('en-US'),
    Object.entries(summary.byKind)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, n]) => kindCount(kind as Indicator['kind'], n))
      .join(', '),
    huntCount.toLocaleString('en-US'),
    confidenceRange(summary),
    summary.lastSeen ? summary.lastSeen.slice(0, 10) : '',
    (summary.warninglisted + summary.rejected).toLocaleString('en-US'),
  ])
  const total = entries.reduce((n, e) => n + e.summary.indicators, 0)
  const parts = [
    `# ${mdText(title)}`,
    `${plural(entries.length, 'pack')}, ${plural(total, 'hunted indicator')}.`,
    mdTable(
      ['Pack', 'Indicators', 'Kinds', 'Hunts', 'Confidence', 'Last seen', 'Not hunted'],
      rows,
    ),
  ]
  if (unassigned.length > 0) {
    parts.push(
      `## Rejected values outside any pack\n\n${plural(unassigned.length, 'value')} refused ` +
        `whose family has no pack.\n\n${rejectionTable(unassigned, true)}`,
    )
  }
  return `${parts.join('\n\n')}\n`
}
