/**
 * @module
 * Makes an event's observables canonical the way intake makes indicators canonical, so that
 * engines match with plain equality: addresses in RFC 5952 / dotted-quad form with IPv4-mapped
 * addresses unwrapped, host names lower-case and punycoded without a trailing dot, URLs by
 * WHATWG without fragment or default port, hashes lower-case. Log values are never refused:
 * a value that is not what its field should hold is kept as written (lower-cased), where it
 * simply matches nothing.
 */
import { domainToASCII } from 'node:url'
import { canonicalIPv6, formatIPv4, parseIPv4, parseIPv6 } from '../intel/classify.ts'
import type { LogEvent } from './event.ts'

/** Logs repeat the same few thousand addresses and names; caching them halves the work. */
const CACHE_LIMIT = 200_000

function cached(fn: (text: string) => string | null): (text: string) => string | null {
  let cache = new Map<string, string | null>()
  return (text) => {
    let value = cache.get(text)
    if (value === undefined && !cache.has(text)) {
      value = fn(text)
      if (cache.size >= CACHE_LIMIT) cache = new Map()
      cache.set(text, value)
    }
    return value ?? null
  }
}

/**
 * `::ffff:10.0.0.1` → `10.0.0.1`, `2001:DB8:0:0::1` → `2001:db8::1`; `[::1]` and a zone id
 * (`fe80::1%eth0`) are stripped to the address.
 */
export const canonicalAddress = cached((raw) => {
  let text = raw.trim()
  if (text === '' || text === '-') return null
  if (text.charCodeAt(0) === 91 && text.endsWith(']')) text = text.slice(1, -1)
  const zone = text.indexOf('%')
  if (zone > 0 && text.includes(':')) text = text.slice(0, zone)
  if (!text.includes(':')) {
    const n = parseIPv4(text)
    return n >= 0 ? formatIPv4(n) : text.toLowerCase()
  }
  const groups = parseIPv6(text)
  return groups ? canonicalIPv6(groups) : text.toLowerCase()
})

/** `WWW.Evil.COM.` → `www.evil.com`; `bücher.de` → `xn--bcher-kva.de`; an address stays one. */
export const canonicalHost = cached((raw) => {
  let text = raw.trim()
  if (text === '' || text === '-') return null
  if (text.endsWith('.')) text = text.slice(0, -1)
  if (text.charCodeAt(0) === 91 || parseIPv4(text) >= 0 || text.includes(':')) {
    return canonicalAddress(text)
  }
  const lower = text.toLowerCase()
  if (!/[^\x20-\x7e]/.test(lower)) return lower
  return domainToASCII(lower) || lower
})

export interface CanonicalUrl {
  url: string
  host: string | null
}

const urlCache = new Map<string, CanonicalUrl | null>()

/**
 * The WHATWG serialisation without fragment, and its canonical host. A URL logged without a
 * scheme (`evil.com/a`, as proxies write) is read as `http://`.
 */
export function canonicalUrl(raw: string): CanonicalUrl | null {
  const hit = urlCache.get(raw)
  if (hit !== undefined) return hit
  const value = parseUrl(raw)
  if (urlCache.size >= CACHE_LIMIT) urlCache.clear()
  urlCache.set(raw, value)
  return value
}

function parseUrl(raw: string): CanonicalUrl | null {
  const text = raw.trim()
  if (text === '' || text === '-') return null
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    return { url: text, host: null }
  }
  url.hash = ''
  const host = url.hostname === '' ? null : canonicalHost(url.hostname)
  return { url: url.href, host }
}

function lowerOrNull(value: string | null): string | null {
  if (value === null) return null
  const text = value.trim()
  return text === '' || text === '-' ? null : text.toLowerCase()
}

/** Canonicalises the event in place and returns it. */
export function normaliseEvent(event: LogEvent): LogEvent {
  if (event.SrcIpAddr !== null) event.SrcIpAddr = canonicalAddress(event.SrcIpAddr)
  if (event.DstIpAddr !== null) event.DstIpAddr = canonicalAddress(event.DstIpAddr)
  if (event.DnsQuery !== null) event.DnsQuery = canonicalHost(event.DnsQuery)
  if (event.TargetHostname !== null) event.TargetHostname = canonicalHost(event.TargetHostname)
  if (event.DnsResponse.length > 0) {
    const answers: string[] = []
    for (const answer of event.DnsResponse) {
      const value = canonicalHost(answer)
      if (value !== null && !answers.includes(value)) answers.push(value)
    }
    event.DnsResponse = answers
  }
  if (event.Url !== null) {
    const url = canonicalUrl(event.Url)
    event.Url = url?.url ?? null
    event.UrlHost = url?.host ?? null
  }
  event.FileMD5 = lowerOrNull(event.FileMD5)
  event.FileSHA1 = lowerOrNull(event.FileSHA1)
  event.FileSHA256 = lowerOrNull(event.FileSHA256)
  if (event.NetworkProtocol !== null) event.NetworkProtocol = lowerOrNull(event.NetworkProtocol)
  return event
}
