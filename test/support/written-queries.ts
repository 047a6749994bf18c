import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { type KqlDiagnostic, kqlChecker } from '../../src/targets/kql/check.ts'

/**
 * The full Kusto check of a `.kql` file `build` wrote (no shape cache), against the columns of
 * the watchlist its header comment names when it reads one.
 */
export function checkWrittenQuery(packDir: string, file: string): KqlDiagnostic[] {
  const text = readFileSync(join(packDir, file), 'utf8')
  const watchlist = /upload (\S+\.watchlist\.csv)/.exec(text)?.[1]
  const watchlistColumns =
    watchlist && text.includes('_GetWatchlist(')
      ? readFileSync(join(packDir, watchlist), 'utf8').split(/\r?\n/, 1)[0]?.split(',')
      : undefined
  return kqlChecker().check(text, { watchlistColumns })
}
