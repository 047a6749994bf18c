/**
 * @module
 * The one way feed clients reach a server: a timeout on the whole exchange (headers and body),
 * bounded retries with exponential backoff on 429, 5xx and broken connections (a `Retry-After`
 * is honoured up to the backoff ceiling), and messages that name the URL without its
 * credentials and never contain a key.
 */
import { FeedError } from '../store/errors.ts'

export interface HttpOptions {
  /** Whole exchange, ms. */
  timeoutMs: number
  /** Further tries after the first. */
  retries: number
  /** First backoff, ms; doubles each retry. */
  backoffMs: number
  /** Longest single wait, ms (a larger Retry-After is cut to it). */
  maxBackoffMs: number
  /** Values that must never appear in a message (keys, passwords). */
  secrets: readonly string[]
  /** Called before each retry, for progress on stderr. */
  onRetry?: (message: string) => void
}

export const DEFAULT_HTTP: HttpOptions = {
  timeoutMs: 120_000,
  retries: 4,
  backoffMs: 1_000,
  maxBackoffMs: 30_000,
  secrets: [],
}

export interface HttpRequest {
  method?: 'GET' | 'POST'
  headers?: Record<string, string>
  body?: string
  /** What the request is for, in messages (`the ThreatFox API`). */
  what: string
}

export interface HttpReply {
  status: number
  headers: Headers
  body: Buffer
}

/** A URL as messages may show it: no user, password, query or fragment. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
  } catch {
    return '(an invalid URL)'
  }
}

/** Replaces every secret in `text` with `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***')
  return out
}

/**
 * Fetches `url`; resolves with any reply that is not worth retrying (2xx, 3xx, 4xx but 429).
 * Throws FeedError when the tries are spent or the URL is unusable.
 */
export async function request(
  url: string,
  req: HttpRequest,
  options: HttpOptions,
): Promise<HttpReply> {
  const shown = displayUrl(url)
  const protocol = URL.canParse(url) ? new URL(url).protocol : ''
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new FeedError(`${req.what}: ${shown} is not an http(s) URL`)
  }
  let last = ''
  for (let attempt = 0; ; attempt++) {
    let wait = Math.min(options.maxBackoffMs, options.backoffMs * 2 ** attempt)
    try {
      const reply = await once(url, req, options.timeoutMs)
      if (reply.status !== 429 && reply.status < 500) return reply
      last = `HTTP ${reply.status}`
      const after = retryAfter(reply.headers.get('retry-after'))
      if (after !== undefined) wait = Math.min(options.maxBackoffMs, after)
    } catch (error) {
      last = describeFailure(error, options.timeoutMs)
    }
    if (attempt >= options.retries) {
      const tries = attempt + 1
      throw new FeedError(
        redact(
          `${req.what}: ${shown} failed after ${tries} tries (last: ${last})`,
          options.secrets,
        ),
      )
    }
    options.onRetry?.(
      redact(`${req.what}: ${last}; retrying in ${(wait / 1000).toFixed(1)} s`, options.secrets),
    )
    await new Promise((resolve) => setTimeout(resolve, wait))
  }
}

async function once(url: string, req: HttpRequest, timeoutMs: number): Promise<HttpReply> {
  const signal = AbortSignal.timeout(timeoutMs)
  const reply = await fetch(url, {
    method: req.method ?? 'GET',
    headers: req.headers,
    body: req.body,
    signal,
    redirect: 'follow',
  })
  // The body is read under the same timeout: a server that stalls half-way is a failure too.
  const body = Buffer.from(await reply.arrayBuffer())
  return { status: reply.status, headers: reply.headers, body }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return `no complete reply within ${(timeoutMs / 1000).toFixed(1)} s`
  }
  const cause = e.cause?.code ?? e.cause?.message
  return cause ? `${e.message} (${cause})` : e.message
}

function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

/**
 * The reply's text when it is a success; a clear FeedError for a refused key (401, 403) or any
 * other status. `keyHint` says which key was refused.
 */
export function expectOk(reply: HttpReply, url: string, what: string, keyHint?: string): string {
  if (reply.status === 401 || reply.status === 403) {
    throw new FeedError(
      `${what}: ${displayUrl(url)} rejected the request (HTTP ${reply.status})` +
        (keyHint ? `: check ${keyHint}` : ': it needs a key'),
    )
  }
  if (reply.status < 200 || reply.status >= 300) {
    throw new FeedError(`${what}: ${displayUrl(url)} answered HTTP ${reply.status}`)
  }
  return reply.body.toString('utf8')
}
