/**
 * @module
 * What a build can write besides the page and `pack.json`: each target turns a pack's content
 * and its checked KQL into files of one outside format, behind this one small interface.
 */
import type { OutputFile } from '../build.ts'
import type { PackContent } from '../pack/content.ts'
import type { EmittedQuery } from './kql/emit.ts'

/** A file a target writes; `hunt` names the hunt it deploys, when it deploys one. */
export interface TargetFile extends OutputFile {
  hunt?: string
}

/** The build options a target may refuse before any feed is read. */
export interface TargetOptions {
  lookback: string
}

export interface Target {
  /** What `--targets` takes: `kql`, `sentinel-rule`. */
  id: string
  /** One line for `--help` and the pack page. */
  describe: string
  /** Throws UsageError when the options cannot give this target valid output. */
  check?(options: TargetOptions): void
  /** The pack's files for this target, paths relative to the output folder. */
  emit(content: PackContent, queries: EmittedQuery[]): TargetFile[]
}
