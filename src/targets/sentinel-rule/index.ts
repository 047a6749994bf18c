/**
 * @module
 * The `sentinel-rule` target: one scheduled analytics rule per hunt, as YAML in the schema of
 * the Azure-Sentinel content repository's Detections.
 */
import { HuntpackError, UsageError } from '../../errors.ts'
import type { PackContent } from '../../pack/content.ts'
import type { Hunt } from '../../pack/hunts.ts'
import { type EmittedQuery, emitPackKql } from '../kql/emit.ts'
import {
  attackOf,
  checkOnce,
  entityMappings,
  huntDescription,
  requiredDataConnectors,
  type SentinelQuery,
  sentinelQuery,
  stableId,
  toYaml,
  type WatchlistNote,
} from '../sentinel/content.ts'
import type { Target, TargetFile } from '../target.ts'

/** Sentinel refuses a scheduled rule whose query is longer. */
export const RULE_QUERY_LIMIT = 10_000

const MINUTES = { m: 1, h: 60, d: 1440 } as const
/** Sentinel's bounds on a scheduled rule's lookback (`queryPeriod`). */
const PERIOD_MIN = 5
const PERIOD_MAX = 14 * 1440

/**
 * `queryPeriod` is the build's lookback, so the rule sees what the hunt sees. It runs hourly
 * (or as often as it looks back, when that is shorter): a new match alerts within the hour, and
 * events stay matchable for the whole lookback, so an indicator uploaded later to a watchlist
 * still finds the last days' events. The cost is that one event can alert on several runs;
 * Sentinel's alert grouping folds those into one incident.
 */
export function ruleSchedule(lookback: string): { queryFrequency: string; queryPeriod: string } {
  const match = /^(\d+)([dhm])$/.exec(lookback)
  const minutes = match ? Number(match[1]) * MINUTES[match[2] as keyof typeof MINUTES] : NaN
  if (!(minutes >= PERIOD_MIN && minutes <= PERIOD_MAX)) {
    throw new UsageError(
      `--lookback ${lookback}: a Sentinel scheduled rule (target sentinel-rule) looks back 5m to 14d`,
    )
  }
  return { queryFrequency: minutes >= 60 ? '1h' : lookback, queryPeriod: lookback }
}

type Severity = 'Low' | 'Medium' | 'High'
const SEVERITIES: readonly Severity[] = ['Low', 'Medium', 'High']

/**
 * ThreatFox threat types by what a hit means: a connection to a C2 or a malware file on a
 * device means the malware is (or was) there; a delivery URL or host means a user was exposed.
 */
const THREAT_SEVERITY: Record<string, Severity> = {
  botnet_cc: 'High',
  payload: 'High',
  payload_delivery: 'Medium',
}

/** Confidence at which the feed's word is taken as it is; below, the severity drops a step. */
const CONFIDENT = 75

/**
 * The most severe threat type among the hunt's indicators (an unknown type counts as Medium),
 * one step lower when no indicator has a confidence of 75 or more: a rule's alerts are only as
 * sure as its best indicator.
 */
export function ruleSeverity(hunt: Hunt): { severity: Severity; reason: string } {
  // A loop, not a spread: a hunt can hold a million indicators.
  const types = new Set<string>()
  let best = -1
  for (const indicator of hunt.indicators) {
    for (const type of indicator.threatTypes) types.add(type)
    best = Math.max(best, indicator.confidence ?? -1)
  }
  let rank = -1
  for (const type of types.size > 0 ? types : ['unknown']) {
    rank = Math.max(rank, SEVERITIES.indexOf(THREAT_SEVERITY[type] ?? 'Medium'))
  }
  const confident = best >= CONFIDENT
  const severity = SEVERITIES[Math.max(0, confident ? rank : rank - 1)] ?? 'Medium'
  const shown = [...types].sort().join(', ') || 'no threat type'
  const confidence = best < 0 ? 'no confidence given' : `highest confidence ${best}`
  return {
    severity,
    reason: `Severity ${severity}: ${shown}, ${confidence}${confident ? '' : ' (below 75: one step lower)'}.`,
  }
}

export const sentinelRuleTarget: Target = {
  id: 'sentinel-rule',
  describe: 'a Sentinel scheduled analytics rule per hunt (content-repository YAML)',
  check: (options) => {
    ruleSchedule(options.lookback)
  },
  emit(content, queries) {
    const schedule = ruleSchedule(content.lookback)
    const files: TargetFile[] = []
    const dir = `${content.pack.id}/sentinel/rules`
    for (const q of queries) {
      const { query, watchlist, csv } = ruleQuery(content, q)
      if (
        csv &&
        watchlist &&
        !files.some((f) => f.path === `${content.pack.id}/${watchlist.file}`)
      ) {
        files.push({ path: `${content.pack.id}/${watchlist.file}`, content: csv })
      }
      checkOnce('sentinel-rule', q.hunt, query, `${dir}/${q.hunt.id}.yaml`)
      const { severity, reason } = ruleSeverity(q.hunt)
      const rule = {
        id: stableId('sentinel-rule', content.pack.id, q.hunt.id),
        name: `${content.pack.name}: ${q.hunt.title}`,
        description: huntDescription(content, q.hunt, watchlist, [reason]),
        severity,
        requiredDataConnectors: requiredDataConnectors(q.hunt),
        ...schedule,
        triggerOperator: 'gt',
        triggerThreshold: 0,
        ...attackOf(q.hunt),
        query: query.text,
        entityMappings: entityMappings(q.hunt),
        customDetails: {
          Indicator: 'Indicator',
          IndicatorKind: 'IndicatorKind',
          MatchKind: 'MatchKind',
          MatchedField: 'MatchedField',
        },
        version: '1.0.0',
        kind: 'Scheduled',
      }
      files.push({ path: `${dir}/${q.hunt.id}.yaml`, content: toYaml(rule), hunt: q.hunt.id })
    }
    return files
  },
}

export interface RuleQuery {
  query: SentinelQuery
  watchlist?: WatchlistNote
  /** The watchlist's CSV when only the rule reads it, to be written beside the rules. */
  csv?: string
}

/**
 * The hunt's query, or, when that is longer than Sentinel takes, the same hunt reading its
 * indicators from the watchlist the KQL target would use above `--inline-limit` (same alias),
 * its CSV written under `sentinel/rules/`. A hunt too long even then is refused.
 */
export function ruleQuery(content: PackContent, q: EmittedQuery): RuleQuery {
  const { pack } = content
  const inline = sentinelQuery(q)
  let result: RuleQuery = {
    query: inline,
    watchlist: q.watchlist && { alias: q.watchlist.alias, file: q.watchlist.file },
  }
  if (inline.text.length > RULE_QUERY_LIMIT && !q.watchlist) {
    const [read] = emitPackKql(
      [q.hunt],
      { id: pack.id, title: pack.title, feeds: pack.feeds },
      { lookback: content.lookback, inlineLimit: 0 },
    )
    if (read?.watchlist) {
      result = {
        query: sentinelQuery(read),
        watchlist: { alias: read.watchlist.alias, file: `sentinel/rules/${read.watchlist.file}` },
        csv: read.watchlist.csv,
      }
    }
  }
  if (result.query.text.length > RULE_QUERY_LIMIT) {
    throw new HuntpackError(
      'ERR_TARGET',
      `${pack.id}/${q.hunt.id}: the sentinel-rule query is ${result.query.text.length} characters ` +
        `even reading a watchlist; Sentinel takes ${RULE_QUERY_LIMIT}`,
    )
  }
  return result
}
