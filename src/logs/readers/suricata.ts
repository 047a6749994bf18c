/**
 * @module
 * Suricata's EVE JSON (`eve.json`), one event per line, every `event_type`: flow and netflow,
 * dns (v1 records per answer, v2 `answers`/`grouped`, v3 `queries`), http, tls, quic,
 * fileinfo, alert, anomaly, drop, krb5 and smb (user names), stats and the rest. Events carry
 * their app-layer objects (an alert on HTTP has `http`), so those fill the event whatever its
 * type.
 *
 * Src is the side that opened the flow. Suricata writes most events in flow direction, but an
 * alert on a reply packet, and DNS responses (before 6.0, and again in v3), carry the packet's
 * direction: alerts say so (`direction: to_client`, and Suricata 7 adds the flow's own tuple
 * in `flow`), DNS responses come from port 53. fileinfo follows the file (a download names the
 * server as `src_ip`) and says nothing about it, so it is kept as written.
 */
import { HuntpackError } from '../../errors.ts'
import { blankEvent, type EventKind, type EventSink, type LogEvent } from '../event.ts'
import { forEachLine, type LogInput } from '../input.ts'
import { EACH_LINE, type LogReader } from '../reader.ts'
import { headObjects, isBlank, isObject, type JsonObject } from './json-lines.ts'
import { logTimes } from './log-times.ts'

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null
}

function port(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null
}

/** Suricata writes `<empty>` for a name the protocol did not carry. */
function user(value: unknown): string | null {
  const name = text(value)
  return name === '<empty>' ? null : name
}

const KIND: Record<string, EventKind> = {
  flow: 'network',
  netflow: 'network',
  dns: 'dns',
  http: 'http',
  tls: 'tls',
  quic: 'tls',
  fileinfo: 'file',
  alert: 'alert',
}

/** Record types whose data is an address or a name. */
const ANSWER_TYPES = new Set(['A', 'AAAA', 'CNAME', 'PTR', 'MX', 'NS', 'DNAME'])

const DNS_SERVER_PORTS = new Set([53, 5355])

/** An EVE line: `event_type`, `timestamp`, and a flow id or the object named by its type. */
function looksEve(o: JsonObject): boolean {
  const type = o.event_type
  if (typeof type !== 'string' || typeof o.timestamp !== 'string') return false
  return o.flow_id !== undefined || isObject(o[type])
}

function addAnswer(answers: string[], rrtype: unknown, rdata: unknown): void {
  if (typeof rrtype === 'string' && ANSWER_TYPES.has(rrtype) && typeof rdata === 'string') {
    if (rdata !== '') answers.push(rdata)
  }
}

function fillDns(e: LogEvent, dns: JsonObject): boolean {
  let query = text(dns.rrname)
  if (query === null && Array.isArray(dns.queries) && isObject(dns.queries[0])) {
    query = text(dns.queries[0].rrname)
  }
  e.DnsQuery = query
  const answers: string[] = []
  if (dns.rdata !== undefined) addAnswer(answers, dns.rrtype, dns.rdata)
  if (Array.isArray(dns.answers)) {
    for (const answer of dns.answers) {
      if (isObject(answer)) addAnswer(answers, answer.rrtype, answer.rdata)
    }
  }
  if (isObject(dns.grouped)) {
    for (const rrtype in dns.grouped) {
      const values = dns.grouped[rrtype]
      if (Array.isArray(values)) for (const value of values) addAnswer(answers, rrtype, value)
    }
  }
  e.DnsResponse = answers
  return dns.type === 'answer' || dns.type === 'response'
}

/**
 * The URL of an HTTP transaction: an absolute `url` (a proxy request) as it is, otherwise
 * `http://` + hostname (or the server address) + `http_port` when the Host header named one +
 * the path. CONNECT names a tunnel, not a URL.
 */
export function eveHttpUrl(http: JsonObject, server: string | null): string | null {
  const url = text(http.url)
  if (url === null || http.http_method === 'CONNECT') return null
  if (url.charCodeAt(0) !== 47 && url.indexOf('://') > 0) return url
  const named = hostAndPort(text(http.hostname))
  let host = named.host ?? server
  if (host === null) return null
  if (host.indexOf(':') >= 0 && host.charCodeAt(0) !== 91) host = `[${host}]`
  const p = port(http.http_port) ?? named.port
  return `http://${host}${p === null ? '' : `:${p}`}${url.charCodeAt(0) === 47 ? '' : '/'}${url}`
}

/**
 * A Host header's name and port: `evil.com:8080` → evil.com and 8080, `[2001:db8::1]:80` →
 * the address and 80; a bare IPv6 address has no port.
 */
export function hostAndPort(value: string | null): { host: string | null; port: number | null } {
  if (value === null) return { host: null, port: null }
  const bracket = value.charCodeAt(0) === 91 ? value.indexOf(']') : -1
  const colon = value.lastIndexOf(':')
  const portText = value.slice(colon + 1)
  const hasPort =
    colon > 0 &&
    /^[0-9]{1,5}$/.test(portText) &&
    (bracket > 0 ? colon === bracket + 1 : value.indexOf(':') === colon)
  if (!hasPort) return { host: bracket > 0 ? value.slice(1, bracket) : value, port: null }
  const host = value.slice(0, colon)
  return {
    host: bracket > 0 ? host.slice(1, -1) : host,
    port: Number(portText),
  }
}

function fillEve(e: LogEvent, o: JsonObject, time: (value: string | null) => string | null): void {
  const type = typeof o.event_type === 'string' ? o.event_type : ''
  e.TimeGenerated = time(text(o.timestamp))
  e.Dvc = text(o.host)
  e.NetworkProtocol = text(o.proto)

  let src = text(o.src_ip)
  let srcPort = port(o.src_port)
  let dst = text(o.dest_ip)
  let dstPort = port(o.dest_port)
  let swap = o.direction === 'to_client'

  const dns = o.dns
  if (isObject(dns) && fillDns(e, dns) && o.direction === undefined) {
    swap = srcPort !== null && DNS_SERVER_PORTS.has(srcPort) && !DNS_SERVER_PORTS.has(dstPort ?? -1)
  }
  if (swap) {
    ;[src, dst] = [dst, src]
    ;[srcPort, dstPort] = [dstPort, srcPort]
  }
  const flow = o.flow
  if (isObject(flow) && typeof flow.src_ip === 'string') {
    src = text(flow.src_ip)
    dst = text(flow.dest_ip)
    srcPort = port(flow.src_port) ?? srcPort
    dstPort = port(flow.dest_port) ?? dstPort
  }
  e.SrcIpAddr = src
  e.SrcPortNumber = srcPort
  e.DstIpAddr = dst
  e.DstPortNumber = dstPort

  const http = o.http
  if (isObject(http)) {
    e.TargetHostname = hostAndPort(text(http.hostname)).host
    // Only an HTTP event's own tuple surely names the server; fileinfo follows the file.
    e.Url = eveHttpUrl(http, type === 'http' ? dst : null)
  }
  const tls = o.tls
  if (isObject(tls) && text(tls.sni) !== null) e.TargetHostname = text(tls.sni)
  const quic = o.quic
  if (isObject(quic) && text(quic.sni) !== null) e.TargetHostname = text(quic.sni)
  const file = o.fileinfo
  if (isObject(file)) {
    e.FileMD5 = text(file.md5)
    e.FileSHA1 = text(file.sha1)
    e.FileSHA256 = text(file.sha256)
  }
  const krb5 = o.krb5
  if (isObject(krb5)) e.User = user(krb5.cname)
  const smb = o.smb
  if (isObject(smb) && isObject(smb.ntlmssp)) e.User = user(smb.ntlmssp.user)
  if (type === 'drop') e.DvcAction = 'drop'
  const alert = o.alert
  if (isObject(alert)) {
    const signature = text(alert.signature)
    const action = text(alert.action)
    e.DvcAction =
      action === null ? signature : signature === null ? action : `${action}: ${signature}`
  }

  e.EventType = KIND[type] ?? (src !== null || dst !== null ? 'network' : 'other')
}

export const suricataEveReader: LogReader = {
  id: 'suricata-eve',
  describe: 'Suricata EVE JSON lines (eve.json): flow, dns, http, tls, fileinfo, alert…',

  detect(head) {
    const objects = headObjects(head)
    return objects.length > 0 && objects.every(looksEve)
  },

  splittable: () => EACH_LINE,

  async read(input: LogInput, sink: EventSink, onBytes?: (bytes: number) => void) {
    const time = logTimes()
    let records = 0
    let objects = 0
    await forEachLine(
      input,
      (line, lineNo) => {
        if (isBlank(line)) return
        records++
        let value: unknown
        try {
          value = JSON.parse(line)
        } catch (error) {
          sink.broken({ line: lineNo, record: records }, `not JSON: ${(error as Error).message}`)
          return
        }
        if (!isObject(value)) {
          sink.broken({ line: lineNo, record: records }, 'not a JSON object')
          return
        }
        if (objects++ === 0 && typeof value.event_type !== 'string') {
          throw new HuntpackError(
            'ERR_LOG_FORMAT',
            'the first record has no "event_type": not Suricata EVE JSON',
            { file: input.name, line: lineNo },
          )
        }
        const event = blankEvent('suricata-eve', input.name, records, lineNo)
        fillEve(event, value, time)
        sink.event(event)
      },
      onBytes,
    )
    if (objects === 0 && records > 0) {
      throw new HuntpackError('ERR_LOG_FORMAT', 'no line is a JSON object: not Suricata EVE JSON', {
        file: input.name,
      })
    }
  },
}
