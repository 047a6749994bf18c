/**
 * @module
 * `huntpack diff --since <time>`: what changed in the store since then (until now or
 * `--until`), per family: new, changed, expired and removed indicators, as a table, JSON or
 * Markdown.
 */
import type { Command } from 'commander'
import { UsageError } from '../errors.ts'
import { defang } from '../intel/defang.ts'
import type { IndicatorKind } from '../intel/indicator.ts'
import { terminalText } from '../report/findings.ts'
import { mdCode, mdTable, mdText } from '../report/markdown-text.ts'
import { DIFF_CHANGES, diffStore, type FamilyDiff } from '../store/query.ts'
import { parseSince } from './options.ts'
import {
  addMaxAgeOption,
  addStoreOptions,
  openStore,
  policyOf,
  runStoreCommand,
  type StoreFlags,
} from './store.ts'

interface DiffFlags extends StoreFlags {
  since: string
  until?: string
  json?: boolean
  markdown?: boolean
}

export function registerDiff(program: Command): void {
  const command = program
    .command('diff')
    .description('new, changed, expired and removed indicators per family between two times')
    .requiredOption('--since <when>', 'from this date, ISO time or duration back (7d)')
    .option('--until <when>', 'up to this date or time (default: now)')
    .option('--json', 'print JSON')
    .option('--markdown', 'print Markdown')
  addMaxAgeOption(addStoreOptions(command)).action(async (flags: DiffFlags) => {
    if (flags.json && flags.markdown) throw new UsageError('--json and --markdown: choose one')
    const policy = policyOf(flags)
    const since = Date.parse(parseSince(flags.since))
    const until = flags.until === undefined ? Date.now() : Date.parse(parseSince(flags.until))
    await runStoreCommand(async () => {
      const store = await openStore(flags, true)
      let diff: FamilyDiff[]
      try {
        diff = await diffStore(store, { since, until }, policy)
      } finally {
        store.close()
      }
      const window = { since: new Date(since).toISOString(), until: new Date(until).toISOString() }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...window, families: diff }, null, 2)}\n`)
      } else if (flags.markdown) {
        process.stdout.write(diffMarkdown(diff, window))
      } else {
        process.stdout.write(diffTable(diff, window))
      }
    })
  })
}

export function diffTable(diff: FamilyDiff[], window: { since: string; until: string }): string {
  const lines = [`changes from ${window.since} to ${window.until}`, '']
  if (diff.length === 0) return `${lines[0]}: none\n`
  const width = Math.min(40, Math.max(6, ...diff.map((d) => terminalText(d.family).length)))
  lines.push(`${'family'.padEnd(width)}  ${DIFF_CHANGES.map((c) => c.padStart(7)).join(' ')}`)
  for (const family of diff) {
    const counts = DIFF_CHANGES.map((c) => String(family.counts[c]).padStart(7)).join(' ')
    lines.push(`${terminalText(family.family).slice(0, width).padEnd(width)}  ${counts}`)
  }
  return `${lines.join('\n')}\n`
}

export function diffMarkdown(diff: FamilyDiff[], window: { since: string; until: string }): string {
  const parts = [`# Indicator changes from ${window.since} to ${window.until}`, '']
  if (diff.length === 0) return `${parts.join('\n')}No changes.\n`
  parts.push(
    mdTable(
      ['Family', ...DIFF_CHANGES],
      diff.map((d) => [mdText(d.family), ...DIFF_CHANGES.map((c) => String(d.counts[c]))]),
    ),
    '',
  )
  for (const family of diff) {
    parts.push(`## ${mdText(family.family)}`, '')
    parts.push(
      mdTable(
        ['Change', 'Kind', 'Indicator (defanged)', 'When', 'Source'],
        family.entries.map((e) => [
          e.change,
          e.kind,
          mdCode(defang(e.value, e.kind as IndicatorKind)),
          e.at,
          e.source === undefined ? '' : mdText(e.source),
        ]),
      ),
      '',
    )
  }
  return `${parts.join('\n')}`
}
