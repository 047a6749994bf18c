/**
 * @module
 * Log inputs as byte streams: plain files, gzip (by magic bytes, whatever the name) and the
 * members of zip archives, which responders often receive logs in. Line splitting works on
 * bytes and decodes each line once, so a reader sees `(text, lineNumber)` and nothing else.
 */
import { createReadStream } from 'node:fs'
import { open, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import yauzl from 'yauzl'
import { HuntpackError } from '../errors.ts'

/** One log file to read: a file on disk or a member of a zip archive. */
export interface LogInput {
  /** How findings name it: the path, or `archive.zip!member.json`. */
  name: string
  /** Compressed size on disk, for progress; members report their compressed size. */
  size: number
  /**
   * Named by the user rather than found in a folder or archive. A file found by walking that
   * is no log format is skipped with a warning; one the user named is an error.
   */
  named: boolean
  /** The decompressed bytes. */
  open(): Promise<Readable>
}

/** Input that cannot be read at all: missing, unreadable, a corrupt archive. */
export class LogInputError extends HuntpackError {
  constructor(message: string, file: string, options?: ErrorOptions) {
    super('ERR_INPUT', message, { file }, options)
  }
}

const GZIP_MAGIC = [0x1f, 0x8b]
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]

/**
 * Every log input under the given paths: folders are walked (hidden entries skipped, names
 * sorted so runs are repeatable), zip archives expand into their members.
 */
export async function listLogInputs(paths: readonly string[]): Promise<LogInput[]> {
  const inputs: LogInput[] = []
  for (const path of paths) await collect(path, inputs, true)
  return inputs
}

async function collect(path: string, inputs: LogInput[], named: boolean): Promise<void> {
  let info: Awaited<ReturnType<typeof stat>>
  try {
    info = await stat(path)
  } catch (error) {
    throw new LogInputError(`cannot read: ${(error as Error).message}`, path, { cause: error })
  }
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((n) => !n.startsWith('.')).sort()
    for (const name of names) await collect(join(path, name), inputs, false)
    return
  }
  const head = await readHead(path, 4)
  if (startsWith(head, ZIP_MAGIC)) {
    inputs.push(...(await zipMembers(path)))
    return
  }
  const gzip = startsWith(head, GZIP_MAGIC)
  inputs.push({
    name: path,
    size: info.size,
    named,
    open: async () => {
      const stream = createReadStream(path, { highWaterMark: 1 << 20 })
      return gzip ? stream.pipe(createGunzip({ chunkSize: 1 << 20 })) : stream
    },
  })
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r')
  try {
    const buffer = Buffer.alloc(length)
    const { bytesRead } = await handle.read(buffer, 0, length, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

function startsWith(buffer: Buffer, magic: readonly number[]): boolean {
  return buffer.length >= magic.length && magic.every((b, i) => buffer[i] === b)
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, zip) => {
      if (error) reject(new LogInputError(`not a readable zip archive: ${error.message}`, path))
      else resolve(zip)
    })
  })
}

async function zipMembers(path: string): Promise<LogInput[]> {
  const zip = await openZip(path)
  const members: LogInput[] = []
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const hidden = entry.fileName.split('/').some((part) => part.startsWith('.'))
        if (!entry.fileName.endsWith('/') && !hidden && !entry.fileName.startsWith('__MACOSX')) {
          const name = `${path}!${entry.fileName}`
          members.push({
            name,
            size: entry.compressedSize,
            named: false,
            open: () => openZipMember(path, entry.fileName, name),
          })
        }
        zip.readEntry()
      })
      zip.on('end', resolve)
      zip.on('error', (error: Error) =>
        reject(new LogInputError(`corrupt zip archive: ${error.message}`, path)),
      )
      zip.readEntry()
    })
  } finally {
    zip.close()
  }
  return members.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

async function openZipMember(path: string, member: string, name: string): Promise<Readable> {
  const zip = await openZip(path)
  return new Promise((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== member) {
        zip.readEntry()
        return
      }
      zip.openReadStream(entry, (error, stream) => {
        if (error) {
          zip.close()
          reject(new LogInputError(`cannot read archive member: ${error.message}`, name))
          return
        }
        stream.on('end', () => zip.close())
        resolve(stream)
      })
    })
    zip.on('end', () => reject(new LogInputError('archive member vanished', name)))
    zip.on('error', (error: Error) =>
      reject(new LogInputError(`corrupt zip archive: ${error.message}`, name)),
    )
    zip.readEntry()
  })
}

/** The first `length` bytes of an input, decompressed, as text (for format detection). */
export async function peekText(input: LogInput, length = 64 * 1024): Promise<string> {
  const stream = await input.open()
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size >= length) break
    }
  } catch (error) {
    throw new LogInputError(`cannot read: ${(error as Error).message}`, input.name, {
      cause: error,
    })
  } finally {
    stream.destroy()
  }
  const text = Buffer.concat(chunks).subarray(0, length).toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}

/**
 * Calls `onLine` for each line of the input, 1-based, without its `\n` or `\r\n`. A byte-order
 * mark at the start is dropped. `onBytes` reports compressed-or-not bytes consumed, for
 * progress.
 */
export async function forEachLine(
  input: LogInput,
  onLine: (text: string, line: number) => void,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const stream = await input.open()
  let carry: Buffer | undefined
  let line = 0
  let first = true
  try {
    for await (const data of stream) {
      let chunk = data as Buffer
      onBytes?.(chunk.length)
      if (carry) {
        chunk = Buffer.concat([carry, chunk])
        carry = undefined
      }
      let start = 0
      if (first) {
        first = false
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) start = 3
      }
      for (;;) {
        const end = chunk.indexOf(10, start)
        if (end < 0) break
        const stop = end > start && chunk[end - 1] === 13 ? end - 1 : end
        onLine(chunk.toString('utf8', start, stop), ++line)
        start = end + 1
      }
      if (start < chunk.length) carry = chunk.subarray(start)
    }
  } catch (error) {
    if (error instanceof HuntpackError) throw error
    throw new LogInputError(
      `cannot read after line ${line}: ${(error as Error).message}`,
      input.name,
      {
        cause: error,
      },
    )
  }
  if (carry && carry.length > 0) {
    const stop = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length
    onLine(carry.toString('utf8', 0, stop), ++line)
  }
}

/** The whole input as text, for formats that need the document at once (JSON arrays). */
export async function readAllText(input: LogInput): Promise<string> {
  const stream = await input.open()
  const chunks: Buffer[] = []
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer)
  } catch (error) {
    throw new LogInputError(`cannot read: ${(error as Error).message}`, input.name, {
      cause: error,
    })
  }
  const text = Buffer.concat(chunks).toString('utf8')
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
}
