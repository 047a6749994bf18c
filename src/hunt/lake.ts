/**
 * @module
 * A lake: a folder of Parquet files of normalised events, with a manifest saying what was
 * imported from where. Repeated hunts read it in place, only the columns each join needs, so
 * they skip parsing the raw logs again. An import is all or nothing: parts are written under
 * temporary names and renamed, then the manifest is replaced, so a failed import leaves the
 * lake as it was.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { HuntpackError } from '../errors.ts'
import { type BatchOptions, type ReadFile, readInBatches } from '../logs/batches.ts'
import type { LogInput } from '../logs/input.ts'
import { writeFileAtomic } from '../util/atomic-write.ts'
import { DuckDbEngine, type EngineOptions } from './duckdb.ts'

export const LAKE_SCHEMA = 'huntpack.lake/1'
export const LAKE_MANIFEST = 'huntpack-lake.json'

export interface LakeManifest {
  schema: typeof LAKE_SCHEMA
  events: number
  parts: { file: string; events: number }[]
  imports: {
    at: string
    /** `path`: the file's absolute path (for an archive member, the archive's). */
    sources: (ReadFile & { path?: string; size: number })[]
    broken: number
  }[]
}

export async function isLake(path: string): Promise<boolean> {
  try {
    return (await stat(join(path, LAKE_MANIFEST))).isFile()
  } catch {
    return false
  }
}

export async function readLakeManifest(dir: string): Promise<LakeManifest> {
  const file = join(dir, LAKE_MANIFEST)
  let manifest: LakeManifest
  try {
    manifest = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new HuntpackError(
      'ERR_INPUT',
      `not a readable lake manifest: ${(error as Error).message}`,
      {
        file,
      },
    )
  }
  if (manifest.schema !== LAKE_SCHEMA || !Array.isArray(manifest.parts)) {
    throw new HuntpackError(
      'ERR_INPUT',
      `not a huntpack lake manifest (schema ${JSON.stringify(manifest.schema)}, expected ${LAKE_SCHEMA})`,
      { file },
    )
  }
  return manifest
}

/** The lake's Parquet parts, as its manifest lists them; a missing part is an error. */
export async function lakeFiles(dir: string): Promise<string[]> {
  const manifest = await readLakeManifest(dir)
  const present = new Set(await readdir(dir))
  return manifest.parts.map((part) => {
    if (!present.has(part.file)) {
      throw new HuntpackError('ERR_INPUT', `the lake lists ${part.file}, which is missing`, {
        file: join(dir, LAKE_MANIFEST),
      })
    }
    return join(dir, part.file)
  })
}

export interface ImportOptions extends BatchOptions {
  engine?: EngineOptions
  /** Events per Parquet part; batches read from the logs are smaller and gathered into it. */
  partRows?: number
}

export const DEFAULT_PART_ROWS = 250_000

export interface ImportResult {
  manifest: LakeManifest
  /** Events and files this import added. */
  events: number
  files: ReadFile[]
  broken: Awaited<ReturnType<typeof readInBatches>>['broken']
  /** Inputs left out because the lake already holds a file of that name and size. */
  alreadyInLake: string[]
  /** Files in the folders imported that are no log format read here. */
  skipped: Awaited<ReturnType<typeof readInBatches>>['skipped']
}

/** Imports logs under `paths` into the lake at `dir`, creating it when new. */
export async function importLogs(
  paths: readonly string[],
  dir: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  await mkdir(dir, { recursive: true })
  const existing = await readdir(dir)
  let manifest: LakeManifest
  if (existing.includes(LAKE_MANIFEST)) {
    manifest = await readLakeManifest(dir)
  } else if (existing.some((name) => !name.startsWith('.'))) {
    throw new HuntpackError(
      'ERR_OUTPUT',
      'is neither empty nor a huntpack lake; import into a new folder or an existing lake',
      { file: dir },
    )
  } else {
    manifest = { schema: LAKE_SCHEMA, events: 0, parts: [], imports: [] }
  }

  // A file is known by its absolute path and size, however the user spelled its path.
  const known = new Set(
    manifest.imports.flatMap((i) => i.sources.map((s) => `${s.path ?? s.name}\u0000${s.size}`)),
  )
  const alreadyInLake: string[] = []
  const skip = async (input: LogInput) => {
    const file = input.name.split('!')[0] as string
    const size = await sizeOf(file)
    const held = size !== undefined && known.has(`${resolve(file)}\u0000${size}`)
    if (held && !alreadyInLake.includes(file)) alreadyInLake.push(file)
    return held
  }

  const id = `${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`
  const written: { temp: string; file: string; events: number }[] = []
  const engine = await DuckDbEngine.open(options.engine)
  try {
    const partRows = options.partRows ?? DEFAULT_PART_ROWS
    const flush = async () => {
      const events = engine.lakeRows
      if (events === 0) return
      const file = `events-${id}-${String(written.length + 1).padStart(5, '0')}.parquet`
      const temp = join(dir, `.${file}.tmp`)
      written.push({ temp, file, events })
      await engine.flushLakePart(temp)
    }
    const read = await readInBatches(
      paths,
      async (events) => {
        await engine.stageLakeRows(events)
        if (engine.lakeRows >= partRows) await flush()
      },
      { ...options, skip },
    )
    await flush()
    for (const part of written) await rename(part.temp, join(dir, part.file))
    const sources = await Promise.all(
      read.files.map(async (f) => {
        const file = f.name.split('!')[0] as string
        return { ...f, path: resolve(file), size: (await sizeOf(file)) ?? 0 }
      }),
    )
    manifest.parts.push(...written.map(({ file, events }) => ({ file, events })))
    manifest.events += read.events
    manifest.imports.push({ at: new Date().toISOString(), sources, broken: read.broken.length })
    await writeFileAtomic(join(dir, LAKE_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
    return {
      manifest,
      events: read.events,
      files: read.files,
      broken: read.broken,
      skipped: read.skipped,
      alreadyInLake,
    }
  } catch (error) {
    for (const part of written) {
      await rm(part.temp, { force: true })
      await rm(join(dir, part.file), { force: true })
    }
    throw error
  } finally {
    engine.close()
  }
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path)
    return info.isFile() ? info.size : undefined
  } catch {
    return undefined
  }
}
