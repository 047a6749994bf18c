/**
 * @module
 * Seeded, deterministic inputs for the hunt benchmark: a ThreatFox CSV of indicators, a
 * Suricata EVE file (flow, dns with answers, http, tls, fileinfo) and a Sentinel
 * CommonSecurityLog CSV export (PAN-OS and Check Point sessions, FortiGate DNS, Zscaler web),
 * each of about the size asked, with hits planted at known lines and a sidecar listing the
 * findings those hits must give (file, line, indicator, match, field).
 *
 * Nothing else can match, by construction: indicator addresses come from first octets benign
 * traffic never uses, indicator names end in top-level domains benign names never use (and
 * carry a unique `-<row>` label, so no indicator is a suffix of another), indicator hashes start
 * with a hex digit from 0 to 7 and benign hashes with 8 to f. Plants are spread evenly by
 * bytes; each uses an indicator no other plant uses.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { MatchField, MatchKind } from '../src/hunt/finding.ts'
import { FIELD_PRIORITY, MATCH_STRENGTH } from '../src/hunt/match-sql.ts'
import { writeEve } from './generate-eve.ts'
import { writeSecurityLog } from './generate-security-log.ts'
import { random } from './generate-threatfox.ts'
import {
  type Expectation,
  LogWriter,
  makeIndicators,
  makePools,
  type Next,
  type Plant,
  PlantPlan,
  type Pools,
  writeFeed,
} from './hunt-values.ts'

/** Bump when the generated content changes, so stale data is not reused. */
const GENERATOR_VERSION = 2

export interface HuntBenchOptions {
  /** Approximate size of each log file, bytes. */
  bytes: number
  seed: number
  /** Indicators in the feed. */
  indicators: number
  /** Planted events per log file; default scales with size, at most 1,000. */
  plants?: number
}

/** One finding a planted event must give. */
export interface PlantedFinding {
  /** The log file's base name. */
  file: string
  line: number
  /** The indicator's value as huntpack reports it. */
  indicator: string
  match: MatchKind
  field: MatchField
  /** What was planted, e.g. `url-exact-http`. */
  plant: string
}

export interface HuntBenchLog {
  name: string
  path: string
  /** The reader huntpack should pick. */
  kind: 'eve' | 'csv'
  bytes: number
  lines: number
  events: number
}

export interface HuntBench {
  dir: string
  params: Required<HuntBenchOptions> & { version: number }
  /** The ThreatFox CSV export. */
  feed: string
  /** `kind<TAB>value` per indicator, for the hand-written DuckDB reference. */
  indicatorTable: string
  /** The indicator values, one a line, for `grep -F -f` (an `ip:port` as its address). */
  patterns: string
  /** The sidecar of expected findings. */
  expected: string
  logs: HuntBenchLog[]
  findings: PlantedFinding[]
}

const SIDE_CAR = 'expected.json'

export function defaultPlants(bytes: number): number {
  return Math.min(1000, Math.max(50, Math.floor(bytes / 50_000)))
}

/**
 * Writes the benchmark inputs into `dir`, or reuses them when `dir` already holds a complete
 * set made with the same parameters.
 */
export async function generateHuntBench(
  dir: string,
  options: HuntBenchOptions,
): Promise<HuntBench> {
  const params = {
    version: GENERATOR_VERSION,
    bytes: options.bytes,
    seed: options.seed,
    indicators: options.indicators,
    plants: options.plants ?? defaultPlants(options.bytes),
  }
  const expected = join(dir, SIDE_CAR)
  if (existsSync(expected)) {
    const bench = JSON.parse(readFileSync(expected, 'utf8')) as HuntBench
    const same = JSON.stringify(bench.params) === JSON.stringify(params)
    if (same && bench.logs.every((log) => existsSync(log.path)) && existsSync(bench.feed)) {
      return bench
    }
  }
  await mkdir(dir, { recursive: true })
  const next = random(params.seed)
  const intel = makeIndicators(next, params.indicators)
  const feed = join(dir, 'threatfox.csv')
  writeFeed(feed, intel)
  const indicatorTable = join(dir, 'indicators.tsv')
  writeFileSync(
    indicatorTable,
    `kind\tvalue\n${intel.map((i) => `${i.kind}\t${i.value}\n`).join('')}`,
  )
  const patterns = join(dir, 'patterns.txt')
  writeFileSync(
    patterns,
    intel.map((i) => `${i.kind === 'ip:port' ? (i.ip as string) : i.value}\n`).join(''),
  )

  const pools = makePools(next)
  const plan = new PlantPlan(intel)
  const findings: PlantedFinding[] = []
  const eve = writeLog(join(dir, 'eve.json'), 'eve', params, next, pools, plan, findings)
  const csv = writeLog(
    join(dir, 'CommonSecurityLog.csv'),
    'csv',
    params,
    next,
    pools,
    plan,
    findings,
  )
  const bench: HuntBench = {
    dir,
    params,
    feed,
    indicatorTable,
    patterns,
    expected,
    logs: [eve, csv],
    findings,
  }
  // Written last: a set interrupted before this point is generated again, never reused.
  writeFileSync(expected, `${JSON.stringify(bench, null, 1)}\n`)
  return bench
}

/** A found finding reduced to what the sidecar records. */
export interface FoundFinding {
  file: string
  line: number | null
  indicator: string
  match: string
  field: string
}

export interface FindingCheck {
  ok: boolean
  expected: number
  found: number
  /** Planted findings not found, and findings nothing planted. */
  missing: PlantedFinding[]
  unexpected: FoundFinding[]
}

const findingKey = (f: FoundFinding | PlantedFinding) =>
  `${f.file}\t${f.line}\t${f.indicator}\t${f.match}\t${f.field}`

/**
 * Compares findings with the planted ones as multisets keyed by (file base name, line,
 * indicator, match, field); `files` limits the planted ones to the logs that were hunted.
 */
export function checkFindings(
  planted: readonly PlantedFinding[],
  found: readonly FoundFinding[],
  files?: readonly string[],
): FindingCheck {
  const wanted = files ? planted.filter((f) => files.includes(f.file)) : [...planted]
  const left = new Map<string, PlantedFinding[]>()
  for (const f of wanted) {
    const key = findingKey(f)
    left.set(key, [...(left.get(key) ?? []), f])
  }
  const unexpected: FoundFinding[] = []
  for (const f of found) {
    const list = left.get(findingKey(f))
    if (list && list.length > 0) list.pop()
    else unexpected.push(f)
  }
  const missing = [...left.values()].flat()
  return {
    ok: missing.length === 0 && unexpected.length === 0,
    expected: wanted.length,
    found: found.length,
    missing,
    unexpected,
  }
}

function writeLog(
  path: string,
  kind: HuntBenchLog['kind'],
  params: Required<HuntBenchOptions>,
  next: Next,
  pools: Pools,
  plan: PlantPlan,
  findings: PlantedFinding[],
): HuntBenchLog {
  const writer = new LogWriter(path, params.bytes, params.plants, next)
  const onPlant = (plant: Plant, line: number) => {
    findings.push({ file: writer.name, line, ...strongest(plant.expect), plant: plant.name })
  }
  let events: number
  try {
    const write = kind === 'eve' ? writeEve : writeSecurityLog
    events = write(writer, next, pools, plan, onPlant)
  } finally {
    writer.close()
  }
  return { name: writer.name, path, kind, bytes: writer.bytes, lines: writer.lines, events }
}

/**
 * An event meets an indicator once: the strongest match, then the most telling field
 * (`docs/architecture.md`, Matching semantics). A plant lists every field its indicator is
 * in; the finding is the first of them in that order.
 */
export function strongest(expect: readonly Expectation[]): Expectation {
  const rank = (e: Expectation) =>
    MATCH_STRENGTH.indexOf(e.match) * 100 + FIELD_PRIORITY.indexOf(e.field)
  const [best] = [...expect].sort((a, b) => rank(a) - rank(b))
  if (!best) throw new Error('a plant expects no finding')
  return best
}
