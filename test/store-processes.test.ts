import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generateThreatFoxCsv } from '../bench/generate-threatfox.ts'
import { Store } from '../src/store/store.ts'
import { snapshot } from './store-snapshot.ts'

async function digest(path: string): Promise<string> {
  const store = await Store.open(path, { readOnly: true })
  try {
    return createHash('sha256')
      .update(await snapshot(store))
      .digest('hex')
  } finally {
    store.close()
  }
}

const BIN = fileURLToPath(new URL('../bin/huntpack.js', import.meta.url))
const STORE_MODULE = fileURLToPath(new URL('../src/store/store.ts', import.meta.url))

function huntpack(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, ...args])
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d) => {
    stdout += d
  })
  child.stderr?.on('data', (d) => {
    stderr += d
  })
  const done = new Promise<Run>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  )
  return { child, done }
}

interface Run {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'huntpack-proc-'))

test('a pull killed mid-way leaves the store exactly as before, and usable', async () => {
  const dir = tempDir()
  const small = join(dir, 'small.csv')
  const large = join(dir, 'large.csv')
  await generateThreatFoxCsv(small, 500, 7)
  await generateThreatFoxCsv(large, 150_000, 8)
  const path = join(dir, 'store.duckdb')
  const first = await huntpack(['pull', 'file', small, '--store', path, '-q']).done
  assert.equal(first.status, 0, first.stderr)

  const before = await digest(path)

  // How long a whole pull of the large feed takes, and the store it leaves, in a copy.
  const copy = join(dir, 'copy.duckdb')
  copyFileSync(path, copy)
  const started = Date.now()
  const timing = await huntpack(['pull', 'file', large, '--store', copy, '-q']).done
  assert.equal(timing.status, 0, timing.stderr)
  const whole = Date.now() - started

  // Killed at several points of the same pull: reading, staging, merging. A kill that lands
  // after the commit (while the process closes) must leave the whole pull; any other, nothing.
  let untouched = 0
  for (const fraction of [0.2, 0.35, 0.5, 0.65, 0.8]) {
    const { child, done } = huntpack(['pull', 'file', large, '--store', path, '-q'])
    await new Promise((resolve) => setTimeout(resolve, Math.round(whole * fraction)))
    child.kill('SIGKILL')
    const run = await done
    // A pull faster this time than the timed one may have finished: then it committed whole.
    if (run.signal !== 'SIGKILL') assert.equal(run.status, 0, run.stderr)
    const now = await digest(path)
    if (now === before) {
      untouched++
      continue
    }
    const store = await Store.open(path, { readOnly: true })
    const counts = await store.one(
      'SELECT (SELECT count(*) FROM pulls) AS pulls, (SELECT count(*) FROM indicators) AS n',
    )
    store.close()
    const reference = await Store.open(copy, { readOnly: true })
    const expected = await reference.one('SELECT count(*) AS n FROM indicators')
    reference.close()
    assert.deepEqual(counts, { pulls: 2, n: expected.n }, `a half pull at ${fraction}`)
    break
  }
  assert.ok(untouched >= 2, 'too few kills landed before the commit')

  const after = await huntpack(['pull', 'file', large, '--store', path, '-q']).done
  assert.equal(after.status, 0, after.stderr)
  const store = await Store.open(path, { readOnly: true })
  const { n } = await store.one('SELECT count(*) AS n FROM pulls')
  assert.equal(n, 2)
  store.close()
})

test('two processes: the second is told the store is busy, or waits with --wait', async () => {
  const dir = tempDir()
  const path = join(dir, 'store.duckdb')
  const feed = join(dir, 'feed.csv')
  await generateThreatFoxCsv(feed, 200, 3)
  // A process that holds the store open until told to stop, as a long pull does.
  const holder = join(dir, 'hold.mts')
  writeFileSync(
    holder,
    `import { Store } from ${JSON.stringify(STORE_MODULE)}\n` +
      `const store = await Store.open(process.argv[2])\n` +
      `process.stdout.write('held\\n')\n` +
      `process.stdin.resume()\n` +
      `process.stdin.on('end', () => { store.close(); process.exit(0) })\n`,
  )
  const hold = () => {
    const child = spawn(process.execPath, ['--import', 'tsx', holder, path], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
    })
    const held = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()))
    return { held, exited, release: () => child.stdin.end() }
  }

  let holding = hold()
  await holding.held
  const busy = await huntpack(['pull', 'file', feed, '--store', path]).done
  assert.equal(busy.status, 75)
  assert.match(busy.stderr, /store is busy: another huntpack process is using .*--wait/)
  const stats = await huntpack(['store', 'stats', '--store', path]).done
  assert.equal(stats.status, 75)
  holding.release()
  await holding.exited

  holding = hold()
  await holding.held
  const waiting = huntpack(['pull', 'file', feed, '--store', path, '--wait', '60'])
  await new Promise((resolve) => setTimeout(resolve, 3000))
  assert.equal(waiting.child.exitCode, null, 'the pull did not wait for the lock')
  holding.release()
  const waited = await waiting.done
  assert.equal(waited.status, 0, waited.stderr)
  await holding.exited

  const store = await Store.open(path, { readOnly: true })
  const { n } = await store.one('SELECT count(*) AS n FROM indicators')
  store.close()
  assert.ok(Number(n) > 150)
  assert.ok(readFileSync(feed, 'utf8').length > 0)
})
