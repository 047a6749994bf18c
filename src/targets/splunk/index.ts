/**
 * @module
 * The `splunk` target: one SPL search per hunt kind over the Splunk CIM data models
 * (`splunk/<search>.spl`), and for large packs the lookup CSV the searches read, beside them.
 */
import { toCsv, watchlistAlias } from '../kql/watchlist.ts'
import { type Shape, shapeSets } from '../siem/indicators.ts'
import type { Target, TargetFile } from '../target.ts'
import { lookupRows, needsLookup, SPLUNK_SEARCHES, splunkSearch } from './searches.ts'

const LOOKUP_NAMES: Record<Shape, string> = {
  ip: 'addresses',
  domain: 'domains',
  url: 'urls',
  hash: 'hashes',
}

/** The lookup file of a pack's shape: `huntpack-<pack>-<shape>.csv`, a valid Splunk name. */
export function lookupName(packId: string, shape: Shape): string {
  return `${watchlistAlias(packId, LOOKUP_NAMES[shape])}.csv`
}

export const splunkTarget: Target = {
  id: 'splunk',
  describe:
    'one SPL search per hunt kind over the Splunk CIM data models, lookup CSVs for large packs',
  emit(content, queries) {
    const { pack } = content
    const sets = shapeSets(queries)
    const dir = `${pack.id}/splunk`
    const files: TargetFile[] = []
    const lookups = new Map<Shape, string>()
    for (const search of SPLUNK_SEARCHES) {
      const set = sets[search.shape]
      if (!set) continue
      let lookup = lookups.get(search.shape)
      if (lookup === undefined && needsLookup(set)) {
        // Searches of one shape share the lookup: it is written once.
        lookup = lookupName(pack.id, search.shape)
        lookups.set(search.shape, lookup)
        const csv = toCsv(['key', 'entry'], lookupRows(set, search.shape))
        files.push({ path: `${dir}/${lookup}`, content: csv })
      }
      const text = splunkSearch(search, set, {
        packId: pack.id,
        packTitle: pack.title,
        feeds: pack.feeds,
        lookback: content.lookback,
        lookup,
      })
      if (text !== undefined) files.push({ path: `${dir}/${search.id}.spl`, content: text })
    }
    return files
  },
}
