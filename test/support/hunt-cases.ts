/**
 * @module
 * The matching cases every engine is held to: indicators of each kind, and events each naming
 * the findings it must give. The DuckDB tests check them; the ClickHouse equivalence test runs
 * them on both engines.
 */
import type { Finding } from '../../src/hunt/finding.ts'
import { blankEvent, type LogEvent } from '../../src/logs/event.ts'
import { normaliseEvent } from '../../src/logs/normalise.ts'
import { indicator } from './indicators.ts'

export const INDICATORS = [
  indicator('ip:port', '203.0.113.7:443', { family: 'XWorm' }),
  indicator('ip:port', '203.0.113.7:8443', { family: 'XWorm' }),
  indicator('ip:port', '198.51.100.9:80', { family: 'Remcos' }),
  indicator('ipv4', '198.51.100.9', { family: 'AsyncRAT' }),
  indicator('ipv6', '2001:db8::66', { family: 'AsyncRAT' }),
  indicator('domain', 'evil.example', { family: 'Lumma' }),
  indicator('url', 'http://payload.example/drop/a.exe?x=1', { family: 'Lumma' }),
  indicator('url', 'https://github.com/bad/repo/raw/a.zip', { family: 'Lumma' }),
  indicator('sha256', 'a'.repeat(64), { family: 'XWorm' }),
  indicator('md5', 'b'.repeat(32), { family: 'XWorm' }),
  indicator('cidr', '192.0.2.0/28', { family: 'Range' }),
  indicator('cidr', '2001:db8:ff::/48', { family: 'Range' }),
]

let record = 0
export function event(fields: Partial<LogEvent>): LogEvent {
  record++
  return normaliseEvent({ ...blankEvent('test', 'events.log', record, record), ...fields })
}

/** Each event names the findings it must give, as `value match field` strings. */
export const CASES: [Partial<LogEvent>, string[]][] = [
  [{ DstIpAddr: '203.0.113.7', DstPortNumber: 443 }, ['203.0.113.7:443 exact DstIpAddr']],
  [{ DstIpAddr: '203.0.113.7', DstPortNumber: 80 }, ['203.0.113.7:443 address-only DstIpAddr']],
  [
    { SrcIpAddr: '203.0.113.7', SrcPortNumber: 443, DstPortNumber: 51000 },
    ['203.0.113.7:443 exact SrcIpAddr'],
  ],
  // Each family's best indicator for the field: Remcos's ip:port still shows, weaker.
  [
    { SrcIpAddr: '::ffff:198.51.100.9' },
    ['198.51.100.9 exact SrcIpAddr', '198.51.100.9:80 address-only SrcIpAddr'],
  ],
  // XWorm's :8443 on the same address is not reported again as address-only.
  [{ DstIpAddr: '203.0.113.7', DstPortNumber: 8443 }, ['203.0.113.7:8443 exact DstIpAddr']],
  [{ DstIpAddr: '2001:DB8:0:0::66' }, ['2001:db8::66 exact DstIpAddr']],
  [
    { DnsQuery: 'cdn.example', DnsResponse: ['198.51.100.9', '203.0.113.7'] },
    [
      '198.51.100.9 exact DnsResponse',
      '198.51.100.9:80 address-only DnsResponse',
      '203.0.113.7:443 address-only DnsResponse',
    ],
  ],
  [{ DnsQuery: 'EVIL.example.' }, ['evil.example exact DnsQuery']],
  [{ DnsQuery: 'a.b.evil.example' }, ['evil.example subdomain DnsQuery']],
  [{ DnsQuery: 'notevil.example' }, []],
  [{ DnsQuery: 'evil.example.com' }, []],
  [
    { DnsQuery: 'x.example', DnsResponse: ['sink.evil.example'] },
    ['evil.example subdomain DnsResponse'],
  ],
  [{ TargetHostname: 'www.evil.example' }, ['evil.example subdomain TargetHostname']],
  [
    { Url: 'http://payload.example:80/drop/a.exe?x=1#frag' },
    ['http://payload.example/drop/a.exe?x=1 exact Url'],
  ],
  [{ Url: 'payload.example/drop/a.exe?x=1' }, ['http://payload.example/drop/a.exe?x=1 exact Url']],
  [
    { Url: 'https://payload.example/other' },
    ['http://payload.example/drop/a.exe?x=1 host-only UrlHost'],
  ],
  [
    { Url: 'http://payload.example/drop/a.exe?x=2' },
    ['http://payload.example/drop/a.exe?x=1 host-only UrlHost'],
  ],
  [{ Url: 'https://github.com/someone/else' }, []],
  [
    { Url: 'https://github.com/bad/repo/raw/a.zip' },
    ['https://github.com/bad/repo/raw/a.zip exact Url'],
  ],
  [{ TargetHostname: 'github.com' }, []],
  [{ Url: 'https://login.evil.example/x' }, ['evil.example subdomain UrlHost']],
  [
    { FileSHA256: 'A'.repeat(64), FileMD5: 'B'.repeat(32) },
    [`${'b'.repeat(32)} exact FileMD5`, `${'a'.repeat(64)} exact FileSHA256`],
  ],
  [{ FileSHA1: 'a'.repeat(40) }, []],
  [{ DstIpAddr: '192.0.2.15' }, ['192.0.2.0/28 in-range DstIpAddr']],
  [{ DstIpAddr: '192.0.2.16' }, []],
  [{ SrcIpAddr: '2001:db8:ff:1::2' }, ['2001:db8:ff::/48 in-range SrcIpAddr']],
  [{ DstIpAddr: '10.0.0.1', DnsQuery: 'benign.example' }, []],
  // A weak match is left out when the event has a stronger finding of the same family.
  [
    { DstIpAddr: '203.0.113.7', DstPortNumber: 80, FileSHA256: 'a'.repeat(64) },
    [`${'a'.repeat(64)} exact FileSHA256`],
  ],
  // One event meets one indicator once: its strongest match on the most telling field.
  [
    { Url: 'http://payload.example/drop/a.exe?x=1', TargetHostname: 'payload.example' },
    ['http://payload.example/drop/a.exe?x=1 exact Url'],
  ],
  [
    { DnsQuery: 'cdn.evil.example', DnsResponse: ['evil.example', '198.51.100.9'] },
    [
      '198.51.100.9 exact DnsResponse',
      '198.51.100.9:80 address-only DnsResponse',
      'evil.example exact DnsResponse',
    ],
  ],
  [
    {
      SrcIpAddr: '203.0.113.7',
      SrcPortNumber: 50000,
      DstIpAddr: '203.0.113.7',
      DstPortNumber: 443,
    },
    ['203.0.113.7:443 exact DstIpAddr'],
  ],
]

export function describeFinding(f: Finding): string {
  return `${f.indicator.value} ${f.match} ${f.field}`
}
