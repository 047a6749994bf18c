/**
 * @module
 * `pack.json`: the pack for machines, with the same content as its page. The shape is
 * documented in docs/pack-json.md; `schema` changes when a field changes meaning.
 */
import type { Indicator, Rejection, SourceRef } from '../intel/indicator.ts'
import type { PackContent } from './content.ts'

export const PACK_SCHEMA = 'huntpack.pack/1'

export function renderPackJson(input: PackContent): string {
  return packJsonChunks(input).join('')
}

/**
 * `pack.json` in pieces that concatenate to the document: a large pack is written piece by
 * piece rather than first copied into one string of hundreds of megabytes.
 */
export function packJsonChunks(input: PackContent): string[] {
  const { pack } = input
  const document = {
    schema: PACK_SCHEMA,
    id: pack.id,
    title: pack.title,
    name: pack.name,
    groupBy: pack.groupBy,
    familyId: pack.familyId ?? null,
    aliases: pack.aliases,
    feeds: pack.feeds,
    description: input.description,
    lookback: input.lookback,
    summary: input.summary,
    hunts: input.hunts.map((h) => ({
      id: h.id,
      title: h.title,
      purpose: h.purpose,
      table: h.table,
      file: h.file,
      indicatorCount: h.indicatorCount,
      watchlist: h.watchlist ?? null,
      query: h.query,
    })),
    tables: input.tables,
    artefacts: input.artefacts ?? [],
    guidance: input.guidance,
    indicators: LISTS.indicators,
    warninglisted: LISTS.warninglisted,
    rejected: LISTS.rejected,
  }
  const lists: Record<keyof typeof LISTS, string[]> = {
    indicators: lines(pack.indicators.map(indicatorLine)),
    warninglisted: lines(pack.warninglisted.map(indicatorLine)),
    rejected: lines(pack.rejections.map((r) => JSON.stringify(rejectionJson(r)))),
  }
  const chunks: string[] = []
  const skeleton = `${JSON.stringify(document, null, 2)}\n`
  const placeholder = /"\\u0000(indicators|warninglisted|rejected)"/g
  let from = 0
  for (let match = placeholder.exec(skeleton); match; match = placeholder.exec(skeleton)) {
    chunks.push(skeleton.slice(from, match.index), ...lists[match[1] as keyof typeof LISTS])
    from = match.index + match[0].length
  }
  chunks.push(skeleton.slice(from))
  return chunks
}

/** Placeholders for the long lists, which are written one item per line. */
const LISTS = {
  indicators: '\u0000indicators',
  warninglisted: '\u0000warninglisted',
  rejected: '\u0000rejected',
} as const

/**
 * A JSON array with one compact item per line: a pack of 100,000 indicators stays a readable,
 * diffable file, at a third of the size of fully indented JSON.
 */
function lines(items: string[]): string[] {
  if (items.length === 0) return ['[]']
  const chunks = ['[\n    ']
  for (let start = 0; start < items.length; start += CHUNK_LINES) {
    const last = start + CHUNK_LINES >= items.length
    chunks.push(items.slice(start, start + CHUNK_LINES).join(',\n    ') + (last ? '' : ',\n    '))
  }
  chunks.push('\n  ]')
  return chunks
}

const CHUNK_LINES = 4096

/**
 * One indicator as a compact JSON object, written by hand: a pack can hold a million of them,
 * and building an object per indicator only to stringify it doubles the cost of the file.
 */
function indicatorLine(i: Indicator): string {
  return (
    `{"kind":"${i.kind}","value":${str(i.value)}` +
    `,"original":${i.original === i.value ? 'null' : str(i.original)}` +
    `,"ip":${optional(i.ip)},"port":${i.port ?? 'null'}` +
    `,"family":${optionalLabel(i.family)},"familyId":${optionalLabel(i.familyId)}` +
    `,"threatTypes":${labels(i.threatTypes)},"confidence":${i.confidence ?? 'null'}` +
    `,"firstSeen":${optional(i.firstSeen)},"lastSeen":${optional(i.lastSeen)}` +
    `,"tags":${labels(i.tags)},"references":${strs(i.references)}` +
    `,"reporters":${labels(i.reporters)},"warninglists":${labels(i.warninglists)}` +
    `,"sources":[${i.sources.map(sourceLine).join(',')}]}`
  )
}

function sourceLine(source: SourceRef): string {
  return (
    `{"feed":${label(source.feed)},"line":${source.line ?? 'null'}` +
    `,"record":${optional(source.record)}}`
  )
}

/** Characters JSON must escape; strings without any are quoted as they are. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
const JSON_ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

function str(value: string): string {
  return JSON_ESCAPED.test(value) ? JSON.stringify(value) : `"${value}"`
}

function optional(value: string | undefined): string {
  return value === undefined ? 'null' : str(value)
}

function strs(values: readonly string[]): string {
  return values.length === 0 ? '[]' : `[${values.map(str).join(',')}]`
}

/*
 * Families, threat types, tags, reporters and feed names repeat across a pack's indicators,
 * and intake shares one array between indicators with the same list: each is quoted once.
 * Indicators do not change after intake, so an array's text cannot go stale.
 */
const quotedLabels = new Map<string, string>()
const quotedLists = new WeakMap<readonly string[], string>()
const QUOTED_LABELS_MAX = 65_536

function label(value: string): string {
  let quoted = quotedLabels.get(value)
  if (quoted === undefined) {
    quoted = str(value)
    if (quotedLabels.size >= QUOTED_LABELS_MAX) quotedLabels.clear()
    quotedLabels.set(value, quoted)
  }
  return quoted
}

function optionalLabel(value: string | undefined): string {
  return value === undefined ? 'null' : label(value)
}

function labels(values: readonly string[]): string {
  if (values.length === 0) return '[]'
  let quoted = quotedLists.get(values)
  if (quoted === undefined) {
    quoted = `[${values.map(label).join(',')}]`
    quotedLists.set(values, quoted)
  }
  return quoted
}

function rejectionJson(r: Rejection) {
  return {
    code: r.code,
    reason: r.reason,
    original: r.original,
    claimedType: r.claimedType ?? null,
    source: sourceJson(r.source),
  }
}

/** Where a value came from; the path is left out, as `feeds` and the file name say it. */
function sourceJson(source: SourceRef) {
  return { feed: source.feed, line: source.line ?? null, record: source.record ?? null }
}
