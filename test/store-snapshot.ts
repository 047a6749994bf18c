/**
 * @module
 * Test support for the store tests: every table's rows as one text, to compare a store before
 * and after something that must not change it.
 */
import type { Store } from '../src/store/store.ts'

export async function snapshot(store: Store): Promise<string> {
  const parts: string[] = []
  for (const table of [
    'meta',
    'indicators',
    'pulls',
    'sightings',
    'presence',
    'changes',
    'packs',
  ]) {
    const rows = await store.all(`SELECT * FROM ${table} ORDER BY ALL`)
    parts.push(`${table}:${JSON.stringify(rows)}`)
  }
  return parts.join('\n')
}
