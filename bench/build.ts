/**
 * @module
 * `npm run bench:build -- [--rows N] [--seed S]`: generates a ThreatFox-format CSV (1,000,000
 * rows by default), then times, in the same shell, a baseline that only reads the file and
 * splits its lines, and `huntpack build` on it. Prints rows/s, seconds, peak memory and the
 * ratio of the build to the baseline.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs'
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
const feed = join(dataDir, `threatfox_${rows}_${seed}.csv`)

if (!existsSync(feed)) {
  process.stderr.write(`[+] generating ${rows.toLocaleString('en-US')} rows into ${feed}\n`)
  await generateThreatFoxCsv(feed, rows, seed)
}
const megabytes = statSync(feed).size / 1e6

interface Run {
  seconds: number
  peakBytes: number
}

function timed(label: string, command: string, args: string[]): Run {
  const usage = join(dataDir, `usage-${process.pid}.txt`)
  rmSync(usage, { force: true })
  const started = performance.now()
  const child = spawnSync(command, args, {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      HUNTPACK_BENCH_USAGE: usage,
      NODE_OPTIONS: `--require ${join(root, 'bench', 'report-usage.cjs')}`,
    },
  })
  const seconds = (performance.now() - started) / 1000
  if (child.status !== 0) throw new Error(`${label} failed with exit code ${child.status}`)
  const peaks = readFileSync(usage, 'utf8').trim().split('\n').map(Number)
  return { seconds, peakBytes: Math.max(...peaks) }
}

const baseline = timed('baseline', process.execPath, [
  '-e',
  `const t = require('node:fs').readFileSync(${JSON.stringify(feed)}, 'utf8');` +
    `let n = 0; for (const line of t.split('\\r\\n')) if (line[0] === '"') n++;` +
    `if (n !== ${rows}) throw new Error('read ' + n + ' rows')`,
])
const out = join(dataDir, 'packs')
rmSync(out, { recursive: true, force: true })
// The bin itself, as a user runs it: its shebang sets the V8 flags it is meant to run with.
const build = timed('huntpack build', join(root, 'bin', 'huntpack.js'), [
  'build',
  feed,
  '--out',
  out,
  '--quiet',
])

const line = (label: string, run: Run) =>
  `${label.padEnd(26)} ${run.seconds.toFixed(2).padStart(7)} s  ` +
  `${Math.round(rows / run.seconds)
    .toLocaleString('en-US')
    .padStart(11)} rows/s  ` +
  `${(megabytes / run.seconds).toFixed(1).padStart(7)} MB/s  ` +
  `peak ${(run.peakBytes / 2 ** 20).toFixed(0).padStart(5)} MiB`
process.stdout.write(
  [
    `input: ${rows.toLocaleString('en-US')} rows, ${megabytes.toFixed(1)} MB (seed ${seed})`,
    line('baseline (read + split)', baseline),
    line('huntpack build', build),
    `ratio build / baseline: ${(build.seconds / baseline.seconds).toFixed(1)}x time, ` +
      `${(build.peakBytes / baseline.peakBytes).toFixed(1)}x memory`,
    `aim: <= 10 s and < 1.5 GiB -> ${
      build.seconds <= 10 && build.peakBytes < 1.5 * 2 ** 30 ? 'met' : 'NOT met'
    }`,
    '',
  ].join('\n'),
)
