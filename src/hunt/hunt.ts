/**
 * @module
 * A local hunt: raw logs matched batch by batch on the embedded engine while the next batch is
 * read, and Parquet lakes written by `logs import` matched in place.
 */
import type { Indicator } from '../intel/indicator.ts'
import { type BatchOptions, type BatchResult, readInBatches } from '../logs/batches.ts'
import { type ClickHouseHunt, huntOnClickHouse } from './clickhouse-hunt.ts'
import { DuckDbEngine, type EngineOptions } from './duckdb.ts'
import type { Finding } from './finding.ts'
import { indicatorTables } from './indicator-tables.ts'
import { isLake, type LakeManifest, lakeFiles, readLakeManifest } from './lake.ts'
import { huntInParallel, planParallel } from './parallel.ts'
import { candidateFilter, filterSpec } from './prefilter.ts'

export interface HuntOptions extends BatchOptions {
  engine?: EngineOptions
  /**
   * Large raw logs are read on worker threads (`src/hunt/parallel.ts`); `false` reads on the
   * main thread only, an object tunes the split (tests use small ranges).
   */
  parallel?: false | { rangeSize?: number; workers?: number }
  /** Hunt on ClickHouse (`src/hunt/clickhouse-hunt.ts`) instead of the embedded DuckDB. */
  clickhouse?: ClickHouseHunt
}

export interface HuntResult {
  findings: Finding[]
  /** Events read from raw logs plus events in the lakes hunted. */
  events: number
  files: BatchResult['files']
  broken: BatchResult['broken']
  /** Files in the folders hunted that are no log format read here. */
  skipped: BatchResult['skipped']
  lakes: { dir: string; manifest: LakeManifest }[]
}

/** A result before anything is read; each engine's hunt fills it. */
export function emptyHuntResult(): HuntResult {
  return { findings: [], events: 0, files: [], broken: [], skipped: [], lakes: [] }
}

/** Hunts `paths` (log files, folders of them, lakes) for the indicators. */
export async function huntLogs(
  indicators: readonly Indicator[],
  paths: readonly string[],
  options: HuntOptions = {},
): Promise<HuntResult> {
  if (options.clickhouse) return huntOnClickHouse(indicators, paths, options.clickhouse, options)
  const engine = await DuckDbEngine.open(options.engine)
  try {
    const tables = indicatorTables(indicators)
    await engine.setIndicators(tables)
    const result = emptyHuntResult()
    const raw: string[] = []
    for (const path of paths) {
      if (!(await isLake(path))) {
        raw.push(path)
        continue
      }
      const manifest = await readLakeManifest(path)
      result.lakes.push({ dir: path, manifest })
      result.findings.push(...(await engine.matchLake(await lakeFiles(path))))
      result.events += manifest.events
    }
    const parallel =
      raw.length > 0 && options.parallel !== false && options.engine?.prefilter !== false
        ? await planParallel(raw, { format: options.format, ...(options.parallel || {}) })
        : undefined
    if (parallel) {
      const read = await huntInParallel(parallel, filterSpec(tables), engine, {
        ...(options.parallel || {}),
        onProgress: options.onProgress,
      })
      result.findings.push(...read.findings)
      result.events += read.events
      result.files = read.files
      result.broken = read.broken
      result.skipped = read.skipped
    } else if (raw.length > 0) {
      const read = await readInBatches(
        raw,
        async (events) => {
          for (const finding of await engine.matchEvents(events)) result.findings.push(finding)
        },
        {
          ...options,
          keep: options.engine?.prefilter === false ? undefined : candidateFilter(tables),
        },
      )
      result.events += read.events
      result.files = read.files
      result.broken = read.broken
      result.skipped = read.skipped
    }
    return result
  } finally {
    engine.close()
  }
}
