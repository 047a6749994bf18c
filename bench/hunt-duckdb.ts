/**
 * @module
 * The benchmark's engine ceiling: one hand-written DuckDB query per log format that reads the
 * raw file itself (`read_json`, `read_csv`) and applies huntpack's matching semantics to the
 * values these generated logs hold, with no JavaScript between the file and the join.
 *
 * Run as a child process (`node --import tsx bench/hunt-duckdb.ts <eve|csv> <log>
 * <indicators.tsv> <out.json>`), so its memory is measured apart. One pass: each event becomes
 * a list of (field, join key) observables (addresses; every parent name of a name; URL keys;
 * hashes), unnested and hash-joined with one table of indicator keys, then each event keeps
 * one finding per indicator (events are told apart by EVE `flow_id` and CEF `ExternalID`,
 * unique in the generated logs). It is a reference, not
 * a reader: it assumes canonical values as the generator writes them (lower-case names,
 * dotted-quad addresses) and knows only the fields the generator fills.
 */
import { writeFileSync } from 'node:fs'
import { DuckDBInstance } from '@duckdb/node-api'
import { FIELD_PRIORITY, MATCH_STRENGTH } from '../src/hunt/match-sql.ts'

const [kind, log, indicators, out] = process.argv.slice(2)
if ((kind !== 'eve' && kind !== 'csv') || !log || !indicators || !out) {
  throw new Error('usage: hunt-duckdb.ts <eve|csv> <log> <indicators.tsv> <out.json>')
}

const sql = (text: string) => `'${text.replaceAll("'", "''")}'`

const SETUP = [
  `CREATE MACRO suffixes(h) AS CASE WHEN h IS NULL THEN [] ELSE
    list_transform(range(1, len(string_split(h, '.')) + 1),
      k -> array_to_string(string_split(h, '.')[k:], '.')) END`,
  `CREATE TABLE intel AS SELECT * FROM read_csv(${sql(indicators)}, delim = '\t', header = true,
    quote = '', escape = '', columns = {'kind': 'VARCHAR', 'value': 'VARCHAR'})`,
  // One table of join keys: addresses, domains, URL hosts (host-only), URL keys, hashes.
  `CREATE TABLE ind AS
    SELECT 'ip' AS tag, split_part(value, ':', 1) AS key, value,
      CAST(split_part(value, ':', 2) AS INTEGER) AS port, NULL::VARCHAR AS ukey
    FROM intel WHERE kind = 'ip:port'
    UNION ALL SELECT 'name', value, value, NULL, NULL FROM intel WHERE kind = 'domain'
    UNION ALL SELECT 'urlhost', regexp_extract(value, '^[a-z]+://([^/:?#]+)', 1), value, NULL,
      regexp_replace(value, '^[a-z]+://', '') FROM intel WHERE kind = 'url'
    UNION ALL SELECT 'url', regexp_replace(value, '^[a-z]+://', ''), value, NULL, NULL
      FROM intel WHERE kind = 'url'
    UNION ALL SELECT kind, value, value, NULL, NULL FROM intel
      WHERE kind IN ('md5', 'sha1', 'sha256')`,
]

/** The normalised columns, straight from the raw file. */
const EVENTS = {
  eve: `SELECT flow_id AS eid,
    CASE WHEN dns.type = 'answer' AND src_port = 53 THEN dest_ip ELSE src_ip END AS src,
    CASE WHEN dns.type = 'answer' AND src_port = 53 THEN dest_port ELSE src_port END AS sport,
    CASE WHEN dns.type = 'answer' AND src_port = 53 THEN src_ip ELSE dest_ip END AS dst,
    CASE WHEN dns.type = 'answer' AND src_port = 53 THEN src_port ELSE dest_port END AS dport,
    lower(dns.rrname) AS query,
    list_distinct(list_transform(
      list_filter(dns.answers, a -> a.rrtype IN ('A', 'AAAA', 'CNAME')), a -> lower(a.rdata)))
      AS answers,
    lower(coalesce(tls.sni, http.hostname)) AS host,
    CASE WHEN http.url IS NOT NULL THEN lower(http.hostname) END AS urlhost,
    CASE WHEN http.url IS NOT NULL THEN lower(http.hostname) ||
      CASE WHEN http.http_port IN (80, 443) OR http.http_port IS NULL THEN ''
        ELSE ':' || http.http_port END || http.url END AS ukey,
    lower(fileinfo.md5) AS md5, lower(fileinfo.sha1) AS sha1, lower(fileinfo.sha256) AS sha256
  FROM read_json(${sql(log)}, format = 'newline_delimited', columns = {
    flow_id: 'BIGINT', src_ip: 'VARCHAR', src_port: 'INTEGER', dest_ip: 'VARCHAR', dest_port: 'INTEGER',
    dns: 'STRUCT(type VARCHAR, rrname VARCHAR, answers STRUCT(rrtype VARCHAR, rdata VARCHAR)[])',
    http: 'STRUCT(hostname VARCHAR, url VARCHAR, http_port INTEGER)',
    tls: 'STRUCT(sni VARCHAR)',
    fileinfo: 'STRUCT(md5 VARCHAR, sha1 VARCHAR, sha256 VARCHAR)'})`,
  csv: `SELECT ExternalID AS eid,
    SourceIP AS src, TRY_CAST(SourcePort AS INTEGER) AS sport,
    DestinationIP AS dst, TRY_CAST(DestinationPort AS INTEGER) AS dport,
    lower(nullif(regexp_extract(AdditionalExtensions, 'FTNTFGTqname=([^;]*)', 1), '')) AS query,
    list_filter(list_transform(string_split(
      regexp_extract(AdditionalExtensions, 'FTNTFGTipaddr=([^;]*)', 1), ','), a -> trim(a)),
      a -> a <> '') AS answers,
    lower(DestinationHostName) AS host,
    lower(nullif(regexp_extract(RequestURL, '^(?:[a-z]+://)?([^/:?#]*)', 1), '')) AS urlhost,
    regexp_replace(RequestURL, '^[a-z]+://', '') AS ukey,
    CASE WHEN length(FileHash) = 32 THEN lower(FileHash) END AS md5,
    CASE WHEN length(FileHash) = 40 THEN lower(FileHash) END AS sha1,
    CASE WHEN length(FileHash) = 64 THEN lower(FileHash) END AS sha256
  FROM read_csv(${sql(log)}, header = true, all_varchar = true)`,
}

const o = (field: string, tag: string, key: string, port = 'NULL', whole = 'NULL', ukey = 'NULL') =>
  `{f: '${field}', tag: '${tag}', key: ${key}, port: ${port}::INTEGER, whole: ${whole}::VARCHAR,
    ukey: ${ukey}::VARCHAR}`

/** An event meets an indicator once: its strongest match on its most telling field. */
const rank = (column: string, order: readonly string[]) =>
  `CASE ${column} ${order.map((v, i) => `WHEN '${v}' THEN ${i}`).join(' ')} END`

const names = (field: string, value: string) =>
  `list_transform(suffixes(${value}), s -> ${o(field, 'name', 's', 'NULL', value)})`

const MATCH = `WITH e AS (${EVENTS[kind]}),
  o AS (SELECT eid, unnest(list_filter(list_concat(
    [${[
      o('SrcIpAddr', 'ip', 'src', 'sport'),
      o('DstIpAddr', 'ip', 'dst', 'dport'),
      o('Url', 'url', 'ukey'),
      o('FileMD5', 'md5', 'md5'),
      o('FileSHA1', 'sha1', 'sha1'),
      o('FileSHA256', 'sha256', 'sha256'),
      o('TargetHostname', 'urlhost', 'host'),
      o('DnsQuery', 'urlhost', 'query'),
      o('UrlHost', 'urlhost', 'urlhost', 'NULL', 'NULL', 'ukey'),
    ].join(',\n')}],
    coalesce(list_transform(answers, a -> ${o('DnsResponse', 'ip', 'a')}), []),
    ${names('DnsQuery', 'query')},
    ${names('TargetHostname', 'host')},
    ${names('UrlHost', 'urlhost')},
    coalesce(flatten(list_transform(answers, a -> ${names('DnsResponse', 'a')})), [])
  ), x -> x.key IS NOT NULL)) AS x FROM e),
  m AS (SELECT o.eid, i.value AS indicator, x.f AS field,
    CASE x.tag
      WHEN 'ip' THEN CASE WHEN i.port IS NULL OR i.port = x.port THEN 'exact'
        ELSE 'address-only' END
      WHEN 'name' THEN CASE WHEN x.whole = i.key THEN 'exact' ELSE 'subdomain' END
      WHEN 'urlhost' THEN 'host-only'
      ELSE 'exact' END AS match
  FROM o JOIN ind i ON x.tag = i.tag AND x.key = i.key
  WHERE NOT (x.f = 'UrlHost' AND x.tag = 'urlhost' AND x.ukey = i.ukey))
  SELECT indicator, field, match FROM m
  QUALIFY row_number() OVER (PARTITION BY eid, indicator
    ORDER BY ${rank('match', MATCH_STRENGTH)}, ${rank('field', FIELD_PRIORITY)}) = 1`

const instance = await DuckDBInstance.create(':memory:')
const db = await instance.connect()
for (const statement of SETUP) await db.run(statement)
const reader = await db.runAndReadAll(MATCH)
const findings = reader.getRowObjectsJS()
writeFileSync(out, `${JSON.stringify({ findings })}\n`)
db.closeSync()
instance.closeSync()
