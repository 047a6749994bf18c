/**
 * @module
 * Test access to the shared reference data beside the repository (`../shared/data`), which is
 * not committed here. Tests skip without it locally and fail loudly on CI.
 */

import { existsSync } from 'node:fs'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../../shared/data/', import.meta.url))

/** Absolute path of `<repo>/../shared/data/<rel>`, whether or not it exists. */
export function sharedData(rel: string): string {
  return `${ROOT}${rel}`
}

/** The path when present; otherwise skips the test, or throws when `CI=true`. */
export function requireSharedData(t: TestContext, rel: string): string | undefined {
  const path = sharedData(rel)
  if (existsSync(path)) return path
  const reason = `shared data missing: ${path}`
  if (process.env.CI === 'true') throw new Error(reason)
  t.skip(reason)
  return undefined
}
