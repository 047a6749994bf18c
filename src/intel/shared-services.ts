/**
 * @module
 * Parent domains where anyone can get a name of their own: dynamic DNS, tunnels and free
 * hosting. A malicious `x.portmap.host` says nothing about `portmap.host` or its other
 * customers, so hunts stay on the exact name and the page explains why.
 */

export interface SharedService {
  domain: string
  kind: 'dynamic DNS' | 'tunnelling' | 'free hosting'
}

const SERVICES: SharedService[] = [
  ...[
    'duckdns.org',
    'ddns.net',
    'hopto.org',
    'zapto.org',
    'sytes.net',
    'no-ip.org',
    'no-ip.biz',
    'myftp.biz',
    'servehttp.com',
    'serveftp.com',
    'dynu.net',
    'freeddns.org',
    'mooo.com',
    'kozow.com',
    'dyndns.org',
    'linkpc.net',
    'publicvm.com',
    'ydns.eu',
  ].map((domain) => ({ domain, kind: 'dynamic DNS' as const })),
  ...[
    'portmap.host',
    'portmap.io',
    'ngrok.io',
    'ngrok-free.app',
    'ngrok.app',
    'trycloudflare.com',
    'ply.gg',
    'playit.gg',
    'loca.lt',
    'localto.net',
    'serveo.net',
    'bore.pub',
    'pinggy.link',
    'devtunnels.ms',
  ].map((domain) => ({ domain, kind: 'tunnelling' as const })),
  ...[
    'workers.dev',
    'pages.dev',
    'github.io',
    'netlify.app',
    'vercel.app',
    'herokuapp.com',
    'azurewebsites.net',
    'web.app',
    'firebaseapp.com',
    'glitch.me',
    'r2.dev',
    'blogspot.com',
    'weebly.com',
    'wixsite.com',
    '000webhostapp.com',
  ].map((domain) => ({ domain, kind: 'free hosting' as const })),
]

const BY_DOMAIN = new Map(SERVICES.map((s) => [s.domain, s]))

/** Every service's own name: as an indicator, each would match all of its customers. */
export const SHARED_SERVICE_DOMAINS: readonly string[] = SERVICES.map((s) => s.domain)

for (const { domain } of SERVICES) {
  if (domain.split('.').length !== 2)
    throw new Error(`shared service ${domain} must have two labels`)
}

/** The shared service a hostname is a customer name under, if any (not the service itself). */
export function sharedServiceOf(hostname: string): SharedService | undefined {
  // Every service above is a name of two labels: only the hostname's last two need a lookup.
  const last = hostname.lastIndexOf('.')
  const secondLast = last > 0 ? hostname.lastIndexOf('.', last - 1) : -1
  if (secondLast <= 0) return undefined
  return BY_DOMAIN.get(hostname.slice(secondLast + 1))
}

/**
 * Hosts that serve many unrelated people's content under paths: a malicious URL there says
 * nothing about the host, so only the exact URL is a finding, never another path on the host.
 */
export const SHARED_CONTENT_HOSTS: readonly string[] = [
  'github.com',
  'raw.githubusercontent.com',
  'gist.github.com',
  'gist.githubusercontent.com',
  'objects.githubusercontent.com',
  'gitlab.com',
  'bitbucket.org',
  'drive.google.com',
  'docs.google.com',
  'drive.usercontent.google.com',
  'sites.google.com',
  'storage.googleapis.com',
  'cdn.discordapp.com',
  'media.discordapp.net',
  'discord.com',
  'dropbox.com',
  'www.dropbox.com',
  'dl.dropboxusercontent.com',
  'onedrive.live.com',
  '1drv.ms',
  'pastebin.com',
  'paste.ee',
  't.me',
  'telegra.ph',
  'bit.ly',
  'tinyurl.com',
  'is.gd',
  'mega.nz',
  'www.mediafire.com',
  'mediafire.com',
  'transfer.sh',
  's3.amazonaws.com',
]
