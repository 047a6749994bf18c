/**
 * @module
 * The normalised event every log reader produces and every engine hunts over. Column names
 * follow Microsoft's ASIM where one exists, so a finding reads the same whichever log it came
 * from. Readers fill what their format knows and leave the rest `null`; `normaliseEvent` then
 * makes addresses, names, URLs and hashes canonical the same way intake does for indicators,
 * so an engine compares values with plain equality.
 */

/** What kind of activity an event records; decides nothing in matching, shown in findings. */
export type EventKind = 'network' | 'dns' | 'http' | 'tls' | 'file' | 'process' | 'alert' | 'other'

export interface LogEvent {
  /** ISO 8601 UTC with milliseconds (`2023-08-09T14:24:24.550Z`), or null when the log has none. */
  TimeGenerated: string | null
  EventType: EventKind
  SrcIpAddr: string | null
  SrcPortNumber: number | null
  DstIpAddr: string | null
  DstPortNumber: number | null
  /** `tcp`, `udp`, `icmp`… lower-case. */
  NetworkProtocol: string | null
  /** The name looked up. */
  DnsQuery: string | null
  /** Addresses and names in the answer; empty when none. */
  DnsResponse: string[]
  /** A full URL (`http://host/path?query`), or `host/path` when the log has no scheme. */
  Url: string | null
  /** The host of `Url`; set by `normaliseEvent`, never by readers. */
  UrlHost: string | null
  /** HTTP Host, TLS SNI, or a destination host name the device resolved. */
  TargetHostname: string | null
  FileMD5: string | null
  FileSHA1: string | null
  FileSHA256: string | null
  /** The reporting device or host. */
  Dvc: string | null
  User: string | null
  Process: string | null
  CommandLine: string | null
  /** What the device did: `allow`, `deny`, the vendor's action text. */
  DvcAction: string | null
  /** The reader that produced the event (`zeek-dns`, `suricata-eve`, `sentinel-csv`…). */
  LogFormat: string
  /** The file as the user named it; inside archives `archive.zip!member.json`. */
  SourceFile: string
  /** 1-based line where the event starts, when the format is line-based. */
  SourceLine: number | null
  /** 1-based position of the record in its file. */
  SourceRecord: number
}

/**
 * A blank event of the one shape all events share; readers set what they know.
 *
 * @example const e = blankEvent('zeek-conn', 'conn.log', 12, 3); e.DstIpAddr = '10.0.0.1'
 */
export function blankEvent(
  format: string,
  file: string,
  record: number,
  line: number | null,
): LogEvent {
  return {
    TimeGenerated: null,
    EventType: 'other',
    SrcIpAddr: null,
    SrcPortNumber: null,
    DstIpAddr: null,
    DstPortNumber: null,
    NetworkProtocol: null,
    DnsQuery: null,
    DnsResponse: [],
    Url: null,
    UrlHost: null,
    TargetHostname: null,
    FileMD5: null,
    FileSHA1: null,
    FileSHA256: null,
    Dvc: null,
    User: null,
    Process: null,
    CommandLine: null,
    DvcAction: null,
    LogFormat: format,
    SourceFile: file,
    SourceLine: line,
    SourceRecord: record,
  }
}

/** Column order shared by the engines and the Parquet lake. */
export const EVENT_COLUMNS = [
  'TimeGenerated',
  'EventType',
  'SrcIpAddr',
  'SrcPortNumber',
  'DstIpAddr',
  'DstPortNumber',
  'NetworkProtocol',
  'DnsQuery',
  'DnsResponse',
  'Url',
  'UrlHost',
  'TargetHostname',
  'FileMD5',
  'FileSHA1',
  'FileSHA256',
  'Dvc',
  'User',
  'Process',
  'CommandLine',
  'DvcAction',
  'LogFormat',
  'SourceFile',
  'SourceLine',
  'SourceRecord',
] as const satisfies readonly (keyof LogEvent)[]

/** Where a reader hands its events, one at a time, in file order. */
export interface EventSink {
  event(event: LogEvent): void
  /**
   * A record that cannot be read. The hunt goes on; the record is counted and reported with
   * its place and the reason.
   */
  broken(at: { line?: number; record?: number }, reason: string): void
}
