/**
 * @module
 * Address ranges from many warninglists, answering "which lists hold this address" with one
 * binary search. The lists' ranges are cut into disjoint segments, each knowing the lists that
 * cover it, so a lookup costs log(segments) whatever the number of lists or entries.
 */

import { parseIPv4, parseIPv6 } from './classify.ts'

/** A half-open range `[start, end)`; IPv4 as numbers, IPv6 as bigints. */
export type AddressRange =
  | { v6: false; start: number; end: number }
  | { v6: true; start: bigint; end: bigint }

type Point = number | bigint

const NONE: readonly number[] = Object.freeze([])

/**
 * A warninglist `cidr` entry: a bare address or `address/prefix`, either family. Host bits
 * below the prefix are ignored, as MISP does. Returns why the entry is unusable instead.
 */
export function parseRangeEntry(entry: string): AddressRange | string {
  const text = entry.trim()
  const slash = text.indexOf('/')
  const address = slash < 0 ? text : text.slice(0, slash)
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1)
  if (prefixText !== undefined && !/^[0-9]{1,3}$/.test(prefixText)) {
    return `the prefix ${JSON.stringify(prefixText)} is not a number`
  }

  if (!address.includes(':')) {
    const n = parseIPv4(address)
    if (n < 0) return `${JSON.stringify(address)} is not an IPv4 address`
    const prefix = prefixText === undefined ? 32 : Number(prefixText)
    if (prefix > 32) return `the prefix /${prefix} is longer than 32 bits`
    const size = 2 ** (32 - prefix)
    const start = n - (n % size)
    return { v6: false, start, end: start + size }
  }

  const groups = parseIPv6(address)
  if (groups === undefined) return `${JSON.stringify(address)} is not an IPv6 address`
  const prefix = prefixText === undefined ? 128 : Number(prefixText)
  if (prefix > 128) return `the prefix /${prefix} is longer than 128 bits`
  const shift = BigInt(128 - prefix)
  const start = (ipv6ToBigInt(groups) >> shift) << shift
  return { v6: true, start, end: start + (1n << shift) }
}

export function ipv6ToBigInt(groups: readonly number[]): bigint {
  let value = 0n
  for (const group of groups) value = (value << 16n) | BigInt(group)
  return value
}

/** One family's ranges: add them all, then `build` once before looking up. */
export class RangeIndex {
  #pending: { id: number; start: Point; end: Point }[] = []
  /** Segment starts, ascending; segment i runs to `bounds[i + 1]`. */
  #bounds: Point[] = []
  /** List ids covering each segment, ascending. */
  #segments: (readonly number[])[] = []
  /** Each list's merged ranges, for the containment test of whole ranges. */
  #byList = new Map<number, { starts: Point[]; ends: Point[] }>()

  get size(): number {
    return this.#pending.length
  }

  add(id: number, start: Point, end: Point): void {
    this.#pending.push({ id, start, end })
  }

  build(): void {
    const byId = new Map<number, { start: Point; end: Point }[]>()
    for (const range of this.#pending) {
      const ranges = byId.get(range.id)
      if (ranges === undefined) byId.set(range.id, [range])
      else ranges.push(range)
    }

    this.#byList.clear()
    const events: { at: Point; id: number; open: boolean }[] = []
    for (const [id, ranges] of byId) {
      const merged = mergeRanges(ranges)
      this.#byList.set(id, { starts: merged.map((r) => r.start), ends: merged.map((r) => r.end) })
      for (const { start, end } of merged) {
        events.push({ at: start, id, open: true }, { at: end, id, open: false })
      }
    }
    events.sort((a, b) => compare(a.at, b.at))

    // Sweep: once every event at one point is applied, the open lists are that segment's.
    const interned = new Map<string, readonly number[]>()
    const open = new Set<number>()
    this.#bounds = []
    this.#segments = []
    const close = (at: Point) => {
      const ids = [...open].sort((a, b) => a - b)
      const key = ids.join(',')
      let segment = interned.get(key)
      if (segment === undefined) {
        segment = ids.length === 0 ? NONE : Object.freeze(ids)
        interned.set(key, segment)
      }
      this.#bounds.push(at)
      this.#segments.push(segment)
    }
    let at: Point | undefined
    for (const event of events) {
      if (at !== undefined && event.at !== at) close(at)
      at = event.at
      if (event.open) open.add(event.id)
      else open.delete(event.id)
    }
    if (at !== undefined) close(at)
  }

  /** Ids of the lists holding `address`, ascending; a shared frozen array. */
  lookup(address: Point): readonly number[] {
    const i = lastAtOrBelow(this.#bounds, address)
    return this.#segments[i] ?? NONE
  }

  /** Ids of the lists holding every address of `[start, end)`. */
  containing(start: Point, end: Point): number[] {
    return this.lookup(start).filter((id) => {
      const ranges = this.#byList.get(id)
      if (ranges === undefined) return false
      const last = ranges.ends[lastAtOrBelow(ranges.starts, start)]
      return last !== undefined && last >= end
    })
  }
}

/** Sorted, with overlapping and touching ranges joined. */
function mergeRanges(ranges: { start: Point; end: Point }[]): { start: Point; end: Point }[] {
  ranges.sort((a, b) => compare(a.start, b.start))
  const merged: { start: Point; end: Point }[] = []
  let last: { start: Point; end: Point } | undefined
  for (const { start, end } of ranges) {
    if (last !== undefined && start <= last.end) {
      if (end > last.end) last.end = end
    } else {
      last = { start, end }
      merged.push(last)
    }
  }
  return merged
}

function compare(a: Point, b: Point): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Index of the last element `<= x` in ascending `sorted`, or -1. */
function lastAtOrBelow(sorted: readonly Point[], x: Point): number {
  let low = 0
  let high = sorted.length - 1
  let found = -1
  while (low <= high) {
    const mid = (low + high) >>> 1
    if ((sorted[mid] ?? x) <= x) {
      found = mid
      low = mid + 1
    } else {
      high = mid - 1
    }
  }
  return found
}
