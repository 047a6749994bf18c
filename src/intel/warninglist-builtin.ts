/**
 * @module
 * The warninglists huntpack always applies: addresses and names that are never a remote
 * adversary's (private, loopback, documentation, special-use; IANA's special-purpose
 * registries), and the few values that would match almost everyone's traffic if hunted: the
 * big public resolvers, the hashes of an empty file, and the parent names of dynamic-DNS and
 * tunnelling services. MISP's lists cover far more; these hold even without them.
 */

import { SHARED_SERVICE_DOMAINS } from './shared-services.ts'
import type { MispWarninglist } from './warninglist-format.ts'

/**
 * Top-level names reserved for private or special use (RFC 2606, 6761, 6762, 9476, ICANN's
 * `.internal`). Not in the public suffix list, yet a feed value under them is a real finding
 * about the feed, so intake accepts them and this module's list flags them.
 */
export const SPECIAL_USE_TLDS: ReadonlySet<string> = new Set([
  'example',
  'invalid',
  'localhost',
  'test',
  'local',
  'internal',
  'alt',
])

export const SPECIAL_USE_IPV4: MispWarninglist = {
  name: 'Special-use IPv4 ranges (built-in)',
  version: 1,
  description:
    'Private, loopback, link-local, shared (CGNAT), documentation, benchmarking, multicast and ' +
    'reserved IPv4 ranges (RFC 1122, 1918, 3927, 5737, 6598, 2544, 5771, 1112, 919).',
  type: 'cidr',
  list: [
    '0.0.0.0/8',
    '10.0.0.0/8',
    '100.64.0.0/10',
    '127.0.0.0/8',
    '169.254.0.0/16',
    '172.16.0.0/12',
    '192.0.0.0/24',
    '192.0.2.0/24',
    '192.88.99.0/24',
    '192.168.0.0/16',
    '198.18.0.0/15',
    '198.51.100.0/24',
    '203.0.113.0/24',
    '224.0.0.0/4',
    '240.0.0.0/4',
    '255.255.255.255/32',
  ],
}

export const SPECIAL_USE_IPV6: MispWarninglist = {
  name: 'Special-use IPv6 ranges (built-in)',
  version: 1,
  description:
    'Unspecified, loopback, discard, documentation, benchmarking, ORCHID, unique ' +
    'local, link-local, site-local and multicast IPv6 ranges (RFC 4291, 6666, 3849, 9637, 5180, ' +
    '4193, 3879).',
  type: 'cidr',
  // No `::ffff:0:0/96`: intake unwraps IPv4-mapped addresses, so they are judged as IPv4.
  list: [
    '::/128',
    '::1/128',
    '64:ff9b:1::/48',
    '100::/64',
    '2001:2::/48',
    '2001:10::/28',
    '2001:20::/28',
    '2001:db8::/32',
    '3fff::/20',
    'fc00::/7',
    'fe80::/10',
    'fec0::/10',
    'ff00::/8',
  ],
}

export const SPECIAL_USE_DOMAINS: MispWarninglist = {
  name: 'Special-use domain names (built-in)',
  version: 1,
  description:
    'Names reserved for documentation, testing and local networks, with their subdomains ' +
    '(RFC 2606, 6761, 6762, 8375, 9476; .internal).',
  type: 'hostname',
  matching_attributes: ['domain', 'hostname', 'url'],
  // Leading dots: every name under these is special-use, whoever would claim it.
  list: [...SPECIAL_USE_TLDS, 'example.com', 'example.net', 'example.org', 'home.arpa'].map(
    (name) => `.${name}`,
  ),
}

export const PUBLIC_RESOLVERS: MispWarninglist = {
  name: 'Public DNS resolvers (built-in)',
  version: 1,
  description:
    'Anycast addresses of the large public DNS resolvers (Google, Cloudflare, Quad9, OpenDNS, ' +
    'AdGuard, CleanBrowsing, Yandex, Level3): every network sends them traffic.',
  type: 'cidr',
  matching_attributes: ['ip-src', 'ip-dst', 'ip-src|port', 'ip-dst|port', 'domain|ip'],
  list: [
    '8.8.8.8',
    '8.8.4.4',
    '2001:4860:4860::8888',
    '2001:4860:4860::8844',
    '1.1.1.1',
    '1.0.0.1',
    '1.1.1.2',
    '1.0.0.2',
    '1.1.1.3',
    '1.0.0.3',
    '2606:4700:4700::1111',
    '2606:4700:4700::1001',
    '9.9.9.9',
    '149.112.112.112',
    '9.9.9.10',
    '149.112.112.10',
    '9.9.9.11',
    '149.112.112.11',
    '2620:fe::fe',
    '2620:fe::9',
    '208.67.222.222',
    '208.67.220.220',
    '208.67.222.123',
    '208.67.220.123',
    '2620:119:35::35',
    '2620:119:53::53',
    '94.140.14.14',
    '94.140.15.15',
    '185.228.168.9',
    '185.228.169.9',
    '77.88.8.8',
    '77.88.8.1',
    '4.2.2.1',
    '4.2.2.2',
  ],
}

export const EMPTY_FILE_HASHES: MispWarninglist = {
  name: 'Hashes of an empty file (built-in)',
  version: 1,
  description: 'MD5, SHA-1 and SHA-256 of zero bytes: every system has such files.',
  type: 'string',
  matching_attributes: ['md5', 'sha1', 'sha256'],
  list: [
    'd41d8cd98f00b204e9800998ecf8427e',
    'da39a3ee5e6b4b0d3255bfef95601890afd80709',
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ],
}

export const SHARED_SERVICES: MispWarninglist = {
  name: 'Dynamic-DNS, tunnelling and free-hosting services (built-in)',
  version: 1,
  description:
    "The services' own names, not the names their customers hold under them: hunting " +
    '`portmap.host` itself would match every customer of the service.',
  type: 'string',
  matching_attributes: ['domain', 'hostname', 'url'],
  list: [...SHARED_SERVICE_DOMAINS],
}

export const BUILT_IN_WARNINGLISTS: readonly MispWarninglist[] = [
  SPECIAL_USE_IPV4,
  SPECIAL_USE_IPV6,
  SPECIAL_USE_DOMAINS,
  PUBLIC_RESOLVERS,
  EMPTY_FILE_HASHES,
  SHARED_SERVICES,
]
