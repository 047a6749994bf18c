/**
 * @module
 * `huntpack store stats`, and what every store command shares: `--store`, `--wait`, and the
 * exit code of a busy store (75, EX_TEMPFAIL: try again later).
 */
import type { Command } from 'commander'
import type { IntelLoad } from '../build.ts'
import { UsageError } from '../errors.ts'
import { terminalText } from '../report/findings.ts'
import type { IndexEntry } from '../report/pack-page.ts'
import { StoreBusyError } from '../store/errors.ts'
import { describePolicy, type ExpiryPolicy, parseMaxAge } from '../store/expiry.ts'
import { loadFromStore, recordPacks, storeStats } from '../store/query.ts'
import { defaultStorePath, Store } from '../store/store.ts'
import { formatCount } from '../util/log.ts'
import { EXIT } from './exit-codes.ts'

export const EXIT_STORE_BUSY = EXIT.busy

export interface StoreFlags {
  store?: string
  wait?: boolean | string
  maxAge?: string
}

export function addStoreOptions(command: Command): Command {
  return command
    .option('--store <path>', `the store file (default: ${defaultStorePath()})`)
    .option('--wait [seconds]', 'wait for another process using the store (default 600 s)')
}

export function addMaxAgeOption(command: Command): Command {
  return command.option(
    '--max-age <age>',
    'how long after last seen an indicator expires: 30d for every kind, or ' +
      'kind=age,… (ip:port=7d,domain=90d; never)',
  )
}

export function policyOf(flags: StoreFlags): ExpiryPolicy {
  return parseMaxAge(flags.maxAge)
}

export async function openStore(flags: StoreFlags, readOnly: boolean): Promise<Store> {
  let waitMs = 0
  if (flags.wait === true) waitMs = 600_000
  else if (typeof flags.wait === 'string') {
    if (!/^\d+$/.test(flags.wait)) throw new UsageError(`--wait ${flags.wait}: expected seconds`)
    waitMs = Number(flags.wait) * 1000
  }
  return Store.open(flags.store ?? defaultStorePath(), { readOnly, waitMs })
}

/**
 * Runs a store command; a busy store is reported here with its own exit code, everything else
 * goes to the command line's error handling.
 */
export async function runStoreCommand(work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    if (!(error instanceof StoreBusyError)) throw error
    process.stderr.write(`[x] ${error.message}\n`)
    process.exitCode = EXIT_STORE_BUSY
  }
}

export interface FromStoreFlags extends StoreFlags {
  fromStore?: boolean
}

/**
 * For `build --from-store`: the live indicators of the store, as a load `build` packs like
 * files. Files and `--from-store` exclude each other.
 */
export async function storeLoad(files: string[], flags: FromStoreFlags): Promise<IntelLoad> {
  if (files.length > 0) {
    throw new UsageError('--from-store reads indicators from the store: name no intel files')
  }
  const policy = policyOf(flags)
  const store = await openStore(flags, true)
  try {
    return await loadFromStore(store, policy)
  } finally {
    store.close()
  }
}

/** Records in the store which packs a `build --from-store` wrote. */
export async function recordStorePacks(
  flags: FromStoreFlags,
  out: string,
  entries: IndexEntry[],
): Promise<void> {
  const store = await openStore(flags, false)
  try {
    await recordPacks(
      store,
      out,
      entries.map((e) => ({
        id: e.pack.id,
        name: e.pack.name,
        indicators: e.summary.indicators,
        hunts: e.huntCount,
      })),
    )
  } finally {
    store.close()
  }
}

interface StatsFlags extends StoreFlags {
  json?: boolean
}

export function registerStore(program: Command): void {
  const store = program.command('store').description('look after the indicator store')
  const stats = store
    .command('stats')
    .description('what the store holds: indicators live, expired and removed, and each source')
    .option('--json', 'print JSON')
  addMaxAgeOption(addStoreOptions(stats)).action(async (flags: StatsFlags) => {
    await runStoreCommand(async () => {
      const policy = policyOf(flags)
      const opened = await openStore(flags, true)
      try {
        const stats = await storeStats(opened, policy)
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(stats, null, 2)}\n`)
          return
        }
        const lines = [
          `store ${stats.path} (${formatCount(stats.bytes)} bytes, schema ${stats.schemaVersion})`,
          `indicators ${formatCount(stats.indicators)}: ${formatCount(stats.live)} live, ` +
            `${formatCount(stats.expired)} expired, ${formatCount(stats.removed)} removed`,
          `sightings ${formatCount(stats.sightings)} in ${formatCount(stats.pulls)} pulls`,
          `expiry: ${describePolicy(policy)}`,
          stats.lastBuild === undefined
            ? 'no build from the store yet'
            : `last build --from-store: ${stats.lastBuild.packs} packs to ` +
              `${terminalText(stats.lastBuild.out)} at ${stats.lastBuild.at}`,
          '',
          'kind      indicators  live',
          ...stats.byKind.map(
            (k) =>
              `${k.kind.padEnd(9)} ${formatCount(k.indicators).padStart(10)}  ${formatCount(k.live)}`,
          ),
          '',
          'source / pulls / last pull / carried',
          ...stats.sources.map(
            (s) =>
              `${terminalText(s.source)}  ${s.pulls}  ${s.lastPull} (${s.lastMode})  ${formatCount(s.carried)}`,
          ),
        ]
        process.stdout.write(`${lines.join('\n')}\n`)
      } finally {
        opened.close()
      }
    })
  })
}
