/**
 * @module
 * `npm run bench:evtx -- [--chunks 2000] [--repeat 20]`: the EVTX parser's speed and memory.
 * Builds (in `bench/.data/`) a large EVTX file from the used chunks of every public sample in
 * `../shared/data/logs/evtx`, taken in turn, with a file header counting them (chunks are
 * independent, so repeating them makes a valid file), and a quarter-size one; then measures,
 * each in a child process whose peak memory is its own:
 *
 * - `parse`: `parseEvtx` over the file, streamed from disk (every record's XML and fields);
 * - `read`: the `evtx` log reader, normalised events as a hunt receives them;
 * - `samples`: every sample file parsed `--repeat` times from memory.
 *
 * Prints records/s and MB/s by wall time and by CPU time (steadier when other work shares the
 * machine), and peak memory; the two file sizes show whether memory stays flat as files grow.
 */
import { spawnSync } from 'node:child_process'
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  writeSync,
} from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { crc32 } from '../src/logs/evtx/crc32.ts'
import { CHUNK_SIZE, isChunk } from '../src/logs/evtx/header.ts'
import { parseEvtx } from '../src/logs/evtx/parse.ts'
import { listLogInputs } from '../src/logs/input.ts'
import { readLogInputs } from '../src/logs/readers/index.ts'

const root = dirname(dirname(fileURLToPath(import.meta.url)))
const samplesDir = join(root, '..', 'shared', 'data', 'logs', 'evtx')
const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '2000' },
    repeat: { type: 'string', default: '20' },
    phase: { type: 'string' },
    file: { type: 'string' },
  },
})

interface Measure {
  records: number
  bytes: number
  seconds: number
  /** CPU seconds (user + system) of the phase: steadier than wall time on a busy machine. */
  cpuSeconds: number
  peakMB: number
}

function sampleFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return sampleFiles(path)
      return name.endsWith('.evtx') ? [path] : []
    })
}

/** The used chunks of every sample, in file order. */
function sampleChunks(): Buffer[] {
  const chunks: Buffer[] = []
  for (const path of sampleFiles(samplesDir)) {
    const file = readFileSync(path)
    const count = file.readUInt16LE(0x2a)
    for (let i = 0; i < count; i++) {
      const chunk = file.subarray(0x1000 + i * CHUNK_SIZE, 0x1000 + (i + 1) * CHUNK_SIZE)
      if (chunk.length === CHUNK_SIZE && isChunk(chunk)) chunks.push(chunk)
    }
  }
  return chunks
}

/** A file of `count` chunks taken from the samples in turn, written unless present. */
function buildFile(count: number): string {
  const dir = join(root, 'bench', '.data')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `evtx-${count}-chunks.evtx`)
  if (existsSync(path) && statSync(path).size === 0x1000 + count * CHUNK_SIZE) return path
  const chunks = sampleChunks()
  const header = Buffer.alloc(0x1000)
  header.write('ElfFile\0', 0, 'latin1')
  header.writeBigUInt64LE(BigInt(count - 1), 0x10)
  header.writeUInt32LE(128, 0x20)
  header.writeUInt16LE(1, 0x24)
  header.writeUInt16LE(3, 0x26)
  header.writeUInt16LE(0x1000, 0x28)
  header.writeUInt16LE(count, 0x2a)
  header.writeUInt32LE(crc32(header, 0, 0x78), 0x7c)
  const fd = openSync(path, 'w')
  try {
    writeSync(fd, header)
    for (let i = 0; i < count; i++) writeSync(fd, chunks[i % chunks.length] as Buffer)
  } finally {
    closeSync(fd)
  }
  return path
}

function peakMB(): number {
  return process.resourceUsage().maxRSS / 1024
}

async function phaseParse(file: string): Promise<Measure> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  let records = 0
  let fields = 0
  for await (const r of parseEvtx(createReadStream(file, { highWaterMark: 1 << 20 }))) {
    records++
    fields += Object.keys(r.eventData).length
  }
  if (fields === 0) throw new Error('no EventData read')
  return {
    records,
    bytes: statSync(file).size,
    seconds: seconds(started),
    cpuSeconds: cpuSeconds(cpu),
    peakMB: peakMB(),
  }
}

async function phaseRead(file: string): Promise<Measure> {
  const started = performance.now()
  const cpu = process.cpuUsage()
  const stats = await readLogInputs(await listLogInputs([file]), () => {})
  if (stats.broken.length > 0) throw new Error(`broken records: ${stats.broken[0]?.reason}`)
  return {
    records: stats.events,
    bytes: statSync(file).size,
    seconds: seconds(started),
    cpuSeconds: cpuSeconds(cpu),
    peakMB: peakMB(),
  }
}

async function phaseSamples(repeat: number): Promise<Measure> {
  const files = sampleFiles(samplesDir).map((path) => readFileSync(path))
  const started = performance.now()
  const cpu = process.cpuUsage()
  let records = 0
  let bytes = 0
  for (let i = 0; i < repeat; i++) {
    for (const file of files) {
      bytes += file.length
      for await (const _ of parseEvtx(Readable.from([file]))) records++
    }
  }
  return {
    records,
    bytes,
    seconds: seconds(started),
    cpuSeconds: cpuSeconds(cpu),
    peakMB: peakMB(),
  }
}

function seconds(started: number): number {
  return (performance.now() - started) / 1000
}

function cpuSeconds(started: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(started)
  return (used.user + used.system) / 1e6
}

function runPhase(phase: string, args: string[]): Measure {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--phase', phase, ...args],
    { cwd: root, encoding: 'utf8' },
  )
  if (child.status !== 0) throw new Error(`${phase} failed: ${child.stderr}`)
  return JSON.parse(child.stdout) as Measure
}

function row(name: string, m: Measure): string {
  const rate = (n: number, s: number) =>
    Math.round(n / s)
      .toLocaleString('en-US')
      .padStart(9)
  const mbps = (s: number) => (m.bytes / 1e6 / s).toFixed(1).padStart(6)
  return (
    `${name.padEnd(30)} ${m.records.toLocaleString('en-US').padStart(8)} rec ` +
    `wall ${m.seconds.toFixed(2).padStart(6)} s ${rate(m.records, m.seconds)} rec/s ` +
    `${mbps(m.seconds)} MB/s | cpu ${m.cpuSeconds.toFixed(2).padStart(6)} s ` +
    `${rate(m.records, m.cpuSeconds)} rec/s ${mbps(m.cpuSeconds)} MB/s | ` +
    `peak ${m.peakMB.toFixed(0)} MB`
  )
}

if (values.phase !== undefined) {
  const file = values.file ?? ''
  const measure =
    values.phase === 'parse'
      ? await phaseParse(file)
      : values.phase === 'read'
        ? await phaseRead(file)
        : await phaseSamples(Number(values.repeat))
  process.stdout.write(JSON.stringify(measure))
} else {
  if (!existsSync(samplesDir)) throw new Error(`the EVTX samples are missing: ${samplesDir}`)
  const chunks = Number(values.chunks)
  const large = buildFile(chunks)
  const quarter = buildFile(Math.max(1, Math.round(chunks / 4)))
  const mb = (path: string) => `${(statSync(path).size / 1e6).toFixed(0)} MB`
  process.stdout.write(
    `EVTX bench: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `one thread, load average ${loadavg()[0]?.toFixed(1)}\n`,
  )
  process.stdout.write(`${row(`parse ${mb(quarter)}`, runPhase('parse', ['--file', quarter]))}\n`)
  process.stdout.write(`${row(`parse ${mb(large)}`, runPhase('parse', ['--file', large]))}\n`)
  process.stdout.write(
    `${row(`read (normalised) ${mb(large)}`, runPhase('read', ['--file', large]))}\n`,
  )
  process.stdout.write(
    `${row(`samples ×${values.repeat} from memory`, runPhase('samples', ['--repeat', values.repeat]))}\n`,
  )
}
