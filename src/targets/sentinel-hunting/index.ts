/**
 * @module
 * The `sentinel-hunting` target: one Sentinel hunting query per hunt, as YAML in the schema of
 * the Azure-Sentinel content repository's Hunting Queries.
 */
import {
  attackOf,
  checkOnce,
  entityMappings,
  huntDescription,
  requiredDataConnectors,
  sentinelQuery,
  stableId,
  toYaml,
} from '../sentinel/content.ts'
import type { Target, TargetFile } from '../target.ts'

export const sentinelHuntingTarget: Target = {
  id: 'sentinel-hunting',
  describe: 'a Sentinel hunting query per hunt (content-repository YAML)',
  emit(content, queries) {
    const dir = `${content.pack.id}/sentinel/hunting`
    return queries.map((q): TargetFile => {
      const query = sentinelQuery(q)
      checkOnce('sentinel-hunting', q.hunt, query, `${dir}/${q.hunt.id}.yaml`)
      const watchlist = q.watchlist && { alias: q.watchlist.alias, file: q.watchlist.file }
      const document = {
        id: stableId('sentinel-hunting', content.pack.id, q.hunt.id),
        name: `${content.pack.name}: ${q.hunt.title}`,
        description: huntDescription(content, q.hunt, watchlist),
        requiredDataConnectors: requiredDataConnectors(q.hunt),
        ...attackOf(q.hunt),
        query: query.text,
        entityMappings: entityMappings(q.hunt),
      }
      return { path: `${dir}/${q.hunt.id}.yaml`, content: toYaml(document), hunt: q.hunt.id }
    })
  },
}
