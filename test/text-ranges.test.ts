import assert from 'node:assert/strict'
import { test } from 'node:test'
import { intake } from '../src/intel/intake.ts'
import { readText } from '../src/intel/readers/text.ts'

test('address ranges in text lists, IPv6 included, are read, and a clock time is not', () => {
  const read = readText('Ranges\n\n2a0e:97c0:3e3::/48\n45[.]9[.]0[.]0/16\nat 12:30:00\n', 'r.txt')
  const { indicators, rejections } = intake(read.records)
  assert.deepEqual(rejections, [])
  assert.deepEqual(
    indicators.map((i) => [i.kind, i.value]),
    [
      ['cidr', '2a0e:97c0:3e3::/48'],
      ['cidr', '45.9.0.0/16'],
    ],
  )
})
