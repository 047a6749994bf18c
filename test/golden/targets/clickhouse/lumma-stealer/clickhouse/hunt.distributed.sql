-- huntpack: ThreatFox: Lumma Stealer IOCs
-- Feeds: threatfox_recent.csv
-- 4 indicators over the last 14d of events, the table `huntpack logs import --into clickhouse://host:8123/db` writes (its Distributed table over the shards).
-- One row per finding with its event, as `huntpack hunt --engine clickhouse` gives them.
-- To hunt another table or window, edit the `hunted` line.
WITH
hunted AS (SELECT * FROM events WHERE TimeGenerated >= now64(3) - INTERVAL 14 DAY),
ind_domain AS (SELECT * FROM values('ind UInt32, domain String',
  (2, 'winupdate-check.brivelto.shop'))),
ind_url AS (SELECT * FROM values('ind UInt32, key String, host String, shared Bool',
  (0, 'cdn-update.brivelto.shop/files/setup_x64.msi', 'cdn-update.brivelto.shop', false),
  (1, 'cdn-update.brivelto.shop/files/Setup%20x64.msi?ref=ad', 'cdn-update.brivelto.shop', false))),
ind_hash AS (SELECT * FROM values('ind UInt32, algorithm String, hash String',
  (3, 'sha256', '3f0c2a5d6e1b47a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6'))),
ind_family AS (SELECT * FROM values('ind UInt32, family String, kind String, value String',
  (0, 'win.lumma', 'url', 'https://cdn-update.brivelto.shop/files/setup_x64.msi'),
  (1, 'win.lumma', 'url', 'https://cdn-update.brivelto.shop/files/Setup%20x64.msi?ref=ad'),
  (2, 'win.lumma', 'domain', 'winupdate-check.brivelto.shop'),
  (3, 'win.lumma', 'sha256', '3f0c2a5d6e1b47a8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6')))
SELECT e.TimeGenerated AS TimeGenerated, f.kind AS IndicatorKind, f.value AS Indicator,
  m.match AS Match, m.field AS Field, m.matched AS Matched,
  e.EventType AS EventType,
  e.SrcIpAddr AS SrcIpAddr,
  e.SrcPortNumber AS SrcPortNumber,
  e.DstIpAddr AS DstIpAddr,
  e.DstPortNumber AS DstPortNumber,
  e.NetworkProtocol AS NetworkProtocol,
  e.DnsQuery AS DnsQuery,
  e.DnsResponse AS DnsResponse,
  e.Url AS Url,
  e.UrlHost AS UrlHost,
  e.TargetHostname AS TargetHostname,
  e.FileMD5 AS FileMD5,
  e.FileSHA1 AS FileSHA1,
  e.FileSHA256 AS FileSHA256,
  e.Dvc AS Dvc,
  e.User AS User,
  e.Process AS Process,
  e.CommandLine AS CommandLine,
  e.DvcAction AS DvcAction,
  e.LogFormat AS LogFormat,
  e.SourceFile AS SourceFile,
  e.SourceLine AS SourceLine,
  e.SourceRecord AS SourceRecord
FROM hunted e
GLOBAL JOIN (
WITH host_values AS (
    SELECT DISTINCT assumeNotNull(h0) AS h FROM (
      SELECT DnsQuery AS h0 FROM hunted
      UNION ALL SELECT TargetHostname FROM hunted
      UNION ALL SELECT UrlHost FROM hunted
      UNION ALL SELECT arrayJoin(DnsResponse) FROM hunted
    ) WHERE h0 IS NOT NULL),
host_hits AS (
    SELECT v.h AS h, d.ind AS ind, if(v.h = d.domain, 'exact', 'subdomain') AS match
    FROM (SELECT h, arrayJoin(arrayMap(k -> arrayStringConcat(arraySlice(splitByChar('.', h), k), '.'),
      range(1, length(splitByChar('.', h)) + 1))) AS s FROM host_values) v
    GLOBAL JOIN ind_domain d ON v.s = d.domain),
url_hits AS (
    SELECT v.u AS u, i.ind AS ind FROM (
      SELECT u, replaceRegexpOne(replaceRegexpOne(replaceRegexpOne(u,
      '^[A-Za-z][A-Za-z0-9+.-]*://', ''), '^[^/?#@]*@', ''),
      '^([^/?#]*):(?:80|443)([/?#]|$)', '\\1\\2') AS uk
      FROM (SELECT DISTINCT assumeNotNull(Url) AS u FROM hunted WHERE Url IS NOT NULL)
    ) v
    GLOBAL JOIN ind_url i ON v.uk = i.key)
SELECT SourceFile, SourceRecord, ind, field, match, matched FROM (
  SELECT SourceFile, SourceRecord, ind, field, match, matched, strength,
    min(strength) OVER (PARTITION BY SourceFile, SourceRecord, family) AS best
  FROM (
    SELECT m.SourceFile AS SourceFile, m.SourceRecord AS SourceRecord, m.ind AS ind, m.field AS field, m.match AS match, m.matched AS matched, m.strength AS strength,
      f.family AS family
    FROM (
      SELECT SourceFile, SourceRecord, ind, field, match, matched, CASE match WHEN 'exact' THEN 0 WHEN 'subdomain' THEN 1 WHEN 'in-range' THEN 2 WHEN 'address-only' THEN 3 WHEN 'host-only' THEN 4 END AS strength,
        CASE field WHEN 'Url' THEN 0 WHEN 'DstIpAddr' THEN 1 WHEN 'SrcIpAddr' THEN 2 WHEN 'DnsQuery' THEN 3 WHEN 'TargetHostname' THEN 4 WHEN 'UrlHost' THEN 5 WHEN 'DnsResponse' THEN 6 WHEN 'FileSHA256' THEN 7 WHEN 'FileSHA1' THEN 8 WHEN 'FileMD5' THEN 9 END AS field_rank
      FROM (
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'DnsQuery' AS field, h.match AS match,
        r.DnsQuery AS matched
      FROM hunted r GLOBAL JOIN host_hits h ON r.DnsQuery = h.h
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'TargetHostname' AS field, h.match AS match,
        r.TargetHostname AS matched
      FROM hunted r GLOBAL JOIN host_hits h ON r.TargetHostname = h.h
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'UrlHost' AS field, h.match AS match,
        r.UrlHost AS matched
      FROM hunted r GLOBAL JOIN host_hits h ON r.UrlHost = h.h
UNION ALL
SELECT x.SourceFile AS SourceFile, x.SourceRecord AS SourceRecord, h.ind AS ind, 'DnsResponse' AS field, h.match AS match, x.a AS matched
      FROM (SELECT SourceFile, SourceRecord, arrayJoin(DnsResponse) AS a FROM hunted) x GLOBAL JOIN host_hits h ON x.a = h.h
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'Url' AS field, 'exact' AS match, r.Url AS matched
      FROM hunted r GLOBAL JOIN url_hits h ON r.Url = h.u
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'UrlHost' AS field, 'host-only' AS match, r.UrlHost AS matched
      FROM hunted r GLOBAL JOIN ind_url i ON r.UrlHost = i.host
      WHERE NOT i.shared AND replaceRegexpOne(replaceRegexpOne(replaceRegexpOne(r.Url,
      '^[A-Za-z][A-Za-z0-9+.-]*://', ''), '^[^/?#@]*@', ''),
      '^([^/?#]*):(?:80|443)([/?#]|$)', '\\1\\2') <> i.key
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'TargetHostname' AS field, 'host-only' AS match,
        r.TargetHostname AS matched
      FROM hunted r GLOBAL JOIN ind_url i ON r.TargetHostname = i.host WHERE NOT i.shared
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'DnsQuery' AS field, 'host-only' AS match,
        r.DnsQuery AS matched
      FROM hunted r GLOBAL JOIN ind_url i ON r.DnsQuery = i.host WHERE NOT i.shared
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'FileMD5' AS field,
        'exact' AS match, r.FileMD5 AS matched
      FROM hunted r GLOBAL JOIN (SELECT ind, hash FROM ind_hash WHERE algorithm = 'md5') i
        ON r.FileMD5 = i.hash
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'FileSHA1' AS field,
        'exact' AS match, r.FileSHA1 AS matched
      FROM hunted r GLOBAL JOIN (SELECT ind, hash FROM ind_hash WHERE algorithm = 'sha1') i
        ON r.FileSHA1 = i.hash
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'FileSHA256' AS field,
        'exact' AS match, r.FileSHA256 AS matched
      FROM hunted r GLOBAL JOIN (SELECT ind, hash FROM ind_hash WHERE algorithm = 'sha256') i
        ON r.FileSHA256 = i.hash
)
      ORDER BY SourceFile, SourceRecord, ind, strength, field_rank, matched
      LIMIT 1 BY SourceFile, SourceRecord, ind
    ) m GLOBAL JOIN ind_family f ON m.ind = f.ind
    ORDER BY SourceFile, SourceRecord, field, matched, family, strength, ind
    LIMIT 1 BY SourceFile, SourceRecord, field, matched, family
  )
)
WHERE strength < 3 OR best >= 3
) m ON e.SourceFile = m.SourceFile AND e.SourceRecord = m.SourceRecord
GLOBAL JOIN ind_family f ON m.ind = f.ind
ORDER BY e.SourceFile, e.SourceRecord, CASE m.field WHEN 'Url' THEN 0 WHEN 'DstIpAddr' THEN 1 WHEN 'SrcIpAddr' THEN 2 WHEN 'DnsQuery' THEN 3 WHEN 'TargetHostname' THEN 4 WHEN 'UrlHost' THEN 5 WHEN 'DnsResponse' THEN 6 WHEN 'FileSHA256' THEN 7 WHEN 'FileSHA1' THEN 8 WHEN 'FileMD5' THEN 9 END, m.ind
