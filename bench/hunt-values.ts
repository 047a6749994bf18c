/**
 * @module
 * The values the hunt benchmark's logs are made of: indicators (with the ThreatFox CSV they are
 * written as), pools of benign addresses, names and user agents, and a buffered line writer
 * that says when the next planted event is due. Indicator and benign values are drawn from
 * disjoint ranges (see `generate-logs.ts`), so only planted events can match.
 */
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs'
import type { MatchField, MatchKind } from '../src/hunt/finding.ts'

export type Next = () => number

export interface BenchIndicator {
  kind: 'ip:port' | 'domain' | 'url' | 'md5' | 'sha256'
  value: string
  ip?: string
  port?: number
  /** URLs: host and path with query. */
  host?: string
  path?: string
  family: number
}

const FAMILIES = [
  ['win.xworm', 'XWorm'],
  ['win.asyncrat', 'AsyncRAT'],
  ['win.remcos', 'Remcos'],
  ['win.lumma', 'Lumma Stealer'],
  ['win.cobalt_strike', 'Cobalt Strike'],
  ['win.qakbot', 'QakBot'],
  ['win.agent_tesla', 'Agent Tesla'],
  ['win.redline_stealer', 'RedLine Stealer'],
  ['win.vidar', 'Vidar'],
  ['win.dcrat', 'DCRat'],
  ['win.njrat', 'NjRAT'],
  ['win.sliver', 'Sliver'],
  ['elf.mirai', 'Mirai'],
  ['win.emotet', 'Emotet'],
  ['win.icedid', 'IcedID'],
  ['win.pikabot', 'Pikabot'],
  ['win.darkgate', 'DarkGate'],
  ['win.netsupportmanager_rat', 'NetSupportManager RAT'],
  ['win.havoc', 'Havoc'],
  ['win.stealc', 'Stealc'],
  ['win.amadey', 'Amadey'],
  ['win.smokeloader', 'SmokeLoader'],
  ['win.formbook', 'Formbook'],
  ['win.meduza_stealer', 'Meduza Stealer'],
  ['js.clearfake', 'ClearFake'],
  ['win.rhadamanthys', 'Rhadamanthys'],
  ['win.bumblebee', 'BumbleBee'],
  ['win.latrodectus', 'Latrodectus'],
  ['win.quasar_rat', 'Quasar RAT'],
  ['apk.hook', 'Hook'],
] as const

/** First octets of indicator addresses; benign public traffic never uses them. */
const C2_OCTETS = [
  5, 31, 37, 45, 46, 62, 77, 79, 80, 82, 85, 89, 91, 93, 94, 95, 103, 109, 141, 146, 154, 159, 176,
  178, 185, 188, 193, 194, 195, 212, 213, 217,
]
/** First octets of benign public addresses. */
const BENIGN_OCTETS = [13, 17, 20, 23, 34, 35, 40, 52, 54, 104, 142, 151, 157, 199, 204, 205, 208]
/** Top-level domains of indicator names; benign names end in `com`, `net`, `org`, `us`, `io`. */
const C2_TLDS = ['top', 'xyz', 'shop', 'ru', 'info', 'online', 'site', 'biz', 'cc', 'pw', 'icu']
export const C2_PORTS = [443, 80, 8080, 4782, 7000, 2404, 1604, 5552, 6606, 8443, 3389, 4444, 9000]
const SYLLABLES = ['ka', 'vo', 'tri', 'lex', 'mon', 'ra', 'zen', 'qu', 'pol', 'ser', 'dax', 'ni']
export const NAME_PREFIXES = ['api', 'cdn', 'update', 'mail', 'login', 'secure', 'static', 'panel']
const URL_PATHS = ['gate.php', 'index.php', 'panel/admin.php', 'bins/x86', 'dl/setup.exe', 'a.hta']

export function pickOf<T>(next: Next, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T
}

export function wordOf(next: Next, n: number): string {
  let word = ''
  for (let i = 0; i < n; i++) word += pickOf(next, SYLLABLES)
  return word
}

/** Every 16-bit value as four hex digits. */
const HEX4 = Array.from({ length: 65536 }, (_, n) => n.toString(16).padStart(4, '0'))

export function hexOf(next: Next, digits: number, low: boolean): string {
  // The first digit says which side of the hash space a value is on (0-7 indicators, 8-f not).
  let hex = Math.floor(next() * 8 + (low ? 0 : 8)).toString(16)
  while (hex.length < digits) {
    const n = (next() * 0x100000000) >>> 0
    hex += (HEX4[n >>> 16] as string) + (HEX4[n & 0xffff] as string)
  }
  return hex.slice(0, digits)
}

export function makeIndicators(next: Next, count: number): BenchIndicator[] {
  const addresses = new Set<string>()
  const out: BenchIndicator[] = []
  for (let row = 0; row < count; row++) {
    const family = Math.floor(next() ** 2 * FAMILIES.length)
    const id = row.toString(36)
    const roll = next()
    if (roll < 0.3) {
      let ip = ''
      do {
        ip = `${pickOf(next, C2_OCTETS)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${
          1 + Math.floor(next() * 254)
        }`
      } while (addresses.has(ip))
      addresses.add(ip)
      const port = pickOf(next, C2_PORTS)
      out.push({ kind: 'ip:port', value: `${ip}:${port}`, ip, port, family })
    } else if (roll < 0.65) {
      const base = `${wordOf(next, 2)}-${id}.${pickOf(next, C2_TLDS)}`
      const value = next() < 0.3 ? `${pickOf(next, NAME_PREFIXES)}.${base}` : base
      out.push({ kind: 'domain', value, family })
    } else if (roll < 0.85) {
      const host =
        next() < 0.6
          ? `${wordOf(next, 2)}-${id}.${pickOf(next, C2_TLDS)}`
          : `${pickOf(next, NAME_PREFIXES)}.${wordOf(next, 3)}-${id}.${pickOf(next, C2_TLDS)}`
      const path = `/${wordOf(next, 1)}${id}/${pickOf(next, URL_PATHS)}${next() < 0.5 ? `?id=${row}` : ''}`
      const scheme = next() < 0.7 ? 'http' : 'https'
      out.push({ kind: 'url', value: `${scheme}://${host}${path}`, host, path, family })
    } else if (roll < 0.9) {
      out.push({ kind: 'md5', value: hexOf(next, 32, true), family })
    } else {
      out.push({ kind: 'sha256', value: hexOf(next, 64, true), family })
    }
  }
  return out
}

const THREATFOX_TYPES: Record<BenchIndicator['kind'], string> = {
  'ip:port': 'ip:port',
  domain: 'domain',
  url: 'url',
  md5: 'md5_hash',
  sha256: 'sha256_hash',
}

export function writeFeed(path: string, intel: readonly BenchIndicator[]): void {
  const start = Date.UTC(2026, 9, 1)
  const lines = [
    '################################################################',
    '# ThreatFox IOCs: recent additions - CSV format                #',
    '# Last updated: 2026-12-01 00:00:00 UTC                        #',
    '# Generated for huntpack benchmarks: invented values           #',
    '################################################################',
    '#',
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
      '"malware_alias","malware_printable","last_seen_utc","confidence_level",' +
      '"is_compromised","reference","tags","anonymous","reporter"',
  ]
  intel.forEach((indicator, row) => {
    const [id, printable] = FAMILIES[indicator.family] as readonly [string, string]
    const first = new Date(start + ((row * 7919) % (60 * 86_400)) * 1000)
    const threat = indicator.kind === 'md5' || indicator.kind === 'sha256' ? 'payload' : 'botnet_cc'
    const fields = [
      first.toISOString().slice(0, 19).replace('T', ' '),
      String(1_500_000 + row),
      indicator.value,
      THREATFOX_TYPES[indicator.kind],
      threat,
      id,
      'None',
      printable,
      'None',
      String([50, 75, 100][row % 3]),
      'False',
      'None',
      printable.split(' ')[0]?.toLowerCase() ?? '',
      '0',
      'bench',
    ]
    lines.push(`"${fields.join('", "')}"`)
  })
  lines.push(`# Number of entries: ${intel.length}`)
  writeFileSync(path, `${lines.join('\r\n')}\r\n`)
}

/** Hands each plant the next indicator of the kind it needs; none is planted twice. */
export class PlantPlan {
  private readonly byKind = new Map<BenchIndicator['kind'], BenchIndicator[]>()
  private readonly used = new Map<BenchIndicator['kind'], number>()

  constructor(intel: readonly BenchIndicator[]) {
    for (const indicator of intel) {
      const list = this.byKind.get(indicator.kind) ?? []
      list.push(indicator)
      this.byKind.set(indicator.kind, list)
    }
  }

  take(kind: BenchIndicator['kind']): BenchIndicator {
    const at = this.used.get(kind) ?? 0
    const indicator = this.byKind.get(kind)?.[at]
    if (!indicator) throw new Error(`not enough ${kind} indicators to plant; raise --indicators`)
    this.used.set(kind, at + 1)
    return indicator
  }
}

export interface Pools {
  clients: string[]
  servers: string[]
  names: string[]
  /** Names for DNS lookups that resolve to a C2 address but are not themselves listed. */
  unlisted: string[]
  agents: string[]
  users: string[]
}

const BENIGN_DOMAINS = [
  'microsoft.com',
  'windowsupdate.com',
  'office.com',
  'office365.com',
  'live.com',
  'msftconnecttest.com',
  'google.com',
  'googleapis.com',
  'gstatic.com',
  'youtube.com',
  'amazonaws.com',
  'cloudfront.net',
  'akamaiedge.net',
  'akamaihd.net',
  'apple.com',
  'icloud.com',
  'slack.com',
  'zoom.us',
  'linkedin.com',
  'digicert.com',
  'letsencrypt.org',
  'mozilla.org',
  'salesforce.com',
  'okta.com',
  'cloudflare.com',
  'fastly.net',
  'adobe.com',
  'wikipedia.org',
  'contoso.com',
  'fabrikam.io',
]
const BENIGN_HOSTS = ['www', 'login', 'api', 'cdn', 'static', 'update', 'outlook', 'edge', 'ocsp']
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Microsoft-CryptoAPI/10.0',
  'Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.71',
  'curl/8.5.0',
  'python-requests/2.32.3',
  'Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)',
]
export const BENIGN_PATHS = [
  '/',
  '/favicon.ico',
  '/api/v1/status',
  '/msdownload/update/v3/static/trustedr/en/authrootstl.cab',
  '/ocsp',
  '/connecttest.txt',
  '/images/logo.png',
  '/js/app.min.js',
  '/login?next=%2Fhome',
  '/v2/telemetry',
]

export function makePools(next: Next): Pools {
  const clients: string[] = []
  for (let i = 0; i < 3000; i++) {
    clients.push(
      next() < 0.8
        ? `10.${10 + Math.floor(next() * 20)}.${Math.floor(next() * 256)}.${2 + Math.floor(next() * 250)}`
        : `192.168.${Math.floor(next() * 8)}.${2 + Math.floor(next() * 250)}`,
    )
  }
  const servers: string[] = []
  for (let i = 0; i < 8000; i++) {
    servers.push(
      `${pickOf(next, BENIGN_OCTETS)}.${Math.floor(next() * 256)}.${Math.floor(next() * 256)}.${
        1 + Math.floor(next() * 254)
      }`,
    )
  }
  const names: string[] = []
  for (let i = 0; i < 20000; i++) {
    const base = pickOf(next, BENIGN_DOMAINS)
    const roll = next()
    names.push(
      roll < 0.3
        ? `${pickOf(next, BENIGN_HOSTS)}.${base}`
        : roll < 0.6
          ? `${hexOf(next, 6, false)}.${pickOf(next, BENIGN_HOSTS)}.${base}`
          : roll < 0.7
            ? base
            : `${pickOf(next, BENIGN_HOSTS)}${Math.floor(next() * 100)}.${base}`,
    )
  }
  const unlisted: string[] = []
  for (let i = 0; i < 500; i++) unlisted.push(`${wordOf(next, 3)}${i}.duckdns.org`)
  const users: string[] = []
  for (let i = 0; i < 500; i++) users.push(`CONTOSO\\${wordOf(next, 2)}.${wordOf(next, 2)}`)
  return { clients, servers, names, unlisted, agents: AGENTS, users }
}

/** A field a planted event holds its indicator in, and the match it makes there. */
export interface Expectation {
  indicator: string
  match: MatchKind
  field: MatchField
}

/** A planted event: its line and every field its indicator is in (`strongest` picks one). */
export interface Plant {
  name: string
  line: string
  expect: Expectation[]
}

/**
 * Appends lines to a log file in 16 MiB writes and keeps the plant schedule: `plants` events
 * spread evenly over `target` bytes, each at a jittered point of its share.
 */
export class LogWriter {
  bytes = 0
  lines = 0
  private readonly buffer = Buffer.allocUnsafe(16 << 20)
  private at = 0
  private planted = 0
  private nextPlant: number
  private readonly every: number
  private readonly fd: number

  constructor(
    readonly path: string,
    readonly target: number,
    readonly plants: number,
    private readonly next: Next,
  ) {
    this.fd = openSync(path, 'w')
    this.every = target / plants
    this.nextPlant = this.every * (0.2 + 0.6 * next())
  }

  get name(): string {
    return this.path.slice(this.path.lastIndexOf('/') + 1)
  }

  /** True until the size is reached and every plant is written. */
  get writing(): boolean {
    return this.bytes < this.target || this.planted < this.plants
  }

  /** True when the next line should be a planted event (and counts it as written). */
  plantDue(): boolean {
    if (this.planted >= this.plants || this.bytes < this.nextPlant) return false
    this.planted++
    this.nextPlant = this.every * (this.planted + 0.2 + 0.6 * this.next())
    return true
  }

  /** Appends one line (ASCII, shorter than the buffer, without its line break); returns its 1-based line number. */
  line(text: string): number {
    if (this.at + text.length + 1 > this.buffer.length) this.flush()
    this.at += this.buffer.write(text, this.at, 'latin1')
    this.buffer[this.at++] = 10
    this.bytes += text.length + 1
    return ++this.lines
  }

  close(): void {
    this.flush()
    closeSync(this.fd)
  }

  private flush(): void {
    let done = 0
    while (done < this.at) done += writeSync(this.fd, this.buffer, done, this.at - done)
    this.at = 0
  }
}

/** Random benign values, drawn from the pools. */
export class Benign {
  constructor(
    private readonly next: Next,
    private readonly pools: Pools,
  ) {}

  client(): string {
    return pickOf(this.next, this.pools.clients)
  }
  server(): string {
    return pickOf(this.next, this.pools.servers)
  }
  name(): string {
    return pickOf(this.next, this.pools.names)
  }
  unlisted(): string {
    return pickOf(this.next, this.pools.unlisted)
  }
  agent(): string {
    return pickOf(this.next, this.pools.agents)
  }
  user(): string {
    return pickOf(this.next, this.pools.users)
  }
  path(): string {
    return pickOf(this.next, BENIGN_PATHS)
  }
  ephemeral(): number {
    return 49152 + Math.floor(this.next() * 16383)
  }
  int(below: number): number {
    return Math.floor(this.next() * below)
  }
  /** A hash no indicator can have (first digit 8-f). */
  hash(digits: number): string {
    return hexOf(this.next, digits, false)
  }
}
