/**
 * @module
 * `npm run bench:store -- [--rows 1000000] [--seed S]`: generates (or reuses, in `bench/.data/`)
 * a ThreatFox CSV export of `rows` indicators, then runs `huntpack pull file` on it twice, each
 * as a child process whose peak memory is measured: into an empty store, and again (as another
 * source's list, so nothing is skipped as already stored) into the full one, where every
 * indicator is known and merged. Prints rows/s, seconds, CPU seconds (user and system: the
 * cost whatever else the machine runs) and peak memory of each, and the store's size and
 * counts after both.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { generateThreatFoxCsv } from './generate-threatfox.ts'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } },
})
const rows = Number(values.rows)
const seed = Number(values.seed)
const dataDir = join(root, 'bench', '.data')
mkdirSync(dataDir, { recursive: true })
const feed = join(dataDir, `threatfox-${rows}-${seed}.csv`)
if (!existsSync(feed)) {
  process.stderr.write(`generating ${feed}\n`)
  await generateThreatFoxCsv(feed, rows, seed)
}
const store = join(dataDir, 'bench-store.duckdb')
rmSync(store, { force: true })
rmSync(`${store}.wal`, { force: true })

interface Timed {
  seconds: number
  /** User and system CPU seconds of the child: the cost, whatever else the machine runs. */
  cpuSeconds: number
  peakBytes: number
  stderr: string
}

/** `huntpack pull file` as a child process, timed. */
function pull(source: string): Timed {
  const args = [
    join(root, 'bin', 'huntpack.js'),
    'pull',
    'file',
    feed,
    '--store',
    store,
    '--source',
    source,
  ]
  const started = performance.now()
  // GNU time reports the child's peak resident memory; without it the figure is left out.
  const timed = existsSync('/usr/bin/time')
  const run = timed
    ? spawnSync('/usr/bin/time', ['-f', 'PEAK_KB %M CPU %U %S', process.execPath, ...args], {
        encoding: 'utf8',
      })
    : spawnSync(process.execPath, args, { encoding: 'utf8' })
  const seconds = (performance.now() - started) / 1000
  if (run.error || run.status !== 0) {
    process.stderr.write(run.stderr ?? String(run.error))
    throw new Error(`pull failed (${run.status})`)
  }
  const peak = /PEAK_KB (\d+) CPU ([\d.]+) ([\d.]+)/.exec(run.stderr)
  return {
    seconds,
    cpuSeconds: peak ? Number(peak[2]) + Number(peak[3]) : Number.NaN,
    peakBytes: peak ? Number(peak[1]) * 1024 : Number.NaN,
    stderr: run.stderr,
  }
}

function line(label: string, timed: Timed): string {
  const perSecond = Math.round(rows / timed.seconds).toLocaleString('en-US')
  const mb = (timed.peakBytes / 1024 / 1024).toFixed(0)
  const cpu = timed.cpuSeconds.toFixed(1)
  return (
    `${label.padEnd(22)} ${timed.seconds.toFixed(1).padStart(6)} s  ` +
    `${perSecond.padStart(9)} rows/s  cpu ${cpu} s  peak ${mb} MB`
  )
}

const empty = pull('bench-a')
const full = pull('bench-b')
const load = loadavg()[0]?.toFixed(1)
const report = [
  `load average ${load} on ${availableParallelism()} cores while measuring`,
  `pull file of ${rows.toLocaleString('en-US')} ThreatFox rows (${(statSync(feed).size / 1e6).toFixed(0)} MB)`,
  line('into an empty store', empty),
  line('into the full store', full),
  `store: ${(statSync(store).size / 1e6).toFixed(0)} MB`,
  ...[empty, full].map((t) => t.stderr.split('\n').find((l) => l.startsWith('[+] pull')) ?? ''),
]
process.stdout.write(`${report.join('\n')}\n`)
