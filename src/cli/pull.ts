/**
 * @module
 * `huntpack pull threatfox|misp|taxii|file`: fetch a feed and store it as one pull. The store
 * is opened (and locked) first, the feed fetched and read, then written in one transaction.
 */
import type { Command } from 'commander'
import { UsageError } from '../errors.ts'
import { fileDocuments, fileSource } from '../pull/file.ts'
import { DEFAULT_HTTP, type HttpOptions } from '../pull/http.ts'
import { mispPull } from '../pull/misp.ts'
import { taxiiPull, taxiiSource } from '../pull/taxii.ts'
import { threatfoxPull } from '../pull/threatfox.ts'
import { terminalText } from '../report/findings.ts'
import { type PullInput, type PullResult, pullIntoStore } from '../store/ingest.ts'
import type { Store } from '../store/store.ts'
import { formatCount, type Logger, stderrLogger } from '../util/log.ts'
import { parseInteger, parseIntelFormat } from './options.ts'
import { addStoreOptions, openStore, runStoreCommand, type StoreFlags } from './store.ts'

interface PullFlags extends StoreFlags {
  timeout: string
  retries: string
  retryBackoff: string
  quiet?: boolean
}

function addPullOptions(command: Command): Command {
  return addStoreOptions(command)
    .option('--timeout <seconds>', 'give up on a request after this long', '120')
    .option('--retries <n>', 'retries on 429, 5xx and broken connections', '4')
    .option('--retry-backoff <ms>', 'first wait before a retry; doubles each time', '1000')
    .option('-q, --quiet', 'no progress on stderr')
}

function httpOptions(flags: PullFlags, log: Logger, secrets: string[]): HttpOptions {
  return {
    ...DEFAULT_HTTP,
    timeoutMs: parseInteger('--timeout', flags.timeout, 1, 86_400) * 1000,
    retries: parseInteger('--retries', flags.retries, 0, 20),
    backoffMs: parseInteger('--retry-backoff', flags.retryBackoff, 0, 600_000),
    secrets,
    onRetry: (message) => log.warn(message),
  }
}

/** Opens the store, fetches, stores, reports. */
async function runPull(
  flags: PullFlags,
  fetchPull: (store: Store, log: Logger) => Promise<PullInput>,
): Promise<void> {
  const log = stderrLogger({ quiet: flags.quiet })
  await runStoreCommand(async () => {
    const store = await openStore(flags, false)
    try {
      const input = await fetchPull(store, log)
      const result = await pullIntoStore(store, input)
      report(result, log)
    } finally {
      store.close()
    }
  })
}

function report(result: PullResult, log: Logger): void {
  const source = terminalText(result.source)
  if (result.status === 'unchanged') {
    log.info(`${source}: the same feed content as pull #${result.pull}; nothing to store`)
    return
  }
  log.info(
    `pull #${result.pull} ${source}: ${formatCount(result.records)} records, ` +
      `${formatCount(result.indicators)} indicators (${formatCount(result.added)} new, ` +
      `${formatCount(result.changed)} changed, ${formatCount(result.removed)} removed), ` +
      `${formatCount(result.rejected)} rejected`,
  )
}

interface ThreatfoxFlags extends PullFlags {
  days: string
  export?: string
  url?: string
}

interface MispFlags extends PullFlags {
  url: string
  key?: string
  feed?: boolean
  last?: string
}

interface TaxiiFlags extends PullFlags {
  url: string
  collection: string
  addedAfter?: string
  all?: boolean
  user?: string
}

interface FileFlags extends PullFlags {
  format?: string
  source?: string
  full?: boolean
}

export function registerPull(program: Command): void {
  const pull = program
    .command('pull')
    .description('fetch a feed into the indicator store (one transaction per pull)')

  addPullOptions(
    pull
      .command('threatfox')
      .description('ThreatFox: the API (key in THREATFOX_AUTH_KEY) or an export')
      .option('--days <n>', 'API: IOCs of the last 1-7 days', '1')
      .option('--export <which>', 'an export instead of the API: recent or full')
      .option('--url <url>', 'API endpoint, or the exports folder with --export'),
  ).action(async (flags: ThreatfoxFlags) => {
    if (flags.export !== undefined && flags.export !== 'recent' && flags.export !== 'full') {
      throw new UsageError(`--export ${flags.export}: expected recent or full`)
    }
    const key = process.env.THREATFOX_AUTH_KEY
    await runPull(flags, async (_store, log) =>
      threatfoxPull(
        {
          mode: (flags.export as 'recent' | 'full' | undefined) ?? 'api',
          days: parseInteger('--days', flags.days, 1, 7),
          key,
          url: flags.url,
        },
        httpOptions(flags, log, [key ?? '']),
      ),
    )
  })

  addPullOptions(
    pull
      .command('misp')
      .description('MISP: events from the REST API (key: --key or MISP_KEY), or a MISP feed')
      .requiredOption('--url <url>', 'the MISP server, or the feed folder with --feed')
      .option('--key <key>', 'MISP auth key (better: MISP_KEY in the environment)')
      .option('--feed', 'read a MISP feed (manifest.json and event files)')
      .option('--last <age>', 'REST: only events changed within this, e.g. 7d'),
  ).action(async (flags: MispFlags) => {
    const key = flags.key ?? process.env.MISP_KEY
    await runPull(flags, async (_store, log) =>
      mispPull(
        { url: flags.url, key, feed: flags.feed ?? false, last: flags.last },
        httpOptions(flags, log, [key ?? '']),
      ),
    )
  })

  addPullOptions(
    pull
      .command('taxii')
      .description('TAXII 2.1: STIX objects of a collection, from where the last pull ended')
      .requiredOption('--url <url>', 'discovery URL or API root')
      .requiredOption('--collection <id>', 'collection id or title')
      .option('--added-after <time>', 'only objects added after this (default: the last pull)')
      .option('--all', 'the whole collection, ignoring the last pull')
      .option('--user <name>', 'basic auth user (password in TAXII_PASSWORD)'),
  ).action(async (flags: TaxiiFlags) => {
    const password = process.env.TAXII_PASSWORD
    const token = process.env.TAXII_TOKEN
    let authorization: string | undefined
    if (flags.user !== undefined) {
      if (!password) throw new UsageError('--user needs the password in TAXII_PASSWORD')
      authorization = `Basic ${Buffer.from(`${flags.user}:${password}`).toString('base64')}`
    } else if (token) {
      authorization = `Bearer ${token}`
    }
    await runPull(flags, async (store, log) => {
      let addedAfter = flags.addedAfter
      if (addedAfter === undefined && !flags.all) {
        const last = await store.one(
          'SELECT cursor FROM pulls WHERE source = ? AND cursor IS NOT NULL ORDER BY id DESC LIMIT 1',
          [taxiiSource(flags.url, flags.collection)],
        )
        if (typeof last.cursor === 'string') addedAfter = last.cursor
      }
      return taxiiPull(
        { url: flags.url, collection: flags.collection, addedAfter, authorization },
        httpOptions(flags, log, [password ?? '', token ?? '', authorization ?? '']),
      )
    })
  })

  addPullOptions(
    pull
      .command('file')
      .description('any file or http(s) URL that build reads; zip archives too')
      .argument('<files...>', 'intel files or URLs')
      .option('-f, --format <format>', 'read every file as this format instead of detecting it')
      .option('--source <name>', 'the source name in the store (default: file:<name>)')
      .option('--full', "the files are the source's whole list: what they lack is removed"),
  ).action(async (files: string[], flags: FileFlags) => {
    const format = parseIntelFormat(flags.format)
    await runPull(flags, async (_store, log) => ({
      source: flags.source ?? fileSource(files),
      mode: 'file',
      full: flags.full ?? false,
      started: Date.now(),
      documents: await fileDocuments(files, httpOptions(flags, log, []), format),
    }))
  })
}
