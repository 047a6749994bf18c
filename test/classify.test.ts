import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type ClassifyOptions, classify } from '../src/intel/classify.ts'
import { type ClaimedKind, INDICATOR_KINDS, type IndicatorKind } from '../src/intel/indicator.ts'

const LIVE: ClassifyOptions = { defanged: false }
const TEXT: ClassifyOptions = { defanged: true }

type Accepted = { kind: IndicatorKind; value: string; ip?: string; port?: number }

const ACCEPTED: [string, ClaimedKind | undefined, ClassifyOptions, Accepted][] = [
  // Hostnames: lower case, no trailing dot, punycode, underscores allowed.
  ['Evil.COM.', 'domain', LIVE, { kind: 'domain', value: 'evil.com' }],
  ['  a.portmap.host ', 'domain', LIVE, { kind: 'domain', value: 'a.portmap.host' }],
  ['bücher.example', 'domain', LIVE, { kind: 'domain', value: 'xn--bcher-kva.example' }],
  ['BÜCHER.de', 'domain', LIVE, { kind: 'domain', value: 'xn--bcher-kva.de' }],
  ['_dmarc.evil.com', 'domain', LIVE, { kind: 'domain', value: '_dmarc.evil.com' }],
  ['x.duckdns.org', 'domain', LIVE, { kind: 'domain', value: 'x.duckdns.org' }],
  ['evil.xn--p1ai', 'domain', LIVE, { kind: 'domain', value: 'evil.xn--p1ai' }],
  ['box.local', 'domain', LIVE, { kind: 'domain', value: 'box.local' }],
  [
    `${'abcdefghi.'.repeat(25)}com`,
    'domain',
    LIVE,
    { kind: 'domain', value: `${'abcdefghi.'.repeat(25)}com` },
  ],
  ['evil[.]com', 'domain', TEXT, { kind: 'domain', value: 'evil.com' }],
  // IPv4 and IPv6.
  ['91.214.65.17', 'ip', LIVE, { kind: 'ipv4', value: '91.214.65.17' }],
  ['91.214.65.17', 'ipv4', LIVE, { kind: 'ipv4', value: '91.214.65.17' }],
  ['2001:DB8:0:0:1:0:0:1', 'ipv6', LIVE, { kind: 'ipv6', value: '2001:db8::1:0:0:1' }],
  ['2001:0db8:0000:0000:0000:0000:0000:0001', 'ip', LIVE, { kind: 'ipv6', value: '2001:db8::1' }],
  ['2001:db8:0:1:1:1:1:1', 'ip', LIVE, { kind: 'ipv6', value: '2001:db8:0:1:1:1:1:1' }],
  ['2001:0:0:1:0:0:0:1', 'ip', LIVE, { kind: 'ipv6', value: '2001:0:0:1::1' }],
  ['0:0:0:0:0:0:0:1', 'ip', LIVE, { kind: 'ipv6', value: '::1' }],
  ['::ffff:1.2.3.4', 'ip', LIVE, { kind: 'ipv4', value: '1.2.3.4' }],
  ['::FFFF:0102:0304', 'ipv6', LIVE, { kind: 'ipv4', value: '1.2.3.4' }],
  // ip:port.
  [
    '84.38.129.122:443',
    'ip:port',
    LIVE,
    { kind: 'ip:port', value: '84.38.129.122:443', ip: '84.38.129.122', port: 443 },
  ],
  [
    '1.2.3.4:080',
    'ip:port',
    LIVE,
    { kind: 'ip:port', value: '1.2.3.4:80', ip: '1.2.3.4', port: 80 },
  ],
  [
    '[2001:DB8::0001]:8443',
    'ip:port',
    LIVE,
    { kind: 'ip:port', value: '[2001:db8::1]:8443', ip: '2001:db8::1', port: 8443 },
  ],
  [
    '[::ffff:1.2.3.4]:65535',
    'ip:port',
    LIVE,
    { kind: 'ip:port', value: '1.2.3.4:65535', ip: '1.2.3.4', port: 65535 },
  ],
  [
    '84[.]38[.]129[.]122:443',
    'ip:port',
    TEXT,
    { kind: 'ip:port', value: '84.38.129.122:443', ip: '84.38.129.122', port: 443 },
  ],
  // CIDR: network address, prefix kept.
  ['10.1.2.3/8', 'cidr', LIVE, { kind: 'cidr', value: '10.0.0.0/8' }],
  ['192.168.1.0/24', 'cidr', LIVE, { kind: 'cidr', value: '192.168.1.0/24' }],
  ['1.2.3.4', 'cidr', LIVE, { kind: 'cidr', value: '1.2.3.4/32' }],
  ['2001:DB8::1/32', 'cidr', LIVE, { kind: 'cidr', value: '2001:db8::/32' }],
  ['::ffff:10.9.0.0/104', 'cidr', LIVE, { kind: 'cidr', value: '10.0.0.0/8' }],
  ['10.1.2.3/8', 'ip', LIVE, { kind: 'cidr', value: '10.0.0.0/8' }],
  // URLs: WHATWG, default port and fragment gone, path and query untouched.
  [
    'HTTP://Evil.COM:80/a/B.php?X=%41#frag',
    'url',
    LIVE,
    { kind: 'url', value: 'http://evil.com/a/B.php?X=%41' },
  ],
  ['https://evil.com:443', 'url', LIVE, { kind: 'url', value: 'https://evil.com/' }],
  ['https://evil.com:8443/x?', 'url', LIVE, { kind: 'url', value: 'https://evil.com:8443/x?' }],
  ['http://evil.com./x', 'url', LIVE, { kind: 'url', value: 'http://evil.com/x' }],
  ['http://bücher.de/ä', 'url', LIVE, { kind: 'url', value: 'http://xn--bcher-kva.de/%C3%A4' }],
  [
    'http://91.214.65.17:8080/gate',
    'url',
    LIVE,
    { kind: 'url', value: 'http://91.214.65.17:8080/gate' },
  ],
  ['http://[2001:DB8::1]/x', 'url', LIVE, { kind: 'url', value: 'http://[2001:db8::1]/x' }],
  ['http://[::ffff:1.2.3.4]/x', 'url', LIVE, { kind: 'url', value: 'http://1.2.3.4/x' }],
  ['ftp://files.evil.com:21/a', 'url', LIVE, { kind: 'url', value: 'ftp://files.evil.com/a' }],
  ['http://user:pw@evil.com/', 'url', LIVE, { kind: 'url', value: 'http://user:pw@evil.com/' }],
  ['hxxp://evil[.]com', 'url', TEXT, { kind: 'url', value: 'http://evil.com/' }],
  // Hashes.
  [
    'D41D8CD98F00B204E9800998ECF8427E',
    'md5',
    LIVE,
    { kind: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
  ],
  [
    'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    'hash',
    LIVE,
    { kind: 'sha1', value: 'da39a3ee5e6b4b0d3255bfef95601890afd80709' },
  ],
  [
    'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855',
    'sha256',
    LIVE,
    { kind: 'sha256', value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
  ],
  // No claim: the kind comes from the value; a host:port keeps only its host.
  ['http://evil.com/x', undefined, LIVE, { kind: 'url', value: 'http://evil.com/x' }],
  ['evil.com', undefined, LIVE, { kind: 'domain', value: 'evil.com' }],
  ['evil.com:8080', undefined, LIVE, { kind: 'domain', value: 'evil.com' }],
  ['1.2.3.4', undefined, LIVE, { kind: 'ipv4', value: '1.2.3.4' }],
  [
    '1.2.3.4:8080',
    undefined,
    LIVE,
    { kind: 'ip:port', value: '1.2.3.4:8080', ip: '1.2.3.4', port: 8080 },
  ],
  [
    '[2001:db8::1]:53',
    undefined,
    LIVE,
    { kind: 'ip:port', value: '[2001:db8::1]:53', ip: '2001:db8::1', port: 53 },
  ],
  ['2001:db8::1', undefined, LIVE, { kind: 'ipv6', value: '2001:db8::1' }],
  ['10.0.0.0/8', undefined, LIVE, { kind: 'cidr', value: '10.0.0.0/8' }],
  [
    'd41d8cd98f00b204e9800998ecf8427e',
    undefined,
    LIVE,
    { kind: 'md5', value: 'd41d8cd98f00b204e9800998ecf8427e' },
  ],
]

test('accepted values come back canonical, with the kind they are', () => {
  for (const [raw, claimed, options, expected] of ACCEPTED) {
    assert.deepEqual(
      classify(raw, claimed, options),
      { ok: true, ...expected },
      `${raw} (${claimed})`,
    )
  }
})

test('URLs are serialised exactly as WHATWG does, without the fragment', () => {
  const urls = [
    'http://evil.com',
    'http://evil.com/a/./b/../c',
    'http://evil.com/%2e%2E/x',
    'http://evil.com/a\\b',
    'http://evil.com/q?a=\'x\'&b="y"',
    'http://evil.com/{x}|^`',
    'https://evil.com/path;p?q=1&q=2#x',
    'http://evil.com:8080?x',
    'http://evil.com/caf\u00e9?n=\u00e9',
    'http://evil.com/%zz%41',
    'https://evil.com:0443/',
  ]
  for (const url of urls) {
    const expected = new URL(url)
    expected.hash = ''
    assert.deepEqual(
      classify(url, 'url', LIVE),
      { ok: true, kind: 'url', value: expected.href },
      url,
    )
  }
})

const REJECTED: [string, ClaimedKind | undefined, ClassifyOptions, string][] = [
  ['', 'domain', LIVE, 'empty'],
  ['   ', undefined, LIVE, 'empty'],
  // Defanged values in a live feed are refused, not guessed at.
  ['hxxp://evil[.]com', 'url', LIVE, 'defanged-in-feed'],
  ['https://45.9.1.9:0/x', 'url', LIVE, 'bad-port'],
  ['evil[.]com', 'domain', LIVE, 'defanged-in-feed'],
  ['1.2.3[.]4:80', 'ip:port', {}, 'defanged-in-feed'],
  // Hostnames.
  ['frBvNnnFYR6XR622pBE0NQ==', 'domain', LIVE, 'base64-not-hostname'],
  ['aGVsbG8gd29ybGQhIQ', 'domain', LIVE, 'base64-not-hostname'],
  ['a+b/cdefghijklmn', undefined, LIVE, 'base64-not-hostname'],
  ['hostname.domain.tld', 'domain', LIVE, 'placeholder'],
  ['domain.tld', 'domain', LIVE, 'placeholder'],
  ['yourdomain.com', 'domain', LIVE, 'placeholder'],
  ['evil.notatld', 'domain', LIVE, 'bad-tld'],
  ['evil.123', 'domain', LIVE, 'bad-tld'],
  ['co.uk', 'domain', LIVE, 'bad-domain'],
  ['evil', 'domain', LIVE, 'bad-domain'],
  ['evil..com', 'domain', LIVE, 'bad-domain'],
  ['.evil.com', 'domain', LIVE, 'bad-domain'],
  [`${'a'.repeat(64)}.com`, 'domain', LIVE, 'bad-domain'],
  [`${'abcdefghi.'.repeat(26)}com`, 'domain', LIVE, 'bad-domain'],
  ['ev!l.com', 'domain', LIVE, 'bad-domain'],
  ['"evil.com"', 'domain', LIVE, 'bad-domain'],
  ['evil.com:443', 'domain', LIVE, 'type-mismatch'],
  ['1.2.3.4', 'domain', LIVE, 'type-mismatch'],
  ['http://evil.com/', 'domain', LIVE, 'type-mismatch'],
  // IP addresses.
  ['256.1.1.1', 'ip', LIVE, 'bad-ip'],
  ['010.1.1.1', 'ipv4', LIVE, 'bad-ip'],
  ['1.2.3', 'ip', LIVE, 'bad-ip'],
  ['1.2.3.4.5', 'ip', LIVE, 'bad-ip'],
  ['2001:db8::1::2', 'ipv6', LIVE, 'bad-ip'],
  ['2001:db8::g', 'ipv6', LIVE, 'bad-ip'],
  ['1:2:3:4:5:6:7:8:9', 'ip', LIVE, 'bad-ip'],
  ['fe80::1%eth0', 'ip', LIVE, 'bad-ip'],
  ['0.0.0.0', 'ip', LIVE, 'placeholder'],
  ['::', 'ipv6', LIVE, 'placeholder'],
  ['x.x.x.x', 'ip', LIVE, 'placeholder'],
  ['2001:db8::1', 'ipv4', LIVE, 'type-mismatch'],
  ['1.2.3.4', 'ipv6', LIVE, 'type-mismatch'],
  ['evil.com', 'ip', LIVE, 'type-mismatch'],
  ['1.2.3.4:80', 'ip', LIVE, 'type-mismatch'],
  // ip:port.
  ['1.2.3.4:0', 'ip:port', LIVE, 'bad-port'],
  ['1.2.3.4:65536', 'ip:port', LIVE, 'bad-port'],
  ['1.2.3.4:', 'ip:port', LIVE, 'bad-port'],
  ['1.2.3.4:+80', 'ip:port', LIVE, 'bad-port'],
  ['1.2.3.4:http', 'ip:port', LIVE, 'bad-port'],
  ['1.2.3.4', 'ip:port', LIVE, 'bad-port'],
  ['2001:db8::1:443', 'ip:port', LIVE, 'bad-port'],
  ['[2001:db8::1]', 'ip:port', LIVE, 'bad-port'],
  ['256.1.1.1:80', 'ip:port', LIVE, 'bad-ip'],
  ['[2001:db8::1:80', 'ip:port', LIVE, 'bad-ip'],
  ['evil.com:443', 'ip:port', LIVE, 'type-mismatch'],
  ['0.0.0.0:80', 'ip:port', LIVE, 'placeholder'],
  // CIDR.
  ['10.0.0.0/33', 'cidr', LIVE, 'bad-cidr'],
  ['10.0.0.0/0', 'cidr', LIVE, 'bad-cidr'],
  ['10.0.0.0/x', 'cidr', LIVE, 'bad-cidr'],
  ['10.0.0/8', 'cidr', LIVE, 'bad-cidr'],
  ['2001:db8::/129', 'cidr', LIVE, 'bad-cidr'],
  // URLs.
  ['evil.com/gate.php', 'url', LIVE, 'bad-url'],
  ['evil.com/gate.php', undefined, LIVE, 'bad-url'],
  ['tcp://1.2.3.4:80', 'url', LIVE, 'bad-url'],
  ['javascript://evil.com/%0aalert(1)', 'url', LIVE, 'bad-url'],
  ['http://evil.com/a b', 'url', LIVE, 'bad-url'],
  ['http://', 'url', LIVE, 'bad-url'],
  ['http://evil.com:99999/', 'url', LIVE, 'bad-url'],
  ['http://010.1.1.1/', 'url', LIVE, 'bad-ip'],
  ['http://2130706433/', 'url', LIVE, 'bad-ip'],
  ['http://evil.notatld/', 'url', LIVE, 'bad-tld'],
  ['http://hostname.domain.tld/x', 'url', LIVE, 'placeholder'],
  // Hashes.
  ['d41d8cd98f00b204e9800998ecf8427', 'md5', LIVE, 'bad-hash'],
  ['d41d8cd98f00b204e9800998ecf8427e', 'sha1', LIVE, 'bad-hash'],
  ['z41d8cd98f00b204e9800998ecf8427e', 'md5', LIVE, 'bad-hash'],
  ['abc', 'hash', LIVE, 'bad-hash'],
  ['00000000000000000000000000000000', 'md5', LIVE, 'placeholder'],
  // No claim and no recognisable shape.
  ['evil', undefined, LIVE, 'unrecognised'],
  ['"evil.com"', undefined, LIVE, 'unrecognised'],
]

test('refused values carry the code for what is wrong with them', () => {
  for (const [raw, claimed, options, code] of REJECTED) {
    const result = classify(raw, claimed, options)
    assert.equal(result.ok, false, `${raw} (${claimed}) was accepted: ${JSON.stringify(result)}`)
    assert.equal(result.ok ? undefined : result.code, code, `${raw} (${claimed})`)
  }
})

test('every reason names the value, so a user can find it', () => {
  for (const [raw, claimed, options] of REJECTED) {
    const result = classify(raw, claimed, options)
    if (result.ok || result.code === 'empty') continue
    const shown = raw.trim().length > 120 ? raw.trim().slice(0, 117) : raw.trim()
    assert.ok(
      result.reason.includes(JSON.stringify(shown).slice(0, -1)),
      `${result.reason} does not name ${raw}`,
    )
  }
})

test('reasons say what is wrong in words', () => {
  const reason = (raw: string, claimed?: ClaimedKind, options: ClassifyOptions = LIVE) => {
    const result = classify(raw, claimed, options)
    return result.ok ? undefined : result.reason
  }
  assert.equal(
    reason('frBvNnnFYR6XR622pBE0NQ==', 'domain'),
    '"frBvNnnFYR6XR622pBE0NQ==" looks like base64, not a hostname',
  )
  assert.equal(
    reason('evil.com:443', 'ip:port'),
    '"evil.com:443" is a host:port (a hostname with a port), not an ip:port',
  )
  assert.equal(
    reason('hxxp://evil[.]com', 'url'),
    '"hxxp://evil[.]com" is defanged, but this feed format carries live values; fix the feed ' +
      'or read it as a text list',
  )
  assert.equal(reason('1.2.3.4:65536', 'ip:port'), '"1.2.3.4:65536" has port 65536, above 65535')
  assert.equal(
    reason('010.1.1.1', 'ip'),
    '"010.1.1.1" has an octet with a leading zero, read as octal by some tools',
  )
  assert.equal(
    reason('EVIL.NOTATLD', 'domain'),
    '"EVIL.NOTATLD" ends in .notatld, which is not a TLD',
  )
  assert.equal(
    reason('http://hostname.domain.tld/x', 'url'),
    '"hostname.domain.tld" is a placeholder, not a real host (the host of ' +
      '"http://hostname.domain.tld/x")',
  )
})

test('classify never throws, whatever the value and claim', () => {
  const claims: (ClaimedKind | undefined)[] = [undefined, 'ip', 'hash', ...INDICATOR_KINDS]
  const values = [
    '[',
    ']',
    ':',
    '::::',
    '/',
    '//',
    '://',
    'http://[',
    'http://[::1',
    '[::1]:',
    '1.2.3.4/',
    '/8',
    '.',
    '..',
    '\u0000',
    '\ud800',
    'xn--',
    'xn--zz.com',
    'ab\u200bc.com',
    `http://${'a'.repeat(300)}.com/`,
    '%',
    'http://%/',
    '[.]',
    'hxxp',
  ]
  for (const value of values) {
    for (const claimed of claims) {
      for (const options of [LIVE, TEXT]) {
        const result = classify(value, claimed, options)
        assert.equal(typeof result.ok, 'boolean')
      }
    }
  }
})
