/**
 * @module
 * Everything a pack's outputs show, gathered once: its page and its `pack.json` render the
 * same content, each in its own language.
 */
import type { SourceRef } from '../intel/indicator.ts'
import type { GuidanceItem } from './guidance.ts'
import type { Pack } from './pack.ts'
import type { PackSummary } from './summary.ts'

export interface PackHunt {
  id: string
  title: string
  purpose: string
  table: string
  /** The `.kql` file beside the page. */
  file: string
  query: string
  indicatorCount: number
  watchlist?: { alias: string; file: string }
}

export interface PackTable {
  table: string
  /** The Sentinel data connector that fills the table. */
  connector: string
  hunts: string[]
}

/** A file a `--targets` target wrote for the pack, besides the queries and watchlists. */
export interface PackArtefact {
  /** The target id: `sentinel-rule`. */
  target: string
  /** Relative to the pack folder, `/`-separated. */
  file: string
  /** The hunt the file deploys, when it deploys one. */
  hunt: string | null
}

export interface PackContent {
  pack: Pack
  summary: PackSummary
  description: string
  hunts: PackHunt[]
  tables: PackTable[]
  guidance: GuidanceItem[]
  lookback: string
  /** Filled by the build once the targets have written their files. */
  artefacts?: PackArtefact[]
  /** The feed's web page for a record (a ThreatFox IOC page), where the feed has one. */
  recordUrl?: (source: SourceRef) => string | undefined
}
