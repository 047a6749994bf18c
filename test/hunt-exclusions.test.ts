import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { HuntpackError } from '../src/errors.ts'
import {
  describeExclusion,
  EXCLUSION_SELECTORS,
  ExclusionFileError,
  ExclusionSet,
  loadExclusions,
} from '../src/hunt/exclusions.ts'
import { directionOf, type Finding, type MatchField, type MatchKind } from '../src/hunt/finding.ts'
import type { Indicator } from '../src/intel/indicator.ts'
import { blankEvent, type LogEvent } from '../src/logs/event.ts'
import { indicator } from './support/indicators.ts'

function finding(
  ind: Indicator,
  field: MatchField,
  matched: string,
  event: Partial<LogEvent> = {},
  match: MatchKind = 'exact',
): Finding {
  const e = { ...blankEvent('zeek-conn', 'conn.log', 1, 2), ...event }
  return { indicator: ind, match, field, direction: directionOf(field), matched, event: e }
}

const c2 = indicator('ipv4', '203.0.113.7', { family: 'AsyncRAT', familyId: 'win.asyncrat' })
const toC2 = finding(c2, 'DstIpAddr', '203.0.113.7', {
  SrcIpAddr: '10.20.1.5',
  DstIpAddr: '203.0.113.7',
})

function set(yaml: string): ExclusionSet {
  return ExclusionSet.parse(yaml, 'allow.yaml')
}

function rejects(yaml: string, pattern: RegExp, line?: number): void {
  assert.throws(
    () => set(yaml),
    (error: unknown) => {
      assert.ok(error instanceof ExclusionFileError, String(error))
      assert.ok(error instanceof HuntpackError)
      assert.equal(error.code, 'ERR_INPUT')
      assert.match(error.message, /^allow\.yaml/)
      assert.match(error.message, pattern)
      if (line !== undefined) assert.equal(error.location?.line, line, error.message)
      return true
    },
  )
}

describe('exclusion file', () => {
  it('reads every selector with its reason, line and scope', () => {
    const s = set(
      [
        '# reviewed 2026-11-30',
        'exclusions:',
        '  - value: 8.8.8[.]8',
        '    reason: public resolver',
        '  - range: 192.0.2.0/24',
        '    reason: sinkhole',
        '  - domain: Corp.Example.COM.',
        '    reason: our domain',
        '    family: [AsyncRAT, win.remcos]',
        '    kind: domain',
        '  - process: C:\\Tools\\nmap.exe',
        '    reason: scanner',
        '  - url_prefix: HTTPS://Updates.Example.com',
        '    reason: vendor',
      ].join('\n'),
    )
    assert.equal(s.size, 5)
    const [value, range, domain, process, url] = s.entries
    assert.deepEqual(
      [value?.key, value?.line, value?.reason, value?.text],
      ['8.8.8.8', 3, 'public resolver', '8.8.8[.]8'],
    )
    assert.deepEqual([range?.key, range?.line], ['192.0.2.0/24', 5])
    assert.deepEqual(
      [domain?.key, domain?.families, domain?.kinds],
      ['corp.example.com', ['asyncrat', 'win.remcos'], ['domain']],
    )
    assert.equal(process?.key, 'c:\\tools\\nmap.exe')
    assert.equal(url?.key, 'https://updates.example.com/')
    assert.equal(describeExclusion(value as never), 'value 8.8.8[.]8 (allow.yaml:3)')
  })

  it('reads the example in docs/findings.md', () => {
    const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'findings.md'), 'utf8')
    const example = docs.split('```yaml\n')[1]?.split('```')[0] ?? ''
    const selectors = set(example).entries.map((e) => e.selector)
    assert.deepEqual(new Set(selectors), new Set(EXCLUSION_SELECTORS))
  })

  it('accepts an empty list', () => {
    assert.equal(set('exclusions: []\n').size, 0)
    assert.equal(set('exclusions:\n').size, 0)
  })

  it('refuses what it cannot use, naming the line', () => {
    rejects('', /the file is empty/, 1)
    rejects('{}\n', /no `exclusions:` list/, 1)
    rejects('- value: 1.2.3.4\n', /a mapping with one key/, 1)
    rejects('exclusion:\n  - value: 1.2.3.4\n', /unknown key "exclusion"/, 1)
    rejects('exclusions: 1.2.3.4\n', /must hold a list/, 1)
    rejects('exclusions:\n  - 1.2.3.4\n', /must be a mapping/, 2)
    rejects('exclusions:\n  - value: 1.2.3.4\n', /has no reason/, 2)
    rejects('exclusions:\n  - value: 1.2.3.4\n    reason: "  "\n', /has no reason/, 2)
    rejects('exclusions:\n  - value: 1.2.3.4\n    reason: [a, b]\n', /"reason" must be one/, 3)
    rejects(
      'exclusions:\n  - reason: ok\n    value: 1.2.3.4\n    domain: a.com\n',
      /one selector, this one has "value" and "domain"/,
      4,
    )
    rejects('exclusions:\n  - reason: ok\n    family: x\n', /needs one selector/, 2)
    rejects('exclusions:\n  - reason: ok\n    vaule: 1.2.3.4\n', /unknown key "vaule"/, 3)
    rejects('exclusions:\n  - reason: ok\n    range: 10.0.0.0/33\n', /not a CIDR.*1-32/, 3)
    rejects('exclusions:\n  - reason: ok\n    range: 10.0.0.0\n', /no \/prefix/, 3)
    rejects('exclusions:\n  - reason: ok\n    range: 10.1.0.0/8\n', /host bits.*10\.0\.0\.0\/8/, 3)
    rejects('exclusions:\n  - reason: ok\n    peer_range: corp\n', /not a CIDR/, 3)
    rejects('exclusions:\n  - reason: ok\n    domain: "*.corp.com"\n', /not a domain/, 3)
    rejects('exclusions:\n  - reason: ok\n    domain: com\n', /not a domain/, 3)
    rejects('exclusions:\n  - reason: ok\n    domain: 10.1.2.3\n', /an address/, 3)
    rejects('exclusions:\n  - reason: ok\n    url_prefix: updates.com/x\n', /not a URL/, 3)
    rejects('exclusions:\n  - reason: ok\n    value: nope\n', /never match.*"nope"/, 3)
    rejects('exclusions:\n  - reason: ok\n    host: ""\n', /host is empty/, 3)
    rejects(
      'exclusions:\n  - reason: ok\n    host: a\n    kind: ipv5\n',
      /unknown indicator kind/,
      4,
    )
    rejects('exclusions:\n  - reason: ok\n    host: a\n    family: []\n', /empty name/, 4)
    rejects('exclusions:\n  - reason: ok\n    host: a\n    host: b\n', /not valid YAML.*unique/, 4)
    rejects('exclusions:\n  - reason: "ok\n', /not valid YAML/)
  })

  it('loads a file and names it when it is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'huntpack-exclusions-'))
    const path = join(dir, 'allow.yaml')
    writeFileSync(path, 'exclusions:\n  - host: ws01\n    reason: lab\n')
    const s = await loadExclusions(path)
    assert.equal(s.entries[0]?.file, path)
    await assert.rejects(loadExclusions(join(dir, 'missing.yaml')), (error: unknown) => {
      assert.ok(error instanceof ExclusionFileError)
      assert.match(error.message, /missing\.yaml: cannot read the exclusion file: no such file/)
      return true
    })
  })
})

describe('exclusion matching', () => {
  it('matches a value on the indicator, the matched value or the ip:port address', () => {
    const s = set('exclusions:\n  - value: 203.0.113.7\n    reason: r\n')
    assert.equal(s.match(toC2)?.line, 2)
    const pair = indicator('ip:port', '203.0.113.7:443')
    assert.ok(s.match(finding(pair, 'DstIpAddr', '203.0.113.7')))
    const other = indicator('ipv4', '203.0.113.8')
    assert.equal(s.match(finding(other, 'DstIpAddr', '203.0.113.8')), undefined)
    const hash = set(`exclusions:\n  - value: ${'AB'.repeat(32)}\n    reason: r\n`)
    const sha = indicator('sha256', 'ab'.repeat(32))
    assert.ok(hash.match(finding(sha, 'FileSHA256', 'ab'.repeat(32))))
  })

  it('matches ranges on the matched address and peer ranges on the other side', () => {
    const s = set(
      'exclusions:\n  - range: 203.0.113.0/28\n    reason: a\n' +
        '  - peer_range: 10.20.0.0/16\n    reason: b\n  - range: 2001:db8::/32\n    reason: c\n',
    )
    assert.equal(s.match(toC2)?.reason, 'a')
    const inbound = finding(c2, 'SrcIpAddr', '203.0.113.7', {
      SrcIpAddr: '203.0.113.7',
      DstIpAddr: '10.20.9.9',
    })
    assert.equal(s.match(inbound)?.reason, 'a')
    const outside = indicator('ipv4', '198.51.100.1')
    const fromScanner = finding(outside, 'DstIpAddr', '198.51.100.1', {
      SrcIpAddr: '10.20.3.3',
      DstIpAddr: '198.51.100.1',
    })
    assert.equal(s.match(fromScanner)?.reason, 'b')
    // The indicator as the source: its peer is the destination, not the source.
    const fromOutside = finding(outside, 'SrcIpAddr', '198.51.100.1', {
      SrcIpAddr: '198.51.100.1',
      DstIpAddr: '10.99.0.1',
    })
    assert.equal(s.match(fromOutside), undefined)
    const v6 = indicator('ipv6', '2001:db8::5')
    assert.equal(s.match(finding(v6, 'DstIpAddr', '2001:db8::5'))?.reason, 'c')
    assert.equal(s.match(finding(indicator('domain', 'a.com'), 'DnsQuery', 'a.com')), undefined)
  })

  it('matches a domain at label boundaries, and a URL finding by its host', () => {
    const s = set('exclusions:\n  - domain: example.com\n    reason: r\n')
    const d = indicator('domain', 'example.com')
    assert.ok(s.match(finding(d, 'DnsQuery', 'example.com')))
    assert.ok(s.match(finding(d, 'DnsQuery', 'a.b.example.com', {}, 'subdomain')))
    const bad = indicator('domain', 'badexample.com')
    assert.equal(s.match(finding(bad, 'DnsQuery', 'badexample.com')), undefined)
    const u = indicator('url', 'http://cdn.example.com/x')
    const byUrl = finding(u, 'Url', 'http://cdn.example.com/x', {
      Url: 'http://cdn.example.com/x',
      UrlHost: 'cdn.example.com',
    })
    assert.ok(s.match(byUrl))
  })

  it('matches URL prefixes on the event URL only under the same host', () => {
    const s = set('exclusions:\n  - url_prefix: https://updates.example.com/v2/\n    reason: r\n')
    const d = indicator('domain', 'example.com')
    const event = (url: string, host: string) => ({ Url: url, UrlHost: host })
    const hit = finding(
      d,
      'UrlHost',
      'updates.example.com',
      event('https://updates.example.com/v2/a.bin', 'updates.example.com'),
      'subdomain',
    )
    assert.ok(s.match(hit))
    const lookalike = finding(
      d,
      'UrlHost',
      'updates.example.com.evil.example.com',
      event(
        'https://updates.example.com.evil.example.com/v2/',
        'updates.example.com.evil.example.com',
      ),
      'subdomain',
    )
    assert.equal(s.match(lookalike), undefined)
    const v1 = { ...hit, event: { ...hit.event, Url: 'https://updates.example.com/v1/a.bin' } }
    assert.equal(s.match(v1), undefined)
  })

  it('matches devices, processes and command lines case-insensitively', () => {
    const s = set(
      [
        'exclusions:',
        '  - host: SCANNER01',
        '    reason: device',
        '  - process: nmap.exe',
        '    reason: image',
        '  - process: C:\\Tools\\masscan.exe',
        '    reason: path',
        '  - command_line_contains: "--SCAN"',
        '    reason: cmd',
      ].join('\n'),
    )
    const on = (event: Partial<LogEvent>) => s.match(finding(c2, 'DstIpAddr', c2.value, event))
    assert.equal(on({ Dvc: 'scanner01' })?.reason, 'device')
    assert.equal(on({ Dvc: 'Scanner01.corp.example.com' })?.reason, 'device')
    assert.equal(on({ Dvc: 'scanner011' }), undefined)
    assert.equal(on({ Process: 'D:\\bin\\NMAP.EXE' })?.reason, 'image')
    assert.equal(on({ Process: '/usr/bin/nmap.exe' })?.reason, 'image')
    assert.equal(on({ Process: 'c:\\tools\\MASSCAN.exe' })?.reason, 'path')
    assert.equal(on({ Process: 'd:\\other\\masscan.exe' }), undefined)
    assert.equal(on({ CommandLine: 'tool.exe --scan 10.0.0.0/8' })?.reason, 'cmd')
    assert.equal(on({ CommandLine: 'tool.exe --sca' }), undefined)
  })

  it('applies family and kind scopes', () => {
    const s = set(
      'exclusions:\n  - value: 203.0.113.7\n    reason: scoped\n    family: Remcos\n' +
        '  - value: 203.0.113.7\n    reason: by id\n    family: WIN.ASYNCRAT\n    kind: [ipv4]\n',
    )
    assert.equal(s.match(toC2)?.reason, 'by id')
    const remcos = { ...toC2, indicator: { ...c2, family: 'Remcos', familyId: undefined } }
    assert.equal(s.match(remcos)?.reason, 'scoped')
    const none = { ...toC2, indicator: { ...c2, family: undefined, familyId: undefined } }
    assert.equal(s.match(none), undefined)
    const kinds = set('exclusions:\n  - value: 203.0.113.7\n    reason: r\n    kind: ip:port\n')
    assert.equal(kinds.match(toC2), undefined)
  })

  it('returns the first entry in file order whichever selector matched', () => {
    const s = set(
      [
        'exclusions:',
        '  - command_line_contains: beacon',
        '    reason: first',
        '  - value: 203.0.113.7',
        '    reason: second',
        '  - peer_range: 10.0.0.0/8',
        '    reason: third',
      ].join('\n'),
    )
    const event = { SrcIpAddr: '10.20.1.5', CommandLine: 'x BEACON y' }
    assert.equal(s.match(finding(c2, 'DstIpAddr', c2.value, event))?.reason, 'first')
    const { CommandLine: _, ...noCommand } = event
    assert.equal(s.match(finding(c2, 'DstIpAddr', c2.value, noCommand))?.reason, 'second')
    const later = set(
      'exclusions:\n  - peer_range: 10.0.0.0/8\n    reason: a\n' +
        '  - value: 203.0.113.7\n    reason: b\n',
    )
    assert.equal(later.match(toC2)?.reason, 'a')
  })

  it('looks up thousands of entries by key', () => {
    const lines = ['exclusions:']
    for (let i = 0; i < 5000; i++) {
      lines.push(`  - domain: host${i}.example.org`, `    reason: r${i}`)
      lines.push(`  - range: 10.${i % 256}.${Math.floor(i / 256)}.0/24`, `    reason: n${i}`)
    }
    const s = set(lines.join('\n'))
    const d = indicator('domain', 'example.org')
    const f = finding(d, 'DnsQuery', 'a.b.host4999.example.org', { SrcIpAddr: '1.1.1.1' })
    const start = performance.now()
    for (let i = 0; i < 10_000; i++) assert.equal(s.match(f)?.reason, 'r4999')
    assert.ok(performance.now() - start < 1000, 'ten thousand lookups take under a second')
  })
})
