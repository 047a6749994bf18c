/**
 * @module
 * The `defender` target: one Defender XDR custom-detection query per hunt on a table advanced
 * hunting has, as `defender/<hunt>.kql`. Hunts on Sentinel-only tables (CEF, DNS) are left out.
 * A custom detection must return `Timestamp`, `ReportId` and a column naming the impacted
 * device, user or mailbox; every query is checked against the advanced hunting schemas and its
 * projection against those requirements before it is written.
 */
import type { Hunt } from '../../pack/hunts.ts'
import { assertKqlClean } from '../kql/check.ts'
import { kqlCommentText } from '../kql/literal.ts'
import { huntBody } from '../kql/queries.ts'
import { defenderTableSchemas, type TableSchema } from '../kql/tables.ts'
import type { Target, TargetFile } from '../target.ts'

/** Columns a custom detection's result must hold, whatever the table. */
export const REQUIRED_COLUMNS = ['Timestamp', 'ReportId'] as const

/** Columns that name an impacted entity; a custom detection needs at least one. */
export const ENTITY_COLUMNS: readonly string[] = [
  'DeviceId',
  'DeviceName',
  'RemoteDeviceName',
  'RecipientEmailAddress',
  'SenderFromAddress',
  'SenderMailFromAddress',
  'RecipientObjectId',
  'AccountObjectId',
  'AccountSid',
  'AccountUpn',
  'InitiatingProcessAccountSid',
  'InitiatingProcessAccountUpn',
  'InitiatingProcessAccountObjectId',
]

/**
 * What opens each Defender projection: the required columns and the entity the alert is about.
 * Device tables name the device (`DeviceId`, which device actions such as isolation use); a
 * Safe Links click names the user who clicked and the message the link came in.
 */
const LEADING_COLUMNS: Record<string, string[]> = {
  DeviceNetworkEvents: ['Timestamp', 'ReportId', 'DeviceId'],
  DeviceFileEvents: ['Timestamp', 'ReportId', 'DeviceId'],
  DeviceProcessEvents: ['Timestamp', 'ReportId', 'DeviceId'],
  UrlClickEvents: ['Timestamp', 'ReportId', 'AccountUpn', 'NetworkMessageId'],
}

/** Log Analytics' time column, which advanced hunting calls `Timestamp`. */
const SENTINEL_ONLY = new Set(['TimeGenerated'])

const PROJECT = '| project '

/**
 * The hunt's query over the advanced hunting table: the KQL target's body (indicators inline:
 * Defender has no watchlists) with a projection that leads with the required columns, and no
 * time filter. Microsoft asks custom detections not to filter on `Timestamp`: each run sees
 * the data of its own lookback (4 hours for hourly rules up to 30 days for daily ones), and a
 * hunt in the portal takes the portal's time range.
 */
export function defenderQuery(hunt: Hunt, table: TableSchema): DefenderBody {
  // Any valid lookback will do: its filter line is taken out again below.
  const lookback = '1d'
  const { iocs, rest } = huntBody(hunt, table, { lookback })
  const window = `| where ${table.timeColumn} > ago(${lookback})`
  const body = rest.filter((line) => line.trim() !== window)
  const last = body.at(-1) ?? ''
  const leading = LEADING_COLUMNS[table.name]
  if (body.length !== rest.length - 1 || !last.startsWith(PROJECT) || !leading) {
    throw new Error(`no Defender form of hunt ${hunt.id} on ${table.name}`)
  }
  const kept = last
    .slice(PROJECT.length)
    .split(', ')
    .filter((c) => !leading.includes(c) && !SENTINEL_ONLY.has(c))
  const projection = `${PROJECT}${[...leading, ...kept].join(', ')}`
  return { iocs, rest: [...body.slice(0, -1), projection] }
}

export interface DefenderBody {
  iocs: string[]
  rest: string[]
}

/** The columns a query returns: the names of its last top-level `project`. */
export function projectedColumns(query: string): string[] {
  const lines = query.trimEnd().split('\n')
  const last = lines.findLast((l) => l.startsWith(PROJECT))
  return last ? last.slice(PROJECT.length).split(', ') : []
}

/** Throws when a query lacks a column a custom detection needs: that is a huntpack bug. */
export function assertDetectionColumns(query: string, label: string): void {
  const columns = projectedColumns(query)
  const missing: string[] = REQUIRED_COLUMNS.filter((c) => !columns.includes(c))
  if (!columns.some((c) => ENTITY_COLUMNS.includes(c))) missing.push('an entity column')
  if (columns.includes('TimeGenerated')) missing.push('Timestamp instead of TimeGenerated')
  if (missing.length > 0) {
    throw new Error(`${label}: a custom detection needs ${missing.join(', ')}`)
  }
}

const checked = new Set<string>()

/**
 * Checks a query once per shape: past the indicator rows (literals made by `kqlString`), the
 * text depends only on the hunt and the indicator kinds it holds, so the first row stands for
 * all of them.
 */
function checkOnce(body: DefenderBody, label: string): void {
  const key = `${body.iocs[0]}\n${body.rest.join('\n')}`
  if (checked.has(key)) return
  const [opening = '', first = '', ...more] = body.iocs
  const iocs = more.length >= 2 ? [opening, first.replace(/,$/, ''), '];'] : body.iocs
  const sample = [...iocs, ...body.rest].join('\n')
  assertKqlClean(sample, label, { database: 'defender' })
  assertDetectionColumns(sample, label)
  checked.add(key)
}

export const defenderTarget: Target = {
  id: 'defender',
  describe: 'a Defender XDR custom-detection query per hunt on an advanced hunting table',
  emit(content, queries) {
    const { pack } = content
    const files: TargetFile[] = []
    for (const { hunt } of queries) {
      const table = defenderTableSchemas().get(hunt.table)
      if (!table) continue
      const path = `${pack.id}/defender/${hunt.id}.kql`
      const body = defenderQuery(hunt, table)
      checkOnce(body, path)
      const entity = LEADING_COLUMNS[table.name]?.slice(2).join(', ')
      const header = [
        hunt.title,
        hunt.purpose,
        `Pack: ${pack.title} (${pack.id})`,
        `Feeds: ${pack.feeds.length > 0 ? pack.feeds.join(', ') : 'none named'}`,
        `Table: ${table.name} (Defender XDR advanced hunting)`,
        `Indicators: ${hunt.indicators.length}, inline`,
        "Time: no filter; a custom detection's lookback follows its run frequency",
        `Custom detection: returns Timestamp and ReportId; impacted entity ${entity}`,
      ]
      const comments = header.map((line) => `// ${kqlCommentText(line)}`)
      const text = `${[...comments, ...body.iocs, ...body.rest].join('\n')}\n`
      files.push({ path, content: text, hunt: hunt.id })
    }
    return files
  },
}
