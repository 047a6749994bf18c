import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse } from 'yaml'
import { TARGETS } from '../src/targets/index.ts'
import { armTemplateProblems } from '../src/targets/sentinel-arm/validate.ts'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'
import { parseRulesFile } from './targets-exchange-support.ts'
import { checkEsql, checkSpl, sigmaValidator } from './targets-siem-syntax.ts'

const FEED = 'intel/threatfox_recent_export_2026-04-12.csv'

/**
 * One `--targets all` build of the real ThreatFox export: every target writes, every listed
 * artefact exists and reads back in its own language. Each target's own tests check meaning;
 * this one checks that the whole build holds together.
 */
test('--targets all on the real ThreatFox export writes every artefact, each one readable', (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  if (requireSharedData(t, 'schemas/sigma') === undefined) return
  const out = mkdtempSync(join(tmpdir(), 'huntpack-all-'))
  const run = huntpack('build', feed, '--out', out, '--targets', 'all', '-q')
  assert.equal(run.status, 0, run.stderr)
  const sigma = sigmaValidator()
  const written = new Map<string, number>()
  for (const pack of readdirSync(out, { withFileTypes: true })) {
    if (!pack.isDirectory()) continue
    const dir = join(out, pack.name)
    const { artefacts } = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')) as {
      artefacts: { target: string; file: string }[]
    }
    for (const { target, file } of artefacts) {
      const path = join(dir, ...file.split('/'))
      assert.ok(existsSync(path), `${pack.name}/${file} is listed but missing`)
      written.set(target, (written.get(target) ?? 0) + 1)
      const text = readFileSync(path, 'utf8')
      const where = `${pack.name}/${file}`
      if (file.endsWith('.json')) {
        const document = JSON.parse(text)
        if (target === 'sentinel-arm') assert.deepEqual(armTemplateProblems(document), [], where)
      } else if (file.endsWith('.yaml')) {
        assert.equal(typeof parse(text).query, 'string', where)
      } else if (file.endsWith('.yml')) {
        const rule = parse(text)
        assert.ok(sigma(rule), `${where}: ${JSON.stringify(sigma.errors)}`)
      } else if (file.endsWith('.spl')) {
        assert.doesNotThrow(() => checkSpl(text), where)
      } else if (file.endsWith('.esql')) {
        assert.doesNotThrow(() => checkEsql(text), where)
      } else if (file.endsWith('.rules')) {
        assert.ok(parseRulesFile(text).length > 0, where)
      }
    }
  }
  const missing = [...TARGETS.keys()].filter((id) => id !== 'kql' && !written.has(id))
  assert.deepEqual(missing, [], 'targets that wrote nothing')
})
