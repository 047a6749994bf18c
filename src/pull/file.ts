/**
 * @module
 * `pull file`: any file `build` reads, or the same fetched from an http(s) URL; zip archives
 * are opened and each member read.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { HuntpackError } from '../errors.ts'
import type { IntelFormat } from '../intel/readers/types.ts'
import type { PullDocument } from '../store/ingest.ts'
import { displayUrl, expectOk, type HttpOptions, request } from './http.ts'
import { isZip, zipTexts } from './zip.ts'

export function isUrl(path: string): boolean {
  return /^https?:\/\//i.test(path)
}

/** The source name a set of files is stored under unless `--source` names one. */
export function fileSource(paths: readonly string[]): string {
  const names = paths.map((p) => (isUrl(p) ? displayUrl(p) : basename(p)))
  return `file:${names.join('+')}`
}

export async function fileDocuments(
  paths: readonly string[],
  http: HttpOptions,
  format?: IntelFormat,
): Promise<PullDocument[]> {
  const documents: PullDocument[] = []
  for (const path of paths) {
    let body: Buffer
    const label = isUrl(path) ? displayUrl(path) : path
    if (isUrl(path)) {
      const reply = await request(path, { what: 'intel URL' }, http)
      expectOk(reply, path, 'intel URL')
      body = reply.body
    } else {
      try {
        body = await readFile(path)
      } catch (error) {
        throw new HuntpackError(
          'ERR_INPUT',
          `cannot read intel file: ${(error as Error).message}`,
          {
            file: path,
          },
        )
      }
    }
    if (isZip(body)) {
      for (const member of await zipTexts(body, label)) {
        documents.push({ label: `${label}!${member.name}`, text: member.text, format })
      }
    } else {
      documents.push({ label, text: body.toString('utf8'), format })
    }
  }
  return documents
}
