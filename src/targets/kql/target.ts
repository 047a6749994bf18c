/**
 * @module
 * The `kql` target: each hunt's checked query as `<hunt>.kql` beside the page, and the
 * watchlist CSVs the queries read, once per pack.
 */
import type { Target, TargetFile } from '../target.ts'

export const kqlTarget: Target = {
  id: 'kql',
  describe: 'one checked .kql per hunt, and watchlist CSVs for large hunts',
  emit(content, queries) {
    const { id } = content.pack
    const files: TargetFile[] = []
    const watchlists = new Set<string>()
    for (const q of queries) {
      files.push({ path: `${id}/${q.file}`, content: q.text, hunt: q.hunt.id })
      // Hunts of one shape share their watchlist: it is written once.
      if (q.watchlist && !watchlists.has(q.watchlist.file)) {
        watchlists.add(q.watchlist.file)
        files.push({ path: `${id}/${q.watchlist.file}`, content: q.watchlist.csv })
      }
    }
    return files
  },
}
