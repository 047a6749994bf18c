import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'
import {
  EXCHANGE_TARGETS,
  identities,
  packContents,
  parseRulesFile,
  parseWithSuricataUpdate,
  parseZeekIntel,
  readBackMisp,
  readBackStix,
  suricataUpdateParser,
} from './targets-exchange-support.ts'

const FEED = 'intel/threatfox_recent_export_2026-04-12.csv'
const HOSTNAME = /^(?:[a-z0-9_-]{1,63}\.)+[a-z0-9_-]{1,63}$/

test('the exchange targets on the real ThreatFox export: every artefact parses', async (t) => {
  const feed = requireSharedData(t, FEED)
  if (feed === undefined) return
  const out = mkdtempSync(join(tmpdir(), 'huntpack-exchange-tf-'))
  const run = huntpack('build', feed, '--out', out, '--targets', EXCHANGE_TARGETS.join(','), '-q')
  assert.equal(run.status, 0, run.stderr)
  const withSuricataUpdate = suricataUpdateParser() === undefined
  const sids = new Set<number>()
  const counts = { packs: 0, rules: 0, intel: 0, stix: 0, misp: 0, lists: 0, datasets: 0 }
  const contents = await packContents([feed])
  const byId = new Map(contents.map((c) => [c.pack.id, c]))
  for (const entry of readdirSync(out, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    const dir = join(out, entry.name)
    const content = byId.get(entry.name)
    assert.ok(content, `no pack ${entry.name}`)
    const expected = identities(content.pack.indicators)
    const artefacts = JSON.parse(readFileSync(join(dir, 'pack.json'), 'utf8')).artefacts as {
      target: string
      file: string
    }[]
    const read = (file: string) => readFileSync(join(dir, ...file.split('/')), 'utf8')
    for (const target of EXCHANGE_TARGETS) {
      assert.ok(
        artefacts.some((a) => a.target === target),
        `${entry.name}: nothing for ${target}`,
      )
    }
    for (const { file } of artefacts) {
      const where = `${entry.name}/${file}`
      const body = read(file)
      if (file.endsWith('.rules')) {
        const rules = parseRulesFile(body)
        for (const rule of rules) {
          assert.ok(!sids.has(rule.sid), `${where}: sid ${rule.sid} used by another pack`)
          sids.add(rule.sid)
        }
        if (withSuricataUpdate) {
          assert.deepEqual(
            parseWithSuricataUpdate(body).map((r) => r.sid),
            rules.map((r) => r.sid),
            where,
          )
        }
        counts.rules += rules.length
      } else if (file.endsWith('-domains.lst')) {
        for (const line of body.trimEnd().split('\n')) {
          assert.match(line, /^[A-Za-z0-9+/]+=*$/, where)
          assert.match(Buffer.from(line, 'base64').toString(), HOSTNAME, where)
        }
        counts.datasets++
      } else if (file.endsWith('.lst')) {
        for (const line of body.trimEnd().split('\n')) assert.match(line, /^[0-9a-f]{32,64}$/)
      } else if (file.endsWith('intel.dat')) {
        counts.intel += parseZeekIntel(body).length
      } else if (file.endsWith('.zeek')) {
        assert.match(body, /^redef Intel::read_files \+= \{ @DIR \+ "\/intel\.dat" \};$/m)
      } else if (file === 'stix/bundle.json') {
        assert.deepEqual(identities(readBackStix(body)), expected, where)
        counts.stix++
      } else if (file === 'misp/event.json') {
        assert.deepEqual(identities(readBackMisp(body)), expected, where)
        counts.misp++
      } else if (file.startsWith('blocklist/')) {
        assertList(file, body, where)
        counts.lists++
      } else {
        assert.fail(`${where}: an artefact no check knows`)
      }
    }
    counts.packs++
  }
  t.diagnostic(JSON.stringify(counts))
  assert.equal(counts.packs, contents.length)
  assert.equal(counts.stix, counts.packs)
  assert.equal(counts.misp, counts.packs)
  assert.ok(counts.rules >= 600, `${counts.rules} rules`)
  // ClearFake has over 500 domains: its rules read a dataset.
  assert.ok(counts.datasets >= 1)
})

function assertList(file: string, body: string, where: string): void {
  assert.ok(body.endsWith('\n') && !body.includes('\r'), where)
  const lines = body.trimEnd().split('\n')
  const line = {
    'blocklist/ips.txt': /^[0-9a-f.:]+(?:\/\d{1,3})?$/,
    'blocklist/domains.txt': HOSTNAME,
    'blocklist/hosts.txt': /^0\.0\.0\.0 (?:[a-z0-9_-]{1,63}\.)+[a-z0-9_-]{1,63}$/,
    'blocklist/urls.txt': /^(?:https?|ftp):\/\/[\x21-\x7e]+$/,
    'blocklist/rpz.zone':
      /^(?:; [^\n]*|\$TTL 300|@ IN SOA localhost\. root\.localhost\. \d+ 3600 600 86400 300|@ IN NS localhost\.|(?:\*\.)?(?:[a-z0-9_-]{1,63}\.)+[a-z0-9_-]{1,63} CNAME \.)$/,
  }[file]
  assert.ok(line, `${where}: unknown list`)
  for (const text of lines) assert.match(text, line, where)
  assert.equal(new Set(lines).size, lines.length, `${where}: a value twice`)
}
