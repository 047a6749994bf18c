/**
 * @module
 * A typed facade over the few members of Microsoft's Kusto language service that huntpack uses.
 * The package is a Bridge.NET bundle: it defines `globalThis.Kusto` when loaded, has no ES module
 * entry and ships loose typings, so everything untyped stays inside this file.
 */

import { createRequire } from 'node:module'

export interface BridgeList<T> {
  Count: number
  getItem(index: number): T
}

export interface BridgeDiagnostic {
  Severity: string
  Code: string
  Message: string
  Start: number
  Length: number
}

export interface BridgeSymbol {
  Name: string
}

export interface BridgeGlobalState {
  WithDatabase(database: BridgeSymbol): BridgeGlobalState
}

export interface BridgeSyntaxToken {
  Text: string
  TextStart: number
}

export interface BridgeLiteralExpression {
  Kind: number
  Token: BridgeSyntaxToken | null
  LiteralValue: unknown
}

export interface BridgeSyntaxNode {
  GetDescendants<T>(type: { prototype: T }): BridgeList<T>
}

export interface BridgeKustoCode {
  Syntax: BridgeSyntaxNode
  GetDiagnostics(): BridgeList<BridgeDiagnostic>
}

export interface KustoLanguage {
  KustoCode: { ParseAndAnalyze(text: string, globals: BridgeGlobalState): BridgeKustoCode }
  GlobalState: { Default: BridgeGlobalState }
  Symbols: {
    TableSymbol: { $ctor7: new (name: string, schema: string, description: string) => BridgeSymbol }
    FunctionSymbol: {
      $ctor16: new (
        name: string,
        parameters: string,
        body: string,
        description: string,
      ) => BridgeSymbol
    }
    DatabaseSymbol: {
      $ctor1: new (name: string, members: BridgeSymbol[], isOpen: boolean) => BridgeSymbol
    }
  }
  Syntax: { LiteralExpression: { prototype: BridgeLiteralExpression } }
}

let language: KustoLanguage | undefined

/** Loads the bundle once per process (about 0.2 s) and returns `Kusto.Language`. */
export function kustoLanguage(): KustoLanguage {
  if (language) return language
  const require = createRequire(import.meta.url)
  require('@kusto/language-service-next/bridge.min.js')
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js')
  const root = (globalThis as { Kusto?: { Language?: KustoLanguage } }).Kusto
  if (!root?.Language) throw new Error('@kusto/language-service-next did not define Kusto.Language')
  language = root.Language
  return language
}
