/**
 * @module
 * A pack's hunt as one ClickHouse statement, for teams that query ClickHouse themselves. It
 * reads the events table `logs import --into clickhouse://` writes (or any table with those
 * columns) and gives one row per finding with its event, the semantics of `huntpack hunt`:
 * the statement is `clickHouseMatchSql`, the engine's own, with the indicator tables written
 * inline as `values()` and CIDR ranges tested by ClickHouse's `isIPAddressInRange` (the engine
 * tests them in JavaScript). Feed values reach the text only through `clickHouseString`.
 */
import {
  clickHouseAddressesSql,
  clickHouseMatchSql,
  clickHouseString,
} from '../../hunt/clickhouse-sql.ts'
import { indicatorTables } from '../../hunt/indicator-tables.ts'
import { FIELD_PRIORITY, rankSql } from '../../hunt/match-sql.ts'
import type { Indicator } from '../../intel/indicator.ts'
import { EVENT_COLUMNS } from '../../logs/event.ts'

const UNITS: Record<string, string> = { m: 'MINUTE', h: 'HOUR', d: 'DAY' }

/** The events read: the table, over the lookback. The one line to edit for another window. */
export function huntedSql(table: string, lookback: string): string {
  const duration = /^(\d+)([mhd])$/.exec(lookback)
  if (!duration) throw new Error(`lookback ${lookback}: expected a duration such as 14d`)
  return `hunted AS (SELECT * FROM ${table} WHERE TimeGenerated >= now64(3) - INTERVAL ${duration[1]} ${UNITS[duration[2] as string]})`
}

export interface HuntSqlOptions {
  /** `events`, or the `Distributed` table over the shards. */
  table: string
  lookback: string
  /** Joins as `GLOBAL JOIN`, for a `Distributed` table. */
  distributed: boolean
}

/** Comment text on one line, nothing that ends the comment early. */
export function clickHouseCommentText(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
}

/** The statement, or undefined when the pack hunts nothing. */
export function clickHouseHuntSql(
  indicators: readonly Indicator[],
  options: HuntSqlOptions,
): string | undefined {
  const tables = indicatorTables(indicators)
  const present = {
    addresses: tables.addresses.length > 0,
    ranges: tables.ranges.length > 0,
    domains: tables.domains.length > 0,
    urls: tables.urls.length > 0,
    hashes: tables.hashes.length > 0,
  }
  const match = clickHouseMatchSql('hunted', ['SourceFile', 'SourceRecord'], present, {
    distributed: options.distributed,
  })
  if (match === '') return undefined
  const s = clickHouseString
  const ctes = [huntedSql(options.table, options.lookback)]
  const values = (name: string, structure: string, rows: string[][]) => {
    if (rows.length > 0) {
      ctes.push(
        `${name} AS (SELECT * FROM values(${s(structure)},\n  ${rows.map((r) => `(${r.join(', ')})`).join(',\n  ')}))`,
      )
    }
  }
  values(
    'ind_ip',
    'ind UInt32, address String, port Nullable(Int32)',
    tables.addresses.map((r) => [
      String(r.ind),
      s(r.address),
      r.port === null ? 'NULL' : String(r.port),
    ]),
  )
  values(
    'ind_domain',
    'ind UInt32, domain String',
    tables.domains.map((r) => [String(r.ind), s(r.domain)]),
  )
  values(
    'ind_url',
    'ind UInt32, key String, host String, shared Bool',
    tables.urls.map((r) => [String(r.ind), s(r.key), s(r.host), String(r.shared)]),
  )
  values(
    'ind_hash',
    'ind UInt32, algorithm String, hash String',
    tables.hashes.map((r) => [String(r.ind), s(r.algorithm), s(r.hash)]),
  )
  values(
    'ind_range',
    'ind UInt32, cidr String',
    tables.ranges.map((r) => [String(r.ind), s(indicators[r.ind]?.value ?? '')]),
  )
  values(
    'ind_family',
    'ind UInt32, family String, kind String, value String',
    indicators.map((i, ind) => [
      String(ind),
      s((i.familyId ?? i.family ?? '').toLowerCase()),
      s(i.kind),
      s(i.value),
    ]),
  )
  const join = options.distributed ? 'GLOBAL JOIN' : 'JOIN'
  if (present.ranges) {
    ctes.push(`range_hits AS (
  SELECT v.a AS address, r.ind AS ind
  FROM (
    SELECT a FROM (${clickHouseAddressesSql('hunted')}) WHERE isIPv4String(a) OR isIPv6String(a)
  ) v CROSS JOIN ind_range r
  WHERE isIPAddressInRange(v.a, r.cidr))`)
  }
  const columns = EVENT_COLUMNS.filter((c) => c !== 'TimeGenerated').map((c) => `e.${c} AS ${c}`)
  return `WITH
${ctes.join(',\n')}
SELECT e.TimeGenerated AS TimeGenerated, f.kind AS IndicatorKind, f.value AS Indicator,
  m.match AS Match, m.field AS Field, m.matched AS Matched,
  ${columns.join(',\n  ')}
FROM hunted e
${join} (
${match}
) m ON e.SourceFile = m.SourceFile AND e.SourceRecord = m.SourceRecord
${join} ind_family f ON m.ind = f.ind
ORDER BY e.SourceFile, e.SourceRecord, ${rankSql('m.field', FIELD_PRIORITY)}, m.ind
`
}
