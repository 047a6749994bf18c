/**
 * @module
 * Validates the `sentinel-arm` target's templates against `template.schema.json`, the shape
 * Sentinel accepts, with messages that name the resource and the field.
 */
import { readFileSync } from 'node:fs'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { HuntpackError } from '../../errors.ts'

const SCHEMA = new URL('./template.schema.json', import.meta.url)

let validator: ValidateFunction | undefined

function validate(): ValidateFunction {
  if (validator) return validator
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false })
  validator = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')))
  return validator
}

/** Readable problems with a template, one line each; none when it validates. */
export function armTemplateProblems(template: unknown): string[] {
  const check = validate()
  if (check(template)) return []
  return readable(check.errors ?? [], template)
}

/** Throws ERR_TARGET listing every problem: a template that fails is a huntpack bug. */
export function assertArmTemplate(template: unknown, label: string): void {
  const problems = armTemplateProblems(template)
  if (problems.length === 0) return
  throw new HuntpackError(
    'ERR_TARGET',
    `${label}: the ARM template does not validate:\n${problems.map((p) => `  ${p}`).join('\n')}`,
  )
}

/**
 * `resources[2] (alertRule 'Pack: Title') properties.queryFrequency: must match pattern ...`.
 * The `if`/`then` wrapper errors repeat the real ones, so they are left out.
 */
function readable(errors: ErrorObject[], template: unknown): string[] {
  const lines: string[] = []
  for (const error of errors) {
    if (error.keyword === 'if') continue
    const path = error.instancePath.split('/').slice(1)
    const where = path.length === 0 ? '(template)' : describePath(path, template)
    const detail =
      error.keyword === 'additionalProperties'
        ? `has unknown property '${(error.params as { additionalProperty: string }).additionalProperty}'`
        : error.keyword === 'enum'
          ? `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`
          : (error.message ?? error.keyword)
    const line = `${where}: ${detail}`
    if (!lines.includes(line)) lines.push(line)
  }
  return lines
}

function describePath(path: string[], template: unknown): string {
  const [top, index, ...rest] = path
  if (top !== 'resources' || index === undefined) return path.join('.')
  const resource = (template as { resources?: unknown[] }).resources?.[Number(index)] as
    | { type?: string; properties?: { displayName?: unknown } }
    | undefined
  const kind = resource?.type?.split('/').at(-1) ?? 'resource'
  const name = resource?.properties?.displayName
  const label = typeof name === 'string' ? ` (${kind} ${JSON.stringify(name)})` : ` (${kind})`
  return `resources[${index}]${label}${rest.length > 0 ? ` ${rest.join('.')}` : ''}`
}
