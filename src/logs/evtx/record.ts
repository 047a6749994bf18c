/**
 * @module
 * An EVTX record as huntpack uses it: the record header, the event XML, and the fields every
 * consumer wants (System's event id, provider, channel, computer and creation time, and the
 * named `Data` of `EventData`), read once from the tree.
 */
import type { XmlContent, XmlElement } from './binxml.ts'
import { textOf } from './binxml.ts'

export interface EvtxRecord {
  /**
   * The record number from the record header: unique in the file, counting from 1 in a file
   * exported from a larger log.
   */
  recordId: number
  /** `System/EventRecordID`: the number the event had in the log it was written to. */
  eventRecordId: number | null
  /** File offset of the record. */
  offset: number
  /** When the record was written, from its header: milliseconds since 1970 UTC. */
  written: number
  /** The `Event` element, or null when the record holds no element. */
  event: XmlElement | null
  eventId: number | null
  provider: string | null
  channel: string | null
  computer: string | null
  /** `TimeCreated/@SystemTime` as python-evtx writes it: `2021-06-03 19:17:44.873287`. */
  timeCreated: string | null
  /** Named `Data` of `EventData`, as text; empty when the event has none (e.g. UserData). */
  eventData: Record<string, string>
}

/** The first child element of that name. */
export function childElement(element: XmlElement, name: string): XmlElement | null {
  for (const child of element.children) {
    if (typeof child !== 'string' && child.name === name) return child
  }
  return null
}

/** An attribute's value, or null. */
export function attributeValue(element: XmlElement | null, name: string): string | null {
  if (element === null) return null
  for (const attribute of element.attributes) if (attribute.name === name) return attribute.value
  return null
}

function childText(element: XmlElement | null, name: string): string | null {
  const child = element === null ? null : childElement(element, name)
  return child === null ? null : textOf(child.children)
}

/** Fills the derived fields of a record from its content. */
export function evtxRecord(
  recordId: number,
  offset: number,
  written: number,
  content: readonly XmlContent[],
): EvtxRecord {
  let event: XmlElement | null = null
  for (const item of content) {
    if (typeof item !== 'string') {
      event = item
      break
    }
  }
  const system = event === null ? null : childElement(event, 'System')
  const idText = childText(system, 'EventID')
  const recordText = childText(system, 'EventRecordID')
  const eventData: Record<string, string> = {}
  const data = event === null ? null : childElement(event, 'EventData')
  if (data !== null) {
    for (const child of data.children) {
      if (typeof child === 'string' || child.name !== 'Data') continue
      const name = attributeValue(child, 'Name')
      if (name !== null) eventData[name] = textOf(child.children)
    }
  }
  return {
    recordId,
    offset,
    written,
    event,
    eventRecordId: integerOf(recordText),
    eventId: integerOf(idText),
    provider: attributeValue(system === null ? null : childElement(system, 'Provider'), 'Name'),
    channel: childText(system, 'Channel'),
    computer: childText(system, 'Computer'),
    timeCreated: attributeValue(
      system === null ? null : childElement(system, 'TimeCreated'),
      'SystemTime',
    ),
    eventData,
  }
}

function integerOf(text: string | null): number | null {
  if (text === null || text.trim() === '') return null
  const n = Number(text.trim())
  return Number.isSafeInteger(n) ? n : null
}
