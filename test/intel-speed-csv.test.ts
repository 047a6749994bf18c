import assert from 'node:assert/strict'
import { test } from 'node:test'
import { CsvCursor } from '../src/intel/readers/csv-rows.ts'
import { readThreatfoxCsv } from '../src/intel/readers/threatfox-csv.ts'

const ROWS = [
  '"a", "b", "c"\r\n',
  'a,b ,  c\n',
  '" spaced ", "x",\t"y"\n',
  '"multi\nline", "z"\n',
  '"esc ""quoted""", "q"\n',
  '\u00a0nbsp\u00a0,x\n',
  'plain,\u00e9t\u00e9,\ufefflast\n',
  ',,\n',
  '"a", "b"',
]

test('scanRow spans give the fields readRow reads, or leave the row to it', () => {
  for (const row of ROWS) {
    const text = `${row}"next"\n`
    const expected = new CsvCursor(text, 't.csv').readRow()
    const cursor = new CsvCursor(text, 't.csv')
    const bounds = new Int32Array(32)
    const count = cursor.scanRow(bounds)
    if (count < 0) {
      assert.equal(cursor.pos, 0, JSON.stringify(row))
      continue
    }
    const fields = Array.from({ length: count }, (_, i) =>
      text.slice(bounds[2 * i], bounds[2 * i + 1]),
    )
    assert.deepEqual(fields, expected, JSON.stringify(row))
    const after = new CsvCursor(text, 't.csv')
    after.readRow()
    assert.equal(cursor.pos, after.pos)
    assert.equal(cursor.line, after.line)
  }
})

test('ThreatFox rows that need the full tokenizer read like the others', () => {
  const header =
    '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
    '"malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised",' +
    '"reference","tags","anonymous","reporter"\n'
  const row = (value: string, tags: string) =>
    `"2026-04-12 04:49:28", "1", "${value}", "domain", "botnet_cc", "win.x", "None", ` +
    `"X", " 2026-04-12 04:49:29", "75%", "False", "None", "${tags}", "0", "me"\n`
  const plain = readThreatfoxCsv(header + row('evil.example.com', 'a,b'), 'f.csv').records[0]
  const escaped = readThreatfoxCsv(header + row('evil.example.com', 'a,""b""'), 'f.csv').records[0]
  assert.deepEqual(escaped, { ...plain, tags: ['a', '"b"'] })
  assert.equal(plain?.lastSeen, '2026-04-12T04:49:29Z')
  assert.equal(plain?.confidence, 75)
})
