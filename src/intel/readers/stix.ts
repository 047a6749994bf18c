/**
 * @module
 * STIX 2.0 and 2.1 JSON: a bundle, a bare array of objects, or one indicator object. Each
 * comparison in an indicator's `pattern` becomes a record (see `stix-pattern.ts`); paths we
 * do not hunt (`file:name`), negated or non-equality comparisons, and patterns in another
 * language (`pattern_type: yara`) become records with `type` set and no claimed kind, so they
 * are reported rather than lost. Other objects (observed-data, attack-pattern…) are context.
 *
 * The family comes from `indicates` relationships to malware objects (a family object first).
 * Indicator `name` and plain `labels` are not used for it: in real bundles they hold the value
 * itself (`www.webserver.dynssl.com`) or MISP type labels, not a family.
 */

import { IntelFormatError } from '../../errors.ts'
import type { IntelRecord } from '../indicator.ts'
import { feedName, isObject, parseJson, present, toConfidence, toIsoUtc } from './fields.ts'
import { addressWithPort, comparisons, observations, pathKind } from './stix-pattern.ts'
import type { IntelReadResult } from './types.ts'

type StixObject = Record<string, unknown>

/** Labels that do name a family, as MISP's STIX export writes them. */
const FAMILY_LABEL = /^(?:misp-galaxy:(?:malpedia|mitre-malware)|malware(?:-family)?)[:=]"?(.+?)"?$/

/**
 * Reads STIX 2.x JSON.
 *
 * @example readStix(bundleText, 'report.json').records.map((r) => r.claimedKind)
 */
export function readStix(text: string, file: string): IntelReadResult {
  const root = parseJson(text, file)
  const objects = stixObjects(root, file)
  const byId = new Map<string, StixObject>()
  for (const object of objects) if (typeof object.id === 'string') byId.set(object.id, object)
  const families = familiesByIndicator(objects, byId)

  const feed = feedName(file)
  const records: IntelRecord[] = []
  for (const object of objects) {
    if (object.type !== 'indicator') continue
    const id = present(object.id)
    if (typeof object.pattern !== 'string') {
      throw new IntelFormatError('indicator has no "pattern" string', { file, record: id })
    }

    const shared = {
      defanged: false,
      family: families.get(id ?? '') ?? familyFromLabels(object.labels),
      confidence: toConfidence(object.confidence),
      firstSeen: toIsoUtc(object.valid_from ?? object.created),
      tags: tagsOf(object),
      reference: firstReference(object.external_references),
      reporter: present(byId.get(String(object.created_by_ref))?.name),
      source: { feed, file, record: id },
    }

    const language = present(object.pattern_type) ?? 'stix'
    const found = language === 'stix' ? comparisons(object.pattern) : []
    if (found.length === 0) {
      records.push({ ...shared, value: object.pattern, type: `${language} pattern` })
      continue
    }
    const paired = new Set<string>()
    for (const observation of observations(object.pattern)) {
      const pair = addressWithPort(observation)
      if (!pair) continue
      records.push({ ...shared, value: pair.value, type: observation, claimedKind: 'ip:port' })
      for (const part of pair.parts) paired.add(`${part.path}\u0000${part.value}`)
    }
    for (const { path, operator, value } of found) {
      if (paired.has(`${path}\u0000${value}`)) continue
      const hunted = operator === '=' || operator === 'IN'
      records.push({
        ...shared,
        value,
        type: hunted ? path : `${path} ${operator}`,
        claimedKind: hunted ? pathKind(path, value) : undefined,
      })
    }
  }

  return { format: 'stix', records, meta: { title: reportTitle(objects) } }
}

function stixObjects(root: unknown, file: string): StixObject[] {
  if (Array.isArray(root)) return root.filter(isObject)
  if (isObject(root) && root.type === 'bundle') {
    return Array.isArray(root.objects) ? root.objects.filter(isObject) : []
  }
  if (isObject(root) && typeof root.type === 'string') return [root]
  throw new IntelFormatError('not STIX 2: expected a bundle, an object or an array of them', {
    file,
  })
}

/** Indicator id → family name, from `indicates` relationships to malware objects. */
function familiesByIndicator(
  objects: StixObject[],
  byId: Map<string, StixObject>,
): Map<string, string> {
  const targets = new Map<string, StixObject[]>()
  for (const object of objects) {
    if (object.type !== 'relationship' || object.relationship_type !== 'indicates') continue
    const target = byId.get(String(object.target_ref))
    if (target?.type !== 'malware' || present(target.name) === undefined) continue
    const source = String(object.source_ref)
    targets.set(source, [...(targets.get(source) ?? []), target])
  }

  const families = new Map<string, string>()
  for (const [indicator, malware] of targets) {
    const chosen = malware.find((m) => m.is_family === true) ?? malware[0]
    const name = present(chosen?.name)
    if (name !== undefined) families.set(indicator, name)
  }
  return families
}

function familyFromLabels(labels: unknown): string | undefined {
  if (!Array.isArray(labels)) return undefined
  for (const label of labels) {
    const match = typeof label === 'string' ? FAMILY_LABEL.exec(label) : null
    if (match?.[1]) return match[1]
  }
  return undefined
}

/** STIX 2.1 `indicator_types` and 2.0 `labels`: the feed's own words about the indicator. */
function tagsOf(object: StixObject): string[] | undefined {
  const tags = [object.indicator_types, object.labels]
    .flatMap((list) => (Array.isArray(list) ? list : []))
    .filter((tag): tag is string => typeof tag === 'string' && tag !== '')
  return tags.length > 0 ? tags : undefined
}

function firstReference(references: unknown): string | undefined {
  if (!Array.isArray(references)) return undefined
  for (const reference of references) {
    if (isObject(reference) && typeof reference.url === 'string') return reference.url
  }
  return undefined
}

function reportTitle(objects: StixObject[]): string | undefined {
  return present(objects.find((object) => object.type === 'report')?.name)
}
