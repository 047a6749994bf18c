/**
 * @module
 * `huntpack logs dump <file.evtx…> --format jsonl`: every record of Windows event log files
 * as JSON lines, in the shape of python-evtx's export, to check the parser or to read events
 * a hunt does not normalise. Chunks and records that cannot be read are warned about on stderr
 * with their file offset.
 */
import type { Command } from 'commander'
import { UsageError } from '../errors.ts'
import { dumpEvtx } from '../logs/evtx/dump.ts'
import { hex } from '../logs/evtx/header.ts'
import { formatCount, stderrLogger } from '../util/log.ts'
import { plural } from '../util/plural.ts'

export function registerLogsDump(logs: Command): void {
  logs
    .command('dump')
    .description('print every record of EVTX files as JSON lines (python-evtx shape)')
    .argument('<paths...>', '.evtx files or folders of them')
    .option('--format <format>', 'output format (jsonl)', 'jsonl')
    .option('-q, --quiet', 'no summary on stderr')
    .action(async (paths: string[], flags: { format: string; quiet?: boolean }) => {
      if (flags.format !== 'jsonl') {
        throw new UsageError(`--format ${JSON.stringify(flags.format)}: only jsonl is written`)
      }
      const log = stderrLogger({ quiet: flags.quiet })
      let issues = 0
      const count = await dumpEvtx(
        paths,
        async (line) => {
          if (!process.stdout.write(`${line}\n`)) {
            await new Promise((resolve) => process.stdout.once('drain', resolve))
          }
        },
        (file, issue) => {
          issues++
          log.warn(`${file}: ${issue.message} (at offset ${hex(issue.offset)})`)
        },
        (file, reason) => log.warn(`${file}: skipped, ${reason}`),
      )
      log.info(
        `${formatCount(count)} records written` +
          (issues > 0
            ? `; ${plural(issues, 'damaged chunk or record', 'damaged chunks or records')} skipped`
            : ''),
      )
    })
}
