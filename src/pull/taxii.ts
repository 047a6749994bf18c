/**
 * @module
 * TAXII 2.1: discovery (the API root to use), the collections of that root (the one asked for,
 * by id or title), then its objects page by page (`more` and `next`), from `added_after` on.
 * The objects become one STIX bundle for the STIX reader. Without `added_after` the pull reads
 * the whole collection, a full list.
 */
import { createHash } from 'node:crypto'
import { FeedError } from '../store/errors.ts'
import type { PullInput } from '../store/ingest.ts'
import { displayUrl, expectOk, type HttpOptions, request } from './http.ts'

export const TAXII_ACCEPT = 'application/taxii+json;version=2.1'

export interface TaxiiPull {
  /** Discovery URL (`…/taxii2/`) or an API root. */
  url: string
  /** Collection id or title. */
  collection: string
  addedAfter?: string
  /** `Authorization` header value (Basic or Bearer), if the server wants one. */
  authorization?: string
  pageSize?: number
  maxPages?: number
}

export function taxiiSource(url: string, collection: string): string {
  const host = URL.canParse(url) ? new URL(url).host : url
  return `taxii:${host}/${collection}`
}

export async function taxiiPull(pull: TaxiiPull, http: HttpOptions): Promise<PullInput> {
  const started = Date.now()
  const headers: Record<string, string> = { Accept: TAXII_ACCEPT }
  if (pull.authorization) headers.Authorization = pull.authorization
  const options = { ...http, secrets: [...http.secrets, pull.authorization ?? ''] }
  const get = async (url: string, what: string) => {
    const reply = await request(url, { what, headers }, options)
    const text = expectOk(reply, url, what, '--user and TAXII_PASSWORD, or TAXII_TOKEN')
    try {
      return { json: JSON.parse(text) as Record<string, unknown>, headers: reply.headers }
    } catch {
      throw new FeedError(`${what}: ${displayUrl(url)} sent a reply that is not JSON (truncated?)`)
    }
  }

  // 1. Discovery names the API roots; a URL that is already a root has none.
  const discovery = await get(pull.url, 'TAXII discovery')
  let root = pull.url
  const roots = discovery.json.api_roots
  if (Array.isArray(roots) && roots.length > 0) {
    const chosen = typeof discovery.json.default === 'string' ? discovery.json.default : roots[0]
    root = new URL(String(chosen), pull.url).href
  }
  if (!root.endsWith('/')) root += '/'

  // 2. The collection, by id or title.
  const listed = await get(new URL('collections/', root).href, 'TAXII collections')
  const collections = Array.isArray(listed.json.collections)
    ? (listed.json.collections as Record<string, unknown>[])
    : []
  const collection = collections.find(
    (c) => c.id === pull.collection || c.title === pull.collection,
  )
  if (collection === undefined) {
    const names = collections.map((c) => `${c.id} (${c.title})`).join(', ') || 'none'
    throw new FeedError(
      `TAXII: ${displayUrl(root)} has no collection "${pull.collection}"; it has: ${names}`,
    )
  }
  if (collection.can_read === false) {
    throw new FeedError(
      `TAXII: collection "${pull.collection}" cannot be read with these credentials`,
    )
  }

  // 3. Objects, page by page.
  const objects: unknown[] = []
  let next: string | undefined
  let cursor: string | undefined
  const base = new URL(`collections/${encodeURIComponent(String(collection.id))}/objects/`, root)
  for (let page = 1; page <= (pull.maxPages ?? 10_000); page++) {
    const url = new URL(base)
    url.searchParams.set('limit', String(pull.pageSize ?? 1000))
    if (pull.addedAfter !== undefined) url.searchParams.set('added_after', pull.addedAfter)
    if (next !== undefined) url.searchParams.set('next', next)
    const envelope = await get(url.href, `TAXII objects (page ${page})`)
    if (Array.isArray(envelope.json.objects)) objects.push(...envelope.json.objects)
    cursor = envelope.headers.get('x-taxii-date-added-last') ?? cursor
    const more = envelope.json.more === true
    next = typeof envelope.json.next === 'string' ? envelope.json.next : undefined
    if (!more || next === undefined) break
  }
  // The bundle id follows from the objects, so the same objects make the same document.
  const body = JSON.stringify(objects)
  const hex = createHash('sha256').update(body).digest('hex')
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
  const text = `{"type":"bundle","id":"bundle--${id}","objects":${body}}`
  return {
    source: taxiiSource(pull.url, pull.collection),
    mode: 'taxii',
    full: pull.addedAfter === undefined,
    started,
    cursor: cursor ?? pull.addedAfter,
    documents: [
      {
        label: `${displayUrl(base.href)}`,
        text,
        format: 'stix',
      },
    ],
  }
}
