/**
 * @module
 * Finding the packs `build` wrote: a folder that holds a `pack.json` is one pack, else each of
 * its subfolders that holds one is.
 */
import type { Dirent } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { HuntpackError } from '../errors.ts'

/**
 * The folder itself when it holds a `pack.json`, else its subfolders that do, in name order.
 * Throws ERR_INPUT naming the folder when it cannot be read or holds no pack; `hint` tells the
 * user what to pass instead.
 */
export async function packFolders(dir: string, hint: string): Promise<string[]> {
  let entries: Dirent[]
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch (error) {
    throw new HuntpackError(
      'ERR_INPUT',
      `cannot read the packs folder: ${(error as Error).message}`,
      { file: dir },
      { cause: error },
    )
  }
  if (entries.some((e) => e.isFile() && e.name === 'pack.json')) return [dir]
  const folders: string[] = []
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue
    if (await isFile(join(dir, entry.name, 'pack.json'))) folders.push(join(dir, entry.name))
  }
  if (folders.length === 0) {
    throw new HuntpackError('ERR_INPUT', `no pack.json here or in its subfolders; ${hint}`, {
      file: dir,
    })
  }
  return folders
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
