import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

/**
 * The whole hunt over every public log sample in `../shared/data/logs`, with indicators known
 * to be in them. Each expected finding was counted apart from huntpack (grep, jq, Python) on
 * the raw files.
 */
describe('hunt over the real log samples', () => {
  test('finds exactly the known findings, from Sentinel, Sysmon, EVTX, Zeek and Suricata logs', (t) => {
    const logs = requireSharedData(t, 'logs')
    if (!logs) return
    const run = huntpack(
      'hunt',
      '--intel',
      'test/fixtures/hunt/real-samples.txt',
      '--logs',
      logs,
      '--format',
      'ndjson',
    )
    assert.equal(run.status, 1, run.stderr)
    const findings = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const rel = (file: unknown) => String(file).slice(logs.length + 1)

    // One by one where there are few.
    const few = findings
      .filter((f) => f.indicator === 'avsvmcloud.com' || f.indicator === '151.101.208.133:443')
      .map((f) => `${rel(f.file)}:${f.line} ${f.match} ${f.field} ${f.matched}`)
    const bitsadmin =
      'sysmon-json/otrf-atomic/cmd_bitsadmin_download_psh_script_2020-10-2302365189.json'
    assert.deepEqual(few, [
      // An Umbrella DNS export, and a Vectra detection of the SUNBURST beacon host (CEF).
      'sentinel/solarigate-beacon-umbrella.csv:2 exact DnsQuery avsvmcloud.com',
      'sentinel/solarigate_CEFevent.csv:2 subdomain TargetHostname 07605jn8l36uranbtvef0b12eu1.appsync-api.us-east-1.avsvmcloud.com',
      // Windows Filtering Platform (5156), the DNS lookup (Sysmon 22) and the connection (Sysmon 3).
      `${bitsadmin}:80 exact DstIpAddr 151.101.208.133`,
      `${bitsadmin}:388 address-only DnsResponse 151.101.208.133`,
      `${bitsadmin}:391 exact DstIpAddr 151.101.208.133`,
    ])
    const sysmon = findings.find((f) => f.line === 391)
    assert.equal(sysmon?.host, 'WORKSTATION5')
    assert.equal(sysmon?.process, 'C:\\windows\\System32\\svchost.exe')
    assert.equal(sysmon?.src, '192.168.2.5')
    assert.equal(sysmon?.dstPort, 443)

    // Counted where there are many: file → findings.
    const counts = new Map<string, number>()
    for (const f of findings) {
      if (f.indicator !== 'symcd.com' && f.indicator !== 'dpvctowv9b08b.cloudfront.net') continue
      const key = `${f.indicator} ${rel(f.file)} ${f.match} ${f.field}`
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
    assert.deepEqual(Object.fromEntries(counts), {
      'symcd.com zeek/otrf-apt29-json/day2/NEWYORK_dns.log subdomain DnsQuery': 6,
      'symcd.com zeek/otrf-apt29-json/day2/UTICA-A_dns.log subdomain DnsQuery': 6,
      'symcd.com zeek/zed-sample-data/zeek-default/dns.log.gz subdomain DnsQuery': 14,
      'symcd.com zeek/zed-sample-data/zeek-json/dns.json.gz subdomain DnsQuery': 14,
      'dpvctowv9b08b.cloudfront.net suricata/surevego/eve.json exact DnsQuery': 14,
      'dpvctowv9b08b.cloudfront.net suricata/surevego/eve_broken.json exact DnsQuery': 14,
    })
    // Sysmon event 3 in an EVTX file: WMIC fetching a stylesheet from the internet.
    const evtx = findings
      .filter((f) => f.logFormat === 'evtx')
      .map((f) => `${rel(f.file)} record ${f.record} ${f.match} ${f.field} ${f.matched}`)
    assert.deepEqual(evtx, [
      'evtx/EVTX-ATTACK-SAMPLES/Execution/exec_wmic_xsl_internet_sysmon_3_1_11.evtx record 5 exact DstIpAddr 45.76.12.27',
    ])
    const wmic = findings.find((f) => f.logFormat === 'evtx')
    assert.equal(wmic?.host, 'IEWIN7')
    assert.equal(wmic?.process, 'C:\\Windows\\System32\\wbem\\WMIC.exe')
    assert.equal(wmic?.src, '10.0.2.15')
    assert.equal(wmic?.dstPort, 443)
    assert.equal(wmic?.targetHostname, '45-76-12-27.static.afterburst.com')
    assert.equal(wmic?.time, '2019-05-23T16:49:07.834Z')

    assert.equal(findings.length, 5 + 68 + 1)

    // The broken lines of eve_broken.json are reported, and the hunt went on past them.
    assert.match(run.stderr, /6 records could not be read and were skipped/)
    assert.match(run.stderr, /eve_broken\.json:1: not JSON/)
    // Every EVTX file is read, and none of their records is broken.
    assert.doesNotMatch(run.stderr, /\.evtx: skipped/)
    assert.doesNotMatch(run.stderr, /\.evtx record/)
  })
})
