/**
 * @module
 * The matching semantics as SQL, over any relation with the normalised event columns. Every
 * kind of observable is one branch of a UNION ALL, so each branch is a plain hash join against
 * a small indicator table:
 *
 * - addresses on both sides and in DNS answers; `ip:port` is `exact` with the port on the same
 *   side and `address-only` otherwise (answers carry no port);
 * - names (query, target host, URL host, CNAME answers) against domains at label boundaries,
 *   through the list of each distinct name's parent names;
 * - URLs by their comparable key, `exact`; the URL's host elsewhere is `host-only`, except on
 *   hosts that serve everyone's content;
 * - hashes by algorithm; addresses in CIDR ranges through `range_hits`, filled by the engine.
 *
 * The same text runs on the per-batch table of a raw-log hunt and on a Parquet lake; only the
 * relation and the key columns that identify an event differ.
 */

import type { LogEvent } from '../logs/event.ts'
import type { IndicatorTables } from './indicator-tables.ts'

/** Strongest first. */
export const MATCH_STRENGTH = ['exact', 'subdomain', 'in-range', 'address-only', 'host-only']

/** When one event meets one indicator on several fields, the first of these is reported. */
export const FIELD_PRIORITY = [
  'Url',
  'DstIpAddr',
  'SrcIpAddr',
  'DnsQuery',
  'TargetHostname',
  'UrlHost',
  'DnsResponse',
  'FileSHA256',
  'FileSHA1',
  'FileMD5',
]

export function rankSql(column: string, order: readonly string[]): string {
  return `CASE ${column} ${order.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ')} END`
}

/** Macros the matching SQL needs; run once per connection. */
export const MATCH_MACROS = [
  // `a.b.evil.com` → [a.b.evil.com, b.evil.com, evil.com, com]
  `CREATE OR REPLACE MACRO host_suffixes(h) AS
    list_transform(range(1, len(string_split(h, '.')) + 1),
      k -> array_to_string(string_split(h, '.')[k:], '.'))`,
  // The URL without scheme, user info or default port, as `urlKey` computes it for indicators.
  `CREATE OR REPLACE MACRO url_key(u) AS
    regexp_replace(regexp_replace(regexp_replace(u, '^[A-Za-z][A-Za-z0-9+.-]*://', ''),
      '^[^/?#@]*@', ''), '^([^/?#]*):(?:80|443)([/?#]|$)', '\\1\\2')`,
]

/** Tables of indicators the matching SQL joins; the engine fills them. */
export const INDICATOR_DDL = [
  'CREATE OR REPLACE TABLE ind_ip (ind INTEGER, address VARCHAR, port INTEGER)',
  'CREATE OR REPLACE TABLE ind_domain (ind INTEGER, domain VARCHAR)',
  'CREATE OR REPLACE TABLE ind_url (ind INTEGER, key VARCHAR, host VARCHAR, shared BOOLEAN)',
  'CREATE OR REPLACE TABLE ind_hash (ind INTEGER, algorithm VARCHAR, hash VARCHAR)',
  'CREATE OR REPLACE TABLE range_hits (address VARCHAR, ind INTEGER)',
  'CREATE OR REPLACE TABLE ind_family (ind INTEGER, family VARCHAR)',
]

/** Distinct addresses of a relation, for testing them against CIDR ranges. */
export function addressesSql(relation: string): string {
  return `SELECT DISTINCT a FROM (
    SELECT SrcIpAddr AS a FROM ${relation}
    UNION ALL SELECT DstIpAddr FROM ${relation}
    UNION ALL SELECT unnest(DnsResponse) FROM ${relation}
  ) WHERE a IS NOT NULL`
}

/**
 * Matches as rows of (key columns…, ind, field, match, matched). `key` lists the columns that
 * identify an event in `relation` (`rid` for a batch, `SourceFile, SourceRecord` for a lake).
 */
export interface PresentShapes {
  addresses: boolean
  ranges: boolean
  domains: boolean
  urls: boolean
  hashes: boolean
}

/** The event columns the matching statement reads; engines load only these per batch. */
export const MATCH_COLUMNS = [
  'SrcIpAddr',
  'SrcPortNumber',
  'DstIpAddr',
  'DstPortNumber',
  'DnsQuery',
  'DnsResponse',
  'Url',
  'UrlHost',
  'TargetHostname',
  'FileMD5',
  'FileSHA1',
  'FileSHA256',
] as const satisfies readonly (keyof LogEvent)[]

/** Before any indicator is loaded. */
export const NO_SHAPES: PresentShapes = {
  addresses: false,
  ranges: false,
  domains: false,
  urls: false,
  hashes: false,
}

/** Which indicator tables have rows: the statement leaves out the branches of empty ones. */
export function presentShapes(tables: IndicatorTables): PresentShapes {
  return {
    addresses: tables.addresses.length > 0,
    ranges: tables.ranges.length > 0,
    domains: tables.domains.length > 0,
    urls: tables.urls.length > 0,
    hashes: tables.hashes.length > 0,
  }
}

export function matchSql(relation: string, key: readonly string[], present: PresentShapes): string {
  const k = key.map((c) => `r.${c}`).join(', ')
  const ka = key.map((c) => `x.${c}`).join(', ')
  const answers = `(SELECT ${key.join(', ')}, unnest(DnsResponse) AS a FROM ${relation}) x`
  const branches: string[] = []
  if (present.addresses) {
    branches.push(
      ...['Src', 'Dst'].map(
        (side) => `SELECT ${k}, i.ind, '${side}IpAddr' AS field,
        CASE WHEN i.port IS NULL OR i.port = r.${side}PortNumber THEN 'exact'
          ELSE 'address-only' END AS match, r.${side}IpAddr AS matched
      FROM ${relation} r JOIN ind_ip i ON r.${side}IpAddr = i.address`,
      ),
      `SELECT ${ka}, i.ind, 'DnsResponse',
        CASE WHEN i.port IS NULL THEN 'exact' ELSE 'address-only' END, x.a
      FROM ${answers} JOIN ind_ip i ON x.a = i.address`,
    )
  }
  if (present.ranges) {
    branches.push(
      ...['Src', 'Dst'].map(
        (side) => `SELECT ${k}, h.ind, '${side}IpAddr', 'in-range', r.${side}IpAddr
        FROM ${relation} r JOIN range_hits h ON r.${side}IpAddr = h.address`,
      ),
      `SELECT ${ka}, h.ind, 'DnsResponse', 'in-range', x.a
        FROM ${answers} JOIN range_hits h ON x.a = h.address`,
    )
  }
  const ctes: string[] = []
  if (present.domains) {
    ctes.push(
      `host_values AS (
    SELECT DISTINCT h FROM (
      SELECT DnsQuery AS h FROM ${relation}
      UNION ALL SELECT TargetHostname FROM ${relation}
      UNION ALL SELECT UrlHost FROM ${relation}
      UNION ALL SELECT unnest(DnsResponse) FROM ${relation}
    ) WHERE h IS NOT NULL)`,
      `host_hits AS (
    SELECT v.h, d.ind, CASE WHEN v.h = d.domain THEN 'exact' ELSE 'subdomain' END AS match
    FROM (SELECT h, unnest(host_suffixes(h)) AS s FROM host_values) v
    JOIN ind_domain d ON v.s = d.domain)`,
    )
    branches.push(
      ...['DnsQuery', 'TargetHostname', 'UrlHost'].map(
        (field) => `SELECT ${k}, h.ind, '${field}', h.match, r.${field}
      FROM ${relation} r JOIN host_hits h ON r.${field} = h.h`,
      ),
      `SELECT ${ka}, h.ind, 'DnsResponse', h.match, x.a
      FROM ${answers} JOIN host_hits h ON x.a = h.h`,
    )
  }
  if (present.urls) {
    ctes.push(`url_hits AS (
    SELECT v.u, i.ind FROM (SELECT DISTINCT Url AS u FROM ${relation} WHERE Url IS NOT NULL) v
    JOIN ind_url i ON url_key(v.u) = i.key)`)
    branches.push(
      `SELECT ${k}, h.ind, 'Url', 'exact', r.Url
      FROM ${relation} r JOIN url_hits h ON r.Url = h.u`,
      `SELECT ${k}, i.ind, 'UrlHost', 'host-only', r.UrlHost
      FROM ${relation} r JOIN ind_url i ON r.UrlHost = i.host
      WHERE NOT i.shared AND url_key(r.Url) <> i.key`,
      ...['TargetHostname', 'DnsQuery'].map(
        (field) => `SELECT ${k}, i.ind, '${field}', 'host-only', r.${field}
      FROM ${relation} r JOIN ind_url i ON r.${field} = i.host WHERE NOT i.shared`,
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
        ([algorithm, field]) => `SELECT ${k}, i.ind, '${field}', 'exact', r.${field}
      FROM ${relation} r JOIN ind_hash i ON r.${field} = i.hash AND i.algorithm = '${algorithm}'`,
      ),
    )
  }
  if (branches.length === 0) return ''
  const head = ctes.length > 0 ? `WITH ${ctes.join(',\n')}\n` : ''
  // Branches name their columns differently; the alias list names them once for all. Three
  // rules keep one event from filling a report:
  // 1. an event meets an indicator once: its strongest match, on the most telling field;
  // 2. an event field gives one finding per family: the indicator it matches best (so
  //    `1.2.3.4:80` is not reported again as address-only for the same family's `:443`);
  // 3. a weak match (address-only, host-only) is left out when the same event already has a
  //    stronger finding of that family.
  const names = [...key, 'ind', 'field', 'match', 'matched'].join(', ')
  const strength = rankSql('match', MATCH_STRENGTH)
  const weakest = MATCH_STRENGTH.indexOf('address-only')
  const eventKey = key.map((c) => `m.${c}`).join(', ')
  return `${head}SELECT ${[...key, 'ind', 'field', 'match', 'matched'].join(', ')} FROM (
  SELECT m.*, f.family, ${strength} AS strength FROM (
    SELECT * FROM (\n${branches.join('\nUNION ALL\n')}\n) AS m(${names})
    QUALIFY row_number() OVER (
      PARTITION BY ${key.join(', ')}, ind
      ORDER BY ${strength}, ${rankSql('field', FIELD_PRIORITY)}, matched) = 1
  ) m JOIN ind_family f ON m.ind = f.ind
  QUALIFY row_number() OVER (
    PARTITION BY ${eventKey}, m.field, m.matched, f.family ORDER BY strength, m.ind) = 1
)
QUALIFY strength < ${weakest}
  OR min(strength) OVER (PARTITION BY ${key.join(', ')}, family) >= ${weakest}`
}
