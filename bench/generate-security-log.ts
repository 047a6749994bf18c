/**
 * @module
 * A Sentinel CommonSecurityLog export for the hunt benchmark: the 160 columns (and their
 * order, `TimeGenerated [UTC]` in the portal's US format) of a Log Analytics CSV export, rows
 * from the appliances that usually fill the table: PAN-OS traffic, Check Point drops, FortiGate
 * DNS (query and answers in `AdditionalExtensions`) and Zscaler web logs (`RequestURL` as
 * `host/path`, user agents, file hashes). Planted rows put an indicator where a hunt must find
 * it.
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

/** A Log Analytics export of CommonSecurityLog, column by column. */
export const SECURITY_LOG_COLUMNS = [
  'TenantId',
  'TimeGenerated [UTC]',
  'DeviceVendor',
  'DeviceProduct',
  'DeviceVersion',
  'DeviceEventClassID',
  'Activity',
  'LogSeverity',
  'OriginalLogSeverity',
  'AdditionalExtensions',
  'DeviceAction',
  'ApplicationProtocol',
  'EventCount',
  'DestinationDnsDomain',
  'DestinationServiceName',
  'DestinationTranslatedAddress',
  'DestinationTranslatedPort',
  'CommunicationDirection',
  'DeviceDnsDomain',
  'DeviceExternalID',
  'DeviceFacility',
  'DeviceInboundInterface',
  'DeviceNtDomain',
  'DeviceOutboundInterface',
  'DevicePayloadId',
  'ProcessName',
  'DeviceTranslatedAddress',
  'DestinationHostName',
  'DestinationMACAddress',
  'DestinationNTDomain',
  'DestinationProcessId',
  'DestinationUserPrivileges',
  'DestinationProcessName',
  'DestinationPort',
  'DestinationIP',
  'DeviceTimeZone',
  'DestinationUserID',
  'DestinationUserName',
  'DeviceAddress',
  'DeviceName',
  'DeviceMacAddress',
  'ProcessID',
  'EndTime [UTC]',
  'ExternalID',
  'ExtID',
  'FileCreateTime',
  'FileHash',
  'FileID',
  'FileModificationTime',
  'FilePath',
  'FilePermission',
  'FileType',
  'FileName',
  'FileSize',
  'ReceivedBytes',
  'Message',
  'OldFileCreateTime',
  'OldFileHash',
  'OldFileID',
  'OldFileModificationTime',
  'OldFileName',
  'OldFilePath',
  'OldFilePermission',
  'OldFileSize',
  'OldFileType',
  'SentBytes',
  'EventOutcome',
  'Protocol',
  'Reason',
  'RequestURL',
  'RequestClientApplication',
  'RequestContext',
  'RequestCookies',
  'RequestMethod',
  'ReceiptTime',
  'SourceHostName',
  'SourceMACAddress',
  'SourceNTDomain',
  'SourceDnsDomain',
  'SourceServiceName',
  'SourceTranslatedAddress',
  'SourceTranslatedPort',
  'SourceProcessId',
  'SourceUserPrivileges',
  'SourceProcessName',
  'SourcePort',
  'SourceIP',
  'StartTime [UTC]',
  'SourceUserID',
  'SourceUserName',
  'EventType',
  'DeviceEventCategory',
  ...[1, 2, 3, 4].flatMap((n) => [
    `DeviceCustomIPv6Address${n}`,
    `DeviceCustomIPv6Address${n}Label`,
  ]),
  ...[1, 2, 3, 4].flatMap((n) => [
    `DeviceCustomFloatingPoint${n}`,
    `DeviceCustomFloatingPoint${n}Label`,
  ]),
  ...[1, 2, 3].flatMap((n) => [
    `DeviceCustomNumber${n}`,
    `FieldDeviceCustomNumber${n}`,
    `DeviceCustomNumber${n}Label`,
  ]),
  ...[1, 2, 3, 4, 5, 6].flatMap((n) => [`DeviceCustomString${n}`, `DeviceCustomString${n}Label`]),
  ...[1, 2].flatMap((n) => [`DeviceCustomDate${n}`, `DeviceCustomDate${n}Label`]),
  'FlexDate1',
  'FlexDate1Label',
  'FlexNumber1',
  'FlexNumber1Label',
  'FlexNumber2',
  'FlexNumber2Label',
  'FlexString1',
  'FlexString1Label',
  'FlexString2',
  'FlexString2Label',
  'RemoteIP',
  'RemotePort',
  'MaliciousIP',
  'ThreatSeverity',
  'IndicatorThreatType',
  'ThreatDescription',
  'ThreatConfidence',
  'ReportReferenceLink',
  'MaliciousIPLongitude',
  'MaliciousIPLatitude',
  'MaliciousIPCountry',
  'Computer',
  'SourceSystem',
  'SimplifiedDeviceAction',
  'CollectorHostName',
  'Type',
  '_ResourceId',
] as const

type Column = (typeof SECURITY_LOG_COLUMNS)[number]
type Row = Partial<Record<Column, string | number>>

const AT = new Map<string, number>(SECURITY_LOG_COLUMNS.map((name, i) => [name, i]))
const TENANT = '5f1c1e1a-7d4b-4f0e-9a51-3c2b8e7d6a10'
const RESOURCE =
  '/subscriptions/0b7c6f3e-2f7a-4c57-8d1e-6a9b0c1d2e3f/resourcegroups/soc/providers/' +
  'microsoft.compute/virtualmachines/cef-fwd-01'

function cell(value: string | number | undefined): string {
  if (value === undefined) return ''
  const text = String(value)
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** `11/30/2026, 8:00:00.123 AM`: the portal's export format, in UTC. */
function exportTime(ms: number): string {
  const d = new Date(ms)
  const h = d.getUTCHours()
  const m = String(d.getUTCMinutes()).padStart(2, '0')
  const s = String(d.getUTCSeconds()).padStart(2, '0')
  const f = String(d.getUTCMilliseconds()).padStart(3, '0')
  return (
    `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}, ` +
    `${h % 12 === 0 ? 12 : h % 12}:${m}:${s}.${f} ${h < 12 ? 'AM' : 'PM'}`
  )
}

const COMMAS = Array.from({ length: SECURITY_LOG_COLUMNS.length + 1 }, (_, n) => ','.repeat(n))
/** What every row holds from `Computer` to the end. */
const TAIL = `cef-fwd-01,OpsManager,{action},,CommonSecurityLog,${RESOURCE}`
const COMPUTER = AT.get('Computer') as number
const EXTERNAL_ID = AT.get('ExternalID') as number

/** A row: the set cells in column order, commas for the empty ones between. */
function rowLine(c: Context, row: Row): string {
  const cells: [number, string][] = []
  for (const name in row) {
    const at = AT.get(name) as number
    if (at < COMPUTER) cells.push([at, cell(row[name as Column])])
  }
  cells.push([EXTERNAL_ID, String(c.id)])
  cells.sort((a, b) => a[0] - b[0])
  let line = `${TENANT},"${c.time}"`
  let column = 1
  for (const [at, text] of cells) {
    line += COMMAS[at - column] + text
    column = at
  }
  const action = row.SimplifiedDeviceAction === undefined ? '' : String(row.SimplifiedDeviceAction)
  return `${line}${COMMAS[COMPUTER - column]}${TAIL.replace('{action}', action)}`
}

interface Context {
  time: string
  /** The appliance's log sequence number (`ExternalID`): unique per row. */
  id: number
  b: Benign
  next: Next
}

function panTraffic(c: Context, src: string, sport: number, dst: string, dport: number): Row {
  const allow = c.next() < 0.85
  const app = dport === 443 ? 'ssl' : dport === 80 ? 'web-browsing' : 'incomplete'
  return {
    DeviceVendor: 'Palo Alto Networks',
    DeviceProduct: 'PAN-OS',
    DeviceVersion: '11.1.4',
    DeviceEventClassID: 'end',
    Activity: 'TRAFFIC',
    LogSeverity: 1,
    AdditionalExtensions:
      `PanOSRuleUUID=6d2b1f3c-0e4a-4b7e-9c1d-${c.b.hash(12)};PanOSSessionID=${c.b.int(9_000_000)};` +
      'PanOSSourceLocation=10.0.0.0-10.255.255.255;PanOSDestinationLocation=US',
    DeviceAction: allow ? 'allow' : 'deny',
    SimplifiedDeviceAction: allow ? 'Allow' : 'Deny',
    ApplicationProtocol: app,
    DeviceInboundInterface: 'ethernet1/2',
    DeviceOutboundInterface: 'ethernet1/1',
    DeviceName: 'PA-3220-HQ',
    DeviceAddress: '10.0.0.1',
    SourceIP: src,
    SourcePort: sport,
    DestinationIP: dst,
    DestinationPort: dport,
    Protocol: 'tcp',
    SentBytes: c.b.int(40_000),
    ReceivedBytes: c.b.int(400_000),
    SourceUserName: c.b.user(),
    DeviceCustomString1: 'outbound-web',
    DeviceCustomString1Label: 'Rule',
  }
}

function checkPointDrop(c: Context, src: string, sport: number, dst: string, dport: number): Row {
  return {
    DeviceVendor: 'Check Point',
    DeviceProduct: 'VPN-1 & FireWall-1',
    DeviceVersion: 'Check Point',
    DeviceEventClassID: 'Log',
    Activity: 'Drop',
    LogSeverity: 5,
    AdditionalExtensions: `origin_sic_name=CN=cp_mgmt,o=gw-hq..x7k2mb;layer_name=Network;ifdir=inbound`,
    DeviceAction: 'Drop',
    SimplifiedDeviceAction: 'Drop',
    DeviceInboundInterface: 'eth1',
    DeviceName: 'gw-hq',
    DeviceAddress: '10.0.0.2',
    SourceIP: src,
    SourcePort: sport,
    DestinationIP: dst,
    DestinationPort: dport,
    Protocol: 'tcp',
    CommunicationDirection: 'Inbound',
    DeviceCustomNumber2: c.b.int(1000),
    DeviceCustomNumber2Label: 'rule_uid',
  }
}

/** FortiGate DNS logs keep the name and the answers in vendor keys. */
function fortiDns(c: Context, client: string, name: string, answers: string[] | null): Row {
  const response = answers !== null
  return {
    DeviceVendor: 'Fortinet',
    DeviceProduct: 'Fortigate',
    DeviceVersion: 'v7.4.3',
    DeviceEventClassID: response ? 54200 : 54000,
    Activity: response ? 'utm:dns dns-response' : 'utm:dns dns-query',
    LogSeverity: 2,
    AdditionalExtensions:
      `FTNTFGTlogid=${response ? '1501054200' : '1500054000'};FTNTFGTsubtype=dns;` +
      `FTNTFGTeventtype=dns-${response ? 'response' : 'query'};FTNTFGTlevel=information;` +
      `FTNTFGTvd=root;FTNTFGTpolicyid=3;FTNTFGTprofile=default;FTNTFGTxid=${c.b.int(65536)};` +
      `FTNTFGTqname=${name};FTNTFGTqtype=A;FTNTFGTqtypeval=1;FTNTFGTqclass=IN` +
      (response ? `;FTNTFGTipaddr=${answers.join(', ')}` : ''),
    DeviceAction: response ? 'pass' : '',
    DeviceName: 'FGVM01-BRANCH',
    DeviceInboundInterface: 'port3',
    DeviceOutboundInterface: 'port2',
    SourceIP: client,
    SourcePort: c.b.ephemeral(),
    DestinationIP: '10.0.0.53',
    DestinationPort: 53,
    Protocol: 17,
    DeviceEventCategory: 'utm:dns',
  }
}

/** Zscaler web logs: the URL as `host/path`, the host, the user agent, sometimes a hash. */
function zscalerWeb(
  c: Context,
  host: string,
  url: string,
  fileHash: string | undefined,
  blocked = false,
): Row {
  return {
    DeviceVendor: 'Zscaler',
    DeviceProduct: 'NSSWeblog',
    DeviceVersion: '6.2',
    DeviceEventClassID: blocked ? 'Blocked' : 'Allowed',
    Activity: blocked ? 'Blocked' : 'Allowed',
    LogSeverity: 3,
    AdditionalExtensions: `reason=${blocked ? 'Malicious Content' : 'Allowed'};ClientIP=${c.b.client()}`,
    DeviceAction: blocked ? 'Blocked' : 'Allowed',
    SimplifiedDeviceAction: blocked ? 'Deny' : 'Allow',
    ApplicationProtocol: 'HTTPS',
    DestinationHostName: host,
    DestinationIP: c.b.server(),
    DestinationPort: 443,
    SourceIP: c.b.client(),
    SourcePort: c.b.ephemeral(),
    RequestURL: url,
    RequestMethod: 'GET',
    RequestClientApplication: c.b.agent(),
    SourceUserName: `${c.b.user().slice(8)}@contoso.com`,
    FileHash: fileHash,
    SentBytes: c.b.int(5000),
    ReceivedBytes: c.b.int(900_000),
    DeviceCustomString2: 'Business Use',
    DeviceCustomString2Label: 'urlclass',
  }
}

function benignRow(c: Context): Row {
  const roll = c.next()
  if (roll < 0.4) {
    return panTraffic(c, c.b.client(), c.b.ephemeral(), c.b.server(), pickOf(c.next, [443, 80]))
  }
  if (roll < 0.5) {
    return checkPointDrop(
      c,
      c.b.server(),
      c.b.ephemeral(),
      c.b.client(),
      pickOf(c.next, [22, 3389]),
    )
  }
  if (roll < 0.6) return fortiDns(c, c.b.client(), c.b.name(), null)
  if (roll < 0.72) {
    const answers = [c.b.server()]
    if (c.next() < 0.3) answers.push(c.b.server())
    return fortiDns(c, c.b.client(), c.b.name(), answers)
  }
  const host = c.b.name()
  const hash = c.next() < 0.05 ? c.b.hash(32) : undefined
  return zscalerWeb(c, host, `${host}${c.b.path()}`, hash)
}

type Planter = (c: Context, plan: PlantPlan) => Plant

const exp = (indicator: string, match: Expectation['match'], field: Expectation['field']) => ({
  indicator,
  match,
  field,
})

const OTHER_PORTS = [22, 21, 25, 8081]

const PLANTERS: Planter[] = [
  (c, plan) => {
    const i = plan.take('ip:port')
    return {
      name: 'ip:port-exact-traffic',
      line: rowLine(
        c,
        panTraffic(c, c.b.client(), c.b.ephemeral(), i.ip as string, i.port as number),
      ),
      expect: [exp(i.value, 'exact', 'DstIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    const port = pickOf(c.next, OTHER_PORTS)
    return {
      name: 'ip:port-address-only-traffic',
      line: rowLine(c, panTraffic(c, c.b.client(), c.b.ephemeral(), i.ip as string, port)),
      expect: [exp(i.value, 'address-only', 'DstIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    return {
      name: 'ip:port-exact-from-drop',
      line: rowLine(c, checkPointDrop(c, i.ip as string, i.port as number, c.b.client(), 3389)),
      expect: [exp(i.value, 'exact', 'SrcIpAddr')],
    }
  },
  (c, plan) => {
    const i = plan.take('ip:port')
    return {
      name: 'ip:port-dns-answer',
      line: rowLine(c, fortiDns(c, c.b.client(), c.b.unlisted(), [c.b.server(), i.ip as string])),
      expect: [exp(i.value, 'address-only', 'DnsResponse')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    return {
      name: 'domain-exact-dns',
      line: rowLine(c, fortiDns(c, c.b.client(), i.value, null)),
      expect: [exp(i.value, 'exact', 'DnsQuery')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    const host = `${pickOf(c.next, NAME_PREFIXES)}.${i.value}`
    return {
      name: 'domain-subdomain-web',
      line: rowLine(c, zscalerWeb(c, host, `${host}/index.php`, undefined, true)),
      expect: [exp(i.value, 'subdomain', 'TargetHostname'), exp(i.value, 'subdomain', 'UrlHost')],
    }
  },
  (c, plan) => {
    const i = plan.take('domain')
    return {
      name: 'domain-exact-web',
      line: rowLine(c, zscalerWeb(c, i.value, `${i.value}/`, undefined)),
      expect: [exp(i.value, 'exact', 'TargetHostname'), exp(i.value, 'exact', 'UrlHost')],
    }
  },
  (c, plan) => {
    const i = plan.take('url')
    // Half as Zscaler writes URLs (no scheme), half with the indicator's own scheme.
    const url = c.next() < 0.5 ? `${i.host}${i.path}` : i.value
    return {
      name: 'url-exact-web',
      line: rowLine(c, zscalerWeb(c, i.host as string, url, undefined)),
      expect: [exp(i.value, 'exact', 'Url'), exp(i.value, 'host-only', 'TargetHostname')],
    }
  },
  (c, plan) => {
    const i = plan.take('url')
    return {
      name: 'url-host-only-web',
      line: rowLine(c, zscalerWeb(c, i.host as string, `${i.host}/robots.txt`, undefined)),
      expect: [exp(i.value, 'host-only', 'UrlHost'), exp(i.value, 'host-only', 'TargetHostname')],
    }
  },
  (c, plan) => {
    const i = plan.take('sha256')
    const host = c.b.name()
    return {
      name: 'sha256-web',
      line: rowLine(c, zscalerWeb(c, host, `${host}/files/report.docm`, i.value, true)),
      expect: [exp(i.value, 'exact', 'FileSHA256')],
    }
  },
  (c, plan) => {
    const i = plan.take('md5')
    const host = c.b.name()
    return {
      name: 'md5-web',
      line: rowLine(c, zscalerWeb(c, host, `${host}/files/setup.exe`, i.value, true)),
      expect: [exp(i.value, 'exact', 'FileMD5')],
    }
  },
]

/** Writes the header and rows until the writer has its size and plants; returns the rows. */
export function writeSecurityLog(
  w: LogWriter,
  next: Next,
  pools: Pools,
  plan: PlantPlan,
  onPlant: (plant: Plant, line: number) => void,
): number {
  const c: Context = { time: '', id: 0, b: new Benign(next, pools), next }
  w.line(SECURITY_LOG_COLUMNS.map(cell).join(','))
  let ms = Date.UTC(2026, 10, 30, 0, 0, 0)
  let planted = 0
  let rows = 0
  while (w.writing) {
    ms += Math.floor(next() * 40)
    c.time = exportTime(ms)
    c.id = 700_000_000 + ++rows
    if (w.plantDue()) {
      const planter = PLANTERS[planted++ % PLANTERS.length] as Planter
      const plant = planter(c, plan)
      onPlant(plant, w.line(plant.line))
    } else w.line(rowLine(c, benignRow(c)))
  }
  return rows
}
