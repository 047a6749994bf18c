/**
 * @module
 * Classify, validate and canonicalise one indicator value. Everything a hunt later compares is
 * decided here: hostnames lower-case and punycoded without a trailing dot, IPv6 compressed per
 * RFC 5952, IPv4-mapped IPv6 unwrapped, hashes lower-case, URLs serialised by WHATWG without
 * default port or fragment. A value that cannot be made canonical is refused with a code and a
 * sentence naming its problem; nothing here throws.
 */

import { domainToASCII } from 'node:url'
import { getPublicSuffix, parse as parseDomain } from 'tldts'
import type { ClaimedKind, IndicatorKind, RejectionCode } from './indicator.ts'
import { isDefanged, refang } from './refang.ts'
import { SPECIAL_USE_TLDS } from './warninglist-builtin.ts'

export type Classified =
  | { ok: true; kind: IndicatorKind; value: string; ip?: string; port?: number }
  | Failure

export type Failure = { ok: false; code: RejectionCode; reason: string }

export interface ClassifyOptions {
  /** The feed format carries defanged values on purpose; refang instead of refusing. */
  defanged?: boolean
}

/**
 * The canonical kind and value of one raw value, checked against what the feed claims. With no
 * claim the kind is inferred from the value alone.
 *
 * @example classify('HXXP://Evil[.]com:80/a#x', 'url', { defanged: true })
 * // { ok: true, kind: 'url', value: 'http://evil.com/a' }
 * @example classify('1.2.3.4:0', 'ip:port') // { ok: false, code: 'bad-port', … }
 */
export function classify(
  raw: string,
  claimed?: ClaimedKind,
  options?: ClassifyOptions,
): Classified {
  let text = raw.trim()
  if (text === '') return fail('empty', 'the value is empty')
  if (isDefanged(text)) {
    if (options?.defanged !== true) {
      return fail(
        'defanged-in-feed',
        `${q(text)} is defanged, but this feed format carries live values; fix the feed or ` +
          'read it as a text list',
      )
    }
    text = refang(text)
  }
  const quote = text.charCodeAt(0)
  if (quote === 34 || quote === 39 || quote === 96) {
    return fail(codeFor(claimed), `${q(text)} is wrapped in quotes; remove them`)
  }
  if (claimed !== 'url' && claimed !== undefined && text.includes('://')) {
    return fail('type-mismatch', `${q(text)} is a URL, not ${article(claimed)}`)
  }

  switch (claimed) {
    case undefined:
      return infer(text)
    case 'ip':
    case 'ipv4':
    case 'ipv6':
      return classifyIp(text, claimed)
    case 'ip:port':
      return classifyIpPort(text)
    case 'cidr':
      return classifyCidr(text)
    case 'domain':
      return classifyDomain(text)
    case 'url':
      return classifyUrl(text)
    default:
      return classifyHash(text, claimed)
  }
}

/**
 * Free text: decide the kind by shape. A `host:port` with a hostname becomes a `domain` (the
 * port is dropped): there is no domain-with-port kind, and the name is what DNS and proxy logs
 * show, so hunting the name alone misses nothing the pair would have found.
 */
function infer(text: string): Classified {
  if (text.includes('://')) return classifyUrl(text)
  if (HASH_LENGTHS.has(text.length) && isHex(text)) return classifyHash(text, 'hash')
  if (looksLikeBase64(text)) return base64(text)
  if (text.includes('/')) {
    const head = text.slice(0, text.indexOf('/'))
    if (head.includes(':') || isDigitsAndDots(head)) return classifyCidr(text)
    return fail('bad-url', `${q(text)} looks like a URL without a scheme; add http:// or https://`)
  }
  if (text.charCodeAt(0) === 91) return classifyIpPort(text)
  const colon = text.indexOf(':')
  if (colon >= 0 && text.indexOf(':', colon + 1) < 0) {
    const host = text.slice(0, colon)
    if (isDigitsAndDots(host)) return classifyIpPort(text)
    const port = parsePort(text.slice(colon + 1), text)
    return typeof port === 'number' ? classifyDomain(host) : port
  }
  if (colon >= 0 || isDigitsAndDots(text)) return classifyIp(text, 'ip')
  if (!text.includes('.') && !looksLikeBase64(text)) {
    return fail('unrecognised', `${q(text)} is not an IP address, domain, URL or hash`)
  }
  return classifyDomain(text)
}

function classifyIp(text: string, claimed: 'ip' | 'ipv4' | 'ipv6'): Classified {
  if (text.includes('/')) {
    const cidr = classifyCidr(text)
    if (!cidr.ok || claimed === 'ip' || claimed === (cidr.value.includes(':') ? 'ipv6' : 'ipv4')) {
      return cidr
    }
    return fail('type-mismatch', `${q(text)} is an ${familyOf(cidr.value)} range, not ${claimed}`)
  }
  const colon = text.indexOf(':')
  if (colon >= 0 && text.indexOf(':', colon + 1) < 0) {
    return fail('type-mismatch', `${q(text)} is an ip:port, not a bare IP address`)
  }
  const ip = canonicalIp(text)
  if (typeof ip !== 'string') {
    if (colon < 0 && !isDigitsAndDots(text) && typeof checkHostname(text) === 'string') {
      return fail('type-mismatch', `${q(text)} is a hostname, not an IP address`)
    }
    return ip
  }
  const kind = ip.includes(':') ? 'ipv6' : 'ipv4'
  if (claimed !== 'ip' && claimed !== kind && !(kind === 'ipv4' && colon >= 0)) {
    return fail('type-mismatch', `${q(text)} is an ${familyOf(ip)} address, not ${claimed}`)
  }
  return { ok: true, kind, value: ip }
}

function classifyIpPort(text: string): Classified {
  let host: string
  let portText: string
  if (text.charCodeAt(0) === 91) {
    const close = text.indexOf(']')
    if (close < 0) return fail('bad-ip', `${q(text)} opens an IPv6 bracket but never closes it`)
    host = text.slice(1, close)
    if (text.charCodeAt(close + 1) !== 58) return fail('bad-port', `${q(text)} has no port`)
    portText = text.slice(close + 2)
  } else {
    const colon = text.lastIndexOf(':')
    if (colon < 0) return fail('bad-port', `${q(text)} has no port; an ip:port needs one`)
    if (text.indexOf(':') !== colon) {
      return typeof parseIPv6(text) === 'object'
        ? fail('bad-port', `${q(text)} is an IPv6 address without a port; write [address]:port`)
        : fail('bad-ip', `${q(text)} is not an ip:port`)
    }
    host = text.slice(0, colon)
    portText = text.slice(colon + 1)
    if (/[a-z]/i.test(host) && !/^[0-9a-f]*$/i.test(host)) {
      return fail(
        'type-mismatch',
        `${q(text)} is a host:port (a hostname with a port), not an ip:port`,
      )
    }
  }
  const ip = canonicalIp(host)
  if (typeof ip !== 'string') return { ...ip, reason: reasonFor(ip, text) }
  const port = parsePort(portText, text)
  if (typeof port !== 'number') return port
  // Joined, not concatenated: a flat string is what every later comparison and lookup wants.
  const value = (ip.includes(':') ? ['[', ip, ']:', port] : [ip, ':', port]).join('')
  return { ok: true, kind: 'ip:port', value, ip, port }
}

function parsePort(text: string, whole: string): number | Failure {
  if (text === '') return fail('bad-port', `${q(whole)} has an empty port`)
  if (!/^[0-9]{1,10}$/.test(text)) {
    return fail('bad-port', `${q(whole)} has the port ${q(text)}, which is not a number`)
  }
  const port = Number(text)
  if (port === 0) return fail('bad-port', `${q(whole)} has port 0, which no connection uses`)
  if (port > 65535) return fail('bad-port', `${q(whole)} has port ${port}, above 65535`)
  return port
}

function classifyCidr(text: string): Classified {
  const slash = text.indexOf('/')
  const address = parseAddress(slash < 0 ? text : text.slice(0, slash))
  if ('ok' in address) return fail('bad-cidr', reasonFor(address, text))
  const max = address.v6 ? 128 : 32
  const prefixText = text.slice(slash + 1)
  if (slash >= 0 && !/^[0-9]{1,3}$/.test(prefixText)) {
    return fail('bad-cidr', `${q(text)} has the prefix ${q(prefixText)}, which is not a number`)
  }
  // An IPv4-mapped range counts its prefix over 128 bits; unwrapped, 96 of them are gone.
  const prefix = slash < 0 ? max : Number(prefixText) - (!address.v6 && address.mapped ? 96 : 0)
  if (prefix < 1 || prefix > max) {
    return fail('bad-cidr', `${q(text)} has a prefix outside 1-${max}`)
  }
  const network = address.v6
    ? formatIPv6(maskGroups(address.groups, prefix))
    : formatIPv4(maskIPv4(address.n, prefix))
  return { ok: true, kind: 'cidr', value: `${network}/${prefix}` }
}

function classifyDomain(text: string): Classified {
  if (isDigitsAndDots(text) || (text.includes(':') && parseIPv6(text) !== undefined)) {
    return fail('type-mismatch', `${q(text)} is an IP address, not a domain`)
  }
  const colon = text.indexOf(':')
  if (colon > 0 && /^[0-9]+$/.test(text.slice(colon + 1))) {
    return fail('type-mismatch', `${q(text)} is a host:port, not a domain`)
  }
  const host = checkHostname(text)
  return typeof host === 'string' ? { ok: true, kind: 'domain', value: host } : host
}

function classifyUrl(text: string): Classified {
  const schemeEnd = text.indexOf('://')
  if (schemeEnd < 0) return fail('bad-url', `${q(text)} has no scheme; add http:// or https://`)
  const scheme = text.slice(0, schemeEnd).toLowerCase()
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ftp') {
    return fail('bad-url', `${q(text)} uses ${q(scheme)}; only http, https and ftp URLs are hunted`)
  }
  if (hasWhitespace(text)) return fail('bad-url', `${q(text)} contains whitespace`)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return fail('bad-url', `${q(text)} is not a valid URL`)
  }
  const hostname = url.hostname
  if (hostname === '') return fail('bad-url', `${q(text)} has no host`)
  if (url.port === '0') return fail('bad-port', `${q(text)} has port 0, which no connection uses`)

  let host: string | Failure
  if (hostname.charCodeAt(0) === 91) {
    const ip = canonicalIp(hostname.slice(1, -1))
    host = typeof ip === 'string' && !ip.includes(':') ? ip : hostname
  } else if (isDigitsAndDots(hostname)) {
    // WHATWG reads `010.1.1.1` as octal and `2130706433` as a whole address; tools disagree, so
    // any host it had to reinterpret is refused rather than silently turned into another IP.
    const raw = rawHost(text, schemeEnd)
    host = raw === hostname ? canonicalIp(hostname) : ambiguousHost(text, raw)
  } else {
    host = checkHostname(hostname)
  }
  if (typeof host !== 'string')
    return { ...host, reason: `${host.reason} (the host of ${q(text)})` }
  if (host !== hostname) url.hostname = host
  if (text.includes('#')) url.hash = ''
  return { ok: true, kind: 'url', value: url.href }
}

/** The host as written between `://` and the path, without user info or port. */
function rawHost(text: string, schemeEnd: number): string {
  const start = schemeEnd + 3
  let end = start
  while (end < text.length && !'/?#\\'.includes(text.charAt(end))) end++
  const authority = text.slice(start, end)
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  const colon = host.indexOf(':')
  return colon < 0 ? host : host.slice(0, colon)
}

function ambiguousHost(text: string, host: string): Failure {
  return fail('bad-ip', `${q(text)} has the host ${q(host)}, an ambiguous IPv4 spelling`)
}

function classifyHash(text: string, claimed: 'md5' | 'sha1' | 'sha256' | 'hash'): Classified {
  if (!isHex(text)) {
    const bad = text.match(/[^0-9a-f]/i)?.[0] ?? ''
    return fail('bad-hash', `${q(text)} contains ${q(bad)}, which is not a hex digit`)
  }
  const kind = HASH_BY_LENGTH.get(text.length)
  if (kind === undefined || (claimed !== 'hash' && claimed !== kind)) {
    const wanted = claimed === 'hash' ? 'MD5, SHA-1 or SHA-256 (32, 40 or 64)' : HASH_NAME[claimed]
    return fail('bad-hash', `${q(text)} has ${text.length} hex digits, not ${wanted}`)
  }
  if (/^(.)\1*$/.test(text)) {
    return fail('placeholder', `${q(text)} repeats one digit; it is a placeholder, not a hash`)
  }
  return { ok: true, kind, value: text.toLowerCase() }
}

const HASH_BY_LENGTH = new Map<number, IndicatorKind>([
  [32, 'md5'],
  [40, 'sha1'],
  [64, 'sha256'],
])
const HASH_LENGTHS = new Set(HASH_BY_LENGTH.keys())
const HASH_NAME = {
  md5: 'an MD5 (32)',
  sha1: 'a SHA-1 (40)',
  sha256: 'a SHA-256 (64)',
} as const

// ---------------------------------------------------------------------------------------------
// Hostnames

/** Filler that documents and templates put where a real value belongs. */
const PLACEHOLDER_HOSTS = new Set([
  'hostname.domain.tld',
  'host.domain.tld',
  'sub.domain.tld',
  'subdomain.domain.tld',
  'domain.tld',
  'example.tld',
  'yourdomain.com',
  'your-domain.com',
  'yoursite.com',
  'yourwebsite.com',
])

const PLACEHOLDER_IP = /^(?:x{1,3}\.){3}x{1,3}$|^a\.b\.c\.d$/i

/** Known top-level domains, looked up once each: `tldts` is slower than a map hit. */
const tldCache = new Map<string, boolean>()

function isKnownTld(tld: string): boolean {
  let known = tldCache.get(tld)
  if (known === undefined) {
    known =
      SPECIAL_USE_TLDS.has(tld) ||
      parseDomain(`x.${tld}`, { allowPrivateDomains: true }).isIcann === true
    // Bounded so a feed full of random suffixes cannot grow it without limit.
    if (tldCache.size < 4096) tldCache.set(tld, known)
  }
  return known
}

/** tldts options for names already validated here: skip its own parsing and checks. */
const SUFFIX_OPTIONS = { extractHostname: false, validateHostname: false } as const

/**
 * The canonical hostname, or why the text is not one. Labels may hold `_` (real DNS has them)
 * and leading or trailing hyphens (so do resolvers), but not other punctuation.
 */
export function checkHostname(text: string): string | Failure {
  // One pass over the common case, lower-case ASCII: characters, label lengths, label count.
  let labels = 1
  let labelStart = 0
  let end = text.length
  if (text.charCodeAt(end - 1) === 46) end--
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 46) {
      if (i === labelStart) return fail('bad-domain', `${q(text)} has an empty label`)
      if (i - labelStart > 63) return longLabel(text)
      labels++
      labelStart = i + 1
    } else if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 95)) {
      return (c >= 65 && c <= 90) || c >= 128 ? normaliseHostname(text) : badCharacter(text, i)
    }
  }
  if (end === labelStart) return fail('bad-domain', `${q(text)} has an empty label`)
  if (end - labelStart > 63) return longLabel(text)
  if (end > 253) return fail('bad-domain', `${q(text)} is longer than 253 characters`)
  const host = end === text.length ? text : text.slice(0, end)

  if (PLACEHOLDER_HOSTS.has(host) || host.endsWith('.tld') || PLACEHOLDER_IP.test(host)) {
    return fail('placeholder', `${q(text)} is a placeholder, not a real host`)
  }
  if (labels === 1 && host !== 'localhost') {
    return fail('bad-domain', `${q(text)} is a single label; a domain needs a dot`)
  }
  const tld = host.slice(labelStart)
  if (!isKnownTld(tld)) return fail('bad-tld', `${q(text)} ends in .${tld}, which is not a TLD`)
  if (labels > 1 && getPublicSuffix(host, SUFFIX_OPTIONS) === host) {
    return fail('bad-domain', `${q(text)} is a public suffix, not a domain anyone registers`)
  }
  return host
}

/** Upper case or non-ASCII: lower-case and punycode, then check the result as usual. */
function normaliseHostname(text: string): string | Failure {
  if (looksLikeBase64(text)) return base64(text)
  const lower = text.toLowerCase()
  const ascii = /[\u0080-\uffff]/.test(lower) ? domainToASCII(lower) : lower
  if (ascii === '') return fail('bad-domain', `${q(text)} is not a valid internationalised name`)
  const host = checkHostname(ascii)
  return typeof host === 'string' || ascii === text
    ? host
    : { ...host, reason: reasonFor(host, text) }
}

/** A reason about the normalised name, retold about the text the feed wrote. */
function reasonFor(failure: Failure, text: string): string {
  return failure.reason.replace(/^"(?:[^"\\]|\\.)*"/, q(text))
}

function badCharacter(text: string, at: number): Failure {
  if (looksLikeBase64(text)) return base64(text)
  return fail('bad-domain', `${q(text)} contains ${q(text.charAt(at))}, not valid in a host`)
}

function longLabel(text: string): Failure {
  return fail('bad-domain', `${q(text)} has a label over 63 characters`)
}

/**
 * Base64 that feeds mislabel as domains (`frBvNnnFYR6XR622pBE0NQ==`): no dot, and padding, a
 * `+` or `/`, or the mixed case and digits of random bytes.
 */
function looksLikeBase64(text: string): boolean {
  if (text.length < 12 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false
  return /[=+/]/.test(text) || (/[a-z]/.test(text) && /[A-Z]/.test(text) && /[0-9]/.test(text))
}

function base64(text: string): Failure {
  return fail('base64-not-hostname', `${q(text)} looks like base64, not a hostname`)
}

// ---------------------------------------------------------------------------------------------
// IP addresses

type Address = { v6: false; n: number; mapped: boolean } | { v6: true; groups: number[] }

/** A strictly written IPv4 or IPv6 address; IPv4-mapped IPv6 comes back as IPv4. */
function parseAddress(text: string): Address | Failure {
  if (text.includes(':')) {
    if (text.includes('%')) return fail('bad-ip', `${q(text)} has a zone id, local to one host`)
    const groups = parseIPv6(text)
    if (groups === undefined) return fail('bad-ip', `${q(text)} is not a valid IPv6 address`)
    if (!isMapped(groups)) return { v6: true, groups }
    return { v6: false, n: mappedIPv4(groups), mapped: true }
  }
  const n = parseIPv4(text)
  if (n >= 0) return { v6: false, n, mapped: false }
  if (n === LEADING_ZERO) {
    return fail(
      'bad-ip',
      `${q(text)} has an octet with a leading zero, read as octal by some tools`,
    )
  }
  if (n === OCTET_RANGE) return fail('bad-ip', `${q(text)} has an octet above 255`)
  return fail('bad-ip', `${q(text)} is not a valid IPv4 address`)
}

/** The canonical text of one address; the unspecified address is refused as a placeholder. */
function canonicalIp(text: string): string | Failure {
  if (PLACEHOLDER_IP.test(text)) return fail('placeholder', `${q(text)} is a placeholder address`)
  const address = parseAddress(text)
  if ('ok' in address) return address
  if (address.v6 ? address.groups.every((g) => g === 0) : address.n === 0) {
    return fail('placeholder', `${q(text)} is the unspecified address, a placeholder`)
  }
  return address.v6 ? formatIPv6(address.groups) : formatIPv4(address.n)
}

const NOT_IPV4 = -1
const OCTET_RANGE = -2
const LEADING_ZERO = -3

/**
 * A strict dotted quad as an unsigned 32-bit number, or a negative code: `NOT_IPV4`,
 * `OCTET_RANGE`, `LEADING_ZERO`. Short (`127.1`), hex and octal forms are not addresses here.
 */
export function parseIPv4(text: string): number {
  let value = 0
  let octet = 0
  let digits = 0
  let dots = 0
  let leadingZero = false
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46
    if (c >= 48 && c <= 57) {
      if (digits === 1 && octet === 0) leadingZero = true
      octet = octet * 10 + (c - 48)
      if (++digits > 3) return octet > 255 ? OCTET_RANGE : NOT_IPV4
    } else if (c === 46) {
      if (digits === 0 || (i < text.length && ++dots > 3)) return NOT_IPV4
      if (octet > 255) return OCTET_RANGE
      value = value * 256 + octet
      octet = 0
      digits = 0
    } else {
      return NOT_IPV4
    }
  }
  if (dots !== 3) return NOT_IPV4
  return leadingZero ? LEADING_ZERO : value
}

export function formatIPv4(n: number): string {
  return [Math.floor(n / 16777216), (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

function maskIPv4(n: number, prefix: number): number {
  return prefix === 0 ? 0 : (n & (0xffffffff << (32 - prefix))) >>> 0
}

/** Eight 16-bit groups, or undefined. Accepts a trailing dotted quad (`::ffff:1.2.3.4`). */
export function parseIPv6(text: string): number[] | undefined {
  if (text.length < 2 || text.length > 45) return undefined
  const gap = text.indexOf('::')
  if (gap >= 0 && text.indexOf('::', gap + 1) >= 0) return undefined
  const head = gap < 0 ? text.split(':') : gap === 0 ? [] : text.slice(0, gap).split(':')
  const tailText = gap < 0 ? '' : text.slice(gap + 2)
  const tail = tailText === '' ? [] : tailText.split(':')
  const groups: number[] = []
  const pieces = head.concat(tail)
  for (const [i, piece] of pieces.entries()) {
    if (piece.includes('.') && i === pieces.length - 1) {
      const v4 = parseIPv4(piece)
      if (v4 < 0) return undefined
      groups.push(Math.floor(v4 / 65536), v4 & 0xffff)
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
      groups.push(Number.parseInt(piece, 16))
    } else {
      return undefined
    }
  }
  if (gap < 0) return groups.length === 8 ? groups : undefined
  if (groups.length > 7) return undefined
  const headCount = head.length + (head.at(-1)?.includes('.') ? 1 : 0)
  const zeros = new Array<number>(8 - groups.length).fill(0)
  return groups.slice(0, headCount).concat(zeros, groups.slice(headCount))
}

/** RFC 5952: lower-case, no leading zeros, the first longest run of two or more zeros as `::`. */
export function formatIPv6(groups: readonly number[]): string {
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

function isMapped(groups: readonly number[]): boolean {
  return groups[5] === 0xffff && groups.slice(0, 5).every((g) => g === 0)
}

/** The IPv4 address inside an IPv4-mapped IPv6 address. */
function mappedIPv4(groups: readonly number[]): number {
  return (groups[6] ?? 0) * 65536 + (groups[7] ?? 0)
}

/** RFC 5952 text, or the dotted quad for an IPv4-mapped address. */
export function canonicalIPv6(groups: readonly number[]): string {
  return isMapped(groups) ? formatIPv4(mappedIPv4(groups)) : formatIPv6(groups)
}

function maskGroups(groups: readonly number[], prefix: number): number[] {
  return groups.map((g, i) => {
    const bits = Math.min(16, Math.max(0, prefix - i * 16))
    return bits === 16 ? g : g & ((0xffff << (16 - bits)) & 0xffff)
  })
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function fail(code: RejectionCode, reason: string): Failure {
  return { ok: false, code, reason }
}

/** The value quoted for a reason, cut so one absurd value cannot flood a report. */
function q(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text)
}

/** WHATWG would drop tabs and newlines and encode spaces; in a feed they mean a broken value. */
function hasWhitespace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c <= 32 || c === 0x85 || c === 0xa0 || c === 0x2028 || c === 0x2029 || c === 0x3000) {
      return true
    }
  }
  return false
}

function isHex(text: string): boolean {
  return /^[0-9a-f]+$/i.test(text)
}

function isDigitsAndDots(text: string): boolean {
  return text !== '' && /^[0-9.]+$/.test(text)
}

function familyOf(ip: string): string {
  return ip.includes(':') ? 'IPv6' : 'IPv4'
}

function article(kind: ClaimedKind): string {
  if (kind === 'ip') return 'an IP address'
  if (kind === 'hash') return 'a hash'
  return /^(?:ip|md5|url)/.test(kind) ? `an ${kind}` : `a ${kind}`
}

function codeFor(claimed: ClaimedKind | undefined): RejectionCode {
  switch (claimed) {
    case undefined:
      return 'unrecognised'
    case 'ip':
    case 'ipv4':
    case 'ipv6':
    case 'ip:port':
      return 'bad-ip'
    case 'cidr':
      return 'bad-cidr'
    case 'domain':
      return 'bad-domain'
    case 'url':
      return 'bad-url'
    default:
      return 'bad-hash'
  }
}
