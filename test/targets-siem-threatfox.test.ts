import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parse as parseCsv } from 'csv-parse/sync'
import { parse } from 'yaml'
import { stableId } from '../src/targets/sentinel/content.ts'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'
import { checkEsql, checkSpl, SIGMA_SCHEMA, sigmaValidator } from './targets-siem-syntax.ts'

const FEED = 'intel/threatfox_recent_export_2026-04-12.csv'

interface Artefact {
  target: string
  file: string
}

test('splunk, elastic and sigma on the real ThreatFox export: every file is well formed', (t) => {
  const feed = requireSharedData(t, FEED)
  const schema = requireSharedData(t, SIGMA_SCHEMA)
  if (feed === undefined || schema === undefined) return
  const validate = sigmaValidator()
  for (const inlineLimit of ['200', '5']) {
    const out = mkdtempSync(join(tmpdir(), 'huntpack-siem-tf-'))
    const run = huntpack(
      'build',
      feed,
      '--out',
      out,
      '--targets',
      'splunk,elastic,sigma',
      '--inline-limit',
      inlineLimit,
      '-q',
    )
    assert.equal(run.status, 0, run.stderr)
    const counts = { spl: 0, esql: 0, yml: 0, csv: 0, lookups: 0 }
    const ids = new Set<string>()
    for (const pack of readdirSync(out, { withFileTypes: true })) {
      if (!pack.isDirectory()) continue
      const packDir = join(out, pack.name)
      const listed: Artefact[] = JSON.parse(
        readFileSync(join(packDir, 'pack.json'), 'utf8'),
      ).artefacts
      const files = new Set(listed.map((a) => a.file))
      for (const { file } of listed) {
        const where = `${pack.name}/${file}`
        const content = readFileSync(join(packDir, ...file.split('/')), 'utf8')
        if (file.endsWith('.spl')) {
          checkSpl(content)
          const lookup = /\| lookup (\S+) key AS LookupKey/.exec(content)?.[1]
          if (lookup) {
            assert.ok(files.has(`splunk/${lookup}`), `${where} reads ${lookup}, not written`)
            counts.lookups++
          }
          counts.spl++
        } else if (file.endsWith('.esql')) {
          checkEsql(content)
          counts.esql++
        } else if (file.endsWith('.yml')) {
          const rule = parse(content)
          const document: unknown = rule
          assert.ok(validate(document), `${where}: ${JSON.stringify(validate.errors)}`)
          const name = file.replace(/^sigma\/|\.yml$/g, '')
          assert.equal(rule.id, stableId('sigma', pack.name, name), where)
          ids.add(rule.id)
          counts.yml++
        } else if (file.endsWith('.csv')) {
          const rows: string[][] = parseCsv(content)
          assert.deepEqual(rows[0], ['key', 'entry'], where)
          for (const row of rows.slice(1)) {
            assert.match(row[0] ?? '', /^(port|address|addressonly|domain|url|host|hash)\|./, where)
            assert.match(row[1] ?? '', /^(ipv4|ipv6|ip:port|domain|url|md5|sha1|sha256)\|./, where)
          }
          counts.csv++
        } else {
          assert.fail(`${where}: not a file of these targets`)
        }
      }
    }
    assert.equal(ids.size, counts.yml)
    assert.ok(counts.spl >= 100 && counts.esql === counts.spl, JSON.stringify(counts))
    assert.ok(counts.yml >= 100, JSON.stringify(counts))
    if (inlineLimit === '5') assert.ok(counts.csv > 0 && counts.lookups > counts.csv)
    else assert.ok(counts.lookups < counts.spl, JSON.stringify(counts))
  }
})
