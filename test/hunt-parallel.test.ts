import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { huntLogs } from '../src/hunt/hunt.ts'
import { loadHuntIntel } from '../src/hunt/intel.ts'
import { planParallel } from '../src/hunt/parallel.ts'

/**
 * A large log read in ranges on worker threads must give what one sequential read gives:
 * the same findings in the same order, the same line and record numbers, the same broken
 * lines. The fixture logs are repeated into files big enough to cut into many ranges.
 */
test('a hunt read in ranges on workers equals the sequential one, lines and records included', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-parallel-'))
  const eve = readFileSync('test/fixtures/hunt/logs/eve.json', 'utf8')
  const cef = readFileSync('test/fixtures/hunt/logs/firewall.cef', 'utf8')
  const filler =
    '{"timestamp":"2026-12-01T11:00:00.000000+0000","flow_id":7,"event_type":"flow",' +
    '"src_ip":"10.9.8.7","src_port":40000,"dest_ip":"10.9.8.6","dest_port":445,"proto":"TCP"}\n'
  // Hits (and the broken line) land in every range, at lines no range boundary respects.
  writeFileSync(join(dir, 'big-eve.json'), (eve + filler.repeat(997)).repeat(12))
  writeFileSync(join(dir, 'fw.cef'), cef.repeat(3))
  const { indicators } = await loadHuntIntel(['test/fixtures/hunt/iocs.csv'])
  const options = { rangeSize: 64 * 1024, workers: 2 }
  const plan = await planParallel([dir], options)
  assert.ok(plan && plan.tasks.length > 10, 'the big file is cut into ranges')

  const sequential = await huntLogs(indicators, [dir], { parallel: false })
  const parallel = await huntLogs(indicators, [dir], { parallel: options })
  const located = (r: typeof sequential) =>
    r.findings.map(
      (f) =>
        `${f.event.SourceFile}:${f.event.SourceLine}#${f.event.SourceRecord} ${f.indicator.value} ${f.match} ${f.field}`,
    )
  assert.equal(sequential.findings.length, 12 * 8 + 3 * 2)
  assert.deepEqual(located(parallel), located(sequential))
  assert.deepEqual(
    parallel.findings.map((f) => f.event),
    sequential.findings.map((f) => f.event),
  )
  assert.equal(parallel.events, sequential.events)
  assert.deepEqual(parallel.broken, sequential.broken)
  assert.deepEqual(parallel.files, sequential.files)
})

test('a CSV export read in pieces: cuts never split a quoted field, header in front of each', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-parallel-csv-'))
  const header =
    'TenantId,TimeGenerated [UTC],DeviceVendor,DeviceProduct,SourceIP,SourcePort,' +
    'DestinationIP,DestinationPort,Message,DestinationHostName,Type\r\n'
  const row = (i: number, destination: string, message: string, host = '') =>
    `t,"12/1/2026, 10:00:00.000 AM",Acme,FW,10.0.${i % 250}.${i % 200},${1000 + (i % 60000)},` +
    `${destination},443,"${message}",${host},CommonSecurityLog\r\n`
  let text = `\r\n${header}`
  for (let i = 0; i < 6_000; i++) {
    // Multi-line messages with escaped quotes everywhere, so many cut points fall inside one.
    const message = i % 3 === 0 ? `line one\r\nsaid ""hello""\r\n,last` : 'plain'
    if (i % 500 === 7) text += row(i, '91.215.85.7', message)
    else if (i % 700 === 11) text += row(i, '10.2.2.2', message, 'x.c2-relay.hunt-fixture.net')
    else text += row(i, '10.1.1.1', message)
  }
  writeFileSync(join(dir, 'CommonSecurityLog.csv'), text)
  const { indicators } = await loadHuntIntel(['test/fixtures/hunt/iocs.csv'])
  const options = { rangeSize: 32 * 1024, workers: 2 }
  const plan = await planParallel([dir], options)
  assert.ok(plan && plan.tasks.length > 10, 'the export is cut into pieces')
  assert.ok(plan.tasks.slice(1).every((t) => t.headerEnd !== undefined))

  const sequential = await huntLogs(indicators, [dir], { parallel: false })
  const parallel = await huntLogs(indicators, [dir], { parallel: options })
  assert.equal(sequential.findings.length, 12 + 9)
  assert.deepEqual(sequential.broken, [])
  assert.deepEqual(
    parallel.findings.map((f) => f.event),
    sequential.findings.map((f) => f.event),
  )
  assert.equal(parallel.events, 6_000)
  assert.deepEqual(parallel.broken, [])
})
