import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { huntpack } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

/** Public unicast IPv4 only: what a feed would list and huntpack would hunt. */
function isPublicUnicast(ip: string): boolean {
  const octets = ip.split('.').map(Number)
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o))) return false
  const [a = 0, b = 0] = octets
  if (a === 10 || a === 127 || a === 0 || a >= 224) return false
  if (a === 172 && b >= 16 && b <= 31) return false
  if (a === 192 && b === 168) return false
  if (a === 169 && b === 254) return false
  return true
}

/**
 * Every Sysmon network connection to a public address in the EVTX samples, as python-evtx
 * reads them (the reference file), is hunted with those addresses as indicators: huntpack,
 * reading the EVTX files with its own parser, must find each one, on the destination, with
 * the connecting process.
 */
test('a hunt over the EVTX samples finds every public address their network events hold', (t) => {
  const dir = requireSharedData(t, 'logs/evtx')
  if (!dir) return
  const expected: string[] = []
  const addresses = new Set<string>()
  for (const line of readFileSync(join(dir, '_reference_python-evtx.records.jsonl'), 'utf8').split(
    '\n',
  )) {
    if (line === '') continue
    const r = JSON.parse(line) as {
      file: string
      event_id: number
      provider: string
      event_data: Record<string, string> | null
    }
    const ip = r.event_data?.DestinationIp
    if (r.event_id === 3 && r.provider.includes('Sysmon') && ip && isPublicUnicast(ip)) {
      expected.push(`${r.file} ${ip} ${r.event_data?.Image}`)
      addresses.add(ip)
    }
  }
  assert.ok(expected.length >= 5, 'the samples hold public connections')
  const feed = join(mkdtempSync(join(tmpdir(), 'huntpack-evtx-')), 'addresses.txt')
  writeFileSync(feed, `${[...addresses].join('\n')}\n`)

  const run = huntpack('hunt', '--intel', feed, '--logs', dir, '--format', 'ndjson', '-q')
  assert.equal(run.status, 1, run.stderr)
  const found = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>)
  for (const f of found) {
    assert.equal(f.field, 'DstIpAddr')
    assert.equal(f.match, 'exact')
    assert.equal(f.logFormat, 'evtx')
  }
  assert.deepEqual(
    found.map((f) => `${String(f.file).slice(dir.length + 1)} ${f.matched} ${f.process}`).sort(),
    expected.sort(),
  )
})
