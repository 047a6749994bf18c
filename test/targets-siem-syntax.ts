/**
 * @module
 * Structural checks of the SPL and ES|QL the splunk and elastic targets write, for tests: no
 * parser of either language is on npm, so these tokenise the text as each language does and
 * check that every literal is well formed and every pipe starts a command the target uses.
 * Sigma rules are checked against the Sigma JSON schema with ajv.
 */
import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import formats from 'ajv-formats'
import { sharedData } from './support/shared-data.ts'

export interface Token {
  type: 'string' | 'comment' | 'word' | 'punct' | 'pipe'
  text: string
  /** A string's value with its escapes read. */
  value?: string
}

// ---- ES|QL -----------------------------------------------------------------------------------

const ESQL_ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', '"': '"', '\\': '\\' }

/** ES|QL's lexer as far as huntpack's queries go; throws on what ES|QL would refuse. */
export function esqlTokens(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const ch = text[at] as string
    if (/\s/.test(ch)) {
      at++
    } else if (text.startsWith('//', at)) {
      const end = text.indexOf('\n', at)
      const stop = end < 0 ? text.length : end
      tokens.push({ type: 'comment', text: text.slice(at, stop) })
      at = stop
    } else if (ch === '"') {
      if (text.startsWith('"""', at)) throw new Error(`triple-quoted string at ${at}`)
      let value = ''
      let n = at + 1
      for (;;) {
        const c = text[n]
        if (c === undefined || c === '\n' || c === '\r') {
          throw new Error(`unterminated string at ${at}: ${text.slice(at, at + 40)}`)
        }
        if (c === '"') break
        if (c === '\\') {
          const escaped = ESQL_ESCAPES[text[n + 1] ?? '']
          if (escaped === undefined) throw new Error(`bad escape at ${n}: ${text.slice(n, n + 2)}`)
          value += escaped
          n += 2
          continue
        }
        value += c
        n++
      }
      tokens.push({ type: 'string', text: text.slice(at, n + 1), value })
      at = n + 1
    } else if (ch === '|') {
      tokens.push({ type: 'pipe', text: ch })
      at++
    } else if (/[A-Za-z0-9_@.*-]/.test(ch)) {
      const word = /^[A-Za-z0-9_@.*-]+/.exec(text.slice(at))?.[0] ?? ch
      tokens.push({ type: 'word', text: word })
      at += word.length
    } else if (/[(),=!<>+]/.test(ch)) {
      tokens.push({ type: 'punct', text: ch })
      at++
    } else {
      throw new Error(`unexpected character ${JSON.stringify(ch)} at ${at}`)
    }
  }
  return tokens
}

const ESQL_COMMANDS = new Set(['WHERE', 'EVAL', 'MV_EXPAND', 'DISSECT', 'KEEP', 'SORT'])

/**
 * Throws unless the query is `FROM <index>` and then pipes, each starting a known command, with
 * balanced parentheses within each command. Returns the string values, for checks on them.
 */
export function checkEsql(text: string): string[] {
  const tokens = esqlTokens(text).filter((t) => t.type !== 'comment')
  if (tokens[0]?.text !== 'FROM') throw new Error('an ES|QL query starts with FROM')
  let depth = 0
  for (let n = 0; n < tokens.length; n++) {
    const token = tokens[n] as Token
    if (token.type === 'pipe') {
      if (depth !== 0) throw new Error(`a pipe inside parentheses at token ${n}`)
      const command = tokens[n + 1]?.text ?? ''
      if (!ESQL_COMMANDS.has(command)) throw new Error(`unknown command ${command}`)
    } else if (token.text === '(') depth++
    else if (token.text === ')') depth--
    if (depth < 0) throw new Error(`unbalanced ) at token ${n}`)
  }
  if (depth !== 0) throw new Error('unbalanced (')
  return tokens.filter((t) => t.type === 'string').map((t) => t.value as string)
}

// ---- SPL -------------------------------------------------------------------------------------

/** SPL's lexer as far as huntpack's searches go: strings escape only `\` and `"`. */
export function splTokens(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const ch = text[at] as string
    if (/\s/.test(ch)) {
      at++
    } else if (text.startsWith('```', at)) {
      const end = text.indexOf('```', at + 3)
      if (end < 0) throw new Error(`unterminated comment at ${at}`)
      tokens.push({ type: 'comment', text: text.slice(at, end + 3) })
      at = end + 3
    } else if (ch === '`') {
      throw new Error(`a backtick (macro call) at ${at}`)
    } else if (ch === '"') {
      let value = ''
      let n = at + 1
      for (;;) {
        const c = text[n]
        if (c === undefined || c === '\n' || c === '\r')
          throw new Error(`unterminated string at ${at}: ${text.slice(at, at + 40)}`)
        if (c === '"') break
        if (c === '\\' && (text[n + 1] === '"' || text[n + 1] === '\\')) {
          value += text[n + 1]
          n += 2
          continue
        }
        value += c
        n++
      }
      tokens.push({ type: 'string', text: text.slice(at, n + 1), value })
      at = n + 1
    } else if (ch === "'") {
      const end = text.indexOf("'", at + 1)
      if (end < 0) throw new Error(`unterminated field name at ${at}`)
      tokens.push({ type: 'word', text: text.slice(at, end + 1) })
      at = end + 1
    } else if (ch === '|') {
      tokens.push({ type: 'pipe', text: ch })
      at++
    } else if (/[A-Za-z0-9_.*:-]/.test(ch)) {
      const word = /^[A-Za-z0-9_.*:-]+/.exec(text.slice(at))?.[0] ?? ch
      tokens.push({ type: 'word', text: word })
      at += word.length
    } else if (/[(),=!<>+]/.test(ch)) {
      tokens.push({ type: 'punct', text: ch })
      at++
    } else {
      throw new Error(`unexpected character ${JSON.stringify(ch)} at ${at}`)
    }
  }
  return tokens
}

const SPL_COMMANDS = new Set([
  'tstats',
  'rename',
  'eval',
  'mvexpand',
  'rex',
  'lookup',
  'where',
  'convert',
  'table',
])

/** Throws unless the search is comments, then pipes each starting a known command. */
export function checkSpl(text: string): string[] {
  const tokens = splTokens(text).filter((t) => t.type !== 'comment')
  if (tokens[0]?.type !== 'pipe') throw new Error('a search starts with a pipe to tstats')
  let depth = 0
  for (let n = 0; n < tokens.length; n++) {
    const token = tokens[n] as Token
    if (token.type === 'pipe') {
      if (depth !== 0) throw new Error(`a pipe inside parentheses at token ${n}`)
      const command = tokens[n + 1]?.text ?? ''
      if (!SPL_COMMANDS.has(command)) throw new Error(`unknown command ${command}`)
    } else if (token.text === '(') depth++
    else if (token.text === ')') depth--
    if (depth < 0) throw new Error(`unbalanced ) at token ${n}`)
  }
  if (depth !== 0) throw new Error('unbalanced (')
  return tokens.filter((t) => t.type === 'string').map((t) => t.value as string)
}

// ---- Sigma -----------------------------------------------------------------------------------

export const SIGMA_SCHEMA = 'schemas/sigma/sigma-detection-rule-schema.json'

/** A validator for the Sigma rule schema (JSON Schema 2020-12, with formats such as uuid). */
export function sigmaValidator() {
  const schema = JSON.parse(readFileSync(sharedData(SIGMA_SCHEMA), 'utf8'))
  const ajv = new Ajv2020({ allErrors: true, strict: false })
  // ajv-formats is CommonJS: its function is the default export's `default`.
  formats.default(ajv)
  return ajv.compile(schema)
}
