import assert from 'node:assert/strict'
import { test } from 'node:test'
import { intake } from '../src/intel/intake.ts'
import { readStix } from '../src/intel/readers/stix.ts'
import { addressWithPort, observations } from '../src/intel/readers/stix-pattern.ts'

function bundle(...patterns: string[]): string {
  return JSON.stringify({
    type: 'bundle',
    id: 'bundle--1',
    objects: patterns.map((pattern, n) => ({
      type: 'indicator',
      spec_version: '2.1',
      id: `indicator--${n}`,
      pattern,
      pattern_type: 'stix',
      valid_from: '2026-12-01T00:00:00Z',
    })),
  })
}

test('observations split on brackets outside string literals', () => {
  assert.deepEqual(observations("[a:value = 'x'] AND [b:value = ']\\'[']"), [
    "[a:value = 'x']",
    "[b:value = ']\\'[']",
  ])
})

test('an address and a destination port in one observation are one ip:port', () => {
  assert.equal(
    addressWithPort("[ipv4-addr:value = '45.9.1.1' AND network-traffic:dst_port = 4444]")?.value,
    '45.9.1.1:4444',
  )
  assert.equal(
    addressWithPort(
      "[network-traffic:dst_ref.value = '2001:db8::5' AND network-traffic:dst_port = 443]",
    )?.value,
    '[2001:db8::5]:443',
  )
  assert.equal(
    addressWithPort("[ipv4-addr:value = '45.9.1.1' OR network-traffic:dst_port = 4444]"),
    undefined,
  )
  assert.equal(addressWithPort("[ipv4-addr:value = '45.9.1.1']"), undefined)
  const typed = addressWithPort(
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = " +
      "'45.9.1.2' AND network-traffic:dst_port = 8080]",
  )
  assert.equal(typed?.value, '45.9.1.2:8080')
  assert.equal(typed?.parts.length, 3)
})

test('the STIX reader keeps the port: no bare address is hunted in its place', () => {
  const read = readStix(
    bundle(
      "[ipv4-addr:value = '45.9.1.1' AND network-traffic:dst_port = 4444]",
      "[domain-name:value = 'c2.example.net'] OR [ipv4-addr:value = '45.9.1.2']",
    ),
    'ports.json',
  )
  const { indicators, rejections } = intake(read.records)
  assert.deepEqual(rejections, [])
  assert.deepEqual(
    indicators.map((i) => [i.kind, i.value]),
    [
      ['ip:port', '45.9.1.1:4444'],
      ['domain', 'c2.example.net'],
      ['ipv4', '45.9.1.2'],
    ],
  )
})
