import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
const BIN = fileURLToPath(new URL('../../bin/huntpack.js', import.meta.url))

export interface CliRun {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs the `huntpack` bin as a user would, from the repository root. */
export function huntpack(...args: string[]): CliRun {
  const run = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO, encoding: 'utf8' })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}
