/**
 * @module
 * Column schemas of the Sentinel / Defender XDR tables our hunts query, kept as data in
 * `tables/*.json` so the checker validates every column a query names and a test can compare
 * them with upstream copies.
 */

import { readdirSync, readFileSync } from 'node:fs'

/** Kusto scalar type names, as `.show table schema` spells them. */
export type KqlScalarType =
  | 'string'
  | 'int'
  | 'long'
  | 'real'
  | 'bool'
  | 'datetime'
  | 'dynamic'
  | 'guid'
  | 'timespan'

export interface TableColumn {
  name: string
  type: KqlScalarType
}

export interface TableSchema {
  name: string
  /** The Sentinel data connector that fills the table. */
  connector: string
  /** The column a time window filters on: `Timestamp` on Defender XDR tables. */
  timeColumn: 'TimeGenerated' | 'Timestamp'
  columns: TableColumn[]
}

const TABLES_DIR = new URL('./tables/', import.meta.url)

let cache: Map<string, TableSchema> | undefined

/** Every table schema shipped with huntpack, by table name. */
export function tableSchemas(): ReadonlyMap<string, TableSchema> {
  if (cache) return cache
  const loaded = new Map<string, TableSchema>()
  for (const file of readdirSync(TABLES_DIR).sort()) {
    if (!file.endsWith('.json')) continue
    const schema = JSON.parse(readFileSync(new URL(file, TABLES_DIR), 'utf8')) as TableSchema
    loaded.set(schema.name, schema)
  }
  cache = loaded
  return loaded
}

export function tableSchema(name: string): TableSchema {
  const schema = tableSchemas().get(name)
  if (!schema) throw new Error(`no schema for table ${name} in ${TABLES_DIR.pathname}`)
  return schema
}

/** `(Col:type, ...)`: the schema syntax Kusto's `TableSymbol` and `datatable` accept. */
export function schemaText(columns: readonly TableColumn[]): string {
  return `(${columns.map((c) => `${quoteName(c.name)}:${c.type}`).join(', ')})`
}

/** Column names that are not plain identifiers must be bracketed in Kusto. */
function quoteName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `['${name}']`
}

/** The Sentinel data connector that fills a table, for pack pages and deployment notes. */
export function tableConnector(name: string): string {
  return tableSchema(name).connector
}
