import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import type { Indicator } from '../src/intel/indicator.ts'
import { planHunts } from '../src/pack/hunts.ts'
import { kqlChecker } from '../src/targets/kql/check.ts'
import { emitKql, emitPackKql, type KqlOptions } from '../src/targets/kql/emit.ts'
import { kqlString } from '../src/targets/kql/literal.ts'
import { csvCell, WATCHLIST_ALIAS, watchlistAlias } from '../src/targets/kql/watchlist.ts'
import { indicator } from './support/indicators.ts'

const GOLDEN = new URL('./golden/kql/', import.meta.url)
const PACK = { id: 'xworm', title: 'XWorm', feeds: ['threatfox_recent.csv'] }
const OPTIONS: KqlOptions = { lookback: '14d', inlineLimit: 200 }

function ipPort(ip: string, port: number): Indicator {
  return indicator('ip:port', ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`, { ip, port })
}

/** All of a case's queries in one file, each under a `// ===== <file>` line. */
function render(indicators: Indicator[], options: KqlOptions = OPTIONS, pack = PACK): string {
  const emitted = emitPackKql(planHunts(indicators), pack, options)
  return emitted
    .map((q) => {
      const csv = q.watchlist ? `// ----- ${q.watchlist.file}\n${q.watchlist.csv}` : ''
      return `// ===== ${q.file}\n${q.text}${csv}`
    })
    .join('\n')
}

function golden(name: string, actual: string): void {
  const file = new URL(`${name}.kql`, GOLDEN)
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual)
  assert.equal(
    actual,
    readFileSync(file, 'utf8'),
    `${name}.kql differs; UPDATE_GOLDEN=1 rewrites it`,
  )
}

const HOSTILE = [
  `it's "quoted"`,
  'back\\slash\\',
  'new\nline',
  'carriage\rreturn',
  "'; DeviceProcessEvents | take 1 //",
  '| where 1 == 1',
  '<script>alert(1)</script>',
  '// not a comment',
  'ünïcödé.例え.テスト',
  'emoji 😀 and lone \ud800 surrogate',
  'bidi \u202e override \u2066 isolate',
  "@'verbatim'",
  '\u0000nul\u001bescape\u2028sep',
]

describe('KQL emitter goldens', () => {
  test('small ip:port set keeps ports on both sides', () => {
    golden(
      'ip-port',
      render([
        ipPort('185.220.101.4', 443),
        ipPort('185.220.101.4', 8080),
        ipPort('2001:db8::7', 4444),
        indicator('ipv4', '45.9.148.99'),
      ]),
    )
  })

  test('domains match at label boundaries', () => {
    golden(
      'domains',
      render([indicator('domain', 'evil.com'), indicator('domain', 'xn--80ak6aa92e.com')]),
    )
  })

  test('urls report exact or host-only', () => {
    golden(
      'urls',
      render([
        indicator('url', 'http://evil.com/gate.php?id=1'),
        indicator('url', 'https://cdn.bad.example/payload.exe'),
      ]),
    )
  })

  test('hashes by algorithm', () => {
    golden(
      'hashes',
      render([
        indicator('sha256', 'a'.repeat(64)),
        indicator('sha1', 'b'.repeat(40)),
        indicator('md5', 'c'.repeat(32)),
      ]),
    )
  })

  test('cidr ranges mixed with addresses', () => {
    golden(
      'mixed-cidr',
      render([
        indicator('cidr', '203.0.113.0/24'),
        indicator('cidr', '2001:db8:1::/48'),
        indicator('ipv4', '198.51.100.7'),
        ipPort('198.51.100.8', 53),
      ]),
    )
  })

  test('over inlineLimit, indicators move to a watchlist', () => {
    golden(
      'watchlist',
      render(
        [
          ipPort('192.0.2.10', 443),
          indicator('ipv4', '192.0.2.11'),
          indicator('cidr', '192.0.2.128/25'),
          indicator('domain', 'evil.com'),
          indicator('domain', 'c2.bad.example'),
        ],
        { lookback: '7d', inlineLimit: 1 },
      ),
    )
  })

  test('hostile values stay inside their literals and comments', () => {
    golden(
      'hostile',
      render(
        HOSTILE.map((value) => indicator('domain', value)),
        OPTIONS,
        { id: 'hostile', title: 'Evil\n| take 1 // title', feeds: ['a\r\nb.csv', "it's.csv"] },
      ),
    )
  })
})

describe('KQL emitter', () => {
  test('every value enters as a literal the parser reads back intact', () => {
    const checker = kqlChecker()
    for (const value of HOSTILE) {
      const query = `print v = ${kqlString(value)}`
      assert.deepEqual(checker.check(query), [], value)
      const literals = checker.stringLiterals(query)
      assert.equal(literals.length, 1)
      assert.equal(literals[0]?.value, value)
    }
  })

  test('hostile indicator values keep zero diagnostics and appear exactly once as literals', () => {
    const hunts = planHunts(HOSTILE.map((value) => indicator('domain', value)))
    const [query] = emitPackKql(hunts.slice(0, 1), PACK, OPTIONS)
    assert.ok(query)
    const values = kqlChecker()
      .stringLiterals(query.text)
      .map((l) => l.value)
    for (const value of HOSTILE) assert.equal(values.filter((v) => v === value).length, 1, value)
  })

  test('lookback is validated', () => {
    const [hunt] = planHunts([indicator('ipv4', '192.0.2.1')])
    assert.ok(hunt)
    for (const lookback of ['14d', '12h', '30m']) {
      assert.match(
        emitKql(hunt, PACK, { ...OPTIONS, lookback }).text,
        new RegExp(`ago\\(${lookback}\\)`),
      )
    }
    for (const lookback of ['14', '0d', '1w', '14d) | take 1 //', '-1d', ' 14d']) {
      assert.throws(() => emitKql(hunt, PACK, { ...OPTIONS, lookback }), { code: 'ERR_USAGE' })
    }
  })

  test('every query has a bounded window on its table time column', () => {
    const all = [
      ipPort('192.0.2.1', 80),
      indicator('domain', 'evil.com'),
      indicator('url', 'http://evil.com/x'),
      indicator('sha256', 'd'.repeat(64)),
    ]
    for (const q of emitPackKql(planHunts(all), PACK, OPTIONS)) {
      const column = q.hunt.table.startsWith('Device') ? 'Timestamp' : 'TimeGenerated'
      assert.match(q.text, new RegExp(`\\| where ${column} > ago\\(14d\\)`), q.file)
    }
  })

  test('watchlist aliases are valid, stable and distinct', () => {
    assert.equal(watchlistAlias('xworm', 'csl-ip'), 'huntpack-xworm-csl-ip')
    const long = watchlistAlias('a'.repeat(80), 'mde-network-domain')
    assert.match(long, WATCHLIST_ALIAS)
    assert.ok(long.length <= 64)
    assert.notEqual(watchlistAlias('a.b', 'x'), watchlistAlias('a-b', 'x'))
    assert.match(watchlistAlias('ünï cödé', 'dns-domain'), WATCHLIST_ALIAS)
  })

  test('CSV cells are quoted and defused', () => {
    assert.equal(csvCell('plain'), 'plain')
    assert.equal(csvCell('a,b'), '"a,b"')
    assert.equal(csvCell('say "hi"'), '"say ""hi"""')
    assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`)
    for (const lead of ['+', '-', '@', '\t', '\r'])
      assert.ok(csvCell(`${lead}1`).includes(`'${lead}`))
  })

  test('planHunts leaves warninglisted indicators out unless asked', () => {
    const listed = indicator('ipv4', '8.8.8.8', { warninglists: ['public-dns'] })
    assert.deepEqual(planHunts([listed]), [])
    assert.equal(planHunts([listed], { includeWarninglisted: true }).length, 3)
  })
})
