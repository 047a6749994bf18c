/**
 * @module
 * Exclusions: findings a user has reviewed and wants left out of a hunt's results, read from a
 * YAML file (`--exclude allow.yaml`). Each entry has one selector, a required `reason`, and may
 * be scoped to indicator families or kinds:
 *
 * ```yaml
 * exclusions:
 *   - value: 8.8.8.8                  # the indicator or the matched value, canonical, exact
 *     reason: public resolver
 *   - range: 192.0.2.0/24             # the matched address (or a URL's address host)
 *     reason: our sinkhole
 *   - peer_range: 10.20.0.0/16        # the event's other side: the address that talked to
 *     reason: vulnerability scanners  # (or was contacted by) the indicator
 *   - domain: corp.example.com        # the matched host name, equal or under it
 *     reason: our own domain
 *   - url_prefix: https://updates.example.com/   # the event's URL starts with it
 *     reason: vendor update server
 *   - host: SCANNER01                 # the reporting device (Dvc), case-insensitive
 *     reason: scanner
 *   - process: C:\Tools\nmap.exe      # a full path, or an image name (`nmap.exe`)
 *     reason: scanner
 *   - command_line_contains: --scan   # case-insensitive substring
 *     reason: scanner
 *     family: [Cobalt Strike]         # optional: only findings of these families
 *     kind: [ipv4, ip:port]           # optional: only findings of these indicator kinds
 * ```
 *
 * The first entry that matches a finding excludes it, so a finding can name the rule and the
 * reason. Lookups are by key (a set of values, a map of domains walked by label, of devices,
 * of image names, of URL hosts, and a segment index of ranges); only `command_line_contains`
 * scans its entries.
 */
import { readFile } from 'node:fs/promises'
import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type YAMLMap,
  type Node as YamlNode,
} from 'yaml'
import { HuntpackError } from '../errors.ts'
import { classify, type Failure, parseIPv4, parseIPv6 } from '../intel/classify.ts'
import { INDICATOR_KINDS, type IndicatorKind } from '../intel/indicator.ts'
import { ipv6ToBigInt, parseRangeEntry, RangeIndex } from '../intel/warninglist-ip.ts'
import { canonicalHost, canonicalUrl } from '../logs/normalise.ts'
import type { Finding } from './finding.ts'
import { peerAddress } from './summary.ts'

/** The keys that say what an entry matches; every entry has exactly one. */
export const EXCLUSION_SELECTORS = [
  'value',
  'range',
  'peer_range',
  'domain',
  'url_prefix',
  'host',
  'process',
  'command_line_contains',
] as const

export type ExclusionSelector = (typeof EXCLUSION_SELECTORS)[number]

const SCOPE_KEYS = ['reason', 'family', 'kind'] as const

export interface Exclusion {
  selector: ExclusionSelector
  /** The selector's value as written in the file. */
  text: string
  /** What is compared: canonical value, host, lower-cased name or text, masked range. */
  key: string
  reason: string
  /** Lower-cased family names or ids; undefined: any family. */
  families?: readonly string[]
  /** Undefined: any kind. */
  kinds?: readonly IndicatorKind[]
  file: string
  /** 1-based line of the entry. */
  line: number
  /** 0-based position in the file; the first matching position wins. */
  index: number
}

/** An exclusion file that cannot be used; the message names file, line and the problem. */
export class ExclusionFileError extends HuntpackError {
  constructor(message: string, file: string, line?: number, options?: ErrorOptions) {
    super('ERR_INPUT', message, { file, line }, options)
  }
}

/** `value 8.8.8.8 (allow.yaml:3)`: which rule excluded a finding, for outputs. */
export function describeExclusion(exclusion: Exclusion): string {
  return `${exclusion.selector} ${exclusion.text} (${exclusion.file}:${exclusion.line})`
}

/** Reads and checks an exclusion file. */
export async function loadExclusions(path: string): Promise<ExclusionSet> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'unreadable'
    throw new ExclusionFileError(`cannot read the exclusion file: ${reason}`, path, undefined, {
      cause: error,
    })
  }
  return ExclusionSet.parse(text, path)
}

type Entries = Exclusion[]

export class ExclusionSet {
  /** Every entry, in file order. */
  readonly entries: readonly Exclusion[]
  #values = new Map<string, Entries>()
  #domains = new Map<string, Entries>()
  #hosts = new Map<string, Entries>()
  #paths = new Map<string, Entries>()
  #images = new Map<string, Entries>()
  #urlHosts = new Map<string, Entries>()
  #commandLines: Entries = []
  #ranges = new RangeLookup()
  #peerRanges = new RangeLookup()

  constructor(entries: readonly Exclusion[]) {
    this.entries = entries
    for (const entry of entries) {
      switch (entry.selector) {
        case 'value':
          add(this.#values, entry.key, entry)
          break
        case 'range':
          this.#ranges.add(entry)
          break
        case 'peer_range':
          this.#peerRanges.add(entry)
          break
        case 'domain':
          add(this.#domains, entry.key, entry)
          break
        case 'url_prefix':
          add(this.#urlHosts, canonicalUrl(entry.key)?.host ?? '', entry)
          break
        case 'host':
          add(this.#hosts, entry.key, entry)
          break
        case 'process':
          add(isPath(entry.key) ? this.#paths : this.#images, entry.key, entry)
          break
        case 'command_line_contains':
          this.#commandLines.push(entry)
          break
      }
    }
    this.#ranges.build()
    this.#peerRanges.build()
  }

  get size(): number {
    return this.entries.length
  }

  /**
   * Parses an exclusion file's text; `file` names it in errors.
   *
   * @example ExclusionSet.parse('exclusions:\n  - value: 8.8.8.8\n    reason: resolver\n', 'a.yaml')
   */
  static parse(text: string, file: string): ExclusionSet {
    return new ExclusionSet(parseExclusions(text, file))
  }

  /** The first entry (in file order) that excludes the finding, or undefined. */
  match(finding: Finding): Exclusion | undefined {
    const best = new Best(finding)
    const { indicator, event } = finding

    best.consider(this.#values.get(indicator.value))
    if (finding.matched !== indicator.value) best.consider(this.#values.get(finding.matched))
    if (indicator.ip !== undefined) best.consider(this.#values.get(indicator.ip))

    const host = finding.field === 'Url' ? event.UrlHost : finding.matched
    if (host !== null) {
      if (this.#domains.size > 0) {
        for (let at = 0; at >= 0; at = host.indexOf('.', at + 1)) {
          best.consider(this.#domains.get(at === 0 ? host : host.slice(at + 1)))
        }
      }
      best.considerAll(this.#ranges.lookup(host))
    }
    const peer = peerAddress(finding)
    if (peer !== null) best.considerAll(this.#peerRanges.lookup(peer))

    if (event.Url !== null && event.UrlHost !== null) {
      const url = event.Url
      best.consider(this.#urlHosts.get(event.UrlHost)?.filter((e) => url.startsWith(e.key)))
    }
    if (event.Dvc !== null && this.#hosts.size > 0) {
      const device = event.Dvc.trim().toLowerCase()
      best.consider(this.#hosts.get(device))
      const dot = device.indexOf('.')
      if (dot > 0) best.consider(this.#hosts.get(device.slice(0, dot)))
    }
    if (event.Process !== null && this.#paths.size + this.#images.size > 0) {
      const path = event.Process.trim().toLowerCase()
      best.consider(this.#paths.get(path))
      best.consider(this.#images.get(path.slice(lastSeparator(path) + 1)))
    }
    if (event.CommandLine !== null && this.#commandLines.length > 0) {
      const commandLine = event.CommandLine.toLowerCase()
      best.consider(this.#commandLines.filter((e) => commandLine.includes(e.key)))
    }
    return best.entry
  }
}

/** Keeps the earliest entry in scope among those offered. */
class Best {
  entry: Exclusion | undefined
  readonly #finding: Finding

  constructor(finding: Finding) {
    this.#finding = finding
  }

  /** `entries` in file order; the first in scope is the only candidate among them. */
  consider(entries: readonly Exclusion[] | undefined): void {
    if (entries === undefined) return
    for (const entry of entries) {
      if (this.entry !== undefined && entry.index >= this.entry.index) return
      if (inScope(entry, this.#finding)) {
        this.entry = entry
        return
      }
    }
  }

  considerAll(entries: Iterable<Exclusion>): void {
    for (const entry of entries) this.consider([entry])
  }
}

function inScope(entry: Exclusion, finding: Finding): boolean {
  const { kinds, families } = entry
  if (kinds !== undefined && !kinds.includes(finding.indicator.kind)) return false
  if (families === undefined) return true
  const { family, familyId } = finding.indicator
  return (
    (family !== undefined && families.includes(family.toLowerCase())) ||
    (familyId !== undefined && families.includes(familyId.toLowerCase()))
  )
}

function add(map: Map<string, Entries>, key: string, entry: Exclusion): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [entry])
  else list.push(entry)
}

function isPath(text: string): boolean {
  return lastSeparator(text) >= 0
}

function lastSeparator(path: string): number {
  return Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'))
}

/** Range entries of one selector, both address families, looked up by one binary search. */
class RangeLookup {
  #entries: Exclusion[] = []
  #v4 = new RangeIndex()
  #v6 = new RangeIndex()

  add(entry: Exclusion): void {
    const range = parseRangeEntry(entry.key)
    if (typeof range === 'string') throw new Error(`unchecked range ${entry.key}`)
    const id = this.#entries.push(entry) - 1
    if (range.v6) this.#v6.add(id, range.start, range.end)
    else this.#v4.add(id, range.start, range.end)
  }

  build(): void {
    this.#v4.build()
    this.#v6.build()
  }

  /** Entries whose range holds `address`, in file order; none when it is not an address. */
  lookup(address: string): Exclusion[] {
    if (this.#entries.length === 0) return []
    let ids: readonly number[]
    if (address.includes(':')) {
      const groups = parseIPv6(address)
      if (groups === undefined) return []
      ids = this.#v6.lookup(ipv6ToBigInt(groups))
    } else {
      const n = parseIPv4(address)
      if (n < 0) return []
      ids = this.#v4.lookup(n)
    }
    return ids.map((id) => this.#entries[id] as Exclusion)
  }
}

// ---------------------------------------------------------------------------------------------
// The file

const FORMAT_HINT =
  'an exclusion file is a mapping with one key, `exclusions:`, holding a list of entries'

function parseExclusions(text: string, file: string): Exclusion[] {
  const lines = new LineCounter()
  const doc = parseDocument(text, {
    lineCounter: lines,
    schema: 'failsafe',
    prettyErrors: false,
    uniqueKeys: true,
  })
  const lineOf = (node: { range?: readonly number[] | null } | null | undefined): number =>
    lines.linePos(node?.range?.[0] ?? 0).line
  const fail = (message: string, line: number): never => {
    throw new ExclusionFileError(message, file, line)
  }

  const yamlError = doc.errors[0]
  if (yamlError !== undefined) {
    fail(`not valid YAML: ${yamlError.message}`, lines.linePos(yamlError.pos[0]).line)
  }
  const root = doc.contents
  if (root === null) return fail(`the file is empty; ${FORMAT_HINT}`, 1)
  if (!isMap(root)) return fail(FORMAT_HINT, lineOf(root))
  let list: YamlNode | null = null
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : ''
    if (key !== 'exclusions') {
      fail(`unknown key ${quote(key)}; ${FORMAT_HINT}`, lineOf(pair.key as YamlNode))
    }
    list = pair.value as YamlNode | null
    if (!isSeq(list)) {
      // `exclusions:` with nothing under it is an empty list in YAML's eyes too.
      if (isScalar(list) && list.value === '') return []
      fail('`exclusions:` must hold a list of entries, each starting with `- `', lineOf(list))
    }
  }
  if (!isSeq(list)) return fail(`no \`exclusions:\` list; ${FORMAT_HINT}`, lineOf(root))

  const entries: Exclusion[] = []
  for (const item of list.items) {
    const line = lineOf(item as YamlNode)
    if (!isMap(item)) {
      fail('an exclusion must be a mapping such as `value: 8.8.8.8` with a `reason:`', line)
    }
    entries.push(parseEntry(item as YAMLMap, file, line, entries.length, lineOf, fail))
  }
  return entries
}

function parseEntry(
  map: YAMLMap,
  file: string,
  line: number,
  index: number,
  lineOf: (node: YamlNode | null | undefined) => number,
  fail: (message: string, line: number) => never,
): Exclusion {
  let selector: ExclusionSelector | undefined
  let selectorNode: YamlNode | undefined
  let reason: string | undefined
  let families: string[] | undefined
  let kinds: IndicatorKind[] | undefined

  for (const pair of map.items) {
    const keyNode = pair.key as YamlNode
    const valueNode = pair.value as YamlNode | null
    const key = isScalar(keyNode) ? String(keyNode.value) : ''
    const at = lineOf(keyNode)
    if ((EXCLUSION_SELECTORS as readonly string[]).includes(key)) {
      if (selector !== undefined) {
        fail(
          `an exclusion has one selector, this one has ${quote(selector)} and ${quote(key)}; ` +
            'write two entries',
          at,
        )
      }
      selector = key as ExclusionSelector
      selectorNode = valueNode ?? keyNode
    } else if (key === 'reason') {
      reason = scalarText(valueNode, key, at, fail).trim()
    } else if (key === 'family') {
      families = textList(valueNode, key, at, fail).map((f) => f.toLowerCase())
    } else if (key === 'kind') {
      kinds = textList(valueNode, key, at, fail).map((kind) => {
        if (!(INDICATOR_KINDS as readonly string[]).includes(kind)) {
          fail(`unknown indicator kind ${quote(kind)}; use ${INDICATOR_KINDS.join(', ')}`, at)
        }
        return kind as IndicatorKind
      })
    } else {
      fail(
        `unknown key ${quote(key)}; an exclusion takes one of ${EXCLUSION_SELECTORS.join(', ')}, ` +
          `and ${SCOPE_KEYS.join(', ')}`,
        at,
      )
    }
  }

  if (selector === undefined || selectorNode === undefined) {
    return fail(
      `an exclusion needs one selector: ${EXCLUSION_SELECTORS.join(', ')} ` +
        '(to leave out a whole family or kind, filter the intel instead)',
      line,
    )
  }
  if (reason === undefined || reason === '') {
    fail(`the ${selector} exclusion has no reason; say why it is safe to leave out`, line)
  }
  const at = lineOf(selectorNode)
  const text = scalarText(selectorNode, selector, at, fail)
  const key = selectorKey(selector, text.trim())
  if (typeof key !== 'string') return fail(key.problem, at)
  return { selector, text, key, reason: reason as string, families, kinds, file, line, index }
}

/** The compared form of a selector's text, or what is wrong with it. */
function selectorKey(selector: ExclusionSelector, text: string): string | { problem: string } {
  if (text === '') return { problem: `the ${selector} is empty` }
  switch (selector) {
    case 'value': {
      const value = classify(text, undefined, { defanged: true })
      return value.ok
        ? value.value
        : { problem: `the value can never match an indicator: ${value.reason}` }
    }
    case 'range':
    case 'peer_range': {
      const slash = text.indexOf('/')
      const range = classify(text, 'cidr')
      if (slash < 0 || !range.ok) {
        const why = slash < 0 ? 'it has no /prefix' : (range as Failure).reason
        return { problem: `${quote(text)} is not a CIDR range (address/prefix): ${why}` }
      }
      const address = classify(text.slice(0, slash), 'ip')
      const network = range.value.slice(0, range.value.indexOf('/'))
      if (address.ok && address.value !== network) {
        return {
          problem: `${quote(text)} has host bits set; the range is ${range.value}, write that`,
        }
      }
      return range.value
    }
    case 'domain': {
      const host = text.startsWith('*.') || text.startsWith('.') ? null : canonicalHost(text)
      if (host === null || !/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)+$/.test(host)) {
        return {
          problem:
            `${quote(text)} is not a domain; write a name with a dot and no wildcard ` +
            '(it covers the names under it), or use `value:` or `range:` for addresses',
        }
      }
      if (/^[0-9.]+$/.test(host)) return { problem: `${quote(text)} is an address; use value:` }
      return host
    }
    case 'url_prefix': {
      const url = /^(?:https?|ftp):\/\//i.test(text) ? canonicalUrl(text) : null
      if (url === null || url.host === null) {
        return { problem: `${quote(text)} is not a URL starting with http://, https:// or ftp://` }
      }
      return url.url
    }
    case 'host':
    case 'process':
    case 'command_line_contains':
      return text.toLowerCase()
  }
}

function scalarText(
  node: YamlNode | null,
  key: string,
  line: number,
  fail: (message: string, line: number) => never,
): string {
  if (!isScalar(node))
    return fail(`${quote(key)} must be one piece of text, not a list or map`, line)
  return String(node.value)
}

function textList(
  node: YamlNode | null,
  key: string,
  line: number,
  fail: (message: string, line: number) => never,
): string[] {
  const items = isSeq(node) ? node.items : [node]
  const texts = items.map((item) => scalarText(item as YamlNode | null, key, line, fail).trim())
  if (texts.length === 0 || texts.includes('')) fail(`${quote(key)} has an empty name`, line)
  return texts
}

function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 77)}...` : text)
}
