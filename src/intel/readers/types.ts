import type { IntelRecord } from '../indicator.ts'

/** Every intel format huntpack reads; `--format` takes these names. */
export const INTEL_FORMATS = [
  'threatfox-csv',
  'threatfox-json',
  'threatfox-api',
  'stix',
  'misp',
  'feodo-csv',
  'ioc-json',
  'markdown',
  'text',
] as const

export type IntelFormat = (typeof INTEL_FORMATS)[number]

export interface IntelReadResult {
  format: IntelFormat
  records: IntelRecord[]
  /** Feed-level facts worth showing (`Last updated: …`, declared entry count). */
  meta: { title?: string; updated?: string; declaredCount?: number }
}

/** A reader turns a whole file's text into records; `file` is used only for locations. */
export type IntelReader = (text: string, file: string) => IntelReadResult
