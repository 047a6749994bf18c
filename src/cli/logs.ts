/**
 * @module
 * `huntpack logs`: `import` turns collected logs into a Parquet lake of normalised events for
 * repeated hunts; `events` prints the normalised events of logs as JSON lines, to see what a
 * hunt will compare; `dump` prints the records of EVTX files as they are (`logs-dump.ts`);
 * `formats` lists the log formats read.
 */
import type { Command } from 'commander'
import { serverConnection } from '../hunt/clickhouse-connection.ts'
import {
  importIntoClickHouse,
  isClickHouseUrl,
  parseClickHouseTarget,
} from '../hunt/clickhouse-import.ts'
import { importLogs } from '../hunt/lake.ts'
import { readInBatches } from '../logs/batches.ts'
import { LOG_READERS } from '../logs/readers/index.ts'
import { formatCount, type Logger, stderrLogger } from '../util/log.ts'
import { plural } from '../util/plural.ts'
import { registerLogsDump } from './logs-dump.ts'
import { parseInteger, parseLogFormat } from './options.ts'
import { progressReporter } from './progress.ts'

interface LogsFlags {
  into?: string
  logFormat?: string
  quiet?: boolean
  batchSize?: string
  partRows?: string
}

export function registerLogs(program: Command): void {
  const logs = program.command('logs').description('read, normalise and store collected logs')
  logs
    .command('import')
    .description('normalise logs into a Parquet lake that later hunts read in place')
    .argument('<paths...>', 'log files or folders (gzip and zip are read)')
    .requiredOption(
      '--into <dir|url>',
      'the lake folder (new, or a lake to add to), or clickhouse://host:8123/database',
    )
    .option('--log-format <id>', 'read every file as this format instead of detecting it')
    .option(
      '--batch-size <n>',
      'events read and written per step (ClickHouse: per insert)',
      '16384',
    )
    .option('--part-rows <n>', 'events per Parquet part of a lake', '250000')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (paths: string[], flags: LogsFlags) => {
      const log = stderrLogger({ quiet: flags.quiet })
      if (flags.logFormat !== undefined) parseLogFormat(flags.logFormat)
      if (isClickHouseUrl(flags.into as string)) {
        const target = parseClickHouseTarget(flags.into as string)
        const connection = serverConnection(target)
        try {
          const result = await importIntoClickHouse(paths, connection, {
            table: target.table,
            format: flags.logFormat,
            batchSize: parseInteger('--batch-size', flags.batchSize ?? '16384', 1, 10_000_000),
            onProgress: progressReporter(log),
          })
          for (const path of result.alreadyInTable) {
            log.warn(`${path}: already in ${target.table}; not imported again`)
          }
          reportUnread(result, log)
          log.info(
            `${formatCount(result.events)} events from ${result.files.length} files imported into ` +
              `${connection.describe} table ${target.table}, which holds ` +
              `${formatCount(result.total)} events`,
          )
        } finally {
          await connection.close()
        }
        return
      }
      const result = await importLogs(paths, flags.into as string, {
        format: flags.logFormat,
        batchSize: parseInteger('--batch-size', flags.batchSize ?? '16384', 1, 10_000_000),
        partRows: parseInteger('--part-rows', flags.partRows ?? '250000', 1, 100_000_000),
        onProgress: progressReporter(log),
      })
      for (const path of result.alreadyInLake) {
        log.warn(`${path}: already in the lake; not imported again`)
      }
      reportUnread(result, log)
      log.info(
        `${formatCount(result.events)} events from ${result.files.length} files imported; ` +
          `the lake holds ${formatCount(result.manifest.events)} events in ` +
          `${result.manifest.parts.length} parts`,
      )
    })
  logs
    .command('events')
    .description('print the normalised events of logs as JSON lines (what hunts compare)')
    .argument('<paths...>', 'log files or folders')
    .option('--log-format <id>', 'read every file as this format instead of detecting it')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (paths: string[], flags: LogsFlags) => {
      const log = stderrLogger({ quiet: flags.quiet })
      if (flags.logFormat !== undefined) parseLogFormat(flags.logFormat)
      const result = await readInBatches(
        paths,
        async (events) => {
          const text = events.map((e) => JSON.stringify(e)).join('\n')
          if (!process.stdout.write(`${text}\n`)) {
            await new Promise((resolve) => process.stdout.once('drain', resolve))
          }
        },
        { format: flags.logFormat, onProgress: progressReporter(log) },
      )
      reportUnread(result, log)
    })
  registerLogsDump(logs)
  logs
    .command('formats')
    .description('list the log formats huntpack reads')
    .action(() => {
      const width = Math.max(...LOG_READERS.map((r) => r.id.length))
      for (const reader of LOG_READERS) {
        process.stdout.write(`${reader.id.padEnd(width)}  ${reader.describe}\n`)
      }
    })
}

/**
 * Files skipped in folders, and broken records, are reported (a few in full), never silently
 * dropped.
 */
export function reportUnread(
  read: {
    skipped: { file: string; reason: string }[]
    broken: { file: string; line?: number; record?: number; reason: string }[]
  },
  log: Logger,
): void {
  for (const skip of read.skipped) log.warn(`${skip.file}: skipped, ${skip.reason}`)
  const broken = read.broken
  if (broken.length === 0) return
  log.warn(
    `${plural(broken.length, 'record')} could not be read and ${broken.length === 1 ? 'was' : 'were'} skipped:`,
  )
  for (const b of broken.slice(0, 20)) {
    const where =
      b.line !== undefined ? `:${b.line}` : b.record !== undefined ? ` record ${b.record}` : ''
    log.warn(`  ${b.file}${where}: ${b.reason}`)
  }
  if (broken.length > 20) log.warn(`  … and ${formatCount(broken.length - 20)} more`)
}
