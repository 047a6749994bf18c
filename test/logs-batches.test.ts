import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { readInBatches } from '../src/logs/batches.ts'

function eveFile(lines: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-batches-'))
  const file = join(dir, 'eve.json')
  const line =
    '{"timestamp":"2026-12-01T10:00:00.000000+0000","flow_id":1,"event_type":"flow",' +
    '"src_ip":"10.0.0.1","src_port":1,"dest_ip":"10.0.0.2","dest_port":2,"proto":"TCP"}\n'
  writeFileSync(file, line.repeat(lines))
  return file
}

test('a slow consumer holds reading back: memory is bounded by the batch size', async () => {
  const file = eveFile(100_000)
  let read = 0
  let consumed = 0
  let ahead = 0
  const result = await readInBatches(
    [file],
    async (batch) => {
      ahead = Math.max(ahead, read - consumed)
      await sleep(20)
      consumed += batch.length
    },
    { batchSize: 2_000, onProgress: (p) => (read = p.events) },
  )
  assert.equal(result.events, 100_000)
  assert.equal(consumed, 100_000)
  // Two batches waiting, one filling, and the rest of one 1 MiB read of about 6,000 lines.
  assert.ok(ahead <= 3 * 2_000 + 7_000, `reading ran ${ahead} events ahead`)
})

test("a consumer's failure stops the reading and is reported as itself", async () => {
  const file = eveFile(5_000)
  let calls = 0
  await assert.rejects(
    readInBatches(
      [file],
      async () => {
        calls++
        throw new Error('the engine broke')
      },
      { batchSize: 100 },
    ),
    { message: 'the engine broke' },
  )
  assert.ok(calls <= 2, `${calls} batches were handed on after the first failure`)
})
