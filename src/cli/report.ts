/**
 * @module
 * `huntpack report`: the HTML hunt report from a findings file `hunt` wrote (`--format ndjson`
 * or `json`), for findings saved earlier or hunted elsewhere.
 */
import type { Command } from 'commander'
import { readFindingRecords } from '../report/html/finding-records.ts'
import { writeHuntReport } from '../report/html/hunt-report.ts'
import { stderrLogger } from '../util/log.ts'
import { plural } from '../util/plural.ts'
import { EXIT } from './exit-codes.ts'

interface ReportFlags {
  html: string
  title?: string
  quiet?: boolean
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write the HTML hunt report of a findings file (hunt --format ndjson or json)')
    .argument('<findings>', 'the findings file')
    .requiredOption('--html <file>', 'write the report to this file (one self-contained page)')
    .option('--title <text>', 'the page title', 'huntpack hunt report')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (findings: string, flags: ReportFlags) => {
      const log = stderrLogger({ quiet: flags.quiet })
      const records = await readFindingRecords(findings)
      await writeHuntReport(flags.html, { records, inputs: [findings], title: flags.title })
      log.info(`${plural(records.length, 'finding')} from ${findings}; written to ${flags.html}`)
      process.exitCode = EXIT.ok
    })
}
