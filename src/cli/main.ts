/**
 * @module
 * The `huntpack` command: parses the command line, runs one command, maps errors to exit codes.
 */
import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import { HuntpackError } from '../errors.ts'
import { registerBuild } from './build.ts'
import { registerDiff } from './diff.ts'
import { EXIT, exitCodeFor } from './exit-codes.ts'
import { registerHunt } from './hunt.ts'
import { registerInspect } from './inspect.ts'
import { registerLogs } from './logs.ts'
import { registerPull } from './pull.ts'
import { registerReport } from './report.ts'
import { registerSite } from './site.ts'
import { registerStore } from './store.ts'

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string }

const program = new Command('huntpack')
  .description('Threat-intel feeds to checked hunt packs for Microsoft Sentinel and Defender')
  .version(version)
  .showHelpAfterError()
  .exitOverride()
registerBuild(program)
registerInspect(program)
registerHunt(program)
registerLogs(program)
registerPull(program)
registerDiff(program)
registerStore(program)
registerReport(program)
registerSite(program)

// Ctrl-C or a kill ends the run through 'exit', so temporary files are removed; outputs are
// only ever renamed into place when whole, so none is left half-written.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143))
}

// A reader that stops early (`huntpack hunt … | head`) closes stdout: not an error, and what
// was written stands; the command's exit code is kept.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit()
  throw error
})

try {
  await program.parseAsync(process.argv)
} catch (error) {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') {
    // stdout was closed by its reader; see above.
  } else if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage
  } else {
    const message = error instanceof HuntpackError ? error.message : describeUnexpected(error)
    process.stderr.write(`[x] ${message}\n`)
    process.exitCode = exitCodeFor(error)
  }
}

function describeUnexpected(error: unknown): string {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error)
  return `unexpected error (a huntpack bug; please report it with the input that caused it):\n${detail}`
}
