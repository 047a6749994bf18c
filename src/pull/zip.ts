/**
 * @module
 * The text members of a zip archive held in memory (the ThreatFox full export is one CSV in a
 * zip), in archive order.
 */
import yauzl from 'yauzl'
import { FeedError } from '../store/errors.ts'

export function isZip(body: Buffer): boolean {
  return body.length >= 4 && body.readUInt32LE(0) === 0x04034b50
}

export function zipTexts(body: Buffer, label: string): Promise<{ name: string; text: string }[]> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) =>
      reject(new FeedError(`${label}: not a readable zip archive: ${error.message}`))
    yauzl.fromBuffer(body, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) {
        fail(error ?? new Error('no archive'))
        return
      }
      const members: { name: string; text: string }[] = []
      zip.on('error', fail)
      zip.on('end', () => resolve(members))
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/') || entry.fileName.startsWith('__MACOSX')) {
          zip.readEntry()
          return
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) {
            fail(streamError ?? new Error('no stream'))
            return
          }
          const chunks: Buffer[] = []
          stream.on('data', (chunk: Buffer) => chunks.push(chunk))
          stream.on('error', fail)
          stream.on('end', () => {
            members.push({ name: entry.fileName, text: Buffer.concat(chunks).toString('utf8') })
            zip.readEntry()
          })
        })
      })
      zip.readEntry()
    })
  })
}
