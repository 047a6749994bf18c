/**
 * @module
 * `huntpack hunt`: the indicators of feeds or packs, hunted in collected logs and lakes.
 * Findings go to stdout (a table by default) or `--out`; progress and what was read go to
 * stderr. Exit code 0 when nothing was found, 1 when something was (after exclusions).
 */
import type { Command } from 'commander'
import { UsageError } from '../errors.ts'
import { clickHouseHuntFor, ENGINES } from '../hunt/clickhouse-hunt.ts'
import { type Exclusion, type ExclusionSet, loadExclusions } from '../hunt/exclusions.ts'
import { type Finding, WEAK_MATCHES } from '../hunt/finding.ts'
import { huntLogs } from '../hunt/hunt.ts'
import { loadHuntIntel } from '../hunt/intel.ts'
import { summariseFindings } from '../hunt/summary.ts'
import {
  FINDING_FORMATS,
  type FindingFormat,
  findingRecord,
  findingWriter,
  openAtomicOutput,
} from '../report/findings.ts'
import { writeHuntReport } from '../report/html/hunt-report.ts'
import { formatCount, stderrLogger } from '../util/log.ts'
import { plural } from '../util/plural.ts'
import { EXIT } from './exit-codes.ts'
import { loadWarninglists } from './intel-common.ts'
import { reportUnread } from './logs.ts'
import { parseInteger, parseIntelFormat, parseLogFormat, parseMemoryLimit } from './options.ts'
import { progressReporter } from './progress.ts'

interface HuntFlags {
  intel: string[]
  logs: string[]
  exclude?: string
  showExcluded?: boolean
  format: string
  out?: string
  html?: string
  logFormat?: string
  intelFormat?: string
  warninglists?: string
  includeWarninglisted?: boolean
  weakMatches: boolean
  batchSize: string
  threads?: string
  memoryLimit?: string
  engine: string
  clickhouseUrl?: string
  database?: string
  colour?: boolean
  quiet?: boolean
}

export function registerHunt(program: Command): void {
  program
    .command('hunt')
    .description('hunt the indicators of feeds or packs in collected logs (exit 1 on findings)')
    .requiredOption('--intel <paths...>', 'feed files, or packs folders written by build')
    .requiredOption(
      '--logs <paths...>',
      'log files, folders of them, lakes (logs import), or clickhouse:<table> (--engine clickhouse)',
    )
    .option('--exclude <file>', 'YAML exclusions of reviewed findings (see docs/findings.md)')
    .option('--show-excluded', 'list excluded findings too, marked with the rule and reason')
    .option('--format <format>', `findings as: ${FINDING_FORMATS.join(', ')}`, 'table')
    .option('-o, --out <file>', 'write findings to a file instead of stdout')
    .option('--html <file>', 'also write the HTML report (one self-contained page) to this file')
    .option('--log-format <id>', 'read every log as this format (see: huntpack logs formats)')
    .option('--intel-format <format>', 'read every feed as this format instead of detecting it')
    .option('--warninglists <dir>', 'MISP warninglist files to flag benign values with')
    .option('--include-warninglisted', 'hunt warninglisted values too')
    .option('--no-weak-matches', 'drop address-only and host-only findings')
    .option('--batch-size <n>', 'events matched per engine statement', '65536')
    .option('--threads <n>', 'engine threads (default: all cores)')
    .option('--memory-limit <size>', "engine memory limit, e.g. 512MB (DuckDB's syntax)")
    .option('--engine <engine>', `match on: ${ENGINES.join(', ')}`, 'duckdb')
    .option('--clickhouse-url <url>', 'the ClickHouse server for --engine clickhouse (HTTP)')
    .option('--database <name>', 'the ClickHouse database', 'default')
    .option('--colour', 'colour the table')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (flags: HuntFlags) => {
      process.exitCode = await hunt(flags)
    })
}

async function hunt(flags: HuntFlags): Promise<number> {
  const log = stderrLogger({ quiet: flags.quiet })
  if (!(FINDING_FORMATS as readonly string[]).includes(flags.format)) {
    throw new UsageError(`--format ${flags.format}: expected one of ${FINDING_FORMATS.join(', ')}`)
  }
  const format = flags.format as FindingFormat
  const batchSize = parseInteger('--batch-size', flags.batchSize, 1, 10_000_000)
  const memoryLimit =
    flags.memoryLimit === undefined ? undefined : parseMemoryLimit(flags.memoryLimit)
  if (flags.logFormat !== undefined) parseLogFormat(flags.logFormat)
  const threads =
    flags.threads === undefined ? undefined : parseInteger('--threads', flags.threads, 1, 256)
  const clickhouse = clickHouseHuntFor(flags)
  const exclusions: ExclusionSet | undefined =
    flags.exclude === undefined ? undefined : await loadExclusions(flags.exclude)

  const warninglists = await loadWarninglists(flags.warninglists, log)
  const intel = await loadHuntIntel(flags.intel, {
    format: parseIntelFormat(flags.intelFormat),
    warninglists,
    includeWarninglisted: flags.includeWarninglisted,
  })
  log.info(
    `${plural(intel.indicators.length, 'indicator')} to hunt from ${plural(intel.sources.length, 'file')}` +
      (intel.warninglisted.length > 0
        ? `; ${formatCount(intel.warninglisted.length)} warninglisted left out`
        : '') +
      (intel.rejected > 0 ? `; ${formatCount(intel.rejected)} rejected values` : ''),
  )
  if (intel.indicators.length === 0)
    log.warn('no indicator to hunt: every finding list will be empty')

  const result = await huntLogs(intel.indicators, flags.logs, {
    format: flags.logFormat,
    batchSize,
    engine: { threads, memoryLimit },
    clickhouse,
    onProgress: flags.quiet ? undefined : progressReporter(log),
  })
  for (const file of result.files) {
    log.info(`${file.name}: ${file.format}, ${plural(file.events, 'event')}`)
  }
  for (const lake of result.lakes) {
    log.info(`${lake.dir}: lake, ${plural(lake.manifest.events, 'event')}`)
  }
  reportUnread(result, log)

  const considered = flags.weakMatches
    ? result.findings
    : result.findings.filter((f) => !WEAK_MATCHES.includes(f.match))
  const dropped = result.findings.length - considered.length
  const excluded = new Map<Finding, Exclusion>()
  const shown: [Finding, Exclusion | undefined][] = []
  for (const finding of considered) {
    const exclusion = exclusions?.match(finding)
    if (exclusion) excluded.set(finding, exclusion)
    if (!exclusion || flags.showExcluded) shown.push([finding, exclusion])
  }
  const found = considered.length - excluded.size
  const summary = summariseFindings(
    considered,
    {
      events: result.events,
      files: result.files.length + result.lakes.length,
      broken: result.broken.length,
    },
    (f) => excluded.has(f),
  )

  // Known before a line is written, so a reader that stops early (`| head`) still gets it.
  process.exitCode = found > 0 ? EXIT.findings : EXIT.ok
  const output = flags.out === undefined ? undefined : await openAtomicOutput(flags.out)
  try {
    const writer = findingWriter(format, output?.stream ?? process.stdout, {
      recordUrl: intel.recordUrl,
      colour: flags.colour,
    })
    for (const [finding, exclusion] of shown) await writer.write(finding, exclusion)
    await writer.end(summary)
    await output?.commit()
  } catch (error) {
    await output?.abort()
    throw error
  }
  if (flags.html !== undefined) {
    await writeHuntReport(flags.html, {
      records: shown.map(([f, e]) => findingRecord(f, e, { recordUrl: intel.recordUrl })),
      counts: summary.totals,
      excluded: summary.totals.excluded,
      inputs: flags.logs,
    })
  }
  log.info(
    `${plural(found, 'finding')} in ${plural(result.events, 'event')}` +
      (excluded.size > 0 ? `; ${formatCount(excluded.size)} excluded` : '') +
      (dropped > 0 ? `; ${formatCount(dropped)} weak matches dropped` : '') +
      (flags.out ? `; written to ${flags.out}` : '') +
      (flags.html ? `; report in ${flags.html}` : ''),
  )
  return found > 0 ? EXIT.findings : EXIT.ok
}
