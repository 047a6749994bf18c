/**
 * @module
 * A worker thread of a parallel hunt: reads one piece of a log (a whole file, or a range of
 * whole lines of a large one), normalises each event, and sends back only the events the
 * prefilter keeps, with the counts the main thread needs to number lines and records as if the
 * file had been read in one go.
 */
import { createReadStream } from 'node:fs'
import { Readable } from 'node:stream'
import { parentPort, workerData } from 'node:worker_threads'
import { HuntpackError } from '../errors.ts'
import type { LogEvent } from '../logs/event.ts'
import { type LogInput, listLogInputs } from '../logs/input.ts'
import { readLogInputs } from '../logs/readers/index.ts'
import { candidateFilter, type FilterSpec } from './prefilter.ts'

export interface RangeTask {
  id: number
  path: string
  /** Byte range of whole lines; absent for a whole file. */
  start?: number
  end?: number
  /** The header lines, `[0, headerEnd)`, read in front of the range. */
  headerEnd?: number
  format: string
}

export interface RangeResult {
  id: number
  candidates: LogEvent[]
  events: number
  /** Lines in the range (newlines, and a last line without one). */
  lines: number
  broken: { file: string; line?: number; record?: number; reason: string }[]
}

export type WorkerMessage =
  | { kind: 'done'; result: RangeResult }
  | { kind: 'bytes'; bytes: number }
  | { kind: 'failed'; id: number; message: string; code?: string; name: string }

const port = parentPort
if (port) {
  const keep = candidateFilter(workerData as FilterSpec)
  port.on('message', (task: RangeTask) => {
    run(task, keep).then(
      (result) => port.postMessage({ kind: 'done', result } satisfies WorkerMessage),
      (error: Error) =>
        port.postMessage({
          kind: 'failed',
          id: task.id,
          message: error.message,
          code: error instanceof HuntpackError ? error.code : undefined,
          name: error.name,
        } satisfies WorkerMessage),
    )
  })
}

async function run(task: RangeTask, keep: (e: LogEvent) => boolean): Promise<RangeResult> {
  let lines = 0
  let lastByte = 10
  let pending = 0
  const counted = (stream: Readable): Readable =>
    Readable.from(
      (async function* () {
        for await (const data of stream) {
          const chunk = data as Buffer
          for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines++
          if (chunk.length > 0) lastByte = chunk[chunk.length - 1] as number
          pending += chunk.length
          if (pending >= 8 << 20) {
            port?.postMessage({ kind: 'bytes', bytes: pending } satisfies WorkerMessage)
            pending = 0
          }
          yield chunk
        }
      })(),
      { objectMode: false },
    )
  let inputs: LogInput[]
  if (task.start === undefined || task.end === undefined) {
    inputs = (await listLogInputs([task.path])).map((input) => ({
      ...input,
      open: async () => counted(await input.open()),
    }))
  } else {
    const { start, end, headerEnd } = task
    const piece = async function* () {
      if (headerEnd !== undefined && headerEnd > 0) {
        yield* createReadStream(task.path, { start: 0, end: headerEnd - 1 })
      }
      yield* counted(createReadStream(task.path, { start, end: end - 1, highWaterMark: 1 << 20 }))
    }
    inputs = [
      {
        name: task.path,
        size: end - start,
        named: true,
        open: async () => Readable.from(piece(), { objectMode: false }),
      },
    ]
  }
  const candidates: LogEvent[] = []
  const stats = await readLogInputs(
    inputs,
    (event) => {
      if (keep(event)) candidates.push(event)
    },
    { format: task.format },
  )
  if (pending > 0) port?.postMessage({ kind: 'bytes', bytes: pending } satisfies WorkerMessage)
  if (lastByte !== 10) lines++
  return { id: task.id, candidates, events: stats.events, lines, broken: stats.broken }
}
