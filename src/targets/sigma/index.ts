/**
 * @module
 * The `sigma` target: Sigma rules per pack and log source (`sigma/<rule>.yml`), with stable
 * ids, the feed's record pages as references, ATT&CK tags, and the pack's false-positive
 * guidance.
 */
import type { Indicator } from '../../intel/indicator.ts'
import type { PackContent } from '../../pack/content.ts'
import { plural } from '../../util/plural.ts'
import { stableId, toYaml } from '../sentinel/content.ts'
import { ruleSeverity } from '../sentinel-rule/index.ts'
import { kindCounts, type ShapeSet, shapeSets } from '../siem/indicators.ts'
import type { Target, TargetFile } from '../target.ts'
import { sigmaText } from './literal.ts'
import { guidanceFor, type RuleDefinition, SIGMA_RULES, type SigmaLevel } from './rules.ts'

/** The Sigma schema's limit on a title. */
const TITLE_MAX = 256
/** References beyond this many are left out; the description says how many there are. */
const REFERENCE_LIMIT = 20

const LEVELS: SigmaLevel[] = ['low', 'medium', 'high']

/**
 * The level of the rule: Sentinel's severity for the same indicators (threat type, one step
 * lower without a confident indicator), one step lower again for a weaker match.
 */
export function ruleLevel(set: ShapeSet, weaker: boolean): SigmaLevel {
  const severity = ruleSeverity({ ...set.hunt, indicators: set.indicators }).severity
  const rank = LEVELS.indexOf(severity.toLowerCase() as SigmaLevel)
  return LEVELS[Math.max(0, weaker ? rank - 1 : rank)] ?? 'medium'
}

/** `YYYY-MM-DD` of the earliest first sighting and of the latest sighting, when known. */
function dates(indicators: Indicator[]): { date?: string; modified?: string } {
  let first: string | undefined
  let last: string | undefined
  for (const i of indicators) {
    const seen = i.firstSeen
    if (seen !== undefined && (first === undefined || seen < first)) first = seen
    const latest = i.lastSeen ?? seen
    if (latest !== undefined && (last === undefined || latest > last)) last = latest
  }
  const day = (iso: string | undefined) =>
    iso && /^\d{4}-\d{2}-\d{2}/.test(iso) ? iso.slice(0, 10) : undefined
  const date = day(first)
  const modified = day(last)
  return { date, modified: modified && modified !== date ? modified : undefined }
}

/** The feed's pages of the rule's records, and the reports the feed cites, once each. */
function references(content: PackContent, indicators: Indicator[]): string[] {
  const found = new Set<string>()
  for (const i of indicators) {
    for (const source of i.sources) {
      const page = content.recordUrl?.(source)
      if (page) found.add(page)
    }
    for (const reference of i.references) if (/^https?:\/\//.test(reference)) found.add(reference)
  }
  return [...found]
}

function title(content: PackContent, rule: RuleDefinition): string {
  const text = sigmaText(`${content.pack.name}: ${rule.title}`)
  if (text.length <= TITLE_MAX) return text
  // Cut on a code point, so no lone surrogate is left at the end.
  return `${[...text.slice(0, TITLE_MAX - 1)].join('').replace(/[\ud800-\udbff]$/, '')}\u2026`
}

/** The rule document for a pack's values, or undefined when the rule has nothing to detect. */
export function sigmaRule(content: PackContent, rule: RuleDefinition, set: ShapeSet) {
  const detection = rule.detection(set.indicators)
  if (!detection) return undefined
  const { pack } = content
  const refs = references(content, set.indicators)
  const guidance = guidanceFor(content.guidance, set.indicators)
  const description = [
    rule.purpose,
    `Pack: ${pack.title} (${pack.id}); ${plural(set.indicators.length, 'indicator')} (${kindCounts(set.indicators)}); feeds: ${pack.feeds.join(', ') || 'none named'}.`,
    ...(refs.length > REFERENCE_LIMIT
      ? [`References: the first ${REFERENCE_LIMIT} of ${refs.length}.`]
      : []),
    'False-positive guidance is on the pack page (README.md).',
  ]
  return {
    title: title(content, rule),
    id: stableId('sigma', pack.id, rule.id),
    status: 'experimental',
    description: `${description.join('\n')}\n`,
    ...(refs.length > 0 ? { references: refs.slice(0, REFERENCE_LIMIT) } : {}),
    author: 'huntpack',
    ...dates(set.indicators),
    tags: [...rule.tags],
    logsource: { ...rule.logsource },
    detection: { ...detection.selections, condition: detection.condition },
    falsepositives: guidance.length > 0 ? guidance.map(sigmaText) : ['Unknown'],
    level: ruleLevel(set, rule.weaker === true),
  }
}

export const sigmaTarget: Target = {
  id: 'sigma',
  describe: 'Sigma rules per log source (network, DNS, proxy, process and file hashes)',
  emit(content, queries) {
    const sets = shapeSets(queries)
    const files: TargetFile[] = []
    for (const rule of SIGMA_RULES) {
      const set = sets[rule.shape]
      const document = set && sigmaRule(content, rule, set)
      if (!document) continue
      files.push({ path: `${content.pack.id}/sigma/${rule.id}.yml`, content: toYaml(document) })
    }
    return files
  },
}
