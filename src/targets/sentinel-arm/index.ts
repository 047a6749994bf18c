/**
 * @module
 * The `sentinel-arm` target: per pack, one ARM template (`sentinel/azuredeploy.json`) that
 * deploys the pack's scheduled analytics rules to a workspace, in the Azure-Sentinel content
 * repository's `Microsoft.SecurityInsights/alertRules` form, with the watchlists they read when
 * the template can carry them. The rules are the `sentinel-rule` target's: same ids, queries,
 * severity, schedule, ATT&CK and entities.
 */
import { HuntpackError, UsageError } from '../../errors.ts'
import type { PackContent } from '../../pack/content.ts'
import type { EmittedQuery } from '../kql/emit.ts'
import {
  attackOf,
  checkOnce,
  entityMappings,
  huntDescription,
  stableId,
  type WatchlistNote,
} from '../sentinel/content.ts'
import { ruleQuery, ruleSchedule, ruleSeverity } from '../sentinel-rule/index.ts'
import type { Target, TargetFile } from '../target.ts'
import { assertArmTemplate } from './validate.ts'

/** Sentinel's REST API version the resources are written for; it knows `techniques`. */
const API_VERSION = '2024-03-01'

/** What Sentinel takes as a watchlist's raw content in one upload. */
export const WATCHLIST_RAW_LIMIT = 3_800_000

/** What ARM takes as one template (bytes), kept a little under the documented 4 MB. */
export const TEMPLATE_LIMIT = 4_000_000

const UNITS = { d: 'D', h: 'H', m: 'M' } as const

/** `14d` → `P14D`, `1h` → `PT1H`, `30m` → `PT30M`: ISO 8601 as ARM wants durations. */
export function isoDuration(span: string): string {
  const match = /^(\d+)([dhm])$/.exec(span)
  if (!match) throw new Error(`not a duration: ${span}`)
  const [, count, unit] = match as unknown as [string, string, keyof typeof UNITS]
  return unit === 'd' ? `P${count}D` : `PT${count}${UNITS[unit]}`
}

/**
 * A string ARM reads literally: one that starts with `[` and ends with `]` would be evaluated
 * as a template expression, so its bracket is doubled, which ARM reads back as one.
 */
export function armLiteral(text: string): string {
  return text.startsWith('[') && text.endsWith(']') ? `[${text}` : text
}

const WORKSPACE_PROVIDER = "parameters('workspace'), '/Microsoft.SecurityInsights/'"

interface Watchlist {
  alias: string
  csv: string
  searchKey: string
  /** Where the CSV is, relative to the pack, when the template cannot carry it. */
  file: string
  /** Only the rules read it, so the KQL target does not write it. */
  ruleOnly: boolean
  deployed: boolean
}

interface PlannedRule {
  q: EmittedQuery
  query: string
  watchlist?: Watchlist
}

export const sentinelArmTarget: Target = {
  id: 'sentinel-arm',
  describe: "an ARM template per pack: the pack's scheduled analytics rules and their watchlists",
  check: (options) => {
    schedule(options.lookback)
  },
  emit(content, queries) {
    const { pack } = content
    const path = `${pack.id}/sentinel/azuredeploy.json`
    const { rules, watchlists } = plan(content, queries, path)
    if (rules.length === 0) return []

    // Watchlists go in while the template stays within ARM's limit; the rest are uploaded.
    let size = byteLength(template(content, rules, []))
    for (const watchlist of watchlists) {
      const resource = watchlistResource(content, watchlist)
      const grows = byteLength(resource) + 1024
      if (byteLength(watchlist.csv) > WATCHLIST_RAW_LIMIT || size + grows > TEMPLATE_LIMIT) continue
      watchlist.deployed = true
      size += grows
    }
    const deployed = watchlists.filter((w) => w.deployed)
    const document = template(content, rules, deployed)
    assertArmTemplate(document, path)
    const text = `${JSON.stringify(document, null, 2)}\n`
    if (Buffer.byteLength(text) > TEMPLATE_LIMIT) {
      throw new HuntpackError(
        'ERR_TARGET',
        `${path}: the ARM template is ${Buffer.byteLength(text)} bytes; ARM takes ${TEMPLATE_LIMIT}`,
      )
    }

    const files: TargetFile[] = [{ path, content: text }]
    for (const watchlist of watchlists) {
      if (!watchlist.deployed && watchlist.ruleOnly) {
        files.push({ path: `${pack.id}/${watchlist.file}`, content: watchlist.csv })
      }
    }
    return files
  },
}

/** The rule schedule, refused as this target's usage error when Sentinel cannot run it. */
function schedule(lookback: string): { queryFrequency: string; queryPeriod: string } {
  try {
    const { queryFrequency, queryPeriod } = ruleSchedule(lookback)
    return { queryFrequency: isoDuration(queryFrequency), queryPeriod: isoDuration(queryPeriod) }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    throw new UsageError(
      `--lookback ${lookback}: a Sentinel scheduled rule (target sentinel-arm) looks back 5m to 14d`,
    )
  }
}

/** Each hunt's rule query (as the `sentinel-rule` target has it) and the watchlists they read. */
function plan(content: PackContent, queries: EmittedQuery[], path: string) {
  const rules: PlannedRule[] = []
  const watchlists = new Map<string, Watchlist>()
  for (const q of queries) {
    const r = ruleQuery(content, q)
    checkOnce('sentinel-arm', q.hunt, r.query, `${path} (${q.hunt.id})`)
    let watchlist: Watchlist | undefined
    if (r.watchlist) {
      const alias = r.watchlist.alias
      const source = r.csv ?? q.watchlist?.csv
      if (source === undefined) throw new Error(`no CSV for watchlist ${alias}`)
      watchlist = watchlists.get(alias) ?? {
        alias,
        csv: source,
        searchKey: 'SearchKey',
        // A CSV only the rules read is written beside the template, not under `rules/`.
        file: r.csv ? `sentinel/${r.watchlist.file.split('/').at(-1)}` : r.watchlist.file,
        ruleOnly: r.csv !== undefined,
        deployed: false,
      }
      watchlists.set(alias, watchlist)
    }
    rules.push({ q, query: r.query.text, watchlist })
  }
  return { rules, watchlists: [...watchlists.values()] }
}

function template(content: PackContent, rules: PlannedRule[], watchlists: Watchlist[]) {
  return {
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      workspace: {
        type: 'string',
        metadata: { description: 'The Log Analytics workspace Microsoft Sentinel runs on' },
      },
    },
    resources: [
      ...watchlists.map((w) => watchlistResource(content, w)),
      ...rules.map((r) => ruleResource(content, r)),
    ],
  }
}

function ruleResource(content: PackContent, rule: PlannedRule) {
  const { pack } = content
  const { hunt } = rule.q
  const { severity, reason } = ruleSeverity(hunt)
  const { queryFrequency, queryPeriod } = schedule(content.lookback)
  const watchlist = rule.watchlist
  let note: WatchlistNote | undefined
  const more = [reason]
  if (watchlist?.deployed) {
    more.unshift(`Reads the watchlist '${watchlist.alias}', which this template deploys.`)
  } else if (watchlist) {
    note = { alias: watchlist.alias, file: watchlist.file }
    more.push(
      `The watchlist is not in this template: its CSV is over what one ARM deployment carries (${WATCHLIST_RAW_LIMIT} bytes of watchlist, ${TEMPLATE_LIMIT} of template).`,
    )
  }
  const { tactics, relevantTechniques } = attackOf(hunt)
  const id = stableId('sentinel-rule', pack.id, hunt.id)
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/alertRules',
    apiVersion: API_VERSION,
    name: `[concat(${WORKSPACE_PROVIDER}, '${id}')]`,
    kind: 'Scheduled',
    ...(watchlist?.deployed ? { dependsOn: [watchlistId(watchlist.alias)] } : {}),
    properties: {
      displayName: armLiteral(`${pack.name}: ${hunt.title}`),
      description: armLiteral(huntDescription(content, hunt, note, more)),
      severity,
      enabled: true,
      query: armLiteral(rule.query),
      queryFrequency,
      queryPeriod,
      triggerOperator: 'GreaterThan',
      triggerThreshold: 0,
      // Repeated alerts on one event are folded by incident grouping, not suppressed.
      suppressionEnabled: false,
      suppressionDuration: queryFrequency,
      tactics,
      techniques: relevantTechniques,
      entityMappings: entityMappings(hunt),
      customDetails: {
        Indicator: 'Indicator',
        IndicatorKind: 'IndicatorKind',
        MatchKind: 'MatchKind',
        MatchedField: 'MatchedField',
      },
    },
  }
}

function watchlistResource(content: PackContent, watchlist: Watchlist) {
  const { pack } = content
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/Watchlists',
    apiVersion: API_VERSION,
    name: `[concat(${WORKSPACE_PROVIDER}, '${watchlist.alias}')]`,
    properties: {
      displayName: watchlist.alias,
      watchlistAlias: watchlist.alias,
      description: armLiteral(`Indicators of ${pack.title} (${pack.id}), written by huntpack.`),
      provider: 'huntpack',
      source: 'Local file',
      itemsSearchKey: watchlist.searchKey,
      contentType: 'text/csv',
      numberOfLinesToSkip: 0,
      rawContent: armLiteral(watchlist.csv),
    },
  }
}

function watchlistId(alias: string): string {
  return `[resourceId('Microsoft.OperationalInsights/workspaces/providers/Watchlists', parameters('workspace'), 'Microsoft.SecurityInsights', '${alias}')]`
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value, null, 2))
}
