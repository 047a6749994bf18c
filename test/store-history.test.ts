import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { loadIntel } from '../src/build.ts'
import { intake } from '../src/intel/intake.ts'
import { DEFAULT_EXPIRY, parseMaxAge } from '../src/store/expiry.ts'
import { type PullInput, pullIntoStore } from '../src/store/ingest.ts'
import { diffStore, loadFromStore, storeStats } from '../src/store/query.ts'
import { Store } from '../src/store/store.ts'
import { snapshot } from './store-snapshot.ts'
import { requireSharedData } from './support/shared-data.ts'

const DAY = 86_400_000
const HASH = '3f786850e387550fdab836ed7e6dc881de23001b6b6f2f5a1fbb1e1c4d6b5b0e'
const T0 = Date.parse('2026-12-01T00:00:00Z')

const HEADER =
  '# "first_seen_utc","ioc_id","ioc_value","ioc_type","threat_type","fk_malware",' +
  '"malware_alias","malware_printable","last_seen_utc","confidence_level","is_compromised",' +
  '"reference","tags","anonymous","reporter"\n'

function row(id: number, value: string, type: string, family: string, confidence = 75): string {
  return (
    `"2026-11-30 10:00:00", "${id}", "${value}", "${type}", "botnet_cc", "win.${family}", ` +
    `"None", "${family}", "None", "${confidence}", "False", "None", "tag", "0", "someone"\n`
  )
}

function csvPull(rows: string[], full = true, source = 'threatfox'): PullInput {
  return {
    source,
    mode: 'file',
    full,
    documents: [{ label: 'feed.csv', text: HEADER + rows.join('') }],
  }
}

function tempStore(): string {
  return join(mkdtempSync(join(tmpdir(), 'huntpack-store-')), 'store.duckdb')
}

test('a pull stores indicators; the same pull again changes nothing', async () => {
  const store = await Store.open(tempStore())
  try {
    const input = csvPull([
      row(1, 'evil.example.com', 'domain', 'xworm'),
      row(2, '1.2.3.4:443', 'ip:port', 'xworm'),
    ])
    const first = await pullIntoStore(store, input, { now: T0 })
    assert.equal(first.status, 'ok')
    assert.equal(first.added, 2)
    const before = await snapshot(store)
    const again = await pullIntoStore(store, input, { now: T0 + DAY })
    assert.equal(again.status, 'unchanged')
    assert.equal(again.pull, first.pull)
    assert.equal(await snapshot(store), before)
  } finally {
    store.close()
  }
})

test('history: new, changed, removed by a full list, expired by kind; diff per family', async () => {
  const store = await Store.open(tempStore())
  try {
    await pullIntoStore(
      store,
      csvPull([
        row(1, 'evil.example.com', 'domain', 'xworm'),
        row(2, '1.2.3.4:443', 'ip:port', 'xworm'),
        row(3, HASH, 'sha256_hash', 'lumma'),
      ]),
      { now: T0 },
    )
    // A day later: the domain's confidence changes, the ip:port is gone, a URL is new.
    const second = await pullIntoStore(
      store,
      csvPull([
        row(1, 'evil.example.com', 'domain', 'xworm', 100),
        row(3, HASH, 'sha256_hash', 'lumma'),
        row(4, 'http://bad.example.net/x', 'url', 'lumma'),
      ]),
      { now: T0 + DAY },
    )
    assert.deepEqual([second.added, second.changed, second.removed], [1, 1, 1])

    const diff = await diffStore(
      store,
      { since: T0 + DAY / 2, until: T0 + 2 * DAY },
      DEFAULT_EXPIRY,
    )
    const byFamily = Object.fromEntries(diff.map((d) => [d.family, d]))
    assert.deepEqual(byFamily.xworm?.counts, { new: 0, changed: 1, expired: 0, removed: 1 })
    assert.deepEqual(byFamily.lumma?.counts, { new: 1, changed: 0, expired: 0, removed: 0 })
    assert.equal(byFamily.xworm?.entries.find((e) => e.change === 'removed')?.value, '1.2.3.4:443')

    // A window over the first pull shows all three as new, and nothing else.
    const all = await diffStore(store, { since: T0 - 1, until: T0 }, DEFAULT_EXPIRY)
    assert.equal(
      all.reduce((n, d) => n + d.counts.new, 0),
      3,
    )

    // 200 days on, the ip:port (14d), domain (180d) and URL (90d) have expired; the hash never.
    const later = T0 + 200 * DAY
    const expired = await diffStore(store, { since: T0 + DAY, until: later }, DEFAULT_EXPIRY)
    const expiredValues = expired.flatMap((d) => d.entries.filter((e) => e.change === 'expired'))
    assert.deepEqual(expiredValues.map((e) => e.value).sort(), [
      '1.2.3.4:443',
      'evil.example.com',
      'http://bad.example.net/x',
    ])
    const live = await loadFromStore(store, DEFAULT_EXPIRY, later)
    assert.deepEqual(
      live.records.map((r) => r.value),
      [HASH],
    )
    // Expired indicators stay queryable.
    const stats = await storeStats(store, DEFAULT_EXPIRY, later)
    assert.deepEqual([stats.indicators, stats.live, stats.expired, stats.removed], [4, 1, 3, 1])
    // --max-age overrides the defaults.
    const longer = await loadFromStore(store, parseMaxAge('365d'), later)
    assert.equal(longer.records.length, 3)
    const hashesExpire = await loadFromStore(store, parseMaxAge('sha256=1d'), T0 + 3 * DAY)
    assert.ok(!hashesExpire.records.some((r) => r.value === HASH))
  } finally {
    store.close()
  }
})

test('an indicator removed by one source stays live while another still carries it', async () => {
  const store = await Store.open(tempStore())
  try {
    const both = [row(1, 'shared.example.org', 'domain', 'xworm')]
    await pullIntoStore(store, csvPull(both, true, 'a'), { now: T0 })
    await pullIntoStore(store, csvPull(both, true, 'b'), { now: T0 })
    await pullIntoStore(
      store,
      csvPull([row(2, 'other.example.org', 'domain', 'xworm')], true, 'a'),
      {
        now: T0 + DAY,
      },
    )
    let live = await loadFromStore(store, DEFAULT_EXPIRY, T0 + 2 * DAY)
    assert.ok(live.records.some((r) => r.value === 'shared.example.org'))
    await pullIntoStore(
      store,
      csvPull([row(2, 'other.example.org', 'domain', 'xworm')], true, 'b'),
      {
        now: T0 + 2 * DAY,
      },
    )
    live = await loadFromStore(store, DEFAULT_EXPIRY, T0 + 2 * DAY)
    assert.ok(!live.records.some((r) => r.value === 'shared.example.org'))
    // Back in a later list: no longer removed.
    await pullIntoStore(store, csvPull(both, true, 'b'), { now: T0 + 3 * DAY })
    live = await loadFromStore(store, DEFAULT_EXPIRY, T0 + 3 * DAY)
    assert.ok(live.records.some((r) => r.value === 'shared.example.org'))
  } finally {
    store.close()
  }
})

test('a pull with a bad document leaves the store exactly as before', async () => {
  const store = await Store.open(tempStore())
  try {
    await pullIntoStore(store, csvPull([row(1, 'evil.example.com', 'domain', 'xworm')]), {
      now: T0,
    })
    const before = await snapshot(store)
    const bad: PullInput = {
      source: 'threatfox',
      mode: 'file',
      full: true,
      documents: [
        { label: 'good.csv', text: HEADER + row(5, 'fine.example.com', 'domain', 'xworm') },
        { label: 'bad.json', text: '{"query_status":"ok","data":[{"ioc":"x.example.com"},' },
      ],
    }
    await assert.rejects(pullIntoStore(store, bad, { now: T0 + DAY }), { code: 'ERR_INTEL_FORMAT' })
    assert.equal(await snapshot(store), before)
    // And it is still usable.
    const next = await pullIntoStore(
      store,
      csvPull([row(5, 'fine.example.com', 'domain', 'xworm')]),
      {
        now: T0 + DAY,
      },
    )
    assert.equal(next.added, 1)
  } finally {
    store.close()
  }
})

test('pull file of every real intel sample stores what intake accepts', async (t) => {
  const dir = requireSharedData(t, 'intel')
  if (dir === undefined) return
  const files = readdirSync(dir)
    .filter((f) => !f.endsWith('.md'))
    .map((f) => join(dir, f))
  assert.ok(files.length >= 10)
  const store = await Store.open(tempStore())
  try {
    for (const file of files) {
      const expected = intake((await loadIntel([file])).records).indicators.length
      const result = await pullIntoStore(store, {
        source: `file:${file}`,
        mode: 'file',
        full: true,
        documents: [{ label: file, text: readFileSync(file, 'utf8') }],
      })
      assert.equal(result.status, 'ok', file)
      assert.equal(result.indicators, expected, file)
      const stored = await store.one(
        'SELECT count(DISTINCT indicator_id) AS n FROM sightings WHERE pull_id = ?',
        [result.pull],
      )
      assert.equal(stored.n, expected, file)
    }
    const all = await loadFromStore(store, parseMaxAge('never'))
    assert.ok(all.records.length > 800)
  } finally {
    store.close()
  }
})

test('a store of a newer schema is refused', async () => {
  const path = tempStore()
  const store = await Store.open(path)
  await store.run("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
  store.close()
  await assert.rejects(Store.open(path), {
    name: 'StoreError',
    message: /newer than this huntpack/,
  })
})
