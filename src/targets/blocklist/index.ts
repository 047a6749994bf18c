/**
 * @module
 * The `blocklist` target: plain lists for firewalls, proxies and resolvers, one value a line:
 * `ips.txt` (addresses and ranges, and the address of each `ip:port`), `domains.txt`, `hosts.txt`
 * (hosts-file lines, `0.0.0.0 name`), `rpz.zone` (a BIND response-policy zone) and `urls.txt`. A list is written
 * only when the pack has values for it. Every value is checked against its list's format first;
 * one that could break a line or a zone record stops the build with the value and its source.
 */
import { isIP } from 'node:net'
import type { Indicator } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'
import { latestSeen, oneLine, unwritable } from '../stix/references.ts'
import type { Target, TargetFile } from '../target.ts'

/** A hostname as intake writes it: lower-case ASCII labels of letters, digits, `-` and `_`. */
const HOSTNAME = /^(?=.{1,253}$)(?:[a-z0-9_-]{1,63}\.)+[a-z0-9_-]{1,63}$/
/** Printable ASCII without space: what a WHATWG-serialised http(s) or ftp URL is made of. */
const URL_TEXT = /^(?:https?|ftp):\/\/[\x21-\x7e]+$/

export const blocklistTarget: Target = {
  id: 'blocklist',
  describe: 'plain lists: ips.txt, domains.txt, hosts.txt, a BIND RPZ zone and urls.txt',
  emit(content) {
    const lists = blocklists(content)
    const dir = `${content.pack.id}/blocklist`
    const files: TargetFile[] = []
    const add = (name: string, lines: string[]) => {
      if (lines.length > 0) files.push({ path: `${dir}/${name}`, content: `${lines.join('\n')}\n` })
    }
    add('ips.txt', lists.ips)
    add('domains.txt', lists.domains)
    add(
      'hosts.txt',
      lists.domains.map((domain) => `0.0.0.0 ${domain}`),
    )
    if (lists.domains.length > 0) {
      files.push({ path: `${dir}/rpz.zone`, content: rpzZone(content, lists.domains) })
    }
    add('urls.txt', lists.urls)
    return files
  },
}

export interface Blocklists {
  ips: string[]
  domains: string[]
  urls: string[]
}

/** The pack's hunted values by list, each once, in feed order; throws on a value unfit for it. */
export function blocklists(content: PackContent): Blocklists {
  const ips = new Set<string>()
  const domains = new Set<string>()
  const urls = new Set<string>()
  const refuse = (indicator: Indicator, problem: string) =>
    unwritable('blocklist', content.pack.id, indicator, problem)
  for (const indicator of content.pack.indicators) {
    switch (indicator.kind) {
      case 'ipv4':
      case 'ipv6':
        if (isIP(indicator.value) === 0) throw refuse(indicator, 'not an IP address')
        ips.add(indicator.value)
        break
      case 'ip:port':
        if (indicator.ip === undefined || isIP(indicator.ip) === 0) {
          throw refuse(indicator, 'its address is not an IP address')
        }
        ips.add(indicator.ip)
        break
      case 'cidr': {
        const [address = '', prefix = '', ...rest] = indicator.value.split('/')
        if (isIP(address) === 0 || !/^\d{1,3}$/.test(prefix) || rest.length > 0) {
          throw refuse(indicator, 'not an address range (address/prefix)')
        }
        ips.add(indicator.value)
        break
      }
      case 'domain':
        if (!HOSTNAME.test(indicator.value)) {
          throw refuse(indicator, 'not a lower-case hostname (letters, digits, "-", "_", dots)')
        }
        domains.add(indicator.value)
        break
      case 'url':
        if (!URL_TEXT.test(indicator.value)) {
          throw refuse(indicator, 'not an http, https or ftp URL of printable ASCII without spaces')
        }
        urls.add(indicator.value)
        break
      default:
        // Hashes have no list a network device reads.
        break
    }
  }
  return { ips: [...ips], domains: [...domains], urls: [...urls] }
}

/**
 * A response-policy zone: each name and its subdomains answer NXDOMAIN (`CNAME .`). Owner names
 * are relative, so the file serves under whatever zone name `named.conf` gives it. The serial
 * is the latest time an indicator was seen, in seconds: it grows when the feed has news and
 * stays the same on a rebuild of the same feed, so secondaries transfer only real changes.
 */
export function rpzZone(content: PackContent, domains: readonly string[]): string {
  const latest = latestSeen(content.pack.indicators)
  const serial = latest === undefined ? 1 : Math.max(1, Math.floor(Date.parse(latest) / 1000))
  const lines = [
    `; huntpack response-policy zone for ${oneLine(content.pack.title)} (pack ${content.pack.id})`,
    '; Load it as a response-policy zone; every listed name and its subdomains get NXDOMAIN.',
    '$TTL 300',
    `@ IN SOA localhost. root.localhost. ${serial} 3600 600 86400 300`,
    '@ IN NS localhost.',
  ]
  for (const domain of domains) lines.push(`${domain} CNAME .`, `*.${domain} CNAME .`)
  return `${lines.join('\n')}\n`
}
