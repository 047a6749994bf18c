/**
 * @module
 * Suricata EVE JSON lines for the hunt benchmark, in the shape Suricata 7 writes them: flow
 * records, DNS queries and v2 answers (`answers` and `grouped`), http and tls transactions and
 * fileinfo with hashes, from internal clients to public servers, a few milliseconds apart.
 * Planted events put an indicator where a hunt must find it, one way per plant kind.
 */
import {
  Benign,
  type Expectation,
  type LogWriter,
  NAME_PREFIXES,
  type Next,
  type Plant,
  type PlantPlan,
  type Pools,
  pickOf,
} from './hunt-values.ts'

const ISSUERS = [
  'C=US, O=DigiCert Inc, CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1',
  "C=US, O=Let's Encrypt, CN=R11",
  'C=US, O=Microsoft Corporation, CN=Microsoft Azure RSA TLS Issuing CA 04',
  'C=US, O=Google Trust Services, CN=WR2',
]
/** Ports an `ip:port` indicator never has, for address-only plants. */
const OTHER_PORTS = [22, 21, 25, 8081]

interface Context {
  ts: string
  flow: number
  b: Benign
  next: Next
}

function head(c: Context, type: string, src: string, sport: number, dst: string, dport: number) {
  return (
    `{"timestamp":"${c.ts}","flow_id":${c.flow},"in_iface":"ens192","event_type":"${type}",` +
    `"src_ip":"${src}","src_port":${sport},"dest_ip":"${dst}","dest_port":${dport},`
  )
}

function flowLine(
  c: Context,
  src: string,
  sport: number,
  dst: string,
  dport: number,
  app: string,
): string {
  const tcp = app !== 'dns'
  const up = 3 + c.b.int(40)
  const down = 2 + c.b.int(60)
  return (
    `${head(c, 'flow', src, sport, dst, dport)}"proto":"${tcp ? 'TCP' : 'UDP'}",` +
    `"app_proto":"${app}","flow":{"pkts_toserver":${up},"pkts_toclient":${down},` +
    `"bytes_toserver":${up * (60 + c.b.int(500))},"bytes_toclient":${down * (60 + c.b.int(1400))},` +
    `"start":"${c.ts}","end":"${c.ts}","age":${c.b.int(120)},"state":"${tcp ? 'closed' : 'established'}",` +
    `"reason":"timeout","alerted":false}${
      tcp
        ? ',"tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,' +
          '"fin":true,"psh":true,"ack":true,"state":"closed"}'
        : ''
    }}`
  )
}

function dnsQueryLine(c: Context, client: string, server: string, name: string): string {
  return (
    `${head(c, 'dns', client, c.b.ephemeral(), server, 53)}"proto":"UDP","dns":{"type":"query",` +
    `"id":${c.b.int(65536)},"rrname":"${name}","rrtype":"A","tx_id":0,"opcode":0}}`
  )
}

/** A v2 answer, sent by the server: `answers` in detail and `grouped` by type. */
function dnsAnswerLine(
  c: Context,
  server: string,
  client: string,
  name: string,
  answers: [string, string][],
): string {
  const detail = answers
    .map(
      ([t, d]) => `{"rrname":"${name}","rrtype":"${t}","ttl":${30 + c.b.int(3600)},"rdata":"${d}"}`,
    )
    .join(',')
  const types = [...new Set(answers.map(([t]) => t))]
  const grouped = types
    .map((t) => `"${t}":[${answers.filter(([u]) => u === t).map(([, d]) => `"${d}"`)}]`)
    .join(',')
  return (
    `${head(c, 'dns', server, 53, client, c.b.ephemeral())}"proto":"UDP","dns":{"version":2,` +
    `"type":"answer","id":${c.b.int(65536)},"flags":"8180","qr":true,"rd":true,"ra":true,` +
    `"rrname":"${name}","rrtype":"A","rcode":"NOERROR","answers":[${detail}],` +
    `"grouped":{${grouped}}}}`
  )
}

function httpObject(c: Context, host: string, path: string, port: number | null, type: string) {
  return (
    `{"hostname":"${host}",${port === null ? '' : `"http_port":${port},`}"url":"${path}",` +
    `"http_user_agent":"${c.b.agent()}","http_content_type":"${type}","http_method":"GET",` +
    `"protocol":"HTTP/1.1","status":200,"length":${c.b.int(90000)}}`
  )
}

function httpLine(
  c: Context,
  client: string,
  server: string,
  port: number,
  host: string,
  path: string,
): string {
  const hostPort = port === 80 ? null : port
  return (
    `${head(c, 'http', client, c.b.ephemeral(), server, port)}"proto":"TCP","tx_id":0,` +
    `"http":${httpObject(c, host, path, hostPort, 'text/html')}}`
  )
}

function tlsLine(c: Context, client: string, server: string, sni: string): string {
  return (
    `${head(c, 'tls', client, c.b.ephemeral(), server, 443)}"proto":"TCP","tls":{` +
    `"subject":"CN=${sni}","issuerdn":"${pickOf(c.next, ISSUERS)}","serial":"0A:${c.b
      .hash(30)
      .toUpperCase()}","fingerprint":"${c.b.hash(40)}","sni":"${sni}","version":"TLS 1.2",` +
    `"notbefore":"2026-06-01T00:00:00","notafter":"2027-06-01T23:59:59",` +
    `"ja3":{"hash":"${c.b.hash(32)}","string":"771,4865-4866-4867-49195-49199,0-23-65281-10-11,29-23-24,0"}}}`
  )
}

/** A file seen in an HTTP download: the server is the source, as Suricata writes fileinfo. */
function fileinfoLine(
  c: Context,
  server: string,
  client: string,
  host: string,
  path: string,
  hashes: { md5: string; sha1: string; sha256: string },
): string {
  const size = 1000 + c.b.int(4_000_000)
  return (
    `${head(c, 'fileinfo', server, 80, client, c.b.ephemeral())}"proto":"TCP",` +
    `"http":${httpObject(c, host, path, null, 'application/octet-stream')},"app_proto":"http",` +
    `"fileinfo":{"filename":"${path}","sid":[],"gaps":false,"state":"CLOSED",` +
    `"md5":"${hashes.md5}","sha1":"${hashes.sha1}","sha256":"${hashes.sha256}",` +
    `"stored":false,"size":${size},"tx_id":0}}`
  )
}

const RESOLVERS = ['10.0.0.53', '10.0.1.53']

function benignLine(c: Context): string {
  const roll = c.next()
  const client = c.b.client()
  if (roll < 0.4) {
    const app = pickOf(c.next, ['tls', 'tls', 'http', 'dns', 'smb', 'failed'])
    const port = app === 'tls' ? 443 : app === 'http' ? 80 : app === 'dns' ? 53 : 445
    return flowLine(
      c,
      client,
      c.b.ephemeral(),
      app === 'smb' ? c.b.client() : c.b.server(),
      port,
      app,
    )
  }
  if (roll < 0.55) return dnsQueryLine(c, client, pickOf(c.next, RESOLVERS), c.b.name())
  if (roll < 0.7) {
    const name = c.b.name()
    const answers: [string, string][] = []
    if (c.next() < 0.4) answers.push(['CNAME', `${name.split('.')[0]}.edgekey.net`])
    const count = 1 + c.b.int(3)
    for (let i = 0; i < count; i++) answers.push(['A', c.b.server()])
    return dnsAnswerLine(c, pickOf(c.next, RESOLVERS), client, name, answers)
  }
  if (roll < 0.84) return httpLine(c, client, c.b.server(), 80, c.b.name(), c.b.path())
  if (roll < 0.98) return tlsLine(c, client, c.b.server(), c.b.name())
  return fileinfoLine(c, c.b.server(), client, c.b.name(), '/download/setup.msi', {
    md5: c.b.hash(32),
    sha1: c.b.hash(40),
    sha256: c.b.hash(64),
  })
}

type Planter = (c: Context, plan: PlantPlan) => Plant

const exp = (indicator: string, match: Expectation['match'], field: Expectation['field']) => ({
  indicator,
  match,
  field,
})

/** One way each to put an indicator in the traffic, with the findings it must give. */
const PLANTERS: Planter[] = [
  (c, plan) => {
    const i = plan.take('ip:port')
    return {
      name: 'ip:port-exact-flow',
      line: flowLine(c, c.b.client(), c.b.ephemeral(), i.ip as string, i.port as number, 'tls'),
      expect: [exp(i.value, 'exact', 'DstIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    const ip = i.ip as string
    return {
      name: 'ip:port-exact-http',
      line: httpLine(c, c.b.client(), ip, i.port as number, ip, '/gate.php'),
      expect: [exp(i.value, 'exact', 'DstIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    const port = pickOf(c.next, OTHER_PORTS)
    return {
      name: 'ip:port-address-only-flow',
      line: flowLine(c, c.b.client(), c.b.ephemeral(), i.ip as string, port, 'failed'),
      expect: [exp(i.value, 'address-only', 'DstIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    return {
      name: 'ip:port-exact-from',
      line: flowLine(c, i.ip as string, i.port as number, c.b.client(), c.b.ephemeral(), 'failed'),
      expect: [exp(i.value, 'exact', 'SrcIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    const answers: [string, string][] = [['A', i.ip as string]]
    return {
      name: 'ip:port-dns-answer',
      line: dnsAnswerLine(c, pickOf(c.next, RESOLVERS), c.b.client(), c.b.unlisted(), answers),
      expect: [exp(i.value, 'address-only', 'DnsResponse')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    const answers: [string, string][] = [['A', c.b.server()]]
    return {
      name: 'domain-exact-dns',
      line: dnsAnswerLine(c, pickOf(c.next, RESOLVERS), c.b.client(), i.value, answers),
      expect: [exp(i.value, 'exact', 'DnsQuery')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    const sni = `${pickOf(c.next, NAME_PREFIXES)}.${i.value}`
    return {
      name: 'domain-subdomain-tls',
      line: tlsLine(c, c.b.client(), c.b.server(), sni),
      expect: [exp(i.value, 'subdomain', 'TargetHostname')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    const host = `${pickOf(c.next, NAME_PREFIXES)}.${i.value}`
    return {
      name: 'domain-subdomain-http',
      line: httpLine(c, c.b.client(), c.b.server(), 80, host, '/index.php'),
      expect: [exp(i.value, 'subdomain', 'TargetHostname'), exp(i.value, 'subdomain', 'UrlHost')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    const answers: [string, string][] = [
      ['CNAME', i.value],
      ['A', c.b.server()],
    ]
    return {
      name: 'domain-cname-answer',
      line: dnsAnswerLine(c, pickOf(c.next, RESOLVERS), c.b.client(), c.b.unlisted(), answers),
      expect: [exp(i.value, 'exact', 'DnsResponse')],
    }
  },
  (c, plan) => {
    const i = plan.take('url')
    const line = httpLine(c, c.b.client(), c.b.server(), 80, i.host as string, i.path as string)
    return {
      name: 'url-exact-http',
      line,
      expect: [exp(i.value, 'exact', 'Url'), exp(i.value, 'host-only', 'TargetHostname')],
    }
  },
  (c, plan) => {
    const i = plan.take('url')
    return {
      name: 'url-host-only-http',
      line: httpLine(c, c.b.client(), c.b.server(), 80, i.host as string, '/favicon.ico'),
      expect: [exp(i.value, 'host-only', 'UrlHost'), exp(i.value, 'host-only', 'TargetHostname')],
    }
  },
  (c, plan) => {
    const i = plan.take('url')
    return {
      name: 'url-host-only-tls',
      line: tlsLine(c, c.b.client(), c.b.server(), i.host as string),
      expect: [exp(i.value, 'host-only', 'TargetHostname')],
    }
  },
  (c, plan) => {
    const i = plan.take('url')
    return {
      name: 'url-host-only-dns',
      line: dnsQueryLine(c, c.b.client(), pickOf(c.next, RESOLVERS), i.host as string),
      expect: [exp(i.value, 'host-only', 'DnsQuery')],
    }
  },
  (c, plan) => {
    const i = plan.take('sha256')
    const hashes = { md5: c.b.hash(32), sha1: c.b.hash(40), sha256: i.value }
    return {
      name: 'sha256-fileinfo',
      line: fileinfoLine(c, c.b.server(), c.b.client(), c.b.name(), '/dl/invoice.exe', hashes),
      expect: [exp(i.value, 'exact', 'FileSHA256')],
    }
  },
  (c, plan) => {
    const i = plan.take('md5')
    const hashes = { md5: i.value, sha1: c.b.hash(40), sha256: c.b.hash(64) }
    return {
      name: 'md5-fileinfo',
      line: fileinfoLine(c, c.b.server(), c.b.client(), c.b.name(), '/dl/update.zip', hashes),
      expect: [exp(i.value, 'exact', 'FileMD5')],
    }
  },
]

let second = -1
let secondText = ''

/** `2026-11-30T08:00:00.123456+0000`, as EVE writes times. */
function eveTime(us: number): string {
  const s = Math.floor(us / 1_000_000)
  if (s !== second) {
    second = s
    secondText = new Date(s * 1000).toISOString().slice(0, 19)
  }
  return `${secondText}.${String(us % 1_000_000).padStart(6, '0')}+0000`
}

/** Writes EVE lines until the writer has its size and plants; returns the events written. */
export function writeEve(
  w: LogWriter,
  next: Next,
  pools: Pools,
  plan: PlantPlan,
  onPlant: (plant: Plant, line: number) => void,
): number {
  const c: Context = { ts: '', flow: 0, b: new Benign(next, pools), next }
  let us = Date.UTC(2026, 10, 30, 0, 0, 0) * 1000
  let flow = 1_100_000_000_000_000
  let planted = 0
  let events = 0
  while (w.writing) {
    us += Math.floor(next() * 30_000)
    flow += 1 + Math.floor(next() * 100_000)
    c.ts = eveTime(us)
    c.flow = flow
    events++
    if (w.plantDue()) {
      const planter = PLANTERS[planted++ % PLANTERS.length] as Planter
      const plant = planter(c, plan)
      onPlant(plant, w.line(plant.line))
    } else w.line(benignLine(c))
  }
  return events
}
