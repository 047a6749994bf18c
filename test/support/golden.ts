import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * Compares files (relative path → content) with the reviewed copies under `dir`, byte for byte
 * and as a set. `UPDATE_GOLDEN=1` first rewrites `dir` from `files`: read the diff before you
 * commit it, since the copies are the specification.
 */
export function assertGoldenTree(
  dir: string,
  files: Map<string, string>,
  counts: (path: string) => boolean = (path) => path.includes('.'),
): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    rmSync(dir, { recursive: true, force: true })
    for (const [path, content] of files) {
      mkdirSync(join(dir, path, '..'), { recursive: true })
      writeFileSync(join(dir, path), content)
    }
  }
  const expected = readdirSync(dir, { recursive: true }).map(String).filter(counts).sort()
  assert.deepEqual([...files.keys()].sort(), expected, 'the set of files differs')
  for (const [path, content] of files) {
    assert.equal(
      content,
      readFileSync(join(dir, path), 'utf8'),
      `${path} differs; UPDATE_GOLDEN=1 rewrites it`,
    )
  }
}
