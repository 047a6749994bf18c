import assert from 'node:assert/strict'
import { test } from 'node:test'
import { mdCode, mdFence, mdLink, mdTable, mdText } from '../src/report/markdown-text.ts'

const HOSTILE = ['a|b', '<script>alert(1)</script>', 'x\ny', '`tick`', '[l](javascript:x)', '\\']

test('mdText neutralises HTML, links, emphasis, pipes and line breaks', () => {
  assert.equal(mdText('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;')
  assert.equal(mdText('a|b'), 'a\\|b')
  assert.equal(mdText('[l](javascript:x)'), '\\[l\\](javascript:x)')
  assert.equal(mdText('*bold* _it_'), '\\*bold\\* \\_it\\_')
  assert.equal(mdText('x\ny\r\nz'), 'x\\\\ny\\\\r\\\\nz')
  assert.equal(mdText('a & b'), 'a &amp; b')
})

test('mdCode picks a fence longer than any backtick run and escapes pipes', () => {
  assert.equal(mdCode('evil[.]com'), '`evil[.]com`')
  assert.equal(mdCode('a`b'), '``a`b``')
  assert.equal(mdCode('`x`'), '`` `x` ``')
  assert.equal(mdCode('a|b'), '`a\\|b`')
  assert.equal(mdCode('x\ny'), '`x\\ny`')
})

test('no hostile value can add a table cell or a row', () => {
  const table = mdTable(
    ['Value', 'Text'],
    HOSTILE.map((v) => [mdCode(v), mdText(v)]),
  )
  const lines = table.split('\n')
  assert.equal(lines.length, HOSTILE.length + 2)
  for (const line of lines.slice(2)) {
    const unescapedPipes = line.replace(/\\\|/g, '').match(/\|/g) ?? []
    assert.equal(unescapedPipes.length, 3, line)
  }
})

test('mdFence outlasts fences inside the text', () => {
  assert.equal(mdFence('a\n', 'kql'), '```kql\na\n```')
  assert.equal(mdFence('x ``` y', 'kql'), '````kql\nx ``` y\n````')
})

test('mdLink follows only http(s) targets', () => {
  assert.equal(mdLink('ref', 'https://a.example/x'), '[ref](<https://a.example/x>)')
  assert.equal(mdLink('ref', 'javascript:alert(1)'), '`javascript:alert(1)`')
  assert.equal(mdLink('ref', 'https://a.example/<x>'), '`https://a.example/<x>`')
})

test('links keep their address but cannot end early or leave a table cell', () => {
  assert.equal(mdLink('ref', 'https://x.example/pi|pe'), '[ref](<https://x.example/pi%7Cpe>)')
  assert.equal(mdLink('ref', 'https://x.example/`t`'), '[ref](<https://x.example/%60t%60>)')
  assert.equal(mdLink('ref', 'https://x.example/](a'), '`https://x.example/](a`')
  assert.equal(mdLink('ref', 'https://x.example/]x[y'), '[ref](<https://x.example/%5Dx%5By>)')
})

test('bidi controls and invisible characters are shown, not obeyed', () => {
  assert.equal(mdText('evil\u202egnp.exe'), 'evil\\\\u202egnp.exe')
  assert.equal(mdCode('a\u200bb'), '`a\\u200bb`')
  assert.equal(mdText('tab\there'), 'tab\there')
})
