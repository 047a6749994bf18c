-- huntpack: ThreatFox: XWorm IOCs
-- Feeds: threatfox_recent.csv
-- 4 indicators over the last 14d of events, the table `huntpack logs import --into clickhouse://host:8123/db` writes.
-- One row per finding with its event, as `huntpack hunt --engine clickhouse` gives them.
-- To hunt another table or window, edit the `hunted` line.
WITH
hunted AS (SELECT * FROM events WHERE TimeGenerated >= now64(3) - INTERVAL 14 DAY),
ind_ip AS (SELECT * FROM values('ind UInt32, address String, port Nullable(Int32)',
  (2, '91.214.65.17', 7000),
  (3, '91.214.65.17', 443))),
ind_domain AS (SELECT * FROM values('ind UInt32, domain String',
  (0, 'kvq7-relay.portmap.host'),
  (1, 'zt41-relay.portmap.host'))),
ind_family AS (SELECT * FROM values('ind UInt32, family String, kind String, value String',
  (0, 'win.xworm', 'domain', 'kvq7-relay.portmap.host'),
  (1, 'win.xworm', 'domain', 'zt41-relay.portmap.host'),
  (2, 'win.xworm', 'ip:port', '91.214.65.17:7000'),
  (3, 'win.xworm', 'ip:port', '91.214.65.17:443')))
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
JOIN (
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
    JOIN ind_domain d ON v.s = d.domain)
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
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'SrcIpAddr' AS field,
        CASE WHEN i.port IS NULL OR i.port = r.SrcPortNumber THEN 'exact'
          ELSE 'address-only' END AS match, r.SrcIpAddr AS matched
      FROM hunted r JOIN ind_ip i ON r.SrcIpAddr = i.address
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, i.ind AS ind, 'DstIpAddr' AS field,
        CASE WHEN i.port IS NULL OR i.port = r.DstPortNumber THEN 'exact'
          ELSE 'address-only' END AS match, r.DstIpAddr AS matched
      FROM hunted r JOIN ind_ip i ON r.DstIpAddr = i.address
UNION ALL
SELECT x.SourceFile AS SourceFile, x.SourceRecord AS SourceRecord, i.ind AS ind, 'DnsResponse' AS field,
        CASE WHEN i.port IS NULL THEN 'exact' ELSE 'address-only' END AS match, x.a AS matched
      FROM (SELECT SourceFile, SourceRecord, arrayJoin(DnsResponse) AS a FROM hunted) x JOIN ind_ip i ON x.a = i.address
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'DnsQuery' AS field, h.match AS match,
        r.DnsQuery AS matched
      FROM hunted r JOIN host_hits h ON r.DnsQuery = h.h
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'TargetHostname' AS field, h.match AS match,
        r.TargetHostname AS matched
      FROM hunted r JOIN host_hits h ON r.TargetHostname = h.h
UNION ALL
SELECT r.SourceFile AS SourceFile, r.SourceRecord AS SourceRecord, h.ind AS ind, 'UrlHost' AS field, h.match AS match,
        r.UrlHost AS matched
      FROM hunted r JOIN host_hits h ON r.UrlHost = h.h
UNION ALL
SELECT x.SourceFile AS SourceFile, x.SourceRecord AS SourceRecord, h.ind AS ind, 'DnsResponse' AS field, h.match AS match, x.a AS matched
      FROM (SELECT SourceFile, SourceRecord, arrayJoin(DnsResponse) AS a FROM hunted) x JOIN host_hits h ON x.a = h.h
)
      ORDER BY SourceFile, SourceRecord, ind, strength, field_rank, matched
      LIMIT 1 BY SourceFile, SourceRecord, ind
    ) m JOIN ind_family f ON m.ind = f.ind
    ORDER BY SourceFile, SourceRecord, field, matched, family, strength, ind
    LIMIT 1 BY SourceFile, SourceRecord, field, matched, family
  )
)
WHERE strength < 3 OR best >= 3
) m ON e.SourceFile = m.SourceFile AND e.SourceRecord = m.SourceRecord
JOIN ind_family f ON m.ind = f.ind
ORDER BY e.SourceFile, e.SourceRecord, CASE m.field WHEN 'Url' THEN 0 WHEN 'DstIpAddr' THEN 1 WHEN 'SrcIpAddr' THEN 2 WHEN 'DnsQuery' THEN 3 WHEN 'TargetHostname' THEN 4 WHEN 'UrlHost' THEN 5 WHEN 'DnsResponse' THEN 6 WHEN 'FileSHA256' THEN 7 WHEN 'FileSHA1' THEN 8 WHEN 'FileMD5' THEN 9 END, m.ind
