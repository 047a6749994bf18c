/**
 * @module
 * The static rule library: an index of the packs with a search box that works offline, and a
 * page per pack with the content of its Markdown page (`pack-page.ts`), rendered from the
 * pack's `pack.json` (docs/pack-json.md). Every link is relative: the index links
 * `<pack>/index.html`, a pack page links the pack's files copied beside it, so the folder can
 * be served from anywhere or opened from disk.
 */
import { defang } from '../../intel/defang.ts'
import type { IndicatorKind } from '../../intel/indicator.ts'
import { kindCount } from '../../pack/summary.ts'
import { plural } from '../../util/plural.ts'
import { PAGE_ROW_LIMIT } from '../pack-page.ts'
import { htmlAttr, htmlJsonData, htmlLink, htmlText, relativeHref } from './escape.ts'
import { renderPage } from './page.ts'
import { COPY_SCRIPT, SEARCH_SCRIPT, TABLE_SCRIPT } from './scripts.ts'

export interface PackJsonSource {
  feed: string
  line: number | null
  record: string | null
}

export interface PackJsonIndicator {
  kind: IndicatorKind
  value: string
  family: string | null
  familyId: string | null
  threatTypes: string[]
  confidence: number | null
  firstSeen: string | null
  lastSeen: string | null
  references: string[]
  warninglists: string[]
  sources: PackJsonSource[]
}

/** The fields of `pack.json` the site shows. */
export interface PackJson {
  schema: string
  id: string
  title: string
  name: string
  groupBy: 'family' | 'threat-type' | 'none'
  familyId: string | null
  aliases: string[]
  feeds: string[]
  description: string
  lookback: string
  summary: {
    indicators: number
    byKind: Partial<Record<IndicatorKind, number>>
    byThreatType: Record<string, number>
    firstSeen?: string
    lastSeen?: string
    confidence?: { min: number; max: number }
    warninglisted: number
    rejected: number
  }
  hunts: {
    id: string
    title: string
    purpose: string
    table: string
    file: string
    indicatorCount: number
    watchlist: { alias: string; file: string } | null
    query: string
  }[]
  tables: { table: string; connector: string; hunts: string[] }[]
  artefacts: { target: string; file: string; hunt: string | null }[]
  guidance: {
    id: string
    title: string
    detail: string
    count: number
    examples: string[]
    exclusion?: { kql: string } | null
  }[]
  indicators: PackJsonIndicator[]
  warninglisted: PackJsonIndicator[]
  rejected: {
    code: string
    reason: string
    original: string
    claimedType: string | null
    source: PackJsonSource
  }[]
}

/** Every file of a pack the site links, relative to the pack folder, each once. */
export function packFiles(pack: PackJson, extra: readonly string[] = []): string[] {
  const files = [
    ...extra,
    ...pack.hunts.flatMap((h) => [h.file, ...(h.watchlist ? [h.watchlist.file] : [])]),
    ...pack.artefacts.map((a) => a.file),
  ]
  return [...new Set(files)]
}

/**
 * A pack's page. `downloads` are the files copied beside it (relative to the pack folder):
 * `pack.json`, the page's Markdown, the queries, watchlists and target artefacts.
 */
export function renderSitePackPage(pack: PackJson, downloads: readonly string[]): string {
  const sections = [
    '<nav><a href="../index.html">All packs</a></nav>',
    `<h1>${htmlText(pack.title)}</h1>`,
    `<p>${htmlText(pack.description)}</p>`,
    summarySection(pack),
    indicatorSection(pack),
    huntSection(pack),
    tableSection(pack),
    artefactSection(pack),
    downloadSection(downloads),
    guidanceSection(pack),
    warninglistedSection(pack),
    rejectedSection(pack),
  ]
  return renderPage({
    title: pack.title,
    body: sections.filter((s) => s !== '').join('\n'),
    style: SITE_STYLE,
    script: TABLE_SCRIPT + COPY_SCRIPT,
  })
}

function summarySection(pack: PackJson): string {
  const rows = Object.entries(pack.summary.byKind)
    .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
    .map(([kind, n]) => [htmlText(kind), num(n ?? 0)])
  return `<h2 id="summary">Summary</h2>\n${table(['Kind', 'Indicators'], rows, [1])}`
}

function indicatorSection(pack: PackJson): string {
  const heading = '<h2 id="iocs">IOC Summary</h2>'
  if (pack.indicators.length === 0) return `${heading}\n<p>No indicator of this pack is hunted.</p>`
  const withFamily = pack.groupBy !== 'family'
  const rows = pack.indicators
    .slice(0, PAGE_ROW_LIMIT)
    .map((i) => [
      htmlText(i.kind),
      `<code>${htmlText(defang(i.value, i.kind))}</code>`,
      htmlText(i.threatTypes.join(', ')),
      i.firstSeen ? htmlText(i.firstSeen.replace('T', ' ').replace('Z', '')) : '',
      i.confidence === null ? '' : String(i.confidence),
      referenceCell(i),
      ...(withFamily ? [htmlText(i.family ?? i.familyId ?? '')] : []),
    ])
  const header = ['Type', 'Value', 'Threat Type', 'First Seen', 'Confidence', 'Reference']
  const more =
    pack.indicators.length > PAGE_ROW_LIMIT
      ? `<p>${pack.indicators.length - PAGE_ROW_LIMIT} more indicators are in <code>pack.json</code>.</p>`
      : ''
  return [
    heading,
    '<p>Values are defanged; times are UTC.</p>',
    '<div class="filters"><label>Filter <input type="search" id="filter-text" placeholder="value, type, threat type…" autocomplete="off"></label>',
    `<span id="filter-count" class="muted">${rows.length} of ${rows.length} shown</span></div>`,
    table(withFamily ? [...header, 'Family'] : header, rows, [4], 'filterable wide', 'iocs-table'),
    more,
  ].join('\n')
}

/** The feed records (id and place) and the references the feed cites. */
function referenceCell(i: PackJsonIndicator): string {
  const parts = i.sources
    .filter((s) => s.record !== null)
    .map((s) => `<span title="${htmlAttr(sourceText(s))}">#${htmlText(s.record ?? '')}</span>`)
  for (const reference of i.references) parts.push(htmlLink('reference', reference))
  return parts.join(' ')
}

function huntSection(pack: PackJson): string {
  if (pack.hunts.length === 0) return ''
  const parts = pack.hunts.map((hunt, n) => {
    const source = hunt.watchlist
      ? `Reads its ${htmlText(plural(hunt.indicatorCount, 'value'))} from the watchlist <code>${htmlText(hunt.watchlist.alias)}</code>: ` +
        `upload ${fileLink(hunt.watchlist.file)} to Sentinel under that alias first, with <code>SearchKey</code> as its search key.`
      : `${htmlText(plural(hunt.indicatorCount, 'value'))} inline.`
    const id = `query-${n + 1}`
    return [
      `<h3 id="hunt-${htmlAttr(hunt.id)}">${htmlText(hunt.title)}</h3>`,
      `<p>${htmlText(hunt.purpose)} Table <code>${htmlText(hunt.table)}</code>; file ${fileLink(hunt.file)}. ${source}</p>`,
      codeBlock(id, hunt.query),
    ].join('\n')
  })
  return `<h2 id="hunts">Hunts</h2>\n<p>Each query looks back ${htmlText(pack.lookback)}.</p>\n${parts.join('\n')}`
}

function codeBlock(id: string, text: string): string {
  return (
    `<div class="code"><button type="button" class="copy" data-copy="${htmlAttr(id)}">Copy</button>` +
    `<pre><code id="${htmlAttr(id)}">${htmlText(text.replace(/\n$/, ''))}</code></pre></div>`
  )
}

function tableSection(pack: PackJson): string {
  if (pack.tables.length === 0) return ''
  const rows = pack.tables.map((t) => [
    `<code>${htmlText(t.table)}</code>`,
    htmlText(t.connector),
    htmlText(t.hunts.join(', ')),
  ])
  return `<h2 id="tables">Tables and data connectors</h2>\n${table(['Table', 'Data connector', 'Hunts'], rows)}`
}

function artefactSection(pack: PackJson): string {
  if (pack.artefacts.length === 0) return ''
  const byTarget = new Map<string, string[]>()
  for (const a of pack.artefacts) {
    const files = byTarget.get(a.target) ?? []
    files.push(fileLink(a.file))
    byTarget.set(a.target, files)
  }
  const items = [...byTarget].map(
    ([target, files]) => `<li><code>${htmlText(target)}</code>: ${files.join(', ')}</li>`,
  )
  return `<h2 id="artefacts">Artefacts</h2>\n<p>Files written for <code>--targets</code>, relative to this folder:</p>\n<ul>${items.join('')}</ul>`
}

function downloadSection(downloads: readonly string[]): string {
  if (downloads.length === 0) return ''
  const items = downloads.map((file) => `<li>${fileLink(file)}</li>`)
  return `<h2 id="downloads">Downloads</h2>\n<p>Every file of this pack:</p>\n<ul class="downloads">${items.join('')}</ul>`
}

/** A download link to a file of the pack, copied beside the page. */
function fileLink(file: string): string {
  return `<a href="${htmlAttr(relativeHref(file))}" download><code>${htmlText(file)}</code></a>`
}

function guidanceSection(pack: PackJson): string {
  if (pack.guidance.length === 0) return ''
  const parts = pack.guidance.map((item, n) => {
    const lines = [`<h3>${htmlText(item.title)}</h3>`, `<p>${htmlText(item.detail)}</p>`]
    if (item.examples.length > 0) {
      const shown = item.examples.map((e) => `<code>${htmlText(e)}</code>`).join(', ')
      const rest =
        item.count > item.examples.length ? ` and ${item.count - item.examples.length} more` : ''
      lines.push(`<p>Concerns: ${shown}${rest}.</p>`)
    }
    if (item.exclusion) {
      lines.push(
        '<p>To suppress reviewed hits of this kind, append to the query:</p>',
        codeBlock(`exclusion-${n + 1}`, item.exclusion.kql),
      )
    }
    return lines.join('\n')
  })
  return `<h2 id="guidance">False-positive guidance</h2>\n${parts.join('\n')}`
}

function warninglistedSection(pack: PackJson): string {
  if (pack.warninglisted.length === 0) return ''
  const rows = pack.warninglisted.map((i) => [
    htmlText(i.kind),
    `<code>${htmlText(defang(i.value, i.kind))}</code>`,
    htmlText(i.warninglists.join(', ')),
  ])
  return `<h2 id="warninglisted">Warninglisted values (not hunted)</h2>\n${table(['Type', 'Value', 'Warninglists'], rows)}`
}

function rejectedSection(pack: PackJson): string {
  if (pack.rejected.length === 0) return ''
  const rows = pack.rejected.map((r) => [
    htmlText(r.claimedType ?? ''),
    `<code>${htmlText(r.original)}</code>`,
    htmlText(r.reason),
    htmlText(rejectionSource(r.source)),
  ])
  return `<h2 id="rejected">Rejected values (not hunted)</h2>\n${table(['Claimed type', 'Value as written', 'Reason', 'Source'], rows)}`
}

function sourceText(s: PackJsonSource): string {
  return `${s.feed}${s.line !== null ? `:${s.line}` : ''}`
}

function rejectionSource(s: PackJsonSource): string {
  return `${sourceText(s)}${s.record !== null ? ` #${s.record}` : ''}`
}

export interface SiteIndexInput {
  title: string
  packs: PackJson[]
  /** Indicator values the search box looks in, at most this many (the rest are not searched). */
  searchLimit?: number
}

/** Indicator values the index's search data holds by default. */
export const SEARCH_VALUE_LIMIT = 200_000

export function renderSiteIndex(input: SiteIndexInput): string {
  const { packs } = input
  const limit = input.searchLimit ?? SEARCH_VALUE_LIMIT
  const rows = packs.map((pack, index) => {
    const search = [
      pack.name,
      pack.id,
      pack.familyId ?? '',
      ...pack.aliases,
      ...Object.keys(pack.summary.byKind),
    ]
      .join(' ')
      .toLowerCase()
    const cells = [
      `<a href="${htmlAttr(relativeHref(`${pack.id}/index.html`))}">${htmlText(pack.name)}</a>` +
        (pack.aliases.length > 0
          ? `<br><span class="muted">${htmlText(pack.aliases.join(', '))}</span>`
          : ''),
      num(pack.summary.indicators),
      htmlText(
        Object.entries(pack.summary.byKind)
          .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
          .map(([kind, n]) => kindCount(kind as IndicatorKind, n ?? 0))
          .join(', '),
      ),
      num(pack.hunts.length),
      htmlText(confidenceRange(pack)),
      htmlText(pack.summary.lastSeen ? pack.summary.lastSeen.slice(0, 10) : ''),
      num(pack.summary.warninglisted + pack.summary.rejected),
    ]
    const numeric = new Set([1, 3, 6])
    const tds = cells.map((c, n) => `<td${numeric.has(n) ? ' class="num"' : ''}>${c}</td>`)
    return `<tr data-pack="${index}" data-search="${htmlAttr(search)}">${tds.join('')}</tr>`
  })
  const values: [string, string, number][] = []
  packs.forEach((pack, n) => {
    for (const i of pack.indicators) {
      if (values.length < limit) values.push([i.value, i.kind, n])
    }
  })
  const total = packs.reduce((n, p) => n + p.summary.indicators, 0)
  const searched =
    total > values.length ? ` The search looks in the first ${num(values.length)} of them.` : ''
  const header = ['Pack', 'Indicators', 'Kinds', 'Hunts', 'Confidence', 'Last seen', 'Not hunted']
  const body = [
    `<h1>${htmlText(input.title)}</h1>`,
    `<p>${htmlText(plural(packs.length, 'pack'))}, ${htmlText(plural(total, 'hunted indicator'))}.${htmlText(searched)}</p>`,
    '<div class="filters"><label>Search <input type="search" id="search" placeholder="family, alias, kind, or an indicator: 1.2.3.4, evil[.]com" autocomplete="off"></label></div>',
    '<p id="search-status" class="muted" aria-live="polite"></p>',
    '<ul id="search-results"></ul>',
    `<table class="wide" id="packs"><thead><tr>${header.map((h, n) => `<th scope="col"${[1, 3, 6].includes(n) ? ' class="num"' : ''}>${htmlText(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`,
    `<script type="application/json" id="search-data">${htmlJsonData({ packs: packs.map((p) => [p.id, p.name]), values })}</script>`,
  ]
  return renderPage({
    title: input.title,
    body: body.join('\n'),
    style: SITE_STYLE,
    script: SEARCH_SCRIPT,
  })
}

function confidenceRange(pack: PackJson): string {
  const c = pack.summary.confidence
  if (!c) return ''
  return c.min === c.max ? String(c.min) : `${c.min}–${c.max}`
}

function table(
  header: string[],
  rows: string[][],
  numeric: number[] = [],
  className = '',
  id = '',
): string {
  const cls = (n: number) => (numeric.includes(n) ? ' class="num"' : '')
  const head = header.map((h, n) => `<th scope="col"${cls(n)}>${htmlText(h)}</th>`).join('')
  const body = rows.map((r) => `<tr>${r.map((c, n) => `<td${cls(n)}>${c}</td>`).join('')}</tr>`)
  const attrs = `${className ? ` class="${className}"` : ''}${id ? ` id="${id}"` : ''}`
  return `<table${attrs}><thead><tr>${head}</tr></thead><tbody>\n${body.join('\n')}\n</tbody></table>`
}

function num(n: number): string {
  return n.toLocaleString('en-US')
}

const SITE_STYLE = `
nav { margin-bottom: .8rem; font-size: 14px; }
.filters { display: flex; flex-wrap: wrap; gap: .6rem 1.2rem; align-items: center; margin: .5rem 0; }
#search-results { margin: .3rem 0 1rem; padding-left: 1.2rem; }
.code { position: relative; }
.code button.copy { position: absolute; top: .35rem; right: .35rem; font-size: 12px; padding: .15rem .6rem; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.code pre { padding-right: 5.5rem; }
.downloads { columns: 2; }
.offscreen { position: fixed; left: -9999px; top: 0; }
`
