/**
 * @module
 * The matching SQL of `match-sql.ts` in ClickHouse's dialect, and the tables a ClickHouse
 * engine reads: the normalised events table (one server, or shards behind a `Distributed`
 * table) and the indicator tables, which live per session as temporary tables.
 *
 * The statement is the DuckDB one branch for branch; only the dialect differs:
 *
 * | DuckDB | ClickHouse |
 * |---|---|
 * | `unnest(DnsResponse)` | `arrayJoin(DnsResponse)` |
 * | macro `host_suffixes` (`string_split`, list lambda) | `splitByChar`, `arraySlice`, `arrayStringConcat` inline |
 * | macro `url_key` (`regexp_replace`) | `replaceRegexpOne` inline (same RE2 patterns) |
 * | rules 1 and 2: `QUALIFY row_number() … = 1` | `ORDER BY … LIMIT 1 BY …` |
 * | rule 3: `QUALIFY … min() OVER (…)` | `min() OVER (…)` in a subquery, then `WHERE` |
 *
 * Over a `Distributed` table every join is a `GLOBAL JOIN`: the indicator tables exist only on
 * the server the hunt talks to, so they are sent to the shards with the query.
 */
import { EVENT_COLUMNS } from '../logs/event.ts'
import { FIELD_PRIORITY, MATCH_STRENGTH, type PresentShapes, rankSql } from './match-sql.ts'

/** Indicator tables, as `INDICATOR_DDL` has them; temporary, so one per session. */
export const CLICKHOUSE_INDICATOR_TABLES: Record<string, string> = {
  ind_ip: 'ind UInt32, address String, port Nullable(Int32)',
  ind_domain: 'ind UInt32, domain String',
  ind_url: 'ind UInt32, key String, host String, shared Bool',
  ind_hash: 'ind UInt32, algorithm String, hash String',
  range_hits: 'address String, ind UInt32',
  ind_family: 'ind UInt32, family String',
}

/** Event column types; what the DuckDB engine keeps as VARCHAR is `Nullable(String)` here. */
export const CLICKHOUSE_EVENT_TYPES: Record<(typeof EVENT_COLUMNS)[number], string> = {
  TimeGenerated: "Nullable(DateTime64(3, 'UTC'))",
  EventType: 'LowCardinality(String)',
  SrcIpAddr: 'Nullable(String)',
  SrcPortNumber: 'Nullable(Int32)',
  DstIpAddr: 'Nullable(String)',
  DstPortNumber: 'Nullable(Int32)',
  NetworkProtocol: 'LowCardinality(Nullable(String))',
  DnsQuery: 'Nullable(String)',
  DnsResponse: 'Array(String)',
  Url: 'Nullable(String)',
  UrlHost: 'Nullable(String)',
  TargetHostname: 'Nullable(String)',
  FileMD5: 'Nullable(String)',
  FileSHA1: 'Nullable(String)',
  FileSHA256: 'Nullable(String)',
  Dvc: 'Nullable(String)',
  User: 'Nullable(String)',
  Process: 'Nullable(String)',
  CommandLine: 'Nullable(String)',
  DvcAction: 'LowCardinality(Nullable(String))',
  LogFormat: 'LowCardinality(String)',
  SourceFile: 'String',
  SourceLine: 'Nullable(UInt64)',
  SourceRecord: 'UInt64',
}

/**
 * Columns with a bloom-filter skip index: the observables hunts join on that the sort key
 * does not lead with, so a hunt for a few values skips most granules.
 */
const SKIP_INDEXED = [
  'SrcIpAddr',
  'DnsQuery',
  'UrlHost',
  'TargetHostname',
  'FileMD5',
  'FileSHA1',
  'FileSHA256',
]

export interface EventsTableOptions {
  database: string
  /** The table's name; with `cluster`, the name of the `Distributed` table. */
  table?: string
  /** Writes `ReplicatedMergeTree` shards (`<table>_local`) and a `Distributed` table. */
  cluster?: string
}

/** An identifier in backquotes, for database, table and cluster names a user gives. */
export function clickHouseIdentifier(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``
}

/**
 * A string literal; ClickHouse reads backslash escapes in literals, so backslashes, quotes and
 * control characters are escaped and the literal stays on one line.
 *
 * @example clickHouseString("it's") // 'it\'s'
 */
export function clickHouseString(value: string): string {
  const escaped = value
    .replaceAll('\\', '\\\\')
    .replaceAll("'", "\\'")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
  return `'${escaped}'`
}

/**
 * The statements that create the events table. One server: a `MergeTree` partitioned by day
 * (hunts over a time window prune whole days; old days are dropped as partitions), sorted by
 * event type and destination, the field most hunts join, then source and event key, with
 * bloom-filter skip indexes on the other observables. A cluster: the same table as
 * `ReplicatedMergeTree` on every shard and a `Distributed` table over them, sharded by source
 * file so one file's events stay together.
 */
export function eventsTableDdl(options: EventsTableOptions): string[] {
  const db = clickHouseIdentifier(options.database)
  const name = options.table ?? 'events'
  const columns = EVENT_COLUMNS.map((c) => `  ${c} ${CLICKHOUSE_EVENT_TYPES[c]}`)
  const indexes = SKIP_INDEXED.map(
    (c) => `  INDEX ${c.toLowerCase()}_bloom ${c} TYPE bloom_filter GRANULARITY 4`,
  )
  const body = `(\n${[...columns, ...indexes].join(',\n')}\n)`
  const layout = `PARTITION BY toDate(TimeGenerated)
ORDER BY (EventType, DstIpAddr, SrcIpAddr, SourceFile, SourceRecord)
SETTINGS allow_nullable_key = 1`
  if (options.cluster === undefined) {
    return [
      `CREATE TABLE IF NOT EXISTS ${db}.${clickHouseIdentifier(name)} ${body}
ENGINE = MergeTree
${layout}`,
    ]
  }
  const cluster = clickHouseIdentifier(options.cluster)
  const local = `${name}_local`
  const zkPath = clickHouseString(`/clickhouse/tables/{shard}/${options.database}/${local}`)
  return [
    `CREATE TABLE IF NOT EXISTS ${db}.${clickHouseIdentifier(local)} ON CLUSTER ${cluster} ${body}
ENGINE = ReplicatedMergeTree(${zkPath}, '{replica}')
${layout}`,
    `CREATE TABLE IF NOT EXISTS ${db}.${clickHouseIdentifier(name)} ON CLUSTER ${cluster}
AS ${db}.${clickHouseIdentifier(local)}
ENGINE = Distributed(${cluster}, ${db}, ${clickHouseIdentifier(local)}, cityHash64(SourceFile))`,
  ]
}

/** `a.b.evil.com` → [a.b.evil.com, b.evil.com, evil.com, com], as the DuckDB macro. */
export function hostSuffixesSql(h: string): string {
  return `arrayMap(k -> arrayStringConcat(arraySlice(splitByChar('.', ${h}), k), '.'),
      range(1, length(splitByChar('.', ${h})) + 1))`
}

/** The URL without scheme, user info or default port, as the DuckDB macro `url_key`. */
export function urlKeySql(u: string): string {
  return `replaceRegexpOne(replaceRegexpOne(replaceRegexpOne(${u},
      '^[A-Za-z][A-Za-z0-9+.-]*://', ''), '^[^/?#@]*@', ''),
      '^([^/?#]*):(?:80|443)([/?#]|$)', '\\\\1\\\\2')`
}

/** Distinct addresses of a relation, for testing them against CIDR ranges. */
export function clickHouseAddressesSql(relation: string): string {
  return `SELECT DISTINCT assumeNotNull(a0) AS a FROM (
    SELECT SrcIpAddr AS a0 FROM ${relation}
    UNION ALL SELECT DstIpAddr FROM ${relation}
    UNION ALL SELECT arrayJoin(DnsResponse) FROM ${relation}
  ) WHERE a0 IS NOT NULL`
}

export interface ClickHouseMatchOptions {
  /** The relation is a `Distributed` table: joins become `GLOBAL JOIN`. */
  distributed?: boolean
}

/**
 * Matches as rows of (key columns…, ind, field, match, matched), the same rows `matchSql`
 * gives on DuckDB. `key` lists the columns that identify an event in `relation`.
 */
export function clickHouseMatchSql(
  relation: string,
  key: readonly string[],
  present: PresentShapes,
  options: ClickHouseMatchOptions = {},
): string {
  const join = options.distributed ? 'GLOBAL JOIN' : 'JOIN'
  const k = key.map((c) => `r.${c} AS ${c}`).join(', ')
  const ka = key.map((c) => `x.${c} AS ${c}`).join(', ')
  const answers = `(SELECT ${key.join(', ')}, arrayJoin(DnsResponse) AS a FROM ${relation}) x`
  const branches: string[] = []
  if (present.addresses) {
    branches.push(
      ...['Src', 'Dst'].map(
        (side) => `SELECT ${k}, i.ind AS ind, '${side}IpAddr' AS field,
        CASE WHEN i.port IS NULL OR i.port = r.${side}PortNumber THEN 'exact'
          ELSE 'address-only' END AS match, r.${side}IpAddr AS matched
      FROM ${relation} r ${join} ind_ip i ON r.${side}IpAddr = i.address`,
      ),
      `SELECT ${ka}, i.ind AS ind, 'DnsResponse' AS field,
        CASE WHEN i.port IS NULL THEN 'exact' ELSE 'address-only' END AS match, x.a AS matched
      FROM ${answers} ${join} ind_ip i ON x.a = i.address`,
    )
  }
  if (present.ranges) {
    branches.push(
      ...['Src', 'Dst'].map(
        (side) => `SELECT ${k}, h.ind AS ind, '${side}IpAddr' AS field, 'in-range' AS match,
        r.${side}IpAddr AS matched
        FROM ${relation} r ${join} range_hits h ON r.${side}IpAddr = h.address`,
      ),
      `SELECT ${ka}, h.ind AS ind, 'DnsResponse' AS field, 'in-range' AS match, x.a AS matched
        FROM ${answers} ${join} range_hits h ON x.a = h.address`,
    )
  }
  const ctes: string[] = []
  if (present.domains) {
    ctes.push(
      `host_values AS (
    SELECT DISTINCT assumeNotNull(h0) AS h FROM (
      SELECT DnsQuery AS h0 FROM ${relation}
      UNION ALL SELECT TargetHostname FROM ${relation}
      UNION ALL SELECT UrlHost FROM ${relation}
      UNION ALL SELECT arrayJoin(DnsResponse) FROM ${relation}
    ) WHERE h0 IS NOT NULL)`,
      `host_hits AS (
    SELECT v.h AS h, d.ind AS ind, if(v.h = d.domain, 'exact', 'subdomain') AS match
    FROM (SELECT h, arrayJoin(${hostSuffixesSql('h')}) AS s FROM host_values) v
    ${join} ind_domain d ON v.s = d.domain)`,
    )
    branches.push(
      ...['DnsQuery', 'TargetHostname', 'UrlHost'].map(
        (field) => `SELECT ${k}, h.ind AS ind, '${field}' AS field, h.match AS match,
        r.${field} AS matched
      FROM ${relation} r ${join} host_hits h ON r.${field} = h.h`,
      ),
      `SELECT ${ka}, h.ind AS ind, 'DnsResponse' AS field, h.match AS match, x.a AS matched
      FROM ${answers} ${join} host_hits h ON x.a = h.h`,
    )
  }
  if (present.urls) {
    ctes.push(`url_hits AS (
    SELECT v.u AS u, i.ind AS ind FROM (
      SELECT u, ${urlKeySql('u')} AS uk
      FROM (SELECT DISTINCT assumeNotNull(Url) AS u FROM ${relation} WHERE Url IS NOT NULL)
    ) v
    ${join} ind_url i ON v.uk = i.key)`)
    branches.push(
      `SELECT ${k}, h.ind AS ind, 'Url' AS field, 'exact' AS match, r.Url AS matched
      FROM ${relation} r ${join} url_hits h ON r.Url = h.u`,
      `SELECT ${k}, i.ind AS ind, 'UrlHost' AS field, 'host-only' AS match, r.UrlHost AS matched
      FROM ${relation} r ${join} ind_url i ON r.UrlHost = i.host
      WHERE NOT i.shared AND ${urlKeySql('r.Url')} <> i.key`,
      ...['TargetHostname', 'DnsQuery'].map(
        (field) => `SELECT ${k}, i.ind AS ind, '${field}' AS field, 'host-only' AS match,
        r.${field} AS matched
      FROM ${relation} r ${join} ind_url i ON r.${field} = i.host WHERE NOT i.shared`,
      ),
    )
  }
  if (present.hashes) {
    branches.push(
      ...[
        ['md5', 'FileMD5'],
        ['sha1', 'FileSHA1'],
        ['sha256', 'FileSHA256'],
      ].map(
        ([algorithm, field]) => `SELECT ${k}, i.ind AS ind, '${field}' AS field,
        'exact' AS match, r.${field} AS matched
      FROM ${relation} r ${join} (SELECT ind, hash FROM ind_hash WHERE algorithm = '${algorithm}') i
        ON r.${field} = i.hash`,
      ),
    )
  }
  if (branches.length === 0) return ''
  const head = ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n` : ''
  // The three rules of `matchSql`, in the same order:
  // 1. an event meets an indicator once: its strongest match, on the most telling field;
  // 2. an event field gives one finding per family: the indicator it matches best;
  // 3. a weak match is left out when the same event has a stronger finding of that family.
  // The first two keep the first row of a sorted group (`LIMIT 1 BY`); the third needs the
  // best strength of the event's family findings beside each row (a window).
  const keys = key.join(', ')
  const columns = [...key, 'ind', 'field', 'match', 'matched']
  const weakest = MATCH_STRENGTH.indexOf('address-only')
  return `${head}SELECT ${columns.join(', ')} FROM (
  SELECT ${columns.join(', ')}, strength,
    min(strength) OVER (PARTITION BY ${keys}, family) AS best
  FROM (
    SELECT ${columns.map((c) => `m.${c} AS ${c}`).join(', ')}, m.strength AS strength,
      f.family AS family
    FROM (
      SELECT ${columns.join(', ')}, ${rankSql('match', MATCH_STRENGTH)} AS strength,
        ${rankSql('field', FIELD_PRIORITY)} AS field_rank
      FROM (\n${branches.join('\nUNION ALL\n')}\n)
      ORDER BY ${keys}, ind, strength, field_rank, matched
      LIMIT 1 BY ${keys}, ind
    ) m ${join} ind_family f ON m.ind = f.ind
    ORDER BY ${keys}, field, matched, family, strength, ind
    LIMIT 1 BY ${keys}, field, matched, family
  )
)
WHERE strength < ${weakest} OR best >= ${weakest}`
}
