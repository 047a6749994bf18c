/**
 * @module
 * A hunt's findings summed up two ways, by indicator and by host, plus the run's totals. A
 * finding's host is the reporting device (`Dvc`) when the log names one, else the event's
 * address on the side away from the indicator (`peerAddress`): the machine in the user's
 * network that talked to it. Order is deterministic: count descending, then value.
 */
import type { IndicatorKind } from '../intel/indicator.ts'
import type { Finding, MatchKind } from './finding.ts'

/** What the engine read, for the totals. */
export interface HuntCounts {
  events: number
  files: number
  /** Records that could not be read (reported apart, never silently dropped). */
  broken: number
}

export interface IndicatorSummary {
  value: string
  kind: IndicatorKind
  family: string | null
  familyId: string | null
  /** The kinds of match seen, strongest first. */
  matches: MatchKind[]
  count: number
  /** Earliest and latest event time among the findings; null when no event had a time. */
  firstTime: string | null
  lastTime: string | null
  /** Hosts (see `findingHost`) that met it, sorted. */
  hosts: string[]
}

export interface HostSummary {
  /** Null groups the findings whose event names neither a device nor a peer address. */
  host: string | null
  count: number
  /** Indicator values met, sorted. */
  indicators: string[]
  /** Families of those indicators, sorted. */
  families: string[]
  firstTime: string | null
  lastTime: string | null
}

export interface HuntSummary {
  totals: {
    /** Findings reported, excluded ones not counted. */
    findings: number
    /** Findings an exclusion left out. */
    excluded: number
    /** Distinct indicators and hosts among the reported findings. */
    indicators: number
    hosts: number
  } & HuntCounts
  indicators: IndicatorSummary[]
  hosts: HostSummary[]
}

/** Strongest first; the order match kinds are listed in. */
export const MATCH_ORDER: readonly MatchKind[] = [
  'exact',
  'subdomain',
  'in-range',
  'address-only',
  'host-only',
]

/**
 * The event's address on the other side from the indicator: the destination when the
 * indicator was the source (`from`), else the source (the client that connected, looked the
 * name up or fetched the URL).
 */
export function peerAddress(finding: Finding): string | null {
  return finding.direction === 'from' ? finding.event.DstIpAddr : finding.event.SrcIpAddr
}

/** The reporting device, else the peer address; null when the event has neither. */
export function findingHost(finding: Finding): string | null {
  const device = finding.event.Dvc?.trim()
  return device ? device : peerAddress(finding)
}

interface Span {
  count: number
  firstTime: string | null
  lastTime: string | null
}

interface IndicatorGroup extends Span {
  finding: Finding
  matches: Set<MatchKind>
  hosts: Set<string>
}

interface HostGroup extends Span {
  host: string | null
  indicators: Set<string>
  families: Set<string>
}

/** Collects findings one at a time; `summary` may be called at any point. */
export class FindingSummariser {
  #indicators = new Map<string, IndicatorGroup>()
  #hosts = new Map<string | null, HostGroup>()
  #findings = 0
  #excluded = 0

  /** Adds a finding; an excluded one only counts in the totals. */
  add(finding: Finding, excluded = false): void {
    if (excluded) {
      this.#excluded++
      return
    }
    this.#findings++
    const { indicator } = finding
    const time = finding.event.TimeGenerated
    const host = findingHost(finding)

    const key = `${indicator.kind}\u0000${indicator.value}\u0000${indicator.family ?? ''}`
    let group = this.#indicators.get(key)
    if (group === undefined) {
      group = { finding, matches: new Set(), hosts: new Set(), ...emptySpan() }
      this.#indicators.set(key, group)
    }
    count(group, time)
    group.matches.add(finding.match)
    if (host !== null) group.hosts.add(host)

    let byHost = this.#hosts.get(host)
    if (byHost === undefined) {
      byHost = { host, indicators: new Set(), families: new Set(), ...emptySpan() }
      this.#hosts.set(host, byHost)
    }
    count(byHost, time)
    byHost.indicators.add(indicator.value)
    if (indicator.family !== undefined) byHost.families.add(indicator.family)
  }

  summary(counts: HuntCounts): HuntSummary {
    const indicators = [...this.#indicators.values()]
      .map((g): IndicatorSummary => {
        const i = g.finding.indicator
        return {
          value: i.value,
          kind: i.kind,
          family: i.family ?? null,
          familyId: i.familyId ?? null,
          matches: MATCH_ORDER.filter((m) => g.matches.has(m)),
          count: g.count,
          firstTime: g.firstTime,
          lastTime: g.lastTime,
          hosts: sorted(g.hosts),
        }
      })
      .sort(
        (a, b) =>
          b.count - a.count ||
          compare(a.value, b.value) ||
          compare(a.kind, b.kind) ||
          compare(a.family ?? '', b.family ?? ''),
      )
    const hosts = [...this.#hosts.values()]
      .map(
        (g): HostSummary => ({
          host: g.host,
          count: g.count,
          indicators: sorted(g.indicators),
          families: sorted(g.families),
          firstTime: g.firstTime,
          lastTime: g.lastTime,
        }),
      )
      .sort(
        (a, b) =>
          b.count - a.count ||
          (a.host === null ? 1 : 0) - (b.host === null ? 1 : 0) ||
          compare(a.host ?? '', b.host ?? ''),
      )
    return {
      totals: {
        findings: this.#findings,
        excluded: this.#excluded,
        indicators: indicators.length,
        hosts: hosts.filter((h) => h.host !== null).length,
        events: counts.events,
        files: counts.files,
        broken: counts.broken,
      },
      indicators,
      hosts,
    }
  }
}

/** The summary of a finished list; `excluded` tells which findings an exclusion left out. */
export function summariseFindings(
  findings: Iterable<Finding>,
  counts: HuntCounts,
  excluded: (finding: Finding) => boolean = () => false,
): HuntSummary {
  const summariser = new FindingSummariser()
  for (const finding of findings) summariser.add(finding, excluded(finding))
  return summariser.summary(counts)
}

function emptySpan(): Span {
  return { count: 0, firstTime: null, lastTime: null }
}

/** Times are ISO 8601 UTC of one length, so text order is time order. */
function count(span: Span, time: string | null): void {
  span.count++
  if (time === null) return
  if (span.firstTime === null || time < span.firstTime) span.firstTime = time
  if (span.lastTime === null || time > span.lastTime) span.lastTime = time
}

function sorted(values: Set<string>): string[] {
  return [...values].sort(compare)
}

/** Code-unit order, the same on every machine and locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
