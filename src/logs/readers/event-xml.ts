/**
 * @module
 * Windows event XML (`<Event><System>…</System><EventData><Data Name="…">…</Data>…`, and the
 * Log Analytics `Event` table's `<DataItem><EventData>…`) to the few System values and the
 * EventData fields the Windows mapping reads.
 *
 * fast-xml-parser reads it correctly but takes 150–300 µs an event (Sysmon for Linux syslog
 * exports read at 7 MB/s), so the plain shape Windows and Sysmon write (elements, quoted
 * attributes, text with the XML entities and character references) is scanned directly, in
 * about 20 µs, and anything else (comments, CDATA, prefixed names, other entities, mismatched
 * or missing tags) goes to the library. The tests hold the two to the same answers.
 */
import { XMLParser } from 'fast-xml-parser'
import type { EventFields } from './windows-event.ts'

export interface EventXml {
  provider: string | null
  eventId: string | null
  channel: string | null
  computer: string | null
  /** `TimeCreated/@SystemTime`, UTC. */
  timeCreated: string | null
  data: EventFields
}

/** Event XML that cannot be read: a DOCTYPE (never written by Windows) or no root element. */
export class EventXmlError extends Error {}

/** The System values and EventData fields of one event's XML. */
export function readEventXml(text: string): EventXml {
  // Windows never writes a DOCTYPE into event XML; refusing it keeps entity tricks out.
  if (text.includes('<!DOCTYPE') || text.includes('<!ENTITY')) {
    throw new EventXmlError('event XML with a DOCTYPE')
  }
  return scanEventXml(text) ?? parseEventXml(text)
}

function blank(): EventXml {
  return {
    provider: null,
    eventId: null,
    channel: null,
    computer: null,
    timeCreated: null,
    data: Object.create(null) as EventFields,
  }
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/**
 * XML entities and character references decoded, line breaks as `\n`; null when a `&name;`
 * is not one of the five XML entities or a reference is no character (the library decides
 * those). A `&` without a `;` form stays as written.
 */
function decode(raw: string): string | null {
  // XML reads every line break as `\n`; `&#13;` still gives a carriage return.
  const text = raw.includes('\r') ? raw.replace(/\r\n?/g, '\n') : raw
  let amp = text.indexOf('&')
  if (amp < 0) return text
  let out = ''
  let last = 0
  while (amp >= 0) {
    const semi = text.indexOf(';', amp + 1)
    const name = semi < 0 ? '' : text.slice(amp + 1, semi)
    let value: string | undefined
    if (/^#[0-9]{1,7}$/.test(name)) {
      value = codePoint(Number(name.slice(1)))
      if (value === undefined) return null
    } else if (/^#x[0-9a-fA-F]{1,6}$/.test(name)) {
      value = codePoint(Number.parseInt(name.slice(2), 16))
      if (value === undefined) return null
    } else if (/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
      value = NAMED[name]
      if (value === undefined) return null
    }
    if (value !== undefined) {
      out += text.slice(last, amp) + value
      last = semi + 1
    }
    amp = text.indexOf('&', value === undefined ? amp + 1 : last)
  }
  return out + text.slice(last)
}

function codePoint(n: number): string | undefined {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined
}

interface Open {
  name: string
  attributes: Record<string, string> | null
  text: string
}

/** The direct scan; null as soon as the XML is not the plain shape. */
export function scanEventXml(xml: string): EventXml | null {
  const out = blank()
  const stack: Open[] = []
  let rootSeen = false
  let pos = xml.indexOf('<')
  if (pos < 0 || xml.slice(0, pos).trim() !== '') return null
  while (pos >= 0 && pos < xml.length) {
    const next = xml.indexOf('<', pos + 1)
    const close = xml.indexOf('>', pos)
    if (close < 0 || (next >= 0 && next < close)) return null
    const c = xml.charCodeAt(pos + 1)
    if (c === 63) {
      // `<?xml …?>` before the root only.
      if (rootSeen || xml.charCodeAt(close - 1) !== 63) return null
    } else if (c === 33) {
      return null
    } else if (c === 47) {
      const name = xml.slice(pos + 2, close).trim()
      const open = stack.pop()
      if (!open || open.name !== name) return null
      if (!finish(out, stack, open)) return null
    } else {
      const selfClosing = xml.charCodeAt(close - 1) === 47
      const inner = xml.slice(pos + 1, selfClosing ? close - 1 : close)
      const tag = readTag(inner)
      if (!tag || tag.name.includes(':')) return null
      if (stack.length === 0) {
        if (rootSeen || (tag.name !== 'Event' && tag.name !== 'DataItem')) return null
        rootSeen = true
      }
      const parent = stack[stack.length - 1]
      if (parent && parent.name === 'Data' && stack.length === 3) return null
      const open: Open = { name: tag.name, attributes: tag.attributes, text: '' }
      if (selfClosing) {
        if (!finish(out, stack, open)) return null
      } else stack.push(open)
    }
    // Text up to the next tag belongs to the innermost open element.
    const textEnd = next < 0 ? xml.length : next
    if (textEnd > close + 1) {
      const text = xml.slice(close + 1, textEnd)
      const top = stack[stack.length - 1]
      if (top) top.text += text
      else if (text.trim() !== '') return null
    }
    pos = next
  }
  return stack.length === 0 && rootSeen ? out : null
}

/** Reads `Name attr="v" attr='v'`; null when it is anything else. */
function readTag(
  inner: string,
): { name: string; attributes: Record<string, string> | null } | null {
  let i = 0
  while (i < inner.length && !isSpace(inner.charCodeAt(i))) i++
  const name = inner.slice(0, i)
  if (name === '') return null
  let attributes: Record<string, string> | null = null
  for (;;) {
    while (i < inner.length && isSpace(inner.charCodeAt(i))) i++
    if (i >= inner.length) return { name, attributes }
    const eq = inner.indexOf('=', i)
    if (eq < 0) return null
    const key = inner.slice(i, eq).trim()
    const quote = inner.charCodeAt(eq + 1)
    if (key === '' || (quote !== 34 && quote !== 39)) return null
    const end = inner.indexOf(quote === 34 ? '"' : "'", eq + 2)
    if (end < 0) return null
    const value = decode(inner.slice(eq + 2, end))
    if (value === null) return null
    attributes ??= Object.create(null) as Record<string, string>
    attributes[key] = value
    i = end + 1
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 10 || code === 13 || code === 9
}

/** Files a closed element where the mapping wants it; false when its text cannot be read. */
function finish(out: EventXml, stack: readonly Open[], open: Open): boolean {
  // Depth of the closed element: root 1, System/EventData 2, their children 3.
  const depth = stack.length + 1
  if (depth !== 3) return true
  const parent = stack[1]?.name
  if (parent === 'EventData' && open.name === 'Data') {
    const name = open.attributes?.Name
    if (name === undefined) return true
    const text = decode(open.text)
    if (text === null) return false
    out.data[name] = text
    return true
  }
  if (parent !== 'System') return true
  if (open.name === 'Provider') out.provider = open.attributes?.Name ?? null
  else if (open.name === 'TimeCreated') out.timeCreated = open.attributes?.SystemTime ?? null
  else if (open.name === 'EventID' || open.name === 'Channel' || open.name === 'Computer') {
    const text = decode(open.text)
    if (text === null) return false
    if (open.name === 'EventID') out.eventId = text
    else if (open.name === 'Channel') out.channel = text
    else out.computer = text
  }
  return true
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  removeNSPrefix: true,
  processEntities: true,
  // The parser decodes character references (`&#10;`) only with HTML entities on.
  htmlEntities: true,
  isArray: (name) => name === 'Data',
})

type XmlNode = Record<string, unknown>

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** An element's text whether the parser gave a string or `{ '#text': … }` (with attributes). */
function textOf(node: unknown): string | null {
  if (typeof node === 'string') return node
  if (isNode(node)) {
    const text = node['#text']
    return typeof text === 'string' ? text : ''
  }
  return null
}

function attributeOf(node: unknown, name: string): string | null {
  if (!isNode(node)) return null
  const value = node[`@${name}`]
  return typeof value === 'string' ? value : null
}

/** The library's reading, for what the scan leaves. */
export function parseEventXml(text: string): EventXml {
  const doc = xml.parse(text) as XmlNode
  const top = doc.Event ?? doc.DataItem
  if (top === undefined) throw new EventXmlError('no Event or DataItem element')
  const out = blank()
  if (!isNode(top)) return out
  const root = top
  const system = root.System
  if (isNode(system)) {
    out.provider = attributeOf(system.Provider, 'Name')
    out.eventId = textOf(system.EventID)
    out.channel = textOf(system.Channel)
    out.computer = textOf(system.Computer)
    out.timeCreated = attributeOf(system.TimeCreated, 'SystemTime')
  }
  const eventData = root.EventData
  if (isNode(eventData) && Array.isArray(eventData.Data)) {
    for (const item of eventData.Data) {
      const name = attributeOf(item, 'Name')
      if (name !== null) out.data[name] = textOf(item) ?? ''
    }
  }
  return out
}
