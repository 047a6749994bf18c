/**
 * @module
 * `npm run bench:engines -- [--size 1GB] [--seed S] [--indicators N] [--logs eve,csv]
 * [--prefilter on|off|both] [--batch-size N]`: the same hunt on DuckDB and on ClickHouse (chdb,
 * in-process), over the generated logs of `bench:hunt` (reused from `bench/.data/`). Each run
 * is a child process, so its peak memory is its own (and chdb holds one session per process):
 * it loads the feed, hunts the raw logs batch by batch with `huntLogs`, and writes its findings.
 *
 * With the prefilter on (what `hunt` does) most events never reach either engine, so the
 * figures are mostly reading and normalising; with it off every event goes through the engine,
 * which is the engines' own cost. Prints what it ran, MB/s (of the raw files) and peak memory
 * side by side, checks each engine found exactly the planted findings, and that both engines'
 * findings are identical; exits non-zero if not.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { checkFindings, type FoundFinding, generateHuntBench } from './generate-logs.ts'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    size: { type: 'string', default: '1GB' },
    seed: { type: 'string', default: '1' },
    indicators: { type: 'string', default: '100000' },
    logs: { type: 'string', default: 'eve,csv' },
    prefilter: { type: 'string', default: 'both' },
    'batch-size': { type: 'string', default: '65536' },
    child: { type: 'string' },
  },
})

interface ChildResult {
  huntSeconds: number
  events: number
  findings: number
}

if (values.child !== undefined) {
  await child(values.child, positionals)
} else {
  await parent()
}

/** One hunt: `--child <duckdb|chdb> <on|off> <batch> <feed> <out.ndjson> <result.json> <logs…>`. */
async function child(engine: string, args: string[]): Promise<void> {
  const [prefilter, batch, feed, out, result, ...logs] = args
  const { loadHuntIntel } = await import('../src/hunt/intel.ts')
  const { huntLogs } = await import('../src/hunt/hunt.ts')
  const { WarninglistSet } = await import('../src/intel/warninglist.ts')
  const intel = await loadHuntIntel([feed as string], { warninglists: WarninglistSet.builtIn() })
  const on = prefilter === 'on'
  // chdb's library (half a gigabyte) loads before the clock starts, as DuckDB's does.
  const chdb = engine === 'chdb' ? await import('../src/hunt/clickhouse-chdb.ts') : undefined
  const started = performance.now()
  const clickhouse = chdb ? { connection: chdb.chdbConnection(), prefilter: on } : undefined
  const hunt = await huntLogs(intel.indicators, logs, {
    batchSize: Number(batch),
    parallel: false,
    engine: { prefilter: on },
    clickhouse,
  })
  const huntSeconds = (performance.now() - started) / 1000
  const lines = hunt.findings.map((f) =>
    JSON.stringify({
      file: basename(f.event.SourceFile),
      line: f.event.SourceLine,
      indicator: f.indicator.value,
      match: f.match,
      field: f.field,
    }),
  )
  writeFileSync(out as string, lines.length > 0 ? `${lines.join('\n')}\n` : '')
  const summary: ChildResult = { huntSeconds, events: hunt.events, findings: hunt.findings.length }
  writeFileSync(result as string, JSON.stringify(summary))
}

async function parent(): Promise<void> {
  const bytes = parseSize(values.size)
  const seed = Number(values.seed)
  const indicators = Number(values.indicators)
  const kinds = values.logs.split(',')
  const modes = values.prefilter === 'both' ? ['on', 'off'] : [values.prefilter]
  const dataDir = join(root, 'bench', '.data')
  const dir = join(dataDir, `hunt-${bytes}-s${seed}-i${indicators}`)
  mkdirSync(dir, { recursive: true })
  process.stderr.write(`[+] inputs in ${dir} (generated unless already there)\n`)
  const bench = await generateHuntBench(dir, { bytes, seed, indicators })
  const logs = bench.logs.filter((l) => kinds.includes(l.kind))
  const megabytes = logs.reduce((sum, l) => sum + l.bytes, 0) / 1e6
  const usage = join(dataDir, `usage-engines-${process.pid}.txt`)

  const report = [
    `engines benchmark: ${logs.map((l) => `${l.name} ${(l.bytes / 1e6).toFixed(0)} MB, ${l.events.toLocaleString('en-US')} events`).join('; ')}`,
    `${indicators.toLocaleString('en-US')} indicators, seed ${seed}, batches of ${values['batch-size']}, ` +
      `${availableParallelism()} cores, load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at start`,
    `MB/s of the raw files over the whole child (start-up, feed, reading, matching); "hunt s" is the hunt alone`,
  ]
  let failed = false
  const found = new Map<string, string>()
  for (const mode of modes) {
    for (const engine of ['duckdb', 'chdb']) {
      const out = join(dir, `engines-${engine}-${mode}.ndjson`)
      const result = join(dir, `engines-${engine}-${mode}.json`)
      rmSync(usage, { force: true })
      process.stderr.write(`[+] ${engine}, prefilter ${mode}\n`)
      const start = performance.now()
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(import.meta.url),
          '--child',
          engine,
          mode,
          values['batch-size'],
          bench.feed,
          out,
          result,
          ...logs.map((l) => l.path),
        ],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: {
            ...process.env,
            HUNTPACK_BENCH_USAGE: usage,
            NODE_OPTIONS: `--require ${join(root, 'bench', 'report-usage.cjs')}`,
          },
        },
      )
      const seconds = (performance.now() - start) / 1000
      if (run.status !== 0) throw new Error(`${engine} (prefilter ${mode}) exited ${run.status}`)
      const peak = Math.max(...readFileSync(usage, 'utf8').trim().split('\n').map(Number))
      const summary = JSON.parse(readFileSync(result, 'utf8')) as ChildResult
      const text = existsSync(out) ? readFileSync(out, 'utf8') : ''
      found.set(`${engine}-${mode}`, text)
      const check = checkFindings(
        bench.findings,
        text
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as FoundFinding),
        logs.map((l) => l.name),
      )
      if (!check.ok) failed = true
      report.push(
        `  ${`${engine} prefilter ${mode}`.padEnd(22)} ${seconds.toFixed(2).padStart(8)} s ` +
          `${(megabytes / seconds).toFixed(1).padStart(7)} MB/s  hunt ${summary.huntSeconds.toFixed(2).padStart(8)} s ` +
          `${(megabytes / summary.huntSeconds).toFixed(1).padStart(7)} MB/s  peak ` +
          `${(peak / 2 ** 20).toFixed(0).padStart(5)} MiB  ${summary.findings} findings ` +
          `${check.ok ? 'PASS' : `FAIL (${check.expected} planted, ${check.found} found)`}`,
      )
    }
    const same = found.get(`duckdb-${mode}`) === found.get(`chdb-${mode}`)
    if (!same) failed = true
    report.push(`  prefilter ${mode}: findings ${same ? 'identical' : 'DIFFER'} on both engines`)
  }
  rmSync(usage, { force: true })
  process.stdout.write(`${report.join('\n')}\n`)
  if (failed) process.exitCode = 1
}

/** `200MB`, `1GB`, `1.5GB`, `500kB` (powers of ten, as MB/s is) or plain bytes. */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]?)b?$/i.exec(text.trim())
  if (!m) throw new Error(`--size ${text}: expected e.g. 200MB or 1GB`)
  const unit = { '': 1, k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? '').toLowerCase()] ?? 1
  return Math.round(Number(m[1]) * unit)
}
