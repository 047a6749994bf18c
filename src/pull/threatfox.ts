/**
 * @module
 * ThreatFox: the API (`POST` with an `Auth-Key` header, `get_iocs` for the last 1–7 days) and
 * the exports (the recent CSV, the full CSV in a zip). The full export is ThreatFox's whole
 * list, so indicators it no longer carries are marked removed by `threatfox`.
 */
import { UsageError } from '../errors.ts'
import { FeedError } from '../store/errors.ts'
import type { PullInput } from '../store/ingest.ts'
import { displayUrl, expectOk, type HttpOptions, request } from './http.ts'
import { isZip, zipTexts } from './zip.ts'

/** abuse.ch's endpoints; tests always pass their own local URLs. */
export const THREATFOX_API = 'https://threatfox-api.abuse.ch/api/v1/'
export const THREATFOX_EXPORTS = 'https://threatfox.abuse.ch/export/'

export const THREATFOX_SOURCE = 'threatfox'

export interface ThreatfoxPull {
  /** `api` (get_iocs), or an export. */
  mode: 'api' | 'recent' | 'full'
  days: number
  key: string | undefined
  /** API endpoint, or the folder holding `csv/recent/` and `csv/full/`. */
  url?: string
}

const KEY_HINT = 'THREATFOX_AUTH_KEY (an abuse.ch Auth-Key)'

export async function threatfoxPull(pull: ThreatfoxPull, http: HttpOptions): Promise<PullInput> {
  const started = Date.now()
  const headers: Record<string, string> = {}
  if (pull.key !== undefined && pull.key !== '') headers['Auth-Key'] = pull.key
  const options = { ...http, secrets: [...http.secrets, pull.key ?? ''] }

  if (pull.mode === 'api') {
    if (headers['Auth-Key'] === undefined) {
      throw new UsageError(
        'the ThreatFox API needs a key: set THREATFOX_AUTH_KEY to your abuse.ch Auth-Key',
      )
    }
    if (!Number.isInteger(pull.days) || pull.days < 1 || pull.days > 7) {
      throw new UsageError(`--days ${pull.days}: ThreatFox serves 1 to 7 days`)
    }
    const url = pull.url ?? THREATFOX_API
    const what = 'the ThreatFox API'
    const reply = await request(
      url,
      {
        method: 'POST',
        what,
        headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ query: 'get_iocs', days: pull.days }),
      },
      options,
    )
    const text = expectOk(reply, url, what, KEY_HINT)
    checkApiStatus(text, url)
    return {
      source: THREATFOX_SOURCE,
      mode: 'api',
      full: false,
      started,
      documents: [{ label: `threatfox get_iocs ${pull.days}d`, text, format: 'threatfox-api' }],
    }
  }

  const base = pull.url ?? THREATFOX_EXPORTS
  const url = new URL(`csv/${pull.mode}/`, base.endsWith('/') ? base : `${base}/`).href
  const what = `the ThreatFox ${pull.mode} export`
  const reply = await request(url, { what, headers }, options)
  expectOk(reply, url, what, KEY_HINT)
  const documents = isZip(reply.body)
    ? (await zipTexts(reply.body, displayUrl(url))).map((m) => ({
        label: `threatfox ${pull.mode} export!${m.name}`,
        text: m.text,
      }))
    : [{ label: `threatfox ${pull.mode} export`, text: reply.body.toString('utf8') }]
  if (documents.length === 0) throw new FeedError(`${what}: the archive holds no file`)
  return {
    source: THREATFOX_SOURCE,
    mode: `export-${pull.mode}`,
    full: pull.mode === 'full',
    started,
    documents: documents.map((d) => ({ ...d, format: 'threatfox-csv' as const })),
  }
}

/** A refused key says so plainly; other refusals are left to the reader's message. */
function checkApiStatus(text: string, url: string): void {
  let status: unknown
  try {
    status = (JSON.parse(text) as { query_status?: unknown }).query_status
  } catch {
    throw new FeedError(
      `the ThreatFox API: ${displayUrl(url)} sent a reply that is not JSON ` +
        `(${text.length} bytes; truncated?)`,
    )
  }
  if (typeof status === 'string' && /auth|key/i.test(status)) {
    throw new FeedError(`the ThreatFox API rejected the key ("${status}"): check ${KEY_HINT}`)
  }
}
