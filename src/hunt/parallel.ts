/**
 * @module
 * Large raw logs read on every core. Files whose format reads line by line without a header
 * are cut into ranges of whole lines; each range (or each other file, whole) is read by a
 * worker thread that normalises the events and keeps only the prefilter's candidates. The main
 * thread takes results in file order, renumbers lines and records as if each file had been
 * read in one go, and matches the candidates on the engine: findings, their order and their
 * source lines are those of a sequential read.
 */

import { open } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { HuntpackError } from '../errors.ts'
import type { ReadFile, ReadProgress } from '../logs/batches.ts'
import { listLogInputs, peekText } from '../logs/input.ts'
import type { SplitRule } from '../logs/reader.ts'
import type { ReadStats } from '../logs/readers/index.ts'
import { readerById, readerFor } from '../logs/readers/index.ts'
import type { DuckDbEngine } from './duckdb.ts'
import type { Finding } from './finding.ts'
import type { FilterSpec } from './prefilter.ts'
import type { RangeResult, RangeTask, WorkerMessage } from './range-worker.ts'

export interface ParallelOptions {
  format?: string
  /** Bytes per range of a splittable file; default 64 MiB. */
  rangeSize?: number
  /** Worker threads; default the cores, at most 4. */
  workers?: number
  onProgress?: (progress: ReadProgress) => void
}

export interface ParallelResult extends ReadStats {
  files: ReadFile[]
  findings: Finding[]
}

/** Old-generation heap of each worker thread, in MiB. */
export const WORKER_HEAP_MB = 512

/** Below this much input, starting workers costs more than it saves. */
export const PARALLEL_MIN_BYTES = 48 << 20

interface Planned extends RangeTask {
  size: number
  /** Lines of the header put in front of this piece. */
  headerLines?: number
}

/**
 * The tasks for `paths`, or undefined when a parallel read would not help or cannot be done
 * (little input, one core, members of zip archives, which only the main thread opens).
 */
export async function planParallel(
  paths: readonly string[],
  options: ParallelOptions = {},
): Promise<{ tasks: Planned[]; skipped: ReadStats['skipped']; totalBytes: number } | undefined> {
  const workers = options.workers ?? Math.min(4, availableParallelism())
  if (workers < 2) return undefined
  const inputs = await listLogInputs(paths)
  if (inputs.some((i) => i.name.includes('!'))) return undefined
  const totalBytes = inputs.reduce((sum, i) => sum + i.size, 0)
  if (totalBytes < PARALLEL_MIN_BYTES && options.rangeSize === undefined) return undefined
  const rangeSize = options.rangeSize ?? 64 << 20
  const forced = options.format === undefined ? undefined : readerById(options.format)
  const tasks: Planned[] = []
  const skipped: ReadStats['skipped'] = []
  for (const input of inputs) {
    const head = await peekText(input)
    const reader = await readerFor(input, forced, head)
    if ('skip' in reader) {
      skipped.push({ file: input.name, reason: reader.skip })
      continue
    }
    const plain = !(await isGzip(input.name))
    const rule = plain ? reader.splittable?.(head) : false
    if (!rule || input.size < rangeSize * 1.5) {
      tasks.push({ id: tasks.length, path: input.name, format: reader.id, size: input.size })
      continue
    }
    const pieces = await pieceRanges(input.name, input.size, rangeSize, rule)
    for (const [start, end] of pieces.ranges) {
      const header = start > 0 && pieces.headerEnd > 0 ? pieces.headerEnd : undefined
      tasks.push({
        id: tasks.length,
        path: input.name,
        start,
        end,
        headerEnd: header,
        headerLines: header === undefined ? 0 : pieces.headerLines,
        format: reader.id,
        size: end - start,
      })
    }
  }
  if (tasks.length < 2) return undefined
  return { tasks, skipped, totalBytes }
}

async function isGzip(path: string): Promise<boolean> {
  const handle = await open(path, 'r')
  try {
    const head = Buffer.alloc(2)
    const { bytesRead } = await handle.read(head, 0, 2, 0)
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    await handle.close()
  }
}

/**
 * Cuts `[0, size)` near every `rangeSize` bytes, each cut just after a newline that ends a
 * record: for quoted formats, one with an even number of double quotes before it (RFC 4180
 * quoting toggles on every quote, an escaped `""` included), so no cut falls inside a field
 * that spans lines. Also finds where the header lines end.
 */
export async function pieceRanges(
  path: string,
  size: number,
  rangeSize: number,
  rule: SplitRule,
): Promise<{ ranges: [number, number][]; headerEnd: number; headerLines: number }> {
  const handle = await open(path, 'r')
  const cuts = [0]
  let headerEnd = 0
  let headerLines = 0
  let headersSeen = 0
  let quotes = 0
  let target = rangeSize
  try {
    const buffer = Buffer.alloc(1 << 20)
    let base = 0
    let lineHasText = false
    // Quoted formats are read whole to keep the quote count; others only near each cut.
    while (base < size) {
      const at = rule.quoted || headersSeen < rule.headerLines ? base : Math.max(base, target)
      if (at >= size) break
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at)
      if (bytesRead === 0) break
      const chunk = buffer.subarray(0, bytesRead)
      let cursor = 0
      while (cursor < bytesRead) {
        if (headersSeen < rule.headerLines) {
          const newline = chunk.indexOf(10, cursor)
          const stop = newline < 0 ? bytesRead : newline
          quotes += countByte(chunk, 34, cursor, stop)
          for (let i = cursor; i < stop && !lineHasText; i++) {
            const c = chunk[i] as number
            if (c !== 13 && c !== 32 && c !== 9) lineHasText = true
          }
          if (newline < 0) break
          headerLines++
          if (lineHasText) headersSeen++
          if (headersSeen === rule.headerLines) headerEnd = at + newline + 1
          lineHasText = false
          cursor = newline + 1
          continue
        }
        const targetAt = target - at
        if (targetAt >= bytesRead) {
          quotes += countByte(chunk, 34, cursor, bytesRead)
          break
        }
        if (targetAt > cursor) {
          quotes += countByte(chunk, 34, cursor, targetAt)
          cursor = targetAt
        }
        const newline = chunk.indexOf(10, cursor)
        if (newline < 0) {
          quotes += countByte(chunk, 34, cursor, bytesRead)
          break
        }
        quotes += countByte(chunk, 34, cursor, newline)
        cursor = newline + 1
        const end = at + cursor
        if ((!rule.quoted || quotes % 2 === 0) && end < size) {
          cuts.push(end)
          target = end + rangeSize
        }
      }
      base = at + bytesRead
    }
  } finally {
    await handle.close()
  }
  cuts.push(size)
  const ranges: [number, number][] = []
  for (let i = 0; i + 1 < cuts.length; i++) ranges.push([cuts[i] as number, cuts[i + 1] as number])
  return { ranges, headerEnd, headerLines }
}

/** How many times `byte` occurs in `buffer[from, to)`. */
function countByte(buffer: Buffer, byte: number, from: number, to: number): number {
  let count = 0
  for (let at = buffer.indexOf(byte, from); at >= 0 && at < to; at = buffer.indexOf(byte, at + 1)) {
    count++
  }
  return count
}

/** Runs the plan on worker threads, matching candidates on `engine` in file order. */
export async function huntInParallel(
  plan: NonNullable<Awaited<ReturnType<typeof planParallel>>>,
  spec: FilterSpec,
  engine: DuckDbEngine,
  options: ParallelOptions = {},
): Promise<ParallelResult> {
  const count = Math.min(options.workers ?? Math.min(4, availableParallelism()), plan.tasks.length)
  const paths = [...new Set(plan.tasks.map((t) => t.path))]
  const progress: ReadProgress = {
    files: paths.length,
    filesDone: 0,
    bytes: 0,
    totalBytes: plan.totalBytes,
    events: 0,
    file: undefined,
  }
  const result: ParallelResult = {
    events: 0,
    skipped: plan.skipped,
    broken: [],
    files: [],
    findings: [],
  }
  const offsets = new Map<string, { lines: number; records: number; file: ReadFile }>()
  const remaining = new Map<string, number>()
  for (const task of plan.tasks) remaining.set(task.path, (remaining.get(task.path) ?? 0) + 1)

  const done = new Map<number, RangeResult>()
  let next = 0
  let processed = 0
  let matching: Promise<void> = Promise.resolve()

  const absorb = (task: Planned, r: RangeResult) => {
    let at = offsets.get(task.path)
    if (!at) {
      at = { lines: 0, records: 0, file: { name: task.path, format: task.format, events: 0 } }
      offsets.set(task.path, at)
      result.files.push(at.file)
    }
    // A piece read with the header in front counts the header's lines as its own.
    const lineShift = at.lines - (task.headerLines ?? 0)
    for (const event of r.candidates) {
      if (event.SourceLine !== null) event.SourceLine += lineShift
      event.SourceRecord += at.records
    }
    for (const b of r.broken) {
      result.broken.push({
        ...b,
        ...(b.line === undefined ? {} : { line: b.line + lineShift }),
        ...(b.record === undefined ? {} : { record: b.record + at.records }),
      })
    }
    at.lines += r.lines
    at.records += r.events + r.broken.length
    at.file.events += r.events
    result.events += r.events
    progress.events = result.events
    const left = (remaining.get(task.path) ?? 1) - 1
    remaining.set(task.path, left)
    if (left === 0) progress.filesDone++
    const candidates = r.candidates
    matching = matching.then(async () => {
      for (const finding of await engine.matchEvents(candidates)) result.findings.push(finding)
    })
  }

  const workers: Worker[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false
      const fail = (error: unknown) => {
        if (!failed) {
          failed = true
          reject(error)
        }
      }
      const feed = (worker: Worker) => {
        const task = plan.tasks[next++]
        if (task) {
          progress.file = task.path
          worker.postMessage({
            id: task.id,
            path: task.path,
            start: task.start,
            end: task.end,
            headerEnd: task.headerEnd,
            format: task.format,
          } satisfies RangeTask)
        }
      }
      for (let w = 0; w < count; w++) {
        const worker = new Worker(new URL('./range-worker.mjs', import.meta.url), {
          workerData: spec,
          // A worker holds one piece's candidates and little else; a bounded heap makes V8
          // collect early instead of growing, which keeps a hunt's peak memory flat.
          resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
        })
        workers.push(worker)
        worker.on('error', fail)
        worker.on('message', (message: WorkerMessage) => {
          if (message.kind === 'bytes') {
            progress.bytes += message.bytes
            options.onProgress?.(progress)
            return
          }
          if (message.kind === 'failed') {
            fail(new HuntpackError(message.code ?? 'ERR_INPUT', message.message))
            return
          }
          done.set(message.result.id, message.result)
          while (done.has(processed)) {
            const r = done.get(processed) as RangeResult
            done.delete(processed)
            absorb(plan.tasks[processed] as Planned, r)
            processed++
          }
          options.onProgress?.(progress)
          if (processed === plan.tasks.length) resolve()
          else feed(worker)
        })
        feed(worker)
      }
    })
    await matching
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
  progress.file = undefined
  options.onProgress?.(progress)
  return result
}
