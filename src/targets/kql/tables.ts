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
/** The tables as Defender XDR advanced hunting has them: `Timestamp`, no Log Analytics columns. */
const DEFENDER_TABLES_DIR = new URL('./defender-tables/', import.meta.url)
const ASIM_DIR = new URL('./asim/', import.meta.url)

/** Every `*.json` of a folder, parsed, by its `name`. */
function loadSchemas<T extends { name: string }>(dir: URL): Map<string, T> {
  const loaded = new Map<string, T>()
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue
    const schema = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as T
    loaded.set(schema.name, schema)
  }
  return loaded
}

let cache: Map<string, TableSchema> | undefined

/** Every table schema shipped with huntpack, by table name. */
export function tableSchemas(): ReadonlyMap<string, TableSchema> {
  cache ??= loadSchemas<TableSchema>(TABLES_DIR)
  return cache
}

let defenderCache: Map<string, TableSchema> | undefined

/** The Defender XDR advanced hunting tables our hunts can run on, by table name. */
export function defenderTableSchemas(): ReadonlyMap<string, TableSchema> {
  defenderCache ??= loadSchemas<TableSchema>(DEFENDER_TABLES_DIR)
  return defenderCache
}

export interface FunctionParameter {
  name: string
  type: KqlScalarType
  /** A KQL literal: `dynamic([])`, `datetime(null)`, `'*'`. */
  default: string
}

/** A Sentinel database function that returns a table: an ASIM filtering parser. */
export interface FunctionSchema {
  name: string
  description: string
  /** Where Microsoft documents the parameters and columns. */
  reference: string
  /** The most values a list parameter takes. */
  listLimit: number
  parameters: FunctionParameter[]
  columns: TableColumn[]
}

let functionCache: Map<string, FunctionSchema> | undefined

/** The ASIM filtering parsers (`_Im_Dns`...) with their parameters and output columns. */
export function functionSchemas(): ReadonlyMap<string, FunctionSchema> {
  functionCache ??= loadSchemas<FunctionSchema>(ASIM_DIR)
  return functionCache
}

export function functionSchema(name: string): FunctionSchema {
  const schema = functionSchemas().get(name)
  if (!schema) throw new Error(`no schema for function ${name} in ${ASIM_DIR.pathname}`)
  return schema
}

/** `(name:type=default, ...)`: the parameter syntax Kusto's `FunctionSymbol` accepts. */
export function parameterText(parameters: readonly FunctionParameter[]): string {
  return `(${parameters.map((p) => `${p.name}:${p.type}=${p.default}`).join(', ')})`
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
