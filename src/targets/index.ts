/**
 * @module
 * The registry of targets by id, and the parsing of `--targets`.
 */
import { UsageError } from '../errors.ts'
import { asimTarget } from './asim/index.ts'
import { blocklistTarget } from './blocklist/index.ts'
import { clickhouseTarget } from './clickhouse/index.ts'
import { defenderTarget } from './defender/index.ts'
import { elasticTarget } from './elastic/index.ts'
import { kqlTarget } from './kql/target.ts'
import { mispTarget } from './misp/index.ts'
import { sentinelArmTarget } from './sentinel-arm/index.ts'
import { sentinelHuntingTarget } from './sentinel-hunting/index.ts'
import { sentinelRuleTarget } from './sentinel-rule/index.ts'
import { sigmaTarget } from './sigma/index.ts'
import { splunkTarget } from './splunk/index.ts'
import { stixTarget } from './stix/index.ts'
import { suricataTarget } from './suricata/index.ts'
import type { Target } from './target.ts'
import { zeekTarget } from './zeek/index.ts'

export const TARGETS: ReadonlyMap<string, Target> = new Map(
  [
    kqlTarget,
    sentinelRuleTarget,
    sentinelHuntingTarget,
    suricataTarget,
    zeekTarget,
    stixTarget,
    mispTarget,
    blocklistTarget,
    sentinelArmTarget,
    defenderTarget,
    asimTarget,
    splunkTarget,
    elasticTarget,
    sigmaTarget,
    clickhouseTarget,
  ].map((t) => [t.id, t]),
)

/** Pages and `pack.json` embed the KQL, so it is written whatever else is asked for. */
export const DEFAULT_TARGETS: readonly string[] = ['kql']

/**
 * Targets by id, `kql` first and each once. `all` stands for every target. Throws UsageError
 * naming the known targets when an id is unknown.
 */
export function resolveTargets(ids: readonly string[]): Target[] {
  const wanted = ids.includes('all') ? [...TARGETS.keys()] : ['kql', ...ids]
  const resolved: Target[] = []
  for (const id of wanted) {
    const target = TARGETS.get(id)
    if (!target) {
      throw new UsageError(
        `--targets ${id}: unknown target; known: ${[...TARGETS.keys()].join(', ')}, all`,
      )
    }
    if (!resolved.includes(target)) resolved.push(target)
  }
  return resolved
}

/** `kql,sentinel-rule`: ids separated by commas, spaces around them ignored. */
export function parseTargets(value: string): string[] {
  const ids = value.split(',').map((id) => id.trim())
  if (ids.some((id) => id === '')) {
    throw new UsageError(`--targets ${value}: expected target ids separated by commas`)
  }
  resolveTargets(ids)
  return ids
}
