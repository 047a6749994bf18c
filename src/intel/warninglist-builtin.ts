/**
 * @module
 * The warninglists huntpack always applies: addresses and names that are never a remote
 * adversary's (private, loopback, documentation, special-use). They follow the IANA
 * special-purpose registries so a pack works the same with or without MISP's lists at hand.
 */

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

export const BUILT_IN_WARNINGLISTS: readonly MispWarninglist[] = [
  SPECIAL_USE_IPV4,
  SPECIAL_USE_IPV6,
  SPECIAL_USE_DOMAINS,
]
