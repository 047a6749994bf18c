import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { kqlChecker } from '../src/targets/kql/check.ts'
import { RULE_QUERY_LIMIT } from '../src/targets/sentinel-rule/index.ts'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

const FEED = 'intel/threatfox_recent_export_2026-04-12.csv'

/** The columns of the watchlist a query reads, from the CSV its description names. */
function watchlistColumns(packDir: string, doc: { query: string; description: string }) {
  if (!doc.query.includes('_GetWatchlist(')) return undefined
  const file = /upload (\S+\.watchlist\.csv) from the pack/.exec(doc.description)?.[1]
  assert.ok(file, doc.description)
  return readFileSync(join(packDir, ...file.split('/')), 'utf8')
    .split(/\r?\n/, 1)[0]
    ?.split(',')
}

test('--targets all on the real ThreatFox export: every YAML parses, every query is clean', (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  for (const inlineLimit of ['200', '5']) {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-sentinel-tf-'))
    const run = huntpack(
      'build',
      feed,
      '--out',
      out,
      '--targets',
      'all',
      '--inline-limit',
      inlineLimit,
    )
    assert.equal(run.status, 0, run.stderr)
    let rules = 0
    const ids = new Set<string>()
    for (const pack of readdirSync(out, { withFileTypes: true })) {
      if (!pack.isDirectory()) continue
      const packDir = join(out, pack.name)
      const listed = JSON.parse(readFileSync(join(packDir, 'pack.json'), 'utf8')).artefacts
      const hunts = JSON.parse(readFileSync(join(packDir, 'pack.json'), 'utf8')).hunts.length
      assert.equal(
        listed.filter((a: { file: string }) => a.file.endsWith('.yaml')).length,
        2 * hunts,
      )
      for (const artefact of listed as { file: string }[]) {
        if (!artefact.file.endsWith('.yaml')) continue
        const doc = parse(readFileSync(join(packDir, ...artefact.file.split('/')), 'utf8'))
        const context = { watchlistColumns: watchlistColumns(packDir, doc) }
        assert.deepEqual(
          kqlChecker().check(doc.query, context),
          [],
          `${pack.name}/${artefact.file}`,
        )
        ids.add(doc.id)
        if (artefact.file.startsWith('sentinel/rules/')) {
          assert.ok(doc.query.length <= RULE_QUERY_LIMIT)
          rules++
        }
      }
    }
    assert.ok(rules >= 150, `${rules} rules`)
    assert.equal(ids.size, 2 * rules)
  }
})
