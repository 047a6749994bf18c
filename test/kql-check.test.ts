import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { planHunts } from '../src/pack/hunts.ts'
import { assertKqlClean, kqlChecker } from '../src/targets/kql/check.ts'
import { emitPackKql } from '../src/targets/kql/emit.ts'
import { tableSchema, tableSchemas } from '../src/targets/kql/tables.ts'
import { indicator } from './support/indicators.ts'
import { requireSharedData } from './support/shared-data.ts'

const PACK = { id: 'xworm', title: 'XWorm', feeds: ['threatfox_recent.csv'] }

/** A deterministic generator, so a failing hostile string can be reproduced. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 2147483648
  }
}

const ALPHABET = [
  '\\',
  "'",
  '"',
  '\n',
  '\r',
  '\t',
  '|',
  '/',
  ';',
  '@',
  '`',
  '\u0000',
  '\u2028',
  '\u202e',
  'é',
  '😀',
  'a',
  '.',
  ' ',
  '$',
  '{',
  '}',
  '(',
  ')',
  ',',
  '\ud800',
]

function hostileString(next: () => number): string {
  const length = 1 + Math.floor(next() * 24)
  let text = ''
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(next() * ALPHABET.length)]
  return text
}

describe('KQL checker', () => {
  test('catches an unknown column', () => {
    const [d, ...rest] = kqlChecker().check('DnsEvents\n| where Nme == "x"')
    assert.equal(rest.length, 0)
    assert.equal(d?.code, 'KS142')
    assert.equal(d?.line, 2)
    assert.equal(d?.column, 9)
  })

  test('catches a syntax error and reports it with position and text', () => {
    assert.ok(kqlChecker().check('DnsEvents | where').length > 0)
    assert.throws(
      () => assertKqlClean('DnsEvents\n| where Name == "x" |', 'case.kql'),
      (error: Error & { code?: string }) =>
        error.code === 'ERR_KQL_CHECK' && /case\.kql:2:/.test(error.message),
    )
    assert.throws(() => assertKqlClean('DnsEvents | where Bogus > 1', 'x'), /at "Bogus"/)
  })

  test('models _GetWatchlist with the columns of the CSV', () => {
    const query = "_GetWatchlist('a') | project SearchKey, Port"
    assert.equal(kqlChecker().check(query).length, 1)
    assert.deepEqual(kqlChecker().check(query, { watchlistColumns: ['SearchKey', 'Port'] }), [])
  })

  test('every emitted query is clean, with hostile values inline and in watchlists', () => {
    const next = random(20260412)
    const values = Array.from({ length: 300 }, () => hostileString(next))
    const all = [
      ...values.map((v) => indicator('domain', v)),
      ...values.map((v) => indicator('url', v)),
      ...values.map((v) => indicator('sha256', v)),
      ...values.map((v) => indicator('ip:port', v, { ip: v, port: 443 })),
      ...values.map((v) => indicator('cidr', v)),
    ]
    for (const inlineLimit of [200, 1000]) {
      const emitted = emitPackKql(planHunts(all), PACK, { lookback: '14d', inlineLimit })
      assert.equal(emitted.length, 11)
      if (inlineLimit === 1000) {
        const values = kqlChecker()
          .stringLiterals(emitted[0]?.text ?? '')
          .map((l) => l.value)
        for (const v of all.filter((i) => i.kind === 'ip:port')) assert.ok(values.includes(v.value))
      }
    }
  })

  test('timing: an inline 200-value query and a watchlist query', (t) => {
    const checker = kqlChecker()
    const inline = Array.from({ length: 200 }, (_, i) =>
      indicator('ip:port', `198.51.${i >> 8}.${i & 255}:443`, {
        ip: `198.51.${i >> 8}.${i & 255}`,
        port: 443,
      }),
    )
    const [inlineQuery] = emitPackKql(planHunts(inline).slice(0, 1), PACK, {
      lookback: '14d',
      inlineLimit: 200,
    })
    const [watchlistQuery] = emitPackKql(planHunts(inline).slice(0, 1), PACK, {
      lookback: '14d',
      inlineLimit: 10,
    })
    assert.ok(inlineQuery && watchlistQuery?.watchlist)
    const per = (text: string, columns?: string[]) => {
      const start = performance.now()
      for (let i = 0; i < 20; i++) checker.check(text, { watchlistColumns: columns })
      return (performance.now() - start) / 20
    }
    const inlineMs = per(inlineQuery.text)
    const watchlistMs = per(watchlistQuery.text, ['SearchKey', 'IndicatorKind', 'Address', 'Port'])
    t.diagnostic(
      `checker: inline 200 values ${inlineMs.toFixed(1)} ms/query, watchlist ${watchlistMs.toFixed(1)} ms/query`,
    )
    assert.ok(inlineMs < 500 && watchlistMs < 500)
  })
})

describe('table schemas', () => {
  test('each schema is well formed and names its time column', () => {
    for (const schema of tableSchemas().values()) {
      const names = schema.columns.map((c) => c.name)
      assert.equal(new Set(names).size, names.length, schema.name)
      assert.ok(names.includes(schema.timeColumn), schema.name)
      assert.ok(names.includes('TimeGenerated'), schema.name)
    }
    assert.equal(tableSchema('DeviceNetworkEvents').timeColumn, 'Timestamp')
    assert.ok(tableSchema('CommonSecurityLog').columns.length > 150)
  })

  for (const name of [
    'DeviceNetworkEvents',
    'DeviceFileEvents',
    'DeviceProcessEvents',
    'UrlClickEvents',
  ]) {
    test(`${name} matches the Azure-Sentinel validation schema`, (t) => {
      const path = requireSharedData(t, `schemas/sentinel/${name}.json`)
      if (!path) return
      const upstream = JSON.parse(readFileSync(path, 'utf8')) as {
        Properties: { Name: string; Type: string }[]
      }
      const theirs = new Map(upstream.Properties.map((p) => [p.Name, p.Type.toLowerCase()]))
      const ours = new Map(tableSchema(name).columns.map((c) => [c.name, c.type]))
      assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort())
      for (const [column, type] of ours) assert.equal(type, theirs.get(column), `${name}.${column}`)
    })
  }
})
