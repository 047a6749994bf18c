/**
 * @module
 * The comparisons inside a STIX patterning expression (`[ipv4-addr:value = '198.51.100.7' OR
 * domain-name:value = 'x.example']`). It does not evaluate the expression: huntpack hunts each
 * value on its own, which is what `OR` means and is the useful reading of `AND` for hunting.
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
