/**
 * @module
 * The `zeek` target: an Intel framework file (`zeek/intel.dat`) and a `zeek/intel.zeek` that
 * reads it, so `@load <pack>/zeek/intel.zeek` in `local.zeek` hunts the pack's indicators in conn, DNS,
 * HTTP, TLS and file logs, each hit written to `intel.log`.
 *
 * The Intel framework matches whole values: a domain matches that name only, not its
 * subdomains (the KQL hunts match both), and a URL matches the host and URI Zeek rebuilds from
 * HTTP requests, so https URLs match only where Zeek sees the decrypted request. An `ip:port`
 * becomes its address (Intel has no port type) with the ports in `meta.desc`; all lines for one
 * address are merged into one, since the framework keeps one entry per value and source.
 */
import type { Indicator } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'
import { indicatorLinks, oneLine, unwritable } from '../stix/references.ts'
import type { Target } from '../target.ts'

const INTEL_TYPES: Record<Indicator['kind'], string> = {
  ipv4: 'Intel::ADDR',
  ipv6: 'Intel::ADDR',
  'ip:port': 'Intel::ADDR',
  cidr: 'Intel::SUBNET',
  domain: 'Intel::DOMAIN',
  url: 'Intel::URL',
  md5: 'Intel::FILE_HASH',
  sha1: 'Intel::FILE_HASH',
  sha256: 'Intel::FILE_HASH',
}

export const ZEEK_FIELDS = ['indicator', 'indicator_type', 'meta.source', 'meta.desc', 'meta.url']

export const zeekTarget: Target = {
  id: 'zeek',
  describe: 'a Zeek Intel framework file and a script that loads it',
  emit(content) {
    const dir = `${content.pack.id}/zeek`
    return [
      { path: `${dir}/intel.dat`, content: zeekIntel(content) },
      { path: `${dir}/intel.zeek`, content: zeekScript(content) },
    ]
  },
}

interface IntelEntry {
  indicator: string
  type: string
  ports: number[]
  /** Every indicator written as this value: an address's `ip:port`s and the address itself. */
  indicators: Indicator[]
  url?: string
}

/** The Intel file: a `#fields` header, then one tab-separated line per value and type. */
export function zeekIntel(content: PackContent): string[] {
  const { pack } = content
  const entries = new Map<string, IntelEntry>()
  for (const indicator of pack.indicators) {
    const value = intelValue(indicator)
    // A value that is not one token would split its line into other fields, or other lines.
    if (!/^[\x21-\x7e]+$/.test(value)) {
      throw unwritable('zeek', pack.id, indicator, 'it holds spaces, tabs or non-ASCII text')
    }
    const type = INTEL_TYPES[indicator.kind]
    const key = `${type}\t${value}`
    let entry = entries.get(key)
    if (!entry) {
      entry = { indicator: value, type, ports: [], indicators: [] }
      entries.set(key, entry)
    }
    entry.indicators.push(indicator)
    if (indicator.port !== undefined && !entry.ports.includes(indicator.port)) {
      entry.ports.push(indicator.port)
    }
    entry.url ??= indicatorLinks(content, indicator)[0]?.url
  }
  const source = `huntpack:${pack.id}`
  const lines = [`#fields\t${ZEEK_FIELDS.join('\t')}\n`]
  for (const entry of entries.values()) {
    const fields = [entry.indicator, entry.type, source, describe(entry), entry.url ?? '-']
    lines.push(`${fields.map((field, i) => (i < 2 ? field : zeekString(field))).join('\t')}\n`)
  }
  return lines
}

/** What Zeek compares: URLs without their scheme (`host[:port]/path`), the rest as they are. */
function intelValue(indicator: Indicator): string {
  if (indicator.kind === 'ip:port') return indicator.ip ?? indicator.value
  if (indicator.kind === 'url') return indicator.value.replace(/^[a-z]+:\/\//, '')
  return indicator.value
}

/** Family, kinds, ports, threat types, the highest confidence and the first sighting. */
function describe(entry: IntelEntry): string {
  const unique = (values: (string | undefined)[]) => [
    ...new Set(values.filter((v): v is string => v !== undefined)),
  ]
  const { indicators } = entry
  const parts = [
    unique(indicators.map((i) => i.family)).join(', ') || 'unknown family',
    unique(indicators.map((i) => i.kind)).join(', '),
  ]
  if (entry.ports.length > 0) {
    parts.push(`${entry.ports.length === 1 ? 'port' : 'ports'} ${entry.ports.join(', ')}`)
  }
  const threatTypes = unique(indicators.flatMap((i) => i.threatTypes))
  if (threatTypes.length > 0) parts.push(threatTypes.join(', '))
  const confidences = indicators.flatMap((i) => (i.confidence === undefined ? [] : [i.confidence]))
  if (confidences.length > 0) parts.push(`confidence ${Math.max(...confidences)}`)
  const firstSeen = unique(indicators.map((i) => i.firstSeen)).sort()[0]
  if (firstSeen !== undefined) parts.push(`first seen ${firstSeen}`)
  return parts.join('; ')
}

/**
 * A string field as Zeek's ASCII reader takes it back: it reads `\xHH` escapes, so a backslash,
 * a tab, a line break or any other control character is written that way; `-` and `(empty)`,
 * which the reader takes as unset and empty, and an empty value are escaped too.
 */
export function zeekString(text: string): string {
  if (text === '') return '(empty)'
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
  const escaped = text.replace(/[\\\u0000-\u001f\u007f]/g, (c) => `\\x${hex(c)}`)
  if (escaped === '-' || escaped === '(empty)')
    return `\\x${hex(escaped.charAt(0))}${escaped.slice(1)}`
  return escaped
}

function hex(c: string): string {
  return c.charCodeAt(0).toString(16).padStart(2, '0')
}

/** Loads the Intel file beside it and the scripts that feed the framework from each log. */
export function zeekScript(content: PackContent): string {
  const title = oneLine(content.pack.title)
  return [
    `# huntpack: ${title} (pack ${content.pack.id})`,
    '# Load it from local.zeek (@load <path>/zeek/intel.zeek); hits are written to intel.log.',
    '@load frameworks/intel/seen',
    '@load frameworks/files/hash-all-files',
    '',
    'redef Intel::read_files += { @DIR + "/intel.dat" };',
    '',
  ].join('\n')
}
