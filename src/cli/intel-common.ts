/**
 * @module
 * What `build` and `inspect` share: warninglists from a folder, and the report of what was read.
 */
import type { IntelLoad } from '../build.ts'
import { WarninglistSet } from '../intel/warninglist.ts'
import { formatCount, type Logger } from '../util/log.ts'

export async function loadWarninglists(dir: string | undefined, log: Logger) {
  if (dir === undefined) return WarninglistSet.builtIn()
  const set = await WarninglistSet.fromDirectory(dir)
  log.info(`${set.lists.length} warninglists loaded (built-in and ${dir})`)
  return set
}

export function reportLoad(load: IntelLoad, log: Logger): void {
  for (const feed of load.feeds) {
    log.info(`${feed.file}: ${feed.format}, ${formatCount(feed.records)} records`)
    if (feed.declaredCount !== undefined && feed.declaredCount !== feed.records) {
      log.warn(
        `${feed.file}: the feed declares ${formatCount(feed.declaredCount)} entries but ` +
          `${formatCount(feed.records)} were read; the file may be truncated`,
      )
    }
  }
}
