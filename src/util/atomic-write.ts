/**
 * @module
 * Output files appear whole or not at all: each is written to a temporary file in the same
 * folder and renamed over the target, so an interrupted build never leaves half a query.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

/** Writes `data` whole, or nothing; pieces of a large file are written one after another. */
export async function writeFileAtomic(
  path: string,
  data: string | readonly string[],
): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true })
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    if (typeof data === 'string') await writeFile(temp, data, 'utf8')
    else await writeChunks(temp, data)
    await rename(temp, path)
  } catch (error) {
    await rm(temp, { force: true })
    throw error
  }
}

async function writeChunks(path: string, chunks: readonly string[]): Promise<void> {
  const file = await open(path, 'w')
  try {
    for (const chunk of chunks) await file.write(chunk, null, 'utf8')
  } finally {
    await file.close()
  }
}
