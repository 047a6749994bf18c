import assert from 'node:assert/strict'
import { test } from 'node:test'
import { intake } from '../src/intel/intake.ts'
import { readMisp } from '../src/intel/readers/misp.ts'

test('MISP attributes not for detection, or deleted, are refused with the reason, not hunted', () => {
  const event = {
    Event: {
      info: 'test event',
      Attribute: [
        { type: 'ip-dst', value: '45.9.3.1', to_ids: true, uuid: 'a1' },
        { type: 'ip-dst', value: '45.9.3.2', to_ids: false, uuid: 'a2', comment: 'victim MX' },
        {
          type: 'url',
          value: 'http://c2.example-c2.top/x',
          to_ids: true,
          deleted: true,
          uuid: 'a3',
        },
      ],
    },
  }
  const read = readMisp(JSON.stringify(event), 'event.json')
  const { indicators, rejections } = intake(read.records)
  assert.deepEqual(
    indicators.map((i) => i.value),
    ['45.9.3.1'],
  )
  assert.deepEqual(
    rejections.map((r) => [r.code, r.original, r.source.record]),
    [
      ['not-for-detection', '45.9.3.2', 'a2'],
      ['not-for-detection', 'http://c2.example-c2.top/x', 'a3'],
    ],
  )
  assert.match(rejections[0]?.reason ?? '', /to_ids is off/)
  assert.match(rejections[1]?.reason ?? '', /deleted/)
})
