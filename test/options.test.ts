import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseInteger, parseIntelFormat, parseLookback, parseSince } from '../src/cli/options.ts'

test('parseSince takes dates, ISO times and durations back from now', () => {
  const now = new Date('2026-12-04T12:00:00Z')
  assert.equal(parseSince('2026-04-01', now), '2026-04-01T00:00:00Z')
  assert.equal(parseSince('2026-04-01T10:30:00Z', now), '2026-04-01T10:30:00Z')
  assert.equal(parseSince('7d', now), '2026-11-27T12:00:00Z')
  assert.equal(parseSince('36h', now), '2026-12-03T00:00:00Z')
  assert.throws(() => parseSince('yesterday', now), { code: 'ERR_USAGE', message: /--since/ })
  assert.throws(() => parseSince('2026-13-45', now), { code: 'ERR_USAGE' })
})

test('parseLookback accepts KQL-style durations only', () => {
  assert.equal(parseLookback('14d'), '14d')
  assert.equal(parseLookback('90m'), '90m')
  for (const bad of ['0d', '14', '1w', '14d; drop', '-1d', '999999d', '014d']) {
    assert.throws(() => parseLookback(bad), { code: 'ERR_USAGE' }, bad)
  }
})

test('parseInteger and parseIntelFormat name the option in errors', () => {
  assert.equal(parseInteger('--min-confidence', '75', 0, 100), 75)
  assert.throws(() => parseInteger('--min-confidence', '101', 0, 100), /--min-confidence 101/)
  assert.throws(() => parseInteger('--inline-limit', '1e3', 1, 10), /--inline-limit/)
  assert.equal(parseIntelFormat('threatfox-csv'), 'threatfox-csv')
  assert.equal(parseIntelFormat(undefined), undefined)
  assert.throws(() => parseIntelFormat('csv'), { code: 'ERR_USAGE', message: /threatfox-csv/ })
})
