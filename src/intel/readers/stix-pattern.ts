/**
 * @module
 * The comparisons inside a STIX patterning expression (`[ipv4-addr:value = '198.51.100.7' OR
 * domain-name:value = 'x.example']`). It does not evaluate the expression: huntpack hunts each
 * value on its own, which is what `OR` means and is the useful reading of `AND` for hunting.
 * The one `AND` that changes the value is an address with a destination port in one
 * observation: that is an `ip:port`, and the port must not be lost.
 */

import type { ClaimedKind } from '../indicator.ts'

export interface PatternComparison {
  /** The object path as written, quotes kept: `file:hashes.'SHA-256'`. */
  path: string
  /** `=`, `!=`, `IN`, `LIKE`, `MATCHES`… in upper case, with `NOT ` in front when negated. */
  operator: string
  /** The literal, unescaped (`\'` and `\\` resolved); one comparison per member of `IN`. */
  value: string
}

const STRING = String.raw`'(?:[^'\\]|\\.)*'`
const PATH = String.raw`[a-z0-9-]+:(?:[A-Za-z0-9_*\-[\].]|${STRING})+`
const OPERATOR = String.raw`=|!=|<>|<=|>=|<|>|IN\b|LIKE\b|MATCHES\b|ISSUBSET\b|ISSUPERSET\b`
const VALUE = String.raw`[a-z]?${STRING}|\((?:[^()']|${STRING})*\)|[^\s\])]+`
const COMPARISON = new RegExp(String.raw`(${PATH})\s*(NOT\s+)?(${OPERATOR})\s*(${VALUE})`, 'gi')

/**
 * Every comparison in a pattern, left to right.
 *
 * @example comparisons("[url:value = 'http://x.example/it\\'s']")
 *   // [{ path: 'url:value', operator: '=', value: "http://x.example/it's" }]
 */
export function comparisons(pattern: string): PatternComparison[] {
  const found: PatternComparison[] = []
  for (const match of pattern.matchAll(COMPARISON)) {
    const [, path = '', not, op = '', literal = ''] = match
    const operator = `${not ? 'NOT ' : ''}${op.toUpperCase()}`
    if (literal.startsWith('(')) {
      for (const member of literal.matchAll(new RegExp(STRING, 'g'))) {
        found.push({ path, operator, value: unquote(member[0]) })
      }
    } else {
      found.push({ path, operator, value: unquote(literal) })
    }
  }
  return found
}

/** The kind a `=`/`IN` comparison on this path claims; undefined for paths we do not hunt. */
export function pathKind(path: string, value: string): ClaimedKind | undefined {
  const key = path.replaceAll("'", '').replaceAll('-', '').toLowerCase()
  switch (key) {
    case 'ipv4addr:value':
      // STIX lets an address object hold a CIDR block.
      return value.includes('/') ? 'cidr' : 'ipv4'
    case 'ipv6addr:value':
      return value.includes('/') ? 'cidr' : 'ipv6'
    case 'networktraffic:dst_ref.value':
    case 'networktraffic:src_ref.value':
      return value.includes('/') ? 'cidr' : 'ip'
    case 'domainname:value':
      return 'domain'
    case 'url:value':
      return 'url'
    case 'file:hashes.md5':
      return 'md5'
    case 'file:hashes.sha1':
      return 'sha1'
    case 'file:hashes.sha256':
      return 'sha256'
    default:
      return undefined
  }
}

/** A STIX string literal's text; other literals (numbers, booleans) as written. */
function unquote(literal: string): string {
  const quote = literal.indexOf("'")
  if (quote === -1 || !literal.endsWith("'")) return literal
  return literal.slice(quote + 1, -1).replace(/\\([\\'])/g, '$1')
}

/**
 * The observation expressions of a pattern (`[...]`), brackets inside string literals ignored.
 *
 * @example observations("[a:value = 'x'] AND [b:value = ']']") // two observations
 */
export function observations(pattern: string): string[] {
  const found: string[] = []
  let start = -1
  let quoted = false
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === "'") quoted = false
    } else if (c === "'") quoted = true
    else if (c === '[' && start < 0) start = i
    else if (c === ']' && start >= 0) {
      found.push(pattern.slice(start, i + 1))
      start = -1
    }
  }
  return found
}

const ADDRESS_PATHS = new Set(['ipv4addr:value', 'ipv6addr:value', 'networktraffic:dst_ref.value'])

/**
 * The `ip:port` an observation states with an address and a destination port joined by `AND`
 * (`[network-traffic:dst_ref.value = '203.0.113.5' AND network-traffic:dst_port = 4444]`), with
 * the two comparisons it is made of; undefined when the observation says anything else.
 */
export function addressWithPort(
  observation: string,
): { value: string; parts: PatternComparison[] } | undefined {
  if (/\bOR\b/i.test(observation.replace(new RegExp(STRING, 'g'), "''"))) return undefined
  const key = (c: PatternComparison) => c.path.replaceAll("'", '').replaceAll('-', '').toLowerCase()
  // `dst_ref.type = 'ipv4-addr'` only says what the address is; it changes no value.
  const found = comparisons(observation).filter((c) => key(c) !== 'networktraffic:dst_ref.type')
  if (found.length !== 2 || found.some((c) => c.operator !== '=')) return undefined
  const address = found.find((c) => ADDRESS_PATHS.has(key(c)))
  const port = found.find((c) => key(c) === 'networktraffic:dst_port')
  if (!address || !port || !/^\d+$/.test(port.value)) return undefined
  const host = address.value.includes(':') ? `[${address.value}]` : address.value
  const typed = comparisons(observation).filter((c) => key(c) === 'networktraffic:dst_ref.type')
  return { value: `${host}:${port.value}`, parts: [address, port, ...typed] }
}
