/**
 * @module
 * The indicator model shared by every stage: what readers yield (`IntelRecord`), what intake
 * keeps (`Indicator`) and what it refuses (`Rejection`). Nothing here knows a feed format.
 */

export const INDICATOR_KINDS = [
  'ipv4',
  'ipv6',
  'ip:port',
  'cidr',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
] as const

export type IndicatorKind = (typeof INDICATOR_KINDS)[number]

/** Where a value came from: enough for a user to find it again. */
export interface SourceRef {
  /** Feed label, usually the file's base name (`threatfox_recent.csv`). */
  feed: string
  /** Path as the user gave it. */
  file?: string
  /** 1-based line of the record in the file, when the format is line-oriented. */
  line?: number
  /** The feed's own record id (ThreatFox `ioc_id`, STIX `id`, MISP attribute uuid). */
  record?: string
}

/**
 * One value as a feed states it, before any validation. Readers fill what the format has and
 * leave the rest undefined; they never judge whether `value` is what `type` claims.
 */
export interface IntelRecord {
  value: string
  /** The type the feed claims, in the feed's own words (`ip:port`, `sha256_hash`, `ip-dst`). */
  type?: string
  /**
   * The kind the reader mapped `type` to. Undefined with `type` set: a type we do not hunt
   * (rejected as `unknown-type`). Undefined without `type`: infer the kind from the value.
   */
  claimedKind?: ClaimedKind
  /**
   * True for formats that carry values defanged on purpose (text lists, our own pages); false
   * elsewhere, so a `hxxp://` left inside a ThreatFox export is rejected rather than guessed at.
   */
  defanged?: boolean
  /**
   * Set when the feed itself says not to detect on the value (a MISP attribute with `to_ids`
   * off, or deleted): the reason, shown with the rejection.
   */
  notForDetection?: string
  family?: string
  /** Malpedia-style family id when the feed has one (`win.xworm`). */
  familyId?: string
  aliases?: string[]
  threatType?: string
  /** 0–100. */
  confidence?: number
  /** ISO 8601 UTC (`2026-04-12T04:49:28Z`). */
  firstSeen?: string
  lastSeen?: string
  tags?: string[]
  reference?: string
  reporter?: string
  source: SourceRef
}

export interface Indicator {
  kind: IndicatorKind
  /** Canonical value: the key for deduplication, matching and every emitted query. */
  value: string
  /** The first original text seen for it. */
  original: string
  /** Address part of `ip:port`, canonical. */
  ip?: string
  /** Port of `ip:port`. */
  port?: number
  family?: string
  familyId?: string
  aliases: string[]
  threatTypes: string[]
  confidence?: number
  firstSeen?: string
  lastSeen?: string
  tags: string[]
  references: string[]
  reporters: string[]
  sources: SourceRef[]
  /** Names of the warninglists that hold this value; empty when none. */
  warninglists: string[]
}

/** Stable codes for why a value was refused; tests check the code, not the wording. */
export type RejectionCode =
  | 'empty'
  | 'unknown-type'
  | 'unrecognised'
  | 'type-mismatch'
  | 'bad-ip'
  | 'bad-port'
  | 'bad-cidr'
  | 'bad-domain'
  | 'bad-tld'
  | 'placeholder'
  | 'base64-not-hostname'
  | 'bad-url'
  | 'defanged-in-feed'
  | 'bad-hash'
  | 'not-for-detection'

export interface Rejection {
  code: RejectionCode
  /** One sentence a user can act on. */
  reason: string
  /** The value exactly as written in the feed. */
  original: string
  claimedType?: string
  family?: string
  familyId?: string
  threatType?: string
  source: SourceRef
}

/**
 * The kind a feed claims for a value, mapped by its reader from the feed's own type names.
 * `ip` and `hash` leave the exact kind to the value; `undefined` means the feed makes no claim
 * (free text) and the kind is inferred.
 */
export type ClaimedKind = IndicatorKind | 'ip' | 'hash'
