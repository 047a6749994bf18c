/**
 * @module
 * What a Zeek log record means, whatever its encoding. The TSV and JSON readers hand each record
 * over as a `ZeekRecord` (values by field, already unescaped) and this module fills the event:
 * the connection from `id.orig_h`/`id.resp_h` (the originator is Src), and per log type the
 * query and answers (dns), Host and URL (http), SNI (ssl), hashes and the hosts a file went
 * between (files), the notice name (notice) and user names (kerberos, ntlm, ftp, http). Logs
 * that carry no connection (x509, pe, packet_filter…) become `other` events.
 */
import type { EventKind, LogEvent } from '../event.ts'

/** The fields read, by index; `name` is Zeek's dotted name, as TSV `#fields` and JSON write it. */
export const ZEEK_FIELDS = [
  'ts',
  'id.orig_h',
  'id.orig_p',
  'id.resp_h',
  'id.resp_p',
  'proto',
  'conn_state',
  'query',
  'answers',
  'host',
  'uri',
  'method',
  'server_name',
  'md5',
  'sha1',
  'sha256',
  'tx_hosts',
  'rx_hosts',
  'note',
  'src',
  'dst',
  'p',
  'client',
  'username',
  'user',
  '_system_name',
  '@system',
] as const

/** Index of each field in `ZEEK_FIELDS`. */
export const F = {
  ts: 0,
  origH: 1,
  origP: 2,
  respH: 3,
  respP: 4,
  proto: 5,
  connState: 6,
  query: 7,
  answers: 8,
  host: 9,
  uri: 10,
  method: 11,
  serverName: 12,
  md5: 13,
  sha1: 14,
  sha256: 15,
  txHosts: 16,
  rxHosts: 17,
  note: 18,
  src: 19,
  dst: 20,
  p: 21,
  client: 22,
  username: 23,
  user: 24,
  systemName: 25,
  atSystem: 26,
} as const

/** One record's values. Unset and empty fields are null (or `[]`), escapes already undone. */
export interface ZeekRecord {
  /** A single value: text, or a number as JSON wrote it. */
  value(field: number): string | number | null
  /** A set or vector; a single value becomes a list of one. */
  list(field: number): string[]
}

/**
 * The log type (`conn`, `dns`…) from the fields a record or header has, for logs that do not
 * name it (`#path` or `_path` missing). Empty when nothing tells.
 */
export function guessZeekPath(has: (name: string) => boolean): string {
  if (has('note')) return 'notice'
  if (has('conn_state')) return 'conn'
  if (has('query') && (has('qtype_name') || has('trans_id') || has('answers'))) return 'dns'
  if (has('server_name') || has('ja3') || (has('cipher') && has('version'))) return 'ssl'
  if (has('uri') && (has('status_code') || has('user_agent') || has('trans_depth'))) {
    return 'http'
  }
  if (has('fuid') && (has('md5') || has('sha1') || has('tx_hosts') || has('seen_bytes'))) {
    return 'files'
  }
  if (has('certificate.serial') || has('certificate_serial')) return 'x509'
  if (has('request_type') && has('client')) return 'kerberos'
  if (has('addl') && has('name')) return 'weird'
  return ''
}

const LOG_KIND: Record<string, EventKind> = {
  conn: 'network',
  dns: 'dns',
  http: 'http',
  ssl: 'tls',
  files: 'file',
  notice: 'alert',
}

const formats = new Map<string, string>()

/** `zeek-<path>` with the path cut to a safe name; `fallback` when the path is unknown. */
export function zeekLogFormat(path: string, fallback: string): string {
  const key = `${fallback}\n${path}`
  let format = formats.get(key)
  if (format === undefined) {
    const name = path
      .toLowerCase()
      .replace(/[^a-z0-9_.-]+/g, '')
      .slice(0, 40)
    format = name === '' ? fallback : `zeek-${name}`
    if (formats.size > 1000) formats.clear()
    formats.set(key, format)
  }
  return format
}

function text(value: string | number | null): string | null {
  if (value === null) return null
  return typeof value === 'string' ? (value === '' ? null : value) : String(value)
}

function port(value: string | number | null): number | null {
  if (value === null) return null
  const n = typeof value === 'number' ? value : Number(value)
  return Number.isInteger(n) && n >= 0 && n <= 65535 ? n : null
}

/** Answers that are addresses or names; TXT and unknown records (`TXT 12 v=spf1…`) have spaces. */
function dnsAnswers(answers: string[]): string[] {
  const kept: string[] = []
  for (const answer of answers) {
    if (answer !== '' && answer.indexOf(' ') < 0) kept.push(answer)
  }
  return kept
}

/** `host:8080` → `host`; an IPv6 address stays whole. */
function hostOnly(host: string): string {
  const colon = host.indexOf(':')
  return colon > 0 && host.indexOf(':', colon + 1) < 0 ? host.slice(0, colon) : host
}

/**
 * The URL of an HTTP request as Zeek logged it: an absolute `uri` (a request through a proxy)
 * as it is; otherwise `http://` + Host (or the server's address when the request had none) +
 * the server port unless 80 + the path. Zeek drops the port from Host, so the connection's port
 * is the one the client used. CONNECT requests name a tunnel, not a URL.
 */
export function zeekHttpUrl(
  host: string | null,
  uri: string | null,
  method: string | null,
  server: string | null,
  serverPort: number | null,
): string | null {
  if (uri === null || method === 'CONNECT') return null
  if (uri.charCodeAt(0) !== 47 && uri.indexOf('://') > 0) return uri
  let authority = host ?? server
  if (authority === null) return null
  const colon = authority.indexOf(':')
  const hasPort = colon > 0 && authority.indexOf(':', colon + 1) < 0
  if (colon >= 0 && !hasPort && authority.charCodeAt(0) !== 91) authority = `[${authority}]`
  if (!hasPort && serverPort !== null && serverPort !== 80) authority += `:${serverPort}`
  return `http://${authority}${uri.charCodeAt(0) === 47 ? '' : '/'}${uri}`
}

/**
 * Fills `e` from one record of the log type `path` (`''` when unknown); `time` is
 * `parseLogTime` or a faster equal (`logTimes`).
 */
export function fillZeekEvent(
  e: LogEvent,
  path: string,
  r: ZeekRecord,
  time: (value: string | number | null) => string | null,
): void {
  e.TimeGenerated = time(r.value(F.ts))
  e.Dvc = text(r.value(F.systemName)) ?? text(r.value(F.atSystem))
  e.NetworkProtocol = text(r.value(F.proto))

  const orig = text(r.value(F.origH))
  const resp = text(r.value(F.respH))
  if (orig !== null || resp !== null) {
    e.SrcIpAddr = orig
    e.SrcPortNumber = port(r.value(F.origP))
    e.DstIpAddr = resp
    e.DstPortNumber = port(r.value(F.respP))
  }
  e.EventType = LOG_KIND[path] ?? (orig !== null || resp !== null ? 'network' : 'other')

  switch (path) {
    case 'conn':
      e.DvcAction = text(r.value(F.connState))
      break
    case 'dns':
      e.DnsQuery = text(r.value(F.query))
      e.DnsResponse = dnsAnswers(r.list(F.answers))
      break
    case 'http': {
      const host = text(r.value(F.host))
      const uri = text(r.value(F.uri))
      const method = text(r.value(F.method))
      e.TargetHostname = host === null ? null : hostOnly(host)
      if (e.TargetHostname === null && method === 'CONNECT' && uri !== null) {
        e.TargetHostname = hostOnly(uri)
      }
      e.Url = zeekHttpUrl(host, uri, method, resp, e.DstPortNumber)
      e.User = text(r.value(F.username))
      break
    }
    case 'ssl':
      e.TargetHostname = text(r.value(F.serverName))
      break
    case 'files':
      e.FileMD5 = text(r.value(F.md5))
      e.FileSHA1 = text(r.value(F.sha1))
      e.FileSHA256 = text(r.value(F.sha256))
      if (orig === null && resp === null) {
        // Before Zeek 5 files.log had no connection, only the hosts the file went from and to.
        e.SrcIpAddr = r.list(F.txHosts)[0] ?? null
        e.DstIpAddr = r.list(F.rxHosts)[0] ?? null
      }
      break
    case 'notice':
      e.DvcAction = text(r.value(F.note))
      if (orig === null && resp === null) {
        e.SrcIpAddr = text(r.value(F.src))
        e.DstIpAddr = text(r.value(F.dst))
        e.DstPortNumber = port(r.value(F.p))
      }
      break
    case 'kerberos':
      e.User = text(r.value(F.client))
      break
    case 'ntlm':
      e.User = text(r.value(F.username))
      break
    case 'ftp':
      e.User = text(r.value(F.user))
      break
  }
}
