/**
 * @module
 * MISP, two ways: a server's REST API (`POST /events/restSearch` with the user's auth key in
 * the `Authorization` header, page by page), or a MISP feed (a folder with `manifest.json`
 * naming event files `<uuid>.json`). A feed lists every event it has, so it is a full list.
 */
import { UsageError } from '../errors.ts'
import { FeedError } from '../store/errors.ts'
import type { PullDocument, PullInput } from '../store/ingest.ts'
import { displayUrl, expectOk, type HttpOptions, request } from './http.ts'

export interface MispPull {
  url: string
  key: string | undefined
  /** Read a MISP feed (manifest and event files) rather than the REST API. */
  feed: boolean
  /** REST: only events changed within this (`7d`, MISP's `last`). */
  last?: string
  /** REST: events per page. */
  pageSize?: number
  /** REST: most pages fetched. */
  maxPages?: number
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const KEY_HINT = '--key or MISP_KEY (a MISP auth key)'

export function mispSource(url: string): string {
  return `misp:${URL.canParse(url) ? new URL(url).host : url}`
}

export async function mispPull(pull: MispPull, http: HttpOptions): Promise<PullInput> {
  const started = Date.now()
  const options = { ...http, secrets: [...http.secrets, pull.key ?? ''] }
  const base = pull.url.endsWith('/') ? pull.url : `${pull.url}/`
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (pull.key) headers.Authorization = pull.key
  const documents = pull.feed
    ? await feedEvents(base, headers, options)
    : await restEvents(base, pull, headers, options)
  return {
    source: mispSource(pull.url),
    mode: pull.feed ? 'feed' : 'events',
    full: pull.feed,
    started,
    documents,
  }
}

async function restEvents(
  base: string,
  pull: MispPull,
  headers: Record<string, string>,
  http: HttpOptions,
): Promise<PullDocument[]> {
  if (!pull.key) throw new UsageError(`the MISP REST API needs a key: pass ${KEY_HINT}`)
  const url = new URL('events/restSearch', base).href
  const limit = pull.pageSize ?? 100
  const documents: PullDocument[] = []
  for (let page = 1; page <= (pull.maxPages ?? 1000); page++) {
    const query: Record<string, unknown> = { returnFormat: 'json', limit, page, published: true }
    if (pull.last !== undefined) query.last = pull.last
    const what = `MISP events (page ${page})`
    const reply = await request(
      url,
      {
        method: 'POST',
        what,
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(query),
      },
      http,
    )
    const text = expectOk(reply, url, what, KEY_HINT)
    const events = eventCount(text, url, what)
    if (events === 0) break
    documents.push({ label: `${displayUrl(url)} page ${page}`, text, format: 'misp' })
    if (events < limit) break
  }
  return documents
}

function eventCount(text: string, url: string, what: string): number {
  let reply: unknown
  try {
    reply = JSON.parse(text)
  } catch {
    throw new FeedError(`${what}: ${displayUrl(url)} sent a reply that is not JSON (truncated?)`)
  }
  const list = Array.isArray(reply) ? reply : (reply as { response?: unknown } | null)?.response
  if (!Array.isArray(list)) {
    throw new FeedError(`${what}: ${displayUrl(url)} sent no "response" list of events`)
  }
  return list.length
}

async function feedEvents(
  base: string,
  headers: Record<string, string>,
  http: HttpOptions,
): Promise<PullDocument[]> {
  const manifestUrl = new URL('manifest.json', base).href
  const what = 'MISP feed manifest'
  const text = expectOk(await request(manifestUrl, { what, headers }, http), manifestUrl, what)
  let manifest: unknown
  try {
    manifest = JSON.parse(text)
  } catch {
    throw new FeedError(`${what}: ${displayUrl(manifestUrl)} is not JSON (truncated?)`)
  }
  if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
    throw new FeedError(`${what}: ${displayUrl(manifestUrl)} is not an object of event uuids`)
  }
  const documents: PullDocument[] = []
  for (const uuid of Object.keys(manifest)) {
    if (!UUID.test(uuid)) {
      throw new FeedError(`${what}: "${uuid.slice(0, 60)}" is not an event uuid`)
    }
    const url = new URL(`${uuid}.json`, base).href
    const eventWhat = `MISP feed event ${uuid}`
    const event = expectOk(await request(url, { what: eventWhat, headers }, http), url, eventWhat)
    documents.push({ label: displayUrl(url), text: event, format: 'misp' })
  }
  return documents
}
