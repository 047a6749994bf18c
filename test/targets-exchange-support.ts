/**
 * @module
 * Shared by the exchange-target tests (suricata, zeek, stix, misp, blocklist): a pack's content
 * without the KQL stages, and strict readers for the formats, written from each format's
 * documentation so a file they accept is one the real tool reads the same way.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { isIP } from 'node:net'
import { type IntelLoad, loadIntel, preparePacks, recordUrls } from '../src/build.ts'
import type { Indicator } from '../src/intel/indicator.ts'
import { intake } from '../src/intel/intake.ts'
import { readMisp } from '../src/intel/readers/misp.ts'
import { readStix } from '../src/intel/readers/stix.ts'
import { WarninglistSet } from '../src/intel/warninglist.ts'
import type { PackContent } from '../src/pack/content.ts'
import type { Pack } from '../src/pack/pack.ts'
import { summarisePack } from '../src/pack/summary.ts'

export const EXCHANGE_TARGETS = ['suricata', 'zeek', 'stix', 'misp', 'blocklist']

/** What the exchange targets read: the pack and its record pages; no hunts are needed. */
export function contentOf(pack: Pack, recordUrl?: PackContent['recordUrl']): PackContent {
  const summary = summarisePack(pack)
  return {
    pack,
    summary,
    description: '',
    hunts: [],
    tables: [],
    guidance: [],
    lookback: '14d',
    recordUrl,
  }
}

/** The packs of intel files as `build` makes them, each with its content. */
export async function packContents(files: string[], families?: string[]) {
  const load: IntelLoad = await loadIntel(files)
  const prepared = preparePacks(load, {
    groupBy: 'family',
    lookback: '14d',
    inlineLimit: 200,
    includeWarninglisted: false,
    warninglists: WarninglistSet.builtIn(),
    families,
  })
  const urls = recordUrls(load)
  return prepared.packs.map((pack) => contentOf(pack, urls))
}

export function text(content: string | string[]): string {
  return Array.isArray(content) ? content.join('') : content
}

/** `kind value family`, sorted: what a round trip must give back. */
export function identities(indicators: readonly Indicator[]): string[] {
  return indicators.map((i) => `${i.kind} ${i.value} ${i.family ?? ''}`).sort()
}

/** Reads a bundle with huntpack's STIX reader and intake, as `build` would. */
export function readBackStix(bundle: string): Indicator[] {
  const read = readStix(bundle, 'bundle.json')
  const { indicators, rejections } = intake(read.records)
  assert.deepEqual(rejections, [], 'the STIX reader refused values of our own bundle')
  return indicators
}

/** Reads an event with huntpack's MISP reader and intake, as `build` would. */
export function readBackMisp(event: string): Indicator[] {
  const read = readMisp(event, 'event.json')
  const { indicators, rejections } = intake(read.records)
  assert.deepEqual(rejections, [], 'the MISP reader refused values of our own event')
  return indicators
}

// ---------------------------------------------------------------------------------------------
// Suricata

export interface SuricataOption {
  name: string
  /** The raw value as written, undefined for a keyword without one. */
  raw?: string
}

export interface SuricataRule {
  action: string
  proto: string
  source: string
  sourcePort: string
  direction: string
  destination: string
  destinationPort: string
  options: SuricataOption[]
  /** `msg` with its escapes resolved. */
  msg: string
  sid: number
  /** Each `content` pattern as bytes, `|hex|` runs decoded. */
  contents: Buffer[]
}

const ACTIONS = new Set(['alert', 'drop', 'pass', 'reject'])
const PROTOCOLS = new Set(['ip', 'tcp', 'udp', 'dns', 'tls', 'http', 'smtp'])

/**
 * One rule line, read as Suricata's parser does: the header, then options separated by `;`
 * outside quotes and not escaped by `\`. Throws on anything Suricata would refuse or read
 * differently: an unescaped quote, a bad `|hex|` run, a missing `msg`, `sid` or `rev`.
 */
export function parseSuricataRule(line: string): SuricataRule {
  const open = line.indexOf(' (')
  assert.ok(open > 0 && line.endsWith(';)'), `not a rule: ${line}`)
  const header = line.slice(0, open).split(' ')
  assert.equal(header.length, 7, `header: ${line}`)
  const [
    action = '',
    proto = '',
    source = '',
    sourcePort = '',
    direction = '',
    destination = '',
    destinationPort = '',
  ] = header
  assert.ok(ACTIONS.has(action), `action ${action}`)
  assert.ok(PROTOCOLS.has(proto), `protocol ${proto}`)
  assert.ok(direction === '->' || direction === '<>', `direction ${direction}`)
  for (const address of [source, destination]) assertAddress(address, line)
  for (const port of [sourcePort, destinationPort]) {
    assert.ok(port === 'any' || (/^\d+$/.test(port) && Number(port) <= 65535), `port ${port}`)
  }
  const body = line.slice(open + 2, -1)
  const options: SuricataOption[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < body.length; i++) {
    const c = body.charAt(i)
    if (c === '\\') {
      const next = body.charAt(i + 1)
      assert.ok('";\\:,'.includes(next), `unknown escape \\${next} in ${line}`)
      current += c + next
      i++
    } else if (c === '"') {
      quoted = !quoted
      current += c
    } else if (c === ';' && !quoted) {
      options.push(option(current.trim()))
      current = ''
    } else {
      // UTF-8 text is fine in msg; control characters would end or split the rule.
      assert.ok(c >= ' ' && c !== '\u007f', `raw character ${c.charCodeAt(0)} in ${line}`)
      current += c
    }
  }
  assert.ok(!quoted, `unterminated quote in ${line}`)
  assert.equal(current.trim(), '', `text after the last option: ${line}`)
  const get = (name: string) => options.filter((o) => o.name === name)
  const [msg] = get('msg')
  const [sid] = get('sid')
  assert.ok(msg?.raw && sid?.raw && get('rev').length === 1, `msg, sid, rev: ${line}`)
  assert.match(msg.raw, /^"(?:[^"\\]|\\["\\;])*"$/, `msg quoting: ${line}`)
  const contents = get('content').map((o) => contentBytes(o.raw ?? '', line))
  return {
    action,
    proto,
    source,
    sourcePort,
    direction,
    destination,
    destinationPort,
    options,
    msg: msg.raw.slice(1, -1).replace(/\\(.)/g, '$1'),
    sid: Number(sid.raw),
    contents,
  }
}

function option(text: string): SuricataOption {
  const colon = text.indexOf(':')
  if (colon < 0) {
    assert.match(text, /^[a-z0-9_.]+$/, `keyword ${text}`)
    return { name: text }
  }
  const name = text.slice(0, colon)
  assert.match(name, /^[a-z0-9_.]+$/, `keyword ${name}`)
  return { name, raw: text.slice(colon + 1) }
}

function assertAddress(address: string, line: string): void {
  if (address === 'any' || address === '$HOME_NET') return
  const list = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  for (const item of list.split(',')) {
    const [ip = '', prefix] = item.split('/')
    assert.ok(isIP(ip) !== 0, `address ${item} in ${line}`)
    if (prefix !== undefined) assert.match(prefix, /^\d{1,3}$/)
  }
}

/** A quoted content pattern as the bytes it matches. */
function contentBytes(raw: string, line: string): Buffer {
  assert.match(raw, /^".*"$/, `content not quoted: ${line}`)
  const inner = raw.slice(1, -1)
  const bytes: number[] = []
  let hex = false
  for (let i = 0; i < inner.length; i++) {
    const c = inner.charAt(i)
    if (c === '|') {
      hex = !hex
    } else if (hex) {
      if (c === ' ') continue
      const pair = inner.slice(i, i + 2)
      assert.match(pair, /^[0-9A-Fa-f]{2}$/, `hex ${pair} in ${line}`)
      bytes.push(Number.parseInt(pair, 16))
      i++
    } else {
      assert.ok(!'";\\'.includes(c) && c <= '~', `unescaped ${c} in content: ${line}`)
      bytes.push(c.charCodeAt(0))
    }
  }
  assert.ok(!hex, `unclosed hex run: ${line}`)
  return Buffer.from(bytes)
}

/** Every rule of a `.rules` file (comment lines skipped); sids unique within it. */
export function parseRulesFile(rules: string): SuricataRule[] {
  const parsed = rules
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(parseSuricataRule)
  const sids = parsed.map((r) => r.sid)
  assert.equal(new Set(sids).size, sids.length, 'duplicate sids')
  for (const sid of sids) assert.ok(sid >= 1_000_000_000 && sid <= 1_999_999_999, `sid ${sid}`)
  return parsed
}

const PYTHON = '/usr/bin/python3'
const SURICATA_UPDATE_PARSE = `
import json, sys
from suricata.update import rule
for line in sys.stdin:
    line = line.rstrip("\\n")
    if not line or line.startswith("#"):
        continue
    r = rule.parse(line)
    if r is None:
        print(json.dumps({"error": line}))
    else:
        print(json.dumps({"sid": r["sid"], "msg": r["msg"], "raw": r["raw"]}))
`

/** Whether Debian's suricata-update (its Python rule parser) is on this machine. */
export function suricataUpdateParser(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`
  const probe = spawnSync(PYTHON, ['-c', 'import suricata.update.rule'], { encoding: 'utf8' })
  return probe.status === 0
    ? undefined
    : 'suricata-update is not installed (apt-get install suricata-update)'
}

/** Rules as suricata-update's parser reads them: sid and msg per rule line. */
export function parseWithSuricataUpdate(rules: string): { sid: number; msg: string }[] {
  const run = spawnSync(PYTHON, ['-c', SURICATA_UPDATE_PARSE], { input: rules, encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
  return run.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const parsed = JSON.parse(l)
      assert.equal(parsed.error, undefined, `suricata-update cannot parse: ${parsed.error}`)
      return { sid: parsed.sid, msg: parsed.msg }
    })
}

// ---------------------------------------------------------------------------------------------
// Zeek

export interface ZeekIntelLine {
  indicator: string
  type: string
  source: string
  desc: string
  url: string
}

const ZEEK_TYPES = new Set([
  'Intel::ADDR',
  'Intel::SUBNET',
  'Intel::DOMAIN',
  'Intel::URL',
  'Intel::FILE_HASH',
])

/** An Intel file as Zeek's ASCII input reader takes it: `#fields`, then tab-separated lines. */
export function parseZeekIntel(file: string): ZeekIntelLine[] {
  const lines = file.split('\n')
  assert.equal(lines.pop(), '', 'the file ends with a line break')
  assert.equal(
    lines.shift(),
    '#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url',
  )
  return lines.map((line) => {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are the point
    assert.ok(!/[\u0000-\u0008\u000a-\u001f\u007f]/.test(line), `control character in ${line}`)
    const fields = line.split('\t')
    assert.equal(fields.length, 5, `five fields: ${JSON.stringify(line)}`)
    const [indicator = '', type = '', source = '', desc = '', url = ''] = fields.map(zeekValue)
    assert.ok(ZEEK_TYPES.has(type), `type ${type}`)
    assert.ok(!line.startsWith('#'), `a data line reads as a comment: ${line}`)
    return { indicator, type, source, desc, url }
  })
}

/** `\xHH` escapes resolved, `(empty)` empty, `-` unset (here ''). */
function zeekValue(field: string): string {
  if (field === '-' || field === '(empty)') return ''
  return field.replace(/\\x([0-9a-f]{2})/gi, (_, h) => String.fromCharCode(Number.parseInt(h, 16)))
}
