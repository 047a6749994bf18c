import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defang } from '../src/intel/defang.ts'
import type { IndicatorKind } from '../src/intel/indicator.ts'
import { isDefanged, refang } from '../src/intel/refang.ts'

const REFANGED: [string, string][] = [
  ['hxxp://evil[.]com/a.php', 'http://evil.com/a.php'],
  ['hxxps://evil[.]com', 'https://evil.com'],
  ['hXXp://evil[.]com', 'http://evil.com'],
  ['HXXPS://evil[.]com', 'https://evil.com'],
  ['fxp://files[.]evil[.]com/x', 'ftp://files.evil.com/x'],
  ['hxxp[://]evil.com', 'http://evil.com'],
  ['hxxps[:]//evil.com', 'https://evil.com'],
  ['http[:]//evil.com', 'http://evil.com'],
  ['evil(.)com', 'evil.com'],
  ['evil{.}com', 'evil.com'],
  ['evil[dot]com', 'evil.com'],
  ['evil[DOT]com', 'evil.com'],
  ['evil[ . ]com', 'evil.com'],
  ['84[.]38[.]129[.]122:443', '84.38.129.122:443'],
  ['84.38.129.122[:]443', '84.38.129.122:443'],
  ['2001[:]db8[:][:]1', '2001:db8::1'],
  ['user[@]evil[.]com', 'user@evil.com'],
  ['user[at]evil[.]com', 'user@evil.com'],
  ['hxxp://evil[.]com[/]gate.php', 'http://evil.com/gate.php'],
  ['  evil[.]com \t', 'evil.com'],
  // Nothing to undo: only trimmed.
  ['evil.com', 'evil.com'],
  ['[2001:db8::1]:443', '[2001:db8::1]:443'],
  ['http://evil.com/hxxp/x', 'http://evil.com/hxxp/x'],
  ['"evil[.]com"', '"evil.com"'],
  // Prose words are not markers.
  ['evil dot com', 'evil dot com'],
  ['user(at)evil.com', 'user(at)evil.com'],
  ['', ''],
]

test('refang undoes each defang marker and nothing else', () => {
  for (const [input, expected] of REFANGED) {
    assert.equal(refang(input), expected, `refang(${JSON.stringify(input)})`)
  }
})

test('isDefanged sees the markers, not IPv6 brackets or prose', () => {
  const defanged = REFANGED.filter(([input, output]) => input.trim() !== output)
  for (const [input] of defanged) assert.equal(isDefanged(input), true, input)
  for (const input of [
    'evil.com',
    'http://evil.com/a.php',
    '[2001:db8::1]:443',
    '[::]:80',
    'http://evil.com/hxxp/x',
    'evil dot com',
    'x(1)y',
  ]) {
    assert.equal(isDefanged(input), false, input)
  }
})

test("refang restores exactly what huntpack's own defang writes", () => {
  const values: [string, IndicatorKind][] = [
    ['84.38.129.122:443', 'ip:port'],
    ['https://evil.com/a.php?x=1.2', 'url'],
    ['ftp://files.evil.com/', 'url'],
    ['a.portmap.host', 'domain'],
    ['2001:db8::1', 'ipv6'],
    ['10.0.0.0/8', 'cidr'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'md5'],
  ]
  for (const [value, kind] of values) {
    const shown = defang(value, kind)
    if (kind !== 'md5') assert.notEqual(shown, value)
    assert.equal(refang(shown), value, `${kind} ${shown}`)
  }
})

test('refang never throws', () => {
  for (const input of ['[', '(.', '[.', 'hxxp', 'hxxp[', '\u0000', 'x'.repeat(100_000)]) {
    assert.equal(typeof refang(input), 'string')
  }
})
