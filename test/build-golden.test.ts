import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { buildPacks, loadIntel } from '../src/build.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import { assertGoldenTree } from './support/golden.ts'

const GOLDEN = fileURLToPath(new URL('./golden/build/', import.meta.url))

/**
 * Every file `build` writes for the example feeds, compared byte for byte with the reviewed
 * copies under test/golden/build: the pages, pack.json files, queries and watchlists are the
 * product, so any change to them shows up here. `UPDATE_GOLDEN=1` rewrites the copies.
 */
test('the example feeds build exactly the reviewed pages, pack.json files and queries', async () => {
  const load = await loadIntel(['examples/threatfox_recent.csv', 'examples/notes_defanged.txt'])
  const result = buildPacks(load, {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 1,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
  })
  const files = new Map<string, string>([[result.index.path, String(result.index.content)]])
  for (const built of result.built) {
    for (const file of built.files) {
      const content = Array.isArray(file.content) ? file.content.join('') : file.content
      files.set(file.path, content)
    }
  }

  assertGoldenTree(GOLDEN, files)
})
