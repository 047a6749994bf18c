/**
 * @module
 * Small field mappers every reader shares: feed type names to claimed kinds, feed times to ISO
 * 8601 UTC, list splitting and "no value" spellings. They map; they never judge an indicator.
 */

import { basename } from 'node:path'
import { IntelFormatError } from '../../errors.ts'
import type { ClaimedKind } from '../indicator.ts'

/** ThreatFox `ioc_type` names (CSV, JSON and API agree on them). */
const THREATFOX_KINDS: Readonly<Record<string, ClaimedKind>> = {
  'ip:port': 'ip:port',
  domain: 'domain',
  url: 'url',
  md5_hash: 'md5',
  sha1_hash: 'sha1',
  sha256_hash: 'sha256',
}

/** The claimed kind for a ThreatFox type name; undefined for a type we do not hunt. */
export function threatfoxKind(type: string | undefined): ClaimedKind | undefined {
  return type === undefined ? undefined : THREATFOX_KINDS[type]
}

/** The label a record's source carries: the file's base name. */
export function feedName(file: string): string {
  return basename(file) || file
}

/** Undefined for the ways feeds write "nothing": null, `None`, `null`, `""`, blanks. */
export function present(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  const text = typeof value === 'string' ? value.trim() : String(value)
  if (text === '' || text === 'None' || text === 'null') return undefined
  return text
}

/** A comma list (`Agentemis,BEACON`) or an array as trimmed, non-empty strings. */
export function splitList(value: unknown): string[] | undefined {
  if (Array.isArray(value)) {
    const items = value.map(present).filter((item): item is string => item !== undefined)
    return items.length > 0 ? items : undefined
  }
  const text = present(value)
  if (text === undefined) return undefined
  const items: string[] = []
  for (const part of text.split(',')) {
    const item = part.trim()
    if (item !== '') items.push(item)
  }
  return items.length > 0 ? items : undefined
}

/** A 0–100 confidence from a number or a numeric string (`75`, `75%`); otherwise undefined. */
export function toConfidence(value: unknown): number | undefined {
  const text = present(value)
  if (text === undefined) return undefined
  const number = Number(text.endsWith('%') ? text.slice(0, -1) : text)
  return Number.isFinite(number) && number >= 0 && number <= 100 ? number : undefined
}

/** ThreatFox uses the family id `unknown` for "no family"; that is no family at all. */
export function familyOf(id: unknown, name: unknown): { familyId?: string; family?: string } {
  const familyId = present(id)
  const family = present(name)
  if (familyId === 'unknown') return {}
  return { familyId, family: family ?? familyId }
}

/** Malpedia-style ids: `win.xworm`, `php.shin_webshell`, `js.clearfake`. */
export function looksLikeFamilyId(name: string): boolean {
  return /^[a-z0-9]+\.[a-z0-9_]+$/.test(name)
}

const ISO_SECONDS =
  /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2}| ?UTC)?$/

/**
 * A feed time as ISO 8601 UTC without fractions (`2026-04-12T04:49:28Z`). Takes ThreatFox's
 * `2026-04-12 04:49:28` and `… UTC`, ISO with fractions or offsets, dates, and Unix seconds.
 * Undefined for anything else: a time is context, and a bad one should not stop a feed.
 */
export function toIsoUtc(value: unknown): string | undefined {
  if (typeof value === 'number') return fromEpochSeconds(value)
  const text = present(value)
  if (text === undefined) return undefined

  // ThreatFox writes a million of these per export: slice, do not parse. `join` gives a flat
  // string; a concatenation would be flattened later, on every indicator's first comparison.
  if (text.length === 19 && text.charCodeAt(10) === 32 && text.charCodeAt(4) === 45) {
    return [text.slice(0, 10), 'T', text.slice(11), 'Z'].join('')
  }
  if (/^\d{9,11}$/.test(text)) return fromEpochSeconds(Number(text))
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return `${text}T00:00:00Z`

  const match = ISO_SECONDS.exec(text)
  if (!match) return undefined
  const zone = match[3]?.trim()
  if (zone === undefined || zone === 'Z' || zone === 'UTC') return `${match[1]}T${match[2]}Z`
  const offset = zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`
  return fromEpochSeconds(Date.parse(`${match[1]}T${match[2]}${offset}`) / 1000)
}

function fromEpochSeconds(seconds: number): string | undefined {
  if (!Number.isFinite(seconds)) return undefined
  const date = new Date(Math.floor(seconds) * 1000)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace('.000Z', 'Z')
}

/** `JSON.parse` whose failure names the file and the line it stopped at. */
export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(message)
    const line = position ? lineAt(text, Number(position[1])) : undefined
    throw new IntelFormatError(`not valid JSON (${message})`, { file, line }, { cause: error })
  }
}

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1
  for (let at = text.indexOf('\n'); at !== -1 && at < offset; at = text.indexOf('\n', at + 1)) {
    line++
  }
  return line
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
