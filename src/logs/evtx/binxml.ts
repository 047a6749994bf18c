/**
 * @module
 * Binary XML as EVTX chunks hold it, into plain element trees. A record is usually a
 * template instance: the template (the event's XML with numbered holes) is defined inline the
 * first time a chunk uses it and referenced by its chunk offset afterwards; the substitution
 * values follow the instance. Names of elements and attributes are likewise written once per
 * chunk and referenced by offset. Both caches therefore belong to one chunk. Some writers put a
 * plain element in a record instead of a template instance; elements outside a template
 * definition carry no dependency id, which is the one difference in their encoding.
 *
 * Everything is bounds-checked against the record being read: a corrupt record gives an
 * EvtxFormatError with the file offset of the bad token, never a read outside the record or a
 * loop that does not advance.
 */
import { CHUNK_SIZE, EvtxFormatError, hex } from './header.ts'
import { renderArray, renderScalar, VALUE_TYPES } from './values.ts'

/** An element of the event XML, with substitutions filled in. */
export interface XmlElement {
  name: string
  attributes: XmlAttribute[]
  children: XmlContent[]
}

export interface XmlAttribute {
  name: string
  value: string
}

export type XmlContent = XmlElement | string

/** A hole in a template: the index of its value and whether a null value drops it. */
class Substitution {
  constructor(
    readonly index: number,
    readonly optional: boolean,
  ) {}
}

interface TemplateElement {
  name: string
  attributes: { name: string; parts: TemplatePart[] }[]
  children: TemplateNode[]
}
type TemplatePart = string | Substitution | XmlContent[]
type TemplateNode = TemplateElement | string | Substitution | XmlContent[]

/** A substitution value: text, an XML fragment (BinXML values), or null (the NULL type). */
type Value = string | XmlContent[] | null

const MAX_DEPTH = 64
const NO_VALUES: Value[] = []

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Reads the BinXML of one chunk's records; holds the chunk's name and template caches. */
export class ChunkBinXml {
  private readonly names = new Map<number, string>()
  private readonly templates = new Map<number, TemplateNode[]>()
  /** Templates being read: one that uses itself is corrupt, not infinitely deep. */
  private readonly reading = new Set<number>()
  /**
   * @param chunk the 64 KiB chunk
   * @param fileOffset where the chunk starts in the file, for messages
   */
  constructor(
    private readonly chunk: Buffer,
    private readonly fileOffset: number,
  ) {}

  /** The top-level content of the BinXML in `chunk[start..end)`: the Event element, usually. */
  readRecord(start: number, end: number): XmlContent[] {
    return fill(this.fragment(start, end, false, 0).content, NO_VALUES)
  }

  private fail(message: string, at: number): never {
    throw new EvtxFormatError(message, this.fileOffset + at)
  }

  private byte(at: number): number {
    return this.chunk[at] ?? this.fail('BinXML runs past the end of its chunk', at)
  }

  private need(at: number, bytes: number, end: number): void {
    if (at + bytes > end) this.fail(`BinXML runs past the end of its record or value`, at)
  }

  /** Tokens up to end of stream (or `end`): fragment headers, template instances, elements. */
  private fragment(
    start: number,
    end: number,
    inTemplate: boolean,
    depth: number,
  ): { content: TemplateNode[]; at: number } {
    if (depth > MAX_DEPTH) this.fail('BinXML nested too deeply', start)
    const content: TemplateNode[] = []
    let at = start
    while (at < end) {
      const token = this.byte(at)
      if (token === 0x00) {
        at++
        break
      }
      if (token === 0x0f) {
        this.need(at, 4, end)
        at += 4
      } else if (token === 0x0c) {
        const instance = this.templateInstance(at, end, depth)
        content.push(instance.content)
        at = instance.at
      } else if ((token & 0xbf) === 0x01) {
        const element = this.element(at, end, inTemplate, depth + 1)
        content.push(element.node)
        at = element.at
      } else {
        this.fail(`unexpected BinXML token ${hex(token)} in a fragment`, at)
      }
    }
    return { content, at }
  }

  /** A name string at a chunk offset, read once per chunk. */
  private name(offset: number, at: number, end: number): { name: string; at: number } {
    if (offset === at) {
      this.need(at, 8, end)
      const length = this.chunk.readUInt16LE(at + 6)
      this.need(at, 10 + 2 * length, end)
      const name = this.chunk.toString('utf16le', at + 8, at + 8 + 2 * length)
      this.names.set(offset, name)
      return { name, at: at + 10 + 2 * length }
    }
    let name = this.names.get(offset)
    if (name === undefined) {
      if (offset < 0x80 || offset + 8 > CHUNK_SIZE)
        this.fail(`name offset ${hex(offset)} is outside the chunk`, at)
      const length = this.chunk.readUInt16LE(offset + 6)
      if (offset + 8 + 2 * length > CHUNK_SIZE)
        this.fail(`name at ${hex(offset)} runs past the chunk`, at)
      name = this.chunk.toString('utf16le', offset + 8, offset + 8 + 2 * length)
      this.names.set(offset, name)
    }
    return { name, at }
  }

  private element(
    start: number,
    end: number,
    inTemplate: boolean,
    depth: number,
  ): { node: TemplateElement; at: number } {
    if (depth > MAX_DEPTH) this.fail('BinXML nested too deeply', start)
    const token = this.byte(start)
    let at = start + 1 + (inTemplate ? 2 : 0)
    this.need(at, 8, end)
    const named = this.name(this.chunk.readUInt32LE(at + 4), at + 8, end)
    at = named.at
    if (token & 0x40) {
      this.need(at, 4, end)
      at += 4
    }
    const node: TemplateElement = { name: named.name, attributes: [], children: [] }
    for (;;) {
      this.need(at, 1, end)
      const t = this.byte(at)
      if ((t & 0xbf) !== 0x06) break
      this.need(at, 5, end)
      const attribute = this.name(this.chunk.readUInt32LE(at + 1), at + 5, end)
      const parts: TemplatePart[] = []
      at = attribute.at
      while (at < end) {
        const part = this.valuePart(at, end)
        if (part === null) break
        parts.push(part.part)
        at = part.at
      }
      node.attributes.push({ name: attribute.name, parts })
    }
    const close = this.byte(at)
    if (close === 0x03) return { node, at: at + 1 }
    if (close !== 0x02) this.fail(`unexpected BinXML token ${hex(close)} in a start tag`, at)
    at++
    for (;;) {
      this.need(at, 1, end)
      const t = this.byte(at)
      if (t === 0x04) return { node, at: at + 1 }
      if ((t & 0xbf) === 0x01) {
        const child = this.element(at, end, inTemplate, depth + 1)
        node.children.push(child.node)
        at = child.at
      } else if (t === 0x0c) {
        const instance = this.templateInstance(at, end, depth + 1)
        node.children.push(instance.content)
        at = instance.at
      } else if ((t & 0xbf) === 0x0a) {
        this.need(at, 5, end)
        at = this.name(this.chunk.readUInt32LE(at + 1), at + 5, end).at
      } else if ((t & 0xbf) === 0x0b) {
        this.need(at, 3, end)
        at += 3 + 2 * this.chunk.readUInt16LE(at + 1)
      } else {
        const part = this.valuePart(at, end)
        if (part === null) this.fail(`unexpected BinXML token ${hex(t)} in element content`, at)
        node.children.push(part.part)
        at = part.at
      }
    }
  }

  /** Text, a character or entity reference, CDATA or a substitution; null at any other token. */
  private valuePart(at: number, end: number): { part: TemplatePart; at: number } | null {
    const t = this.byte(at)
    switch (t & 0xbf) {
      case 0x05: {
        this.need(at, 4, end)
        const type = this.byte(at + 1)
        if (type !== VALUE_TYPES.string) this.fail(`text value of type ${hex(type)}`, at)
        const length = this.chunk.readUInt16LE(at + 2)
        this.need(at, 4 + 2 * length, end)
        return {
          part: this.chunk.toString('utf16le', at + 4, at + 4 + 2 * length),
          at: at + 4 + 2 * length,
        }
      }
      case 0x07: {
        this.need(at, 3, end)
        const length = this.chunk.readUInt16LE(at + 1)
        this.need(at, 3 + 2 * length, end)
        return {
          part: this.chunk.toString('utf16le', at + 3, at + 3 + 2 * length),
          at: at + 3 + 2 * length,
        }
      }
      case 0x08: {
        this.need(at, 3, end)
        return { part: String.fromCharCode(this.chunk.readUInt16LE(at + 1)), at: at + 3 }
      }
      case 0x09: {
        this.need(at, 5, end)
        const entity = this.name(this.chunk.readUInt32LE(at + 1), at + 5, end)
        return { part: ENTITIES[entity.name] ?? `&${entity.name};`, at: entity.at }
      }
      case 0x0d:
      case 0x0e: {
        if (t & 0x40) return null
        this.need(at, 4, end)
        return {
          part: new Substitution(this.chunk.readUInt16LE(at + 1), t === 0x0e),
          at: at + 4,
        }
      }
      default:
        return null
    }
  }

  /** A template instance with its values, filled in. */
  private templateInstance(
    start: number,
    end: number,
    depth: number,
  ): { content: XmlContent[]; at: number } {
    if (depth > MAX_DEPTH) this.fail('BinXML nested too deeply', start)
    this.need(start, 10, end)
    const definition = this.chunk.readUInt32LE(start + 6)
    let at = start + 10
    let template = this.templates.get(definition)
    if (definition === at) {
      this.need(at, 24, end)
      const bodyEnd = at + 24 + this.chunk.readUInt32LE(at + 20)
      this.need(at, bodyEnd - at, end)
      if (template === undefined) template = this.templateBody(at, bodyEnd, depth)
      at = bodyEnd
    } else if (template === undefined) {
      if (definition < 0x200 || definition + 24 > CHUNK_SIZE) {
        this.fail(`template offset ${hex(definition)} is outside the chunk`, start + 6)
      }
      const bodyEnd = definition + 24 + this.chunk.readUInt32LE(definition + 20)
      if (bodyEnd > CHUNK_SIZE)
        this.fail(`template at ${hex(definition)} runs past the chunk`, start + 6)
      template = this.templateBody(definition, bodyEnd, depth)
    }
    this.templates.set(definition, template)
    const values = this.values(at, end, depth)
    return { content: fill(template, values.values), at: values.at }
  }

  private templateBody(start: number, end: number, depth: number): TemplateNode[] {
    if (this.reading.has(start)) this.fail(`template at ${hex(start)} uses itself`, start)
    this.reading.add(start)
    try {
      return this.fragment(start + 24, end, true, depth + 1).content
    } finally {
      this.reading.delete(start)
    }
  }

  /** The substitution array: a count, then (size, type) pairs, then the values. */
  private values(start: number, end: number, depth: number): { values: Value[]; at: number } {
    this.need(start, 4, end)
    const count = this.chunk.readUInt32LE(start)
    let at = start + 4
    if (count === 0) return { values: NO_VALUES, at }
    this.need(at, 4 * count, end)
    const values: Value[] = new Array(count)
    let data = at + 4 * count
    for (let i = 0; i < count; i++, at += 4) {
      const size = this.chunk.readUInt16LE(at)
      const type = this.byte(at + 2)
      this.need(data, size, end)
      if (type === VALUE_TYPES.null) {
        values[i] = null
      } else if (type === VALUE_TYPES.binXml) {
        values[i] =
          size === 0
            ? null
            : fill(this.fragment(data, data + size, false, depth + 1).content, NO_VALUES)
      } else {
        const text =
          type & 0x80
            ? renderArray(this.chunk, data, size, type & 0x7f)
            : renderScalar(this.chunk, data, size, type)
        if (text === null)
          this.fail(`substitution ${i} has unknown type ${hex(type)} or size ${size}`, at)
        values[i] = text
      }
      data += size
    }
    return { values, at: data }
  }
}

/** A template's nodes with the values put in their holes. */
function fill(nodes: readonly TemplateNode[], values: readonly Value[]): XmlContent[] {
  const out: XmlContent[] = []
  for (const node of nodes) fillNode(node, values, out)
  return out
}

function fillNode(node: TemplateNode, values: readonly Value[], out: XmlContent[]): void {
  if (typeof node === 'string') {
    out.push(node)
  } else if (node instanceof Substitution) {
    const value = values[node.index]
    if (typeof value === 'string') out.push(value)
    else if (Array.isArray(value)) for (const item of value) out.push(item)
  } else if (Array.isArray(node)) {
    for (const item of node) out.push(item)
  } else {
    const element: XmlElement = { name: node.name, attributes: [], children: [] }
    for (const attribute of node.attributes) {
      let value = ''
      let dropped = false
      for (const part of attribute.parts) {
        if (typeof part === 'string') value += part
        else if (part instanceof Substitution) {
          const v = values[part.index]
          if (typeof v === 'string') value += v
          else if (Array.isArray(v)) value += textOf(v)
          else if (part.optional) dropped = true
        } else value += textOf(part)
      }
      if (!dropped) element.attributes.push({ name: attribute.name, value })
    }
    for (const child of node.children) fillNode(child, values, element.children)
    out.push(element)
  }
}

/** The text of content: its strings and its elements' text, in order. */
export function textOf(content: readonly XmlContent[]): string {
  let text = ''
  for (const item of content) text += typeof item === 'string' ? item : textOf(item.children)
  return text
}
