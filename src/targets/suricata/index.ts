/**
 * @module
 * The `suricata` target: `suricata/<pack id>.rules` (the id in ASCII), alerting rules for the pack's hunted
 * values, with the lists some of them read written beside them (keep them in one folder).
 *
 * - `ip:port`: traffic between `$HOME_NET` and the address on that port, either way (`<>`), TCP.
 * - Addresses and ranges: IP-only rules over lists of up to 50 (`[a,b,c]`), either way.
 * - Domains: the DNS query, TLS SNI and HTTP host equal the name or end in `.name`
 *   (`dotprefix; content:".name"; endswith`), as the KQL hunts match. Above
 *   `DATASET_THRESHOLD` domains the three rules read a dataset instead (`<pack>-domains.lst`,
 *   base64 lines as Suricata's `type string` wants), which matches whole names only.
 * - URLs: the HTTP host and the URI (path and query) equal the URL's, on its port when it has
 *   one; `http.uri.raw` when the URL holds `%`-escapes, which `http.uri` would see decoded.
 *   https URLs match only traffic Suricata sees decrypted; ftp URLs get no rule (the file says
 *   how many).
 * - Hashes: `filemd5`, `filesha1`, `filesha256` over `<pack>-<algorithm>.lst` for files in
 *   HTTP and SMTP; Suricata must hash files (`file-store` or `force-hash` in suricata.yaml).
 *
 * Every rule has `classtype:trojan-activity`, `rev:1`, a reference to the record page, and a
 * sid from 1,000,000,000 to 1,999,999,999 that stays the same for a pack and rule key (see
 * `stableSid`): the key is the protocol and value for one-value rules, the list for list rules.
 */
import { createHash } from 'node:crypto'
import { isIP } from 'node:net'
import type { Indicator } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'
import { indicatorLinks, unwritable } from '../stix/references.ts'
import type { Target, TargetFile } from '../target.ts'
import { contentPattern, messageText, metadataToken, referenceUrl, stableSid } from './syntax.ts'

/** More domains than this in a pack are matched through a dataset. */
export const DATASET_THRESHOLD = 200
/** Addresses per IP-only rule: short enough to read in an alert, few enough rules. */
const ADDRESS_CHUNK = 50
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9_-]{1,63}\.)+[a-z0-9_-]{1,63}$/
const HASHES = [
  ['md5', 'filemd5', 'MD5'],
  ['sha1', 'filesha1', 'SHA-1'],
  ['sha256', 'filesha256', 'SHA-256'],
] as const

export const suricataTarget: Target = {
  id: 'suricata',
  describe: 'Suricata rules for addresses, DNS, TLS SNI, HTTP hosts, URLs and file hashes',
  emit(content) {
    return suricataFiles(content)
  },
}

export interface SuricataOptions {
  /** Domains above which a dataset is read; `DATASET_THRESHOLD` unless a test sets it. */
  datasetThreshold?: number
}

interface RuleContext {
  content: PackContent
  sids: Set<number>
  rules: string[]
  /** The pack name as a token for file and dataset names. */
  token: string
}

export function suricataFiles(content: PackContent, options: SuricataOptions = {}): TargetFile[] {
  const { pack } = content
  const dir = `${pack.id}/suricata`
  const token = fileToken(pack.id)
  const ctx: RuleContext = { content, sids: new Set(), rules: [], token }
  const files: TargetFile[] = []
  const byKind = new Map<string, Indicator[]>()
  for (const indicator of pack.indicators) {
    const group = indicator.kind === 'ipv4' || indicator.kind === 'ipv6' ? 'cidr' : indicator.kind
    const list = byKind.get(group)
    if (list) list.push(indicator)
    else byKind.set(group, [indicator])
  }

  for (const indicator of byKind.get('ip:port') ?? []) ipPortRule(ctx, indicator)
  addressRules(ctx, byKind.get('cidr') ?? [])
  const domains = byKind.get('domain') ?? []
  for (const indicator of domains) checkHostname(ctx, indicator, indicator.value)
  if (domains.length > (options.datasetThreshold ?? DATASET_THRESHOLD)) {
    const file = `${token}-domains.lst`
    files.push({ path: `${dir}/${file}`, content: datasetLines(domains) })
    datasetRules(ctx, domains.length, file)
  } else {
    for (const indicator of domains) domainRules(ctx, indicator)
  }
  let skipped = 0
  for (const indicator of byKind.get('url') ?? []) {
    if (!urlRule(ctx, indicator)) skipped++
  }
  for (const [kind, keyword, name] of HASHES) {
    const hashes = byKind.get(kind) ?? []
    if (hashes.length === 0) continue
    const file = `${token}-${kind}.lst`
    for (const indicator of hashes) {
      if (!/^[0-9a-f]+$/.test(indicator.value)) {
        throw unwritable('suricata', pack.id, indicator, 'not a lower-case hex hash')
      }
    }
    files.push({ path: `${dir}/${file}`, content: `${hashes.map((h) => h.value).join('\n')}\n` })
    hashRules(ctx, hashes, keyword, name, file)
  }

  const header = [
    `# huntpack Suricata rules: ${messageText(pack.title)} (pack ${pack.id})`,
    '# sids 1000000000-1999999999, stable per pack and rule (SHA-1 of "<pack id>/<rule key>").',
  ]
  if (files.length > 0) {
    const names = files.map((f) => f.path.slice(dir.length + 1)).join(', ')
    header.push(`# Rules read ${names}: keep them in the folder of this file.`)
  }
  if (skipped > 0) header.push(`# ${skipped} ftp URL(s) have no rule: HTTP rules cannot see them.`)
  const rules = [...header, ...ctx.rules].map((line) => `${line}\n`)
  return [{ path: `${dir}/${token}.rules`, content: rules }, ...files]
}

function ipPortRule(ctx: RuleContext, indicator: Indicator): void {
  const { ip, port } = indicator
  if (ip === undefined || isIP(ip) === 0 || port === undefined || !validPort(port)) {
    throw unwritable('suricata', ctx.content.pack.id, indicator, 'no valid address and port')
  }
  rule(ctx, `ip:port/${indicator.value}`, [indicator], {
    header: `alert tcp $HOME_NET any <> ${ip} ${port}`,
    msg: `${family(ctx, indicator)} C2 traffic with ${indicator.value}`,
    options: [],
  })
}

function addressRules(ctx: RuleContext, indicators: Indicator[]): void {
  for (const indicator of indicators) {
    const [address = '', prefix, ...rest] = indicator.value.split('/')
    const validPrefix = prefix === undefined || /^\d{1,3}$/.test(prefix)
    if (isIP(address) === 0 || !validPrefix || rest.length > 0) {
      throw unwritable('suricata', ctx.content.pack.id, indicator, 'not an address or range')
    }
  }
  for (let at = 0; at < indicators.length; at += ADDRESS_CHUNK) {
    const chunk = indicators.slice(at, at + ADDRESS_CHUNK)
    const n = at / ADDRESS_CHUNK + 1
    rule(ctx, `addresses/${n}`, chunk, {
      header: `alert ip $HOME_NET any <> [${chunk.map((i) => i.value).join(',')}] any`,
      msg: `${ctx.content.pack.name} listed addresses (${n}: ${chunk.length} of ${indicators.length})`,
      options: [],
    })
  }
}

/** Each protocol that names the server: the buffer, and `nocase` where the name is as sent. */
const NAME_BUFFERS = [
  ['dns', 'dns', 'DNS query', 'dns.query', true],
  ['tls', 'tls', 'TLS SNI', 'tls.sni', true],
  // Suricata lower-cases http.host, so a lower-case pattern needs no nocase.
  ['http', 'http', 'HTTP host', 'http.host', false],
] as const

function domainRules(ctx: RuleContext, indicator: Indicator): void {
  const pattern = contentPattern(`.${indicator.value}`)
  for (const [key, proto, what, buffer, nocase] of NAME_BUFFERS) {
    rule(ctx, `${key}/${indicator.value}`, [indicator], {
      header: `alert ${proto} $HOME_NET any -> any any`,
      msg: `${family(ctx, indicator)} ${what} ${indicator.value}`,
      options: [
        ...(proto === 'dns' ? [] : ['flow:established,to_server']),
        buffer,
        'dotprefix',
        `content:"${pattern}"`,
        ...(nocase ? ['nocase'] : []),
        'endswith',
      ],
    })
  }
}

function datasetRules(ctx: RuleContext, count: number, file: string): void {
  const name = `huntpack-${ctx.token}-domains`
  for (const [key, proto, what, buffer] of NAME_BUFFERS) {
    rule(ctx, `${key}/dataset`, [], {
      header: `alert ${proto} $HOME_NET any -> any any`,
      msg: `${ctx.content.pack.name} ${what} on the pack's list of ${count} domains`,
      options: [
        ...(proto === 'dns' ? [] : ['flow:established,to_server']),
        buffer,
        `dataset:isset,${name},type string,load ${file}`,
      ],
    })
  }
}

/** A `type string` dataset file: each value base64-encoded on its own line. */
function datasetLines(indicators: Indicator[]): string {
  return indicators.map((i) => `${Buffer.from(i.value, 'utf8').toString('base64')}\n`).join('')
}

function urlRule(ctx: RuleContext, indicator: Indicator): boolean {
  let url: URL
  try {
    url = new URL(indicator.value)
  } catch {
    throw unwritable('suricata', ctx.content.pack.id, indicator, 'not a URL')
  }
  if (url.protocol === 'ftp:') return false
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw unwritable('suricata', ctx.content.pack.id, indicator, 'not an http or https URL')
  }
  const host = url.hostname
  if (isIP(host.replace(/^\[|\]$/g, '')) === 0) checkHostname(ctx, indicator, host)
  const uri = `${url.pathname}${url.search}`
  const port = url.port === '' ? 'any' : url.port
  rule(ctx, `url/${indicator.value}`, [indicator], {
    header: `alert http $HOME_NET any -> any ${port}`,
    msg: `${family(ctx, indicator)} URL ${indicator.value}`,
    options: [
      'flow:established,to_server',
      'http.host',
      `content:"${contentPattern(host)}"`,
      'startswith',
      'endswith',
      uri.includes('%') ? 'http.uri.raw' : 'http.uri',
      `content:"${contentPattern(uri)}"`,
      'startswith',
      'endswith',
    ],
  })
  return true
}

function hashRules(
  ctx: RuleContext,
  hashes: Indicator[],
  keyword: string,
  name: string,
  file: string,
): void {
  for (const proto of ['http', 'smtp']) {
    rule(ctx, `${keyword}/${proto}`, hashes, {
      header: `alert ${proto} any any -> any any`,
      msg: `${ctx.content.pack.name} file ${name} on the pack's list of ${hashes.length} (${proto.toUpperCase()})`,
      options: [`${keyword}:${file}`],
    })
  }
}

interface RuleParts {
  header: string
  msg: string
  /** Detection options, between `msg` and the reference. */
  options: string[]
}

function rule(ctx: RuleContext, key: string, indicators: Indicator[], parts: RuleParts): void {
  const { pack } = ctx.content
  const sid = stableSid(pack.id, key, ctx.sids)
  const references: string[] = []
  for (const indicator of indicators.slice(0, 1)) {
    for (const link of indicatorLinks(ctx.content, indicator)) {
      const url = referenceUrl(link.url)
      if (url !== undefined && references.length < 2) references.push(`reference:url,${url}`)
    }
  }
  const first = indicators[0]
  const metadata = [
    `huntpack_pack ${metadataToken(pack.id)}`,
    `malware_family ${metadataToken(first?.family ?? pack.name)}`,
    ...(first && indicators.length === 1 ? [`indicator_kind ${metadataToken(first.kind)}`] : []),
    ...(first?.confidence !== undefined && indicators.length === 1
      ? [`confidence ${first.confidence}`]
      : []),
    ...(first?.firstSeen !== undefined && indicators.length === 1
      ? [`first_seen ${first.firstSeen.slice(0, 10).replaceAll('-', '_')}`]
      : []),
  ]
  const options = [
    `msg:"huntpack ${messageText(parts.msg)}"`,
    ...parts.options,
    ...references,
    'classtype:trojan-activity',
    `sid:${sid}`,
    'rev:1',
    `metadata:${metadata.join(', ')}`,
  ]
  ctx.rules.push(`${parts.header} (${options.join('; ')};)`)
}

function family(ctx: RuleContext, indicator: Indicator): string {
  return indicator.family ?? ctx.content.pack.name
}

function checkHostname(ctx: RuleContext, indicator: Indicator, host: string): void {
  if (!HOSTNAME.test(host)) {
    throw unwritable(
      'suricata',
      ctx.content.pack.id,
      indicator,
      `${JSON.stringify(host)} is not a lower-case hostname`,
    )
  }
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535
}

/**
 * A file or dataset name part: the pack id when it is lower-case ASCII (as rebuilds can remove
 * it), else its ASCII letters and a hash of the id, so two packs never share a name.
 */
function fileToken(packId: string): string {
  const ascii = packId
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  if (ascii === packId) return ascii
  const hash = createHash('sha1').update(packId, 'utf8').digest('hex').slice(0, 8)
  return ascii === '' ? hash : `${ascii}-${hash}`
}
