import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { assertDetectionColumns } from '../src/targets/defender/index.ts'
import { kqlChecker } from '../src/targets/kql/check.ts'
import { stableId } from '../src/targets/sentinel/content.ts'
import { TEMPLATE_LIMIT } from '../src/targets/sentinel-arm/index.ts'
import { armTemplateProblems } from '../src/targets/sentinel-arm/validate.ts'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

const FEED = 'intel/threatfox_recent_export_2026-04-12.csv'

interface Resource {
  type: string
  name: string
  properties: { query?: string; watchlistAlias?: string; rawContent?: string; description?: string }
}

function header(csv: string): string[] {
  return csv.split(/\r?\n/, 1)[0]?.split(',') ?? []
}

/** The columns of the watchlist a rule reads: the template's copy or the CSV it says to upload. */
function ruleWatchlist(packDir: string, resources: Resource[], rule: Resource) {
  const alias = /_GetWatchlist\('([^']+)'\)/.exec(rule.properties.query ?? '')?.[1]
  if (!alias) return undefined
  const deployed = resources.find((r) => r.properties.watchlistAlias === alias)
  if (deployed) return header(deployed.properties.rawContent ?? '')
  const file = /upload (\S+\.watchlist\.csv) from the pack/.exec(rule.properties.description ?? '')
  assert.ok(file?.[1], rule.properties.description)
  return header(readFileSync(join(packDir, ...file[1].split('/')), 'utf8'))
}

function kqlWatchlist(packDir: string, query: string) {
  const file = /upload (\S+\.watchlist\.csv) under that alias/.exec(query)?.[1]
  return file ? header(readFileSync(join(packDir, file), 'utf8')) : undefined
}

test('sentinel-arm, defender and asim on the real ThreatFox export: every artefact validates and every query is clean', (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  for (const inlineLimit of ['200', '5']) {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-microsoft-tf-'))
    const run = huntpack(
      'build',
      feed,
      '--out',
      out,
      '--targets',
      'sentinel-arm,defender,asim',
      '--inline-limit',
      inlineLimit,
    )
    assert.equal(run.status, 0, run.stderr)
    const counts = { templates: 0, rules: 0, watchlists: 0, defender: 0, asim: 0 }
    for (const pack of readdirSync(out, { withFileTypes: true })) {
      if (!pack.isDirectory()) continue
      const packDir = join(out, pack.name)
      const json = JSON.parse(readFileSync(join(packDir, 'pack.json'), 'utf8'))
      const artefacts = json.artefacts as { target: string; file: string }[]
      assert.equal(
        artefacts.filter((a) => a.target === 'sentinel-arm' && a.file.endsWith('.json')).length,
        1,
      )
      for (const artefact of artefacts) {
        const path = join(packDir, ...artefact.file.split('/'))
        const label = `${pack.name}/${artefact.file}`
        const content = readFileSync(path, 'utf8')
        if (artefact.target === 'sentinel-arm' && artefact.file.endsWith('.json')) {
          const template = JSON.parse(content)
          assert.deepEqual(armTemplateProblems(template), [], label)
          assert.ok(Buffer.byteLength(content) <= TEMPLATE_LIMIT, label)
          const resources = template.resources as Resource[]
          const rules = resources.filter((r) => r.type.endsWith('/alertRules'))
          assert.equal(rules.length, json.hunts.length, label)
          for (const [i, rule] of rules.entries()) {
            const hunt = json.hunts[i].id as string
            assert.ok(rule.name.includes(`'${stableId('sentinel-rule', pack.name, hunt)}'`), label)
            const context = { watchlistColumns: ruleWatchlist(packDir, resources, rule) }
            assert.deepEqual(kqlChecker().check(rule.properties.query ?? '', context), [], label)
          }
          counts.templates++
          counts.rules += rules.length
          counts.watchlists += resources.length - rules.length
        } else if (artefact.target === 'defender') {
          assert.deepEqual(kqlChecker().check(content, { database: 'defender' }), [], label)
          assertDetectionColumns(content, label)
          counts.defender++
        } else if (artefact.target === 'asim') {
          const context = { watchlistColumns: kqlWatchlist(packDir, content) }
          assert.deepEqual(kqlChecker().check(content, context), [], label)
          counts.asim++
        }
      }
    }
    assert.ok(counts.templates >= 40, JSON.stringify(counts))
    assert.ok(counts.rules >= 150, JSON.stringify(counts))
    assert.ok(counts.defender >= 70, JSON.stringify(counts))
    assert.ok(counts.asim >= 100, JSON.stringify(counts))
    if (inlineLimit === '5') assert.ok(counts.watchlists >= 10, JSON.stringify(counts))
    t.diagnostic(`--inline-limit ${inlineLimit}: ${JSON.stringify(counts)}`)
  }
})
