import type { Indicator, IndicatorKind, Rejection } from '../../src/intel/indicator.ts'

/** A hunted indicator with sensible defaults; tests override what they look at. */
export function indicator(kind: IndicatorKind, value: string, more: Partial<Indicator> = {}) {
  const base: Indicator = {
    kind,
    value,
    original: value,
    aliases: [],
    threatTypes: ['botnet_cc'],
    tags: [],
    references: [],
    reporters: [],
    sources: [{ feed: 'feed.csv', line: 10 }],
    warninglists: [],
  }
  if (kind === 'ip:port') {
    const at = value.lastIndexOf(':')
    base.ip = value.slice(0, at).replace(/^\[|\]$/g, '')
    base.port = Number(value.slice(at + 1))
  }
  return { ...base, ...more }
}

export function rejection(original: string, more: Partial<Rejection> = {}): Rejection {
  return {
    code: 'bad-domain',
    reason: `"${original}" is not a hostname`,
    original,
    claimedType: 'domain',
    source: { feed: 'feed.csv', line: 12 },
    ...more,
  }
}
