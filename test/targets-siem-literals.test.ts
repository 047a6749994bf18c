import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parse } from 'yaml'
import { type BuildOptions, buildPack } from '../src/build.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import type { Pack } from '../src/pack/pack.ts'
import {
  esqlCommentText,
  esqlInt,
  esqlString,
  esqlTimeSpan,
} from '../src/targets/elastic/literal.ts'
import { sigmaString, sigmaText, sigmaUnescape } from '../src/targets/sigma/literal.ts'
import {
  isSplLiteral,
  splCommentText,
  splEarliest,
  splSearchTerm,
  splString,
  splSubdomainTerm,
} from '../src/targets/splunk/literal.ts'
import { indicator } from './support/indicators.ts'
import { requireSharedData } from './support/shared-data.ts'
import {
  checkEsql,
  checkSpl,
  esqlTokens,
  SIGMA_SCHEMA,
  sigmaValidator,
  splTokens,
} from './targets-siem-syntax.ts'

const HOSTILE = [
  `it's "quoted"`,
  'back\\slash\\',
  'trailing backslash \\',
  '\\"',
  'star*and?question',
  'new\nline',
  'carriage\r\nreturn',
  'tab\there',
  '<script>alert(1)</script>',
  "=cmd|' /C calc'!A0",
  '| delete',
  '`macro(1)`',
  '```',
  '[| inputlookup secrets.csv]',
  '$1 %{x} $(y)',
  '// not a comment',
  '/* not a comment */',
  'nul\u0000 esc\u001b sep\u2028 rlo\u202e',
  '',
]

describe('SPL literals', () => {
  test('strings denote the value exactly, or refuse what SPL cannot spell', () => {
    for (const value of HOSTILE) {
      if (!isSplLiteral(value)) {
        assert.throws(() => splString(value), /cannot write/)
        continue
      }
      const tokens = splTokens(`| eval x=${splString(value)}`)
      assert.deepEqual(
        tokens.filter((t) => t.type === 'string').map((t) => t.value),
        [value],
      )
    }
    assert.equal(splString('say "hi" \\o/'), '"say \\"hi\\" \\\\o/"')
    assert.equal(splString('a*b?c|d'), '"a*b?c|d"')
    for (const refused of ['a\nb', 'a\rb', 'a`b', 'a\u202eb', 'a\u0000b']) {
      assert.ok(!isSplLiteral(refused), JSON.stringify(refused))
    }
  })

  test('search terms refuse wildcards, which the search command cannot escape', () => {
    assert.equal(splSearchTerm('evil.com'), '"evil.com"')
    assert.equal(splSubdomainTerm('evil.com'), '"*.evil.com"')
    for (const value of ['evil*.com', 'evil?.com', 'a\nb', 'a`b']) {
      assert.throws(() => splSearchTerm(value), /search term/)
      assert.throws(() => splSubdomainTerm(value), /search term/)
    }
  })

  test('comments cannot be closed or broken by their text', () => {
    for (const value of HOSTILE) {
      const comment = `\`\`\` ${splCommentText(value)} \`\`\``
      const tokens = splTokens(comment)
      assert.equal(tokens.length, 1, JSON.stringify(value))
      assert.equal(tokens[0]?.type, 'comment')
      assert.ok(!/[\n\r`]/.test(comment.slice(3, -3)))
    }
    assert.equal(splEarliest('14d'), '-14d')
    assert.throws(() => splEarliest('14d | delete'))
  })
})

describe('ES|QL literals', () => {
  test('strings denote the value exactly', () => {
    for (const value of HOSTILE) {
      const tokens = esqlTokens(`ROW x = ${esqlString(value)}`)
      assert.deepEqual(
        tokens.filter((t) => t.type === 'string').map((t) => t.value),
        [value],
        JSON.stringify(value),
      )
    }
    assert.equal(esqlString('a"b\\c\nd'), '"a\\"b\\\\c\\nd"')
  })

  test('comments stay on one line; integers and spans refuse anything else', () => {
    for (const value of HOSTILE) {
      const tokens = esqlTokens(`// ${esqlCommentText(value)}\nFROM logs-*`)
      assert.equal(tokens[0]?.type, 'comment')
      assert.equal(tokens[1]?.text, 'FROM', JSON.stringify(value))
    }
    assert.equal(esqlInt(4444), '4444')
    assert.throws(() => esqlInt(1.5))
    assert.throws(() => esqlInt(Number.NaN))
    assert.equal(esqlTimeSpan('14d'), '14 days')
    assert.equal(esqlTimeSpan('90m'), '90 minutes')
    assert.throws(() => esqlTimeSpan('1d; DROP'))
  })
})

describe('Sigma values', () => {
  test('wildcards and backslashes are escaped, and the escape reads back', () => {
    for (const value of HOSTILE) assert.equal(sigmaUnescape(sigmaString(value)), value)
    assert.equal(sigmaString('a*b?c\\d'), 'a\\*b\\?c\\\\d')
    assert.equal(sigmaString('\\*'), '\\\\\\*')
    assert.equal(sigmaText('two\nlines\u2028here'), 'two lines here')
  })
})

function options(more: Partial<BuildOptions> = {}): BuildOptions {
  return {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 200,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
    targets: ['splunk', 'elastic', 'sigma'],
    ...more,
  }
}

/** A pack whose names and values carry one hostile text each (values no intake would pass). */
function hostilePack(value: string): Pack {
  return {
    id: 'hostile',
    name: value,
    title: `Feed ${value}: IOCs`,
    groupBy: 'family',
    aliases: [value],
    feeds: [value],
    indicators: [
      indicator('ip:port', '203.0.113.7:4444', { family: value }),
      indicator('ipv4', `198.51.100.1${value}`),
      indicator('domain', `c2${value}.example.net`, { references: [value] }),
      indicator('url', `http://dl.example.net/${value}`),
      indicator('sha256', `${'a'.repeat(60)}${value}`),
    ],
    warninglisted: [],
    rejections: [],
  }
}

function text(content: string | string[]): string {
  return Array.isArray(content) ? content.join('') : content
}

describe('hostile values through the three targets', () => {
  test('every file parses and holds each value exactly, inline or in a lookup', (t) => {
    if (requireSharedData(t, SIGMA_SCHEMA) === undefined) return
    const validate = sigmaValidator()
    for (const value of HOSTILE) {
      for (const inlineLimit of [200, 0]) {
        const built = buildPack(hostilePack(value), options({ inlineLimit }))
        const domain = `c2${value}.example.net`
        let spl = 0
        let esql = 0
        let sigma = 0
        for (const file of built.files) {
          const content = text(file.content)
          const where = `${JSON.stringify(value)} ${file.path}`
          if (file.path.endsWith('.spl')) {
            const strings = checkSpl(content)
            const lookup = /\| lookup (\S+)/.exec(content)?.[1]
            if (file.path.endsWith('/dns-domain.spl')) {
              if (lookup) {
                const csv = text(built.files.find((f) => f.path.endsWith(lookup))?.content ?? '')
                assert.ok(csv.includes('domain|'), where)
              } else {
                assert.ok(strings.includes(`domain|${domain}`), where)
              }
            }
            // Only a value SPL can spell is ever inline.
            if (!isSplLiteral(value)) assert.ok(lookup, where)
            spl++
          } else if (file.path.endsWith('.esql')) {
            const strings = checkEsql(content)
            if (file.path.endsWith('/dns-domain.esql')) {
              assert.ok(strings.includes(domain), where)
              assert.ok(strings.includes(`.${domain}`), where)
            }
            esql++
          } else if (file.path.endsWith('.yml')) {
            const rule = parse(content)
            const document: unknown = rule
            assert.ok(validate(document), `${where}: ${JSON.stringify(validate.errors)}`)
            if (file.path.endsWith('/dns-query-domain.yml')) {
              const [exact] = rule.detection.selection_query_exact.QueryName
              assert.equal(sigmaUnescape(exact), domain, where)
              assert.ok(rule.title.startsWith(sigmaText(value).slice(0, 200)), where)
            }
            sigma++
          }
        }
        assert.deepEqual([spl, esql, sigma], [7, 7, 9], JSON.stringify(value))
      }
    }
  })
})
