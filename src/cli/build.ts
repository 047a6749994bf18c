/**
 * @module
 * `huntpack build`: intel files in, a folder of packs out.
 */
import { readdir, readFile, rm, rmdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import {
  type BuiltPack,
  buildPack,
  type IntelLoad,
  indexEntry,
  indexFile,
  loadIntel,
  type OutputFile,
  type PreparedBuild,
  preparePacks,
  recordUrls,
} from '../build.ts'
import { HuntpackError, UsageError } from '../errors.ts'
import { GROUP_BY, type GroupBy } from '../pack/pack.ts'
import { PACK_SCHEMA } from '../pack/pack-json.ts'
import type { IndexEntry } from '../report/pack-page.ts'
import { parseTargets, resolveTargets, TARGETS } from '../targets/index.ts'
import { writeFileAtomic } from '../util/atomic-write.ts'
import { formatCount, type Logger, stderrLogger } from '../util/log.ts'
import { loadWarninglists, reportLoad } from './intel-common.ts'
import { parseInteger, parseIntelFormat, parseLookback, parseSince } from './options.ts'
import { type FromStoreFlags, recordStorePacks, storeLoad } from './store.ts'

interface BuildFlags extends FromStoreFlags {
  out: string
  format?: string
  groupBy: string
  family?: string[]
  minConfidence?: string
  since?: string
  lookback: string
  inlineLimit: string
  warninglists?: string
  includeWarninglisted?: boolean
  title?: string
  targets: string
  clean?: boolean
  quiet?: boolean
}

export function registerBuild(program: Command): void {
  program
    .command('build')
    .description('write a hunt pack per malware family: Markdown page, checked KQL, pack.json')
    .argument('[files...]', 'intel files (ThreatFox CSV/JSON/API, STIX, MISP, text, Markdown)')
    .option('--from-store', 'the live indicators of the store instead of files (see pull)')
    .option('--store <path>', 'the store for --from-store (default: under the data folder)')
    .option('--max-age <age>', 'with --from-store: expiry, 30d or kind=age,… (see diff)')
    .option('-o, --out <dir>', 'output folder', 'packs')
    .option('-f, --format <format>', 'read every file as this format instead of detecting it')
    .option('--group-by <key>', `one pack per: ${GROUP_BY.join(', ')}`, 'family')
    .option('--family <name...>', 'only these families (name, id such as win.xworm, or alias)')
    .option('--min-confidence <n>', 'only indicators with at least this confidence (0-100)')
    .option('--since <when>', 'only indicators seen since a date, ISO time or duration (7d)')
    .option('--lookback <duration>', 'time window of every query', '14d')
    .option('--inline-limit <n>', 'values per hunt written inline; more go to a watchlist', '200')
    .option('--warninglists <dir>', 'MISP warninglist files to flag benign values with')
    .option('--include-warninglisted', 'hunt warninglisted values too')
    .option('--title <text>', 'title prefix of the pages (default: the feed, e.g. ThreatFox)')
    .option(
      '--targets <list>',
      `what to write besides page and pack.json, comma-separated: ${[...TARGETS.keys()].join(', ')}, all`,
      'kql',
    )
    .option('--clean', 'remove packs of earlier builds in the output folder that this one lacks')
    .option('-q, --quiet', 'no progress on stderr')
    .addHelpText('after', `\nTargets:\n${targetHelp()}`)
    .action(async (files: string[], flags: BuildFlags) => {
      await runBuild(files, flags, stderrLogger({ quiet: flags.quiet }))
    })
}

function targetHelp(): string {
  return [...TARGETS.values()].map((t) => `  ${t.id.padEnd(18)}${t.describe}`).join('\n')
}

async function runBuild(files: string[], flags: BuildFlags, log: Logger): Promise<void> {
  if (!(GROUP_BY as readonly string[]).includes(flags.groupBy)) {
    throw new UsageError(`--group-by ${flags.groupBy}: expected one of ${GROUP_BY.join(', ')}`)
  }
  const options = {
    groupBy: flags.groupBy as GroupBy,
    families: flags.family,
    minConfidence:
      flags.minConfidence === undefined
        ? undefined
        : parseInteger('--min-confidence', flags.minConfidence, 0, 100),
    since: flags.since === undefined ? undefined : parseSince(flags.since),
    lookback: parseLookback(flags.lookback),
    inlineLimit: parseInteger('--inline-limit', flags.inlineLimit, 1, 100_000),
    includeWarninglisted: flags.includeWarninglisted ?? false,
    title: flags.title,
    targets: parseTargets(flags.targets),
  }
  // A target that cannot use these options says so before any feed is read.
  for (const target of resolveTargets(options.targets)) target.check?.(options)
  const format = parseIntelFormat(flags.format)
  const warninglists = await loadWarninglists(flags.warninglists, log)

  const started = performance.now()
  if (files.length === 0 && !flags.fromStore)
    throw new UsageError('name intel files, or --from-store')
  let load: IntelLoad | undefined = flags.fromStore
    ? await storeLoad(files, flags)
    : await loadIntel(files, format)
  reportLoad(load, log)
  const buildOptions = { ...options, warninglists, recordUrl: recordUrls(load) }
  const prepared = preparePacks(load, buildOptions)
  // The records are not needed once packed; on a large feed they are most of the memory.
  load = undefined
  log.info(
    `${formatCount(prepared.indicators)} indicators, ` +
      `${formatCount(prepared.rejections.length)} rejected, ` +
      `${prepared.packs.length} packs (${seconds(started)})`,
  )
  reportFiltered(prepared, log)
  for (const name of prepared.unmatchedFamilies) {
    log.warn(`--family ${name}: no family of these feeds has that name, id or alias`)
  }
  if (prepared.packs.length === 0) {
    log.warn('no indicator is left to hunt: check --family, --min-confidence and --since')
  }

  // Packs are built, checked and written one at a time, so memory never holds every output.
  const packs = prepared.packs
  prepared.packs = []
  const entries: IndexEntry[] = []
  const written = new Set<string>()
  const progress = new Progress(packs.length, log)
  let queries = 0
  // One pack's files are written while the next pack is built; at most two are in memory.
  let writing: Promise<unknown> = Promise.resolve()
  for (let pack = packs.shift(); pack !== undefined; pack = packs.shift()) {
    let built: BuiltPack
    try {
      built = buildPack(pack, buildOptions)
    } catch (error) {
      // The error that stops the build is this one; the pending write only has to finish.
      await writing.catch(() => undefined)
      throw error
    }
    await writing
    writing = writePack(flags.out, built)
    entries.push(indexEntry(built))
    written.add(built.pack.id)
    queries += built.queries
    progress.tick()
  }
  await writing
  await writeOutput(flags.out, indexFile(prepared, entries))
  if (flags.clean) await removeStalePacks(flags.out, written, log)
  if (flags.fromStore) await recordStorePacks(flags, flags.out, entries)
  log.info(
    `wrote ${entries.length} packs, ${formatCount(queries)} checked queries, to ${flags.out} ` +
      `(${seconds(started)})`,
  )
}

function reportFiltered(prepared: PreparedBuild, log: Logger): void {
  const { family, confidence, since } = prepared.filtered
  if (family + confidence + since === 0) return
  log.info(
    `left out by filters: ${family} by family, ${confidence} by confidence, ${since} by date`,
  )
}

/** A progress line on stderr every few seconds while packs are written. */
class Progress {
  #done = 0
  #last = performance.now()

  constructor(
    private readonly total: number,
    private readonly log: Logger,
  ) {}

  tick(): void {
    this.#done++
    const now = performance.now()
    if (now - this.#last < 2000 || this.#done === this.total) return
    this.#last = now
    this.log.info(`packs written: ${this.#done} of ${this.total}`)
  }
}

const SAFE_PATH = /^[\p{L}\p{N}._-]+(\/[\p{L}\p{N}._-]+)*$/u

async function writeOutput(out: string, file: OutputFile): Promise<void> {
  if (!SAFE_PATH.test(file.path) || file.path.split('/').includes('..')) {
    throw new HuntpackError('ERR_UNEXPECTED', `refusing to write outside the output: ${file.path}`)
  }
  const path = join(out, ...file.path.split('/'))
  try {
    await writeFileAtomic(path, file.content)
  } catch (error) {
    throw new HuntpackError('ERR_OUTPUT', `cannot write ${path}: ${(error as Error).message}`)
  }
}

/**
 * A pack's files, then the removal of the queries and watchlists that the pack's previous
 * `pack.json` lists and this build did not write again: whoever deploys every `.kql` in the
 * folder must not deploy a hunt this build dropped. Files huntpack did not list stay.
 */
async function writePack(out: string, built: BuiltPack): Promise<void> {
  const dir = join(out, built.pack.id)
  const previous = await previousFiles(join(dir, 'pack.json'))
  await Promise.all(built.files.map((file) => writeOutput(out, file)))
  const written = new Set(built.files.map((file) => file.path.slice(built.pack.id.length + 1)))
  const folders = new Set<string>()
  for (const name of previous) {
    if (written.has(name)) continue
    await rm(join(dir, ...name.split('/')), { force: true })
    for (let at = name.lastIndexOf('/'); at > 0; at = name.lastIndexOf('/', at - 1)) {
      folders.add(name.slice(0, at))
    }
  }
  // Folders the removed artefacts leave empty go too, deepest first; others stay.
  for (const folder of [...folders].sort((a, b) => b.length - a.length)) {
    await rmdir(join(dir, ...folder.split('/'))).catch(() => undefined)
  }
}

/**
 * The query, watchlist and artefact files an earlier huntpack `pack.json` names, relative to
 * the pack folder; none if there is none.
 */
async function previousFiles(packJson: string): Promise<string[]> {
  let document: {
    schema?: unknown
    hunts?: { file?: unknown; watchlist?: { file?: unknown } }[]
    artefacts?: { file?: unknown }[]
  }
  try {
    document = JSON.parse(await readFile(packJson, 'utf8'))
  } catch {
    return []
  }
  if (document.schema !== PACK_SCHEMA || !Array.isArray(document.hunts)) return []
  const names = document.hunts.flatMap((h) => [h.file, h.watchlist?.file])
  const artefacts = Array.isArray(document.artefacts) ? document.artefacts.map((a) => a?.file) : []
  return [
    ...names.filter((n): n is string => typeof n === 'string' && SAFE_NAME.test(n)),
    ...artefacts.filter((n): n is string => typeof n === 'string' && SAFE_ARTEFACT.test(n)),
  ]
}

const SAFE_NAME = /^[a-z0-9-]+\.(kql|watchlist\.csv)$/
/** Folders without dots, so no `..`; a file name with an extension. */
const SAFE_ARTEFACT = /^(?:[a-z0-9-]+\/)+[a-z0-9-]+(?:\.[a-z0-9]+)+$/

/** Only folders holding a huntpack `pack.json` are removed: nothing else in `out` is ours. */
async function removeStalePacks(out: string, keep: Set<string>, log: Logger): Promise<void> {
  for (const entry of await readdir(out, { withFileTypes: true })) {
    if (!entry.isDirectory() || keep.has(entry.name)) continue
    const packJson = join(out, entry.name, 'pack.json')
    let schema: unknown
    try {
      schema = JSON.parse(await readFile(packJson, 'utf8')).schema
    } catch {
      continue
    }
    if (schema !== PACK_SCHEMA) continue
    await rm(join(out, entry.name), { recursive: true })
    log.info(`removed stale pack ${entry.name}`)
  }
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`
}
