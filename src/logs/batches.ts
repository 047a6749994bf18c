/**
 * @module
 * Logs read as batches of normalised events handed to an asynchronous consumer (an engine
 * matching them, a Parquet writer) while the next batch is read. Reading pauses while two
 * batches wait, so memory is bounded by the batch size whatever the input's size; the consumer
 * runs on DuckDB's threads while parsing goes on here, which keeps both cores busy.
 */
import { Readable } from 'node:stream'
import type { LogEvent } from './event.ts'
import { type LogInput, listLogInputs } from './input.ts'
import { type ReadStats, readLogInputs } from './readers/index.ts'

export interface ReadProgress {
  files: number
  filesDone: number
  /** Bytes read so far (decompressed) and the inputs' size on disk. */
  bytes: number
  totalBytes: number
  events: number
  file: string | undefined
}

export interface ReadFile {
  name: string
  format: string
  events: number
}

export interface BatchOptions {
  /** Forces one reader for every input. */
  format?: string
  batchSize?: number
  /**
   * Keeps only the events it accepts (all are counted). Events dropped here die young, so the
   * heap stays small however large the input: a hunt passes its prefilter.
   */
  keep?: (event: LogEvent) => boolean
  /** Leaves out inputs it accepts before any is opened (files a lake already holds). */
  skip?: (input: LogInput) => Promise<boolean>
  onProgress?: (progress: ReadProgress) => void
}

export interface BatchResult extends ReadStats {
  files: ReadFile[]
}

export const DEFAULT_BATCH = 65_536

/** Reads every input under `paths`, handing full batches to `consume` in order. */
export async function readInBatches(
  paths: readonly string[],
  consume: (events: LogEvent[]) => Promise<void>,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const listed = await listLogInputs(paths)
  const inputs: LogInput[] = []
  for (const input of listed) if (!(await options.skip?.(input))) inputs.push(input)
  const batchSize = options.batchSize ?? DEFAULT_BATCH
  const keep = options.keep
  const progress: ReadProgress = {
    files: inputs.length,
    filesDone: 0,
    bytes: 0,
    totalBytes: inputs.reduce((sum, i) => sum + i.size, 0),
    events: 0,
    file: undefined,
  }
  let batch: LogEvent[] = []
  let queued = 0
  let tail: Promise<void> = Promise.resolve()
  let failure: unknown

  const submit = () => {
    const events = batch
    batch = []
    queued++
    tail = tail.then(async () => {
      try {
        if (failure === undefined) await consume(events)
      } catch (error) {
        failure ??= error
      } finally {
        queued--
      }
    })
  }
  const gate = async () => {
    while (queued >= 2) await tail
    if (failure !== undefined) throw failure
  }
  const gated = inputs.map(
    (input): LogInput => ({
      ...input,
      open: async () => {
        const stream = await input.open()
        return Readable.from(
          (async function* () {
            for await (const chunk of stream) {
              progress.bytes += (chunk as Buffer).length
              await gate()
              yield chunk
            }
          })(),
          { objectMode: false },
        )
      },
    }),
  )

  const files: ReadFile[] = []
  let current: ReadFile | undefined
  let stats: ReadStats
  try {
    stats = await readLogInputs(
      gated,
      (event) => {
        if (current) current.events++
        progress.events++
        if (keep && !keep(event)) return
        batch.push(event)
        if (batch.length >= batchSize) {
          submit()
          options.onProgress?.(progress)
        }
      },
      {
        format: options.format,
        onFile: (input, reader) => {
          if (current) progress.filesDone++
          current = { name: input.name, format: reader.id, events: 0 }
          files.push(current)
          progress.file = input.name
          options.onProgress?.(progress)
        },
      },
    )
  } catch (error) {
    // Whatever stopped the reading, no batch is left running behind the caller's back; and a
    // consumer's failure, which stopped the reader from inside, is reported as itself.
    await tail
    throw failure ?? error
  }
  await tail
  if (failure !== undefined) throw failure
  if (batch.length > 0) submit()
  await tail
  if (failure !== undefined) throw failure
  if (current) progress.filesDone++
  progress.file = undefined
  options.onProgress?.(progress)
  return { ...stats, files }
}
