/**
 * @module
 * Warninglists: values known to be benign or special-use (private ranges, public resolvers, top
 * sites, cloud ranges, empty-file hashes) in MISP's format. Intake flags an indicator with the
 * names of the lists holding it; packs leave flagged values out of hunts unless asked.
 *
 * Matching follows MISP: `string` exact, `substring` contained, `hostname` the name or a
 * subdomain at a label boundary, `cidr` inside a range, `regex` a pattern; each list applies
 * only to the attribute types in its `matching_attributes`. Host entries are compared in
 * canonical form (lower-case, no trailing dot) since the lists spell them loosely.
 *
 * One refinement: a plain `hostname` entry covers subdomains only up to the registrable domain
 * (public suffix list, private section included). Top-site lists hold `duckdns.org` and
 * `blogspot.com`; without the limit every dynamic-DNS C2 would be waved through as a top site.
 * An entry written `.duckdns.org` or `*.duckdns.org` still covers every subdomain.
 *
 * Namespace lists (dynamic DNS) are the exception to "flagged means benign": their entries are
 * services where anyone can hold a name, and C2 servers live under them. Such a list flags the
 * service's own name only; a customer name under it is still hunted, and `namespaceOf` tells
 * the pack guidance which service it sits under.
 */

import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { domainToASCII } from 'node:url'
import { getDomain, parse } from 'tldts'
import { IntelFormatError } from '../errors.ts'
import { canonicalIPv6, classify, formatIPv4, parseIPv4, parseIPv6 } from './classify.ts'
import type { IndicatorKind } from './indicator.ts'
import { BUILT_IN_WARNINGLISTS } from './warninglist-builtin.ts'
import {
  type MispWarninglist,
  parseWarninglist,
  type SkippedEntry,
  type WarninglistInfo,
} from './warninglist-format.ts'
import { ipv6ToBigInt, parseRangeEntry, RangeIndex } from './warninglist-ip.ts'

export type { MispWarninglist, SkippedEntry, WarninglistInfo } from './warninglist-format.ts'

/** What a list is asked about: an indicator's kind and canonical value. */
export interface WarninglistSubject {
  kind: IndicatorKind
  value: string
  /** The address of an `ip:port`, when already known. */
  ip?: string
}

// Facets: the parts of an indicator a list can apply to.
const IP = 1
const HOST = 2
const URL_VALUE = 4
const MD5 = 8
const SHA1 = 16
const SHA256 = 32
const ALL = IP | HOST | URL_VALUE | MD5 | SHA1 | SHA256
const HASHES = MD5 | SHA1 | SHA256

/** MISP attribute types to facets; types we never hold (sha512, ssdeep…) map to none. */
const ATTRIBUTE_FACETS: Readonly<Record<string, number>> = {
  'ip-src': IP,
  'ip-dst': IP,
  'ip-src|port': IP,
  'ip-dst|port': IP,
  'domain|ip': IP | HOST,
  domain: HOST,
  hostname: HOST,
  'hostname|port': HOST,
  url: HOST | URL_VALUE,
  uri: HOST | URL_VALUE,
  link: HOST | URL_VALUE,
  md5: MD5,
  'filename|md5': MD5,
  'malware-sample': MD5,
  sha1: SHA1,
  'filename|sha1': SHA1,
  sha256: SHA256,
  'filename|sha256': SHA256,
}

const KIND_FACET: Readonly<Record<IndicatorKind, number>> = {
  ipv4: IP,
  ipv6: IP,
  'ip:port': IP,
  cidr: IP,
  domain: HOST,
  url: URL_VALUE,
  md5: MD5,
  sha1: SHA1,
  sha256: SHA256,
}

/** List ids for one key: a bare id in the common case, saving an array per entry. */
type Ids = number | number[]

interface Scan {
  id: number
  facets: number
  test: (value: string) => boolean
}

/** The lists holding one host name, by how far each list's entry reaches. */
interface HostIds {
  /** `string` entries: the name only. */
  exact?: Ids
  /** Plain `hostname` entries: the name and its subdomains under the same registrant. */
  site?: Ids
  /** Entries written `.name` or `*.name`: the name and every subdomain. */
  wildcard?: Ids
}

/**
 * Lists whose entries are all shared namespaces: dynamic-DNS services, and the LOTS project's
 * trusted sites that attackers host C2 and phishing under.
 */
const NAMESPACE_LIST_NAME = /\bdynamic dns\b|living off trusted sites/i

interface Index {
  /** One map for all three reaches, so each suffix of a host costs one lookup. */
  hosts: Map<string, HostIds>
  /** Service domains of namespace lists, each with the list's id. */
  namespaces: Map<string, number>
  ipExact: Map<string, Ids>
  urlExact: Map<string, Ids>
  hashExact: Map<string, Ids>
  v4: RangeIndex
  v6: RangeIndex
  scans: Scan[]
}

interface Loaded {
  list: MispWarninglist
  info: WarninglistInfo
  facets: number
}

export class WarninglistSet {
  #loaded: Loaded[] = []
  #index: Index | undefined

  /** The lists that are always on: special-use IPv4, IPv6 and domain names. */
  static builtIn(): WarninglistSet {
    const set = new WarninglistSet()
    for (const list of BUILT_IN_WARNINGLISTS) set.#addChecked(list, undefined, true)
    return set
  }

  /**
   * The built-ins plus every `*.json` file in `dir`, in name order.
   *
   * @throws IntelFormatError naming the file that is not JSON or not a MISP warninglist.
   */
  static async fromDirectory(dir: string): Promise<WarninglistSet> {
    let names: string[]
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.json')).sort()
    } catch (error) {
      const problem = error instanceof Error ? error.message : String(error)
      throw new IntelFormatError(`cannot read the warninglist folder: ${problem}`, { file: dir })
    }
    const files = await Promise.all(
      names.map(async (name) => {
        const file = join(dir, name)
        return { file, text: await readFile(file, 'utf8') }
      }),
    )
    const set = WarninglistSet.builtIn()
    for (const { file, text } of files) {
      let data: unknown
      try {
        data = JSON.parse(text)
      } catch (error) {
        throw new IntelFormatError(`not valid JSON: ${(error as Error).message}`, { file })
      }
      set.#addChecked(parseWarninglist(data, file), file, false)
    }
    return set
  }

  get lists(): readonly WarninglistInfo[] {
    return this.#loaded.map((loaded) => loaded.info)
  }

  /**
   * Add one list. `file` only labels errors and `lists`.
   *
   * @throws IntelFormatError when `list` does not fit MISP's format.
   */
  add(list: MispWarninglist, file?: string): void {
    const checked = parseWarninglist(list, file ?? `warninglist ${JSON.stringify(list.name)}`)
    this.#addChecked(checked, file, false)
  }

  /**
   * Names of the lists holding the indicator, in the order the lists were added; empty when
   * none. A URL is checked by its whole value and by its host.
   *
   * @example set.match({ kind: 'ipv4', value: '10.1.2.3' }) // ['Special-use IPv4 ranges (built-in)']
   */
  /**
   * The shared-namespace service (a dynamic-DNS domain from a namespace list) that `host` is a
   * name under, if any; never the service's own name, which `match` flags instead.
   */
  namespaceOf(host: string): { domain: string; list: string } | undefined {
    const index = this.#index ?? this.#build()
    if (index.namespaces.size === 0) return undefined
    for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      const domain = host.slice(dot + 1)
      const id = index.namespaces.get(domain)
      const list = id === undefined ? undefined : this.#loaded[id]?.info.name
      if (list !== undefined) return { domain, list }
    }
    return undefined
  }

  match(subject: WarninglistSubject): string[] {
    const index = this.#index ?? this.#build()
    const hits: number[] = []
    const { kind, value } = subject
    const facet = KIND_FACET[kind]

    switch (kind) {
      case 'domain':
        matchHost(index, value, hits)
        break
      case 'url': {
        collect(index.urlExact.get(value), hits)
        const host = urlHost(value)
        if (host.charCodeAt(0) === 91) matchAddress(index, host.slice(1, -1), hits)
        else if (/^[0-9.]+$/.test(host)) matchAddress(index, host, hits)
        else matchHost(index, host, hits)
        break
      }
      case 'ipv4':
      case 'ipv6':
        matchAddress(index, value, hits)
        break
      case 'ip:port':
        matchAddress(index, subject.ip ?? addressOfIpPort(value), hits)
        break
      case 'cidr': {
        const range = parseRangeEntry(value)
        if (typeof range === 'string') break
        const ranges = range.v6 ? index.v6 : index.v4
        hits.push(...ranges.containing(range.start, range.end))
        break
      }
      default:
        collect(index.hashExact.get(value), hits, this.#loaded, facet)
    }
    if (index.scans.length > 0) {
      // Only a URL's path and query keep their case; every other canonical value is lower-case.
      const lower = kind === 'url' ? value.toLowerCase() : value
      for (const scan of index.scans) {
        if ((scan.facets & facet) !== 0 && scan.test(lower)) hits.push(scan.id)
      }
    }
    return hits.length === 0 ? [] : this.#names(hits)
  }

  #names(hits: number[]): string[] {
    const ids = hits.length === 1 ? hits : [...new Set(hits)].sort((a, b) => a - b)
    const names: string[] = []
    for (const id of ids) {
      const name = this.#loaded[id]?.info.name
      if (name !== undefined && !names.includes(name)) names.push(name)
    }
    return names
  }

  #addChecked(list: MispWarninglist, file: string | undefined, builtIn: boolean): void {
    const attributes = list.matching_attributes
    let facets = attributes === undefined ? ALL : 0
    for (const attribute of attributes ?? []) facets |= ATTRIBUTE_FACETS[attribute] ?? 0
    const info: WarninglistInfo = {
      name: list.name,
      version: list.version,
      description: list.description,
      type: list.type,
      ...(attributes === undefined ? {} : { matchingAttributes: attributes }),
      entries: list.list.length,
      ...(file === undefined ? {} : { file }),
      builtIn,
      skipped: [],
    }
    this.#loaded.push({ list, info, facets })
    this.#index = undefined
  }

  #build(): Index {
    const index: Index = {
      hosts: new Map(),
      namespaces: new Map(),
      ipExact: new Map(),
      urlExact: new Map(),
      hashExact: new Map(),
      v4: new RangeIndex(),
      v6: new RangeIndex(),
      scans: [],
    }
    this.#loaded.forEach((loaded, id) => {
      const skipped: SkippedEntry[] = []
      indexList(index, id, loaded, skipped)
      loaded.info.skipped = skipped
    })
    index.v4.build()
    index.v6.build()
    this.#index = index
    return index
  }
}

function indexList(index: Index, id: number, loaded: Loaded, skipped: SkippedEntry[]): void {
  const { list, facets } = loaded
  switch (list.type) {
    case 'string':
      for (const raw of list.list) {
        const entry = raw.trim()
        if (entry === '') continue
        if (facets & HOST) addHostEntry(index, entry, 'exact', id, false)
        if (facets & IP && /^[0-9a-f:.]+$/i.test(entry)) {
          const address = canonicalAddress(entry)
          if (address !== undefined) add(index.ipExact, address, id)
        }
        if (facets & URL_VALUE && entry.includes('://')) {
          const url = classify(entry, 'url')
          add(index.urlExact, url.ok ? url.value : entry, id)
        }
        if (facets & HASHES && /^[0-9a-f]+$/i.test(entry)) {
          add(index.hashExact, entry.toLowerCase(), id)
        }
      }
      return
    case 'hostname':
      if (facets & HOST) {
        const namespaces = NAMESPACE_LIST_NAME.test(list.name)
        for (const entry of list.list) {
          if (canonicalHost(entry) === '') skipped.push({ entry, reason: 'it holds no hostname' })
          else addHostEntry(index, entry, 'site', id, namespaces)
        }
      }
      return
    case 'cidr':
      if (facets & IP) {
        for (const entry of list.list) {
          const range = parseRangeEntry(entry)
          if (typeof range === 'string') skipped.push({ entry, reason: range })
          else if (range.v6) index.v6.add(id, range.start, range.end)
          else index.v4.add(id, range.start, range.end)
        }
      }
      return
    case 'substring': {
      const needles = list.list.map((entry) => entry.trim().toLowerCase()).filter((e) => e !== '')
      index.scans.push({ id, facets, test: (value) => needles.some((n) => value.includes(n)) })
      return
    }
    case 'regex': {
      const patterns = list.list.flatMap((entry) => {
        const pattern = compilePattern(entry)
        if (typeof pattern !== 'string') return [pattern]
        skipped.push({ entry, reason: pattern })
        return []
      })
      index.scans.push({ id, facets, test: (value) => patterns.some((p) => p.test(value)) })
    }
  }
}

/**
 * A MISP regex entry, written PHP-style between delimiters (`/^evil\.com$/i`) or bare. Returns
 * why it cannot run in JavaScript instead. Entries are matched against lower-cased values, so
 * the `i` flag is always on.
 */
function compilePattern(entry: string): RegExp | string {
  const delimited = /^\/(.*)\/([a-zA-Z]*)$/s.exec(entry.trim())
  const source = delimited?.[1] ?? entry.trim()
  const flags = delimited?.[2] ?? ''
  const unknown = flags.replace(/[imsu]/g, '')
  if (unknown !== '') return `the flags ${JSON.stringify(unknown)} have no JavaScript equivalent`
  try {
    return new RegExp(source, `${flags.replace('i', '')}i`)
  } catch (error) {
    return `it is not a valid JavaScript regular expression: ${(error as Error).message}`
  }
}

function matchHost(index: Index, host: string, hits: number[]): void {
  const own = index.hosts.get(host)
  if (own !== undefined) {
    collect(own.exact, hits)
    collect(own.site, hits)
    collect(own.wildcard, hits)
  }
  let registrable: string | undefined
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    const parent = host.slice(dot + 1)
    const ids = index.hosts.get(parent)
    if (ids === undefined) continue
    collect(ids.wildcard, hits)
    if (ids.site === undefined) continue
    // `duckdns.org` on a top-sites list vouches for that site, not for `evil.duckdns.org`,
    // which someone else registered under a public suffix: stop at the registrable domain.
    registrable ??= getDomain(host, DOMAIN_OPTIONS) ?? host
    if (parent.length >= registrable.length) collect(ids.site, hits)
  }
}

/**
 * One host entry of a list. A wildcard on a public suffix (`.pages.dev`, `.duckdns.org`: names
 * anyone can register) is a namespace like the entries of a namespace list: it flags the
 * service's own name and records the namespace, but never its customers' names.
 */
function addHostEntry(
  index: Index,
  entry: string,
  plain: 'exact' | 'site',
  id: number,
  namespaces: boolean,
): void {
  const host = canonicalHost(entry)
  const wildcard = isWildcard(entry)
  // Only the private section of the suffix list names services; `.home.arpa` or `.local`
  // are special-use names, flagged whole.
  let sharedSuffix = false
  if (wildcard && host.includes('.')) {
    const parsed = parse(host, DOMAIN_OPTIONS)
    sharedSuffix = parsed.isPrivate === true && parsed.publicSuffix === host
  }
  if (namespaces || sharedSuffix) {
    if (!index.namespaces.has(host)) index.namespaces.set(host, id)
    addHost(index, host, 'exact', id)
  } else addHost(index, host, wildcard ? 'wildcard' : plain, id)
}

function addHost(index: Index, host: string, reach: keyof HostIds, id: number): void {
  let ids = index.hosts.get(host)
  if (ids === undefined) {
    ids = {}
    index.hosts.set(host, ids)
  }
  const held = ids[reach]
  if (held === undefined) ids[reach] = id
  else if (typeof held === 'number') {
    if (held !== id) ids[reach] = [held, id]
  } else if (held.at(-1) !== id) held.push(id)
}

const DOMAIN_OPTIONS = { allowPrivateDomains: true, extractHostname: false } as const

/** A leading `.` or `*.` marks an entry that covers every subdomain, whoever owns it. */
function isWildcard(entry: string): boolean {
  const text = entry.trimStart()
  return text.startsWith('.') || text.startsWith('*.')
}

function matchAddress(index: Index, address: string, hits: number[]): void {
  collect(index.ipExact.get(address), hits)
  if (address.includes(':')) {
    const groups = parseIPv6(address)
    if (groups !== undefined) hits.push(...index.v6.lookup(ipv6ToBigInt(groups)))
  } else {
    const n = parseIPv4(address)
    if (n >= 0) hits.push(...index.v4.lookup(n))
  }
}

function add(map: Map<string, Ids>, key: string, id: number): void {
  const ids = map.get(key)
  if (ids === undefined) map.set(key, id)
  else if (typeof ids === 'number') {
    if (ids !== id) map.set(key, [ids, id])
  } else if (ids.at(-1) !== id) ids.push(id)
}

function collect(ids: Ids | undefined, hits: number[], loaded?: Loaded[], facet = 0): void {
  if (ids === undefined) return
  for (const id of typeof ids === 'number' ? [ids] : ids) {
    if (loaded === undefined || ((loaded[id]?.facets ?? 0) & facet) !== 0) hits.push(id)
  }
}

/** Host entries as lists spell them (` Foo.COM.`, `.duckdns.org`, `*.x.com`) made canonical. */
function canonicalHost(entry: string): string {
  let host = entry.trim().toLowerCase()
  if (host.startsWith('*.')) host = host.slice(2)
  host = host.replace(/^\.+|\.+$/g, '')
  return /[\u0080-\uffff]/.test(host) ? domainToASCII(host) || host : host
}

function canonicalAddress(entry: string): string | undefined {
  if (!entry.includes(':')) {
    const n = parseIPv4(entry)
    return n < 0 ? undefined : formatIPv4(n)
  }
  const groups = parseIPv6(entry)
  return groups === undefined ? undefined : canonicalIPv6(groups)
}

/** The host of a canonical URL: `[v6]` keeps its brackets; user info and port are dropped. */
function urlHost(url: string): string {
  const start = url.indexOf('://') + 3
  let end = start
  while (end < url.length) {
    const c = url.charCodeAt(end)
    if (c === 47 || c === 63 || c === 35) break
    end++
  }
  const authority = url.slice(url.lastIndexOf('@', end) + 1 || start, end)
  if (authority.charCodeAt(0) === 91) return authority.slice(0, authority.indexOf(']') + 1)
  const colon = authority.indexOf(':')
  return colon < 0 ? authority : authority.slice(0, colon)
}

function addressOfIpPort(value: string): string {
  if (value.charCodeAt(0) === 91) return value.slice(1, value.indexOf(']'))
  return value.slice(0, value.lastIndexOf(':'))
}
