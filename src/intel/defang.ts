/**
 * @module
 * Defanging for display: values on pages and in tables cannot be clicked or resolved by
 * accident, and huntpack's own readers refang them back exactly.
 */
import type { IndicatorKind } from './indicator.ts'

/**
 * @example defang('84.38.129.122:443', 'ip:port') // '84[.]38[.]129[.]122:443'
 * @example defang('https://evil.com/a.php', 'url') // 'hxxps://evil[.]com/a.php'
 */
export function defang(value: string, kind: IndicatorKind): string {
  switch (kind) {
    case 'md5':
    case 'sha1':
    case 'sha256':
      return value
    case 'ipv6':
      return value.replaceAll(':', '[:]')
    case 'url':
      return defangUrl(value)
    default:
      return value.replaceAll('.', '[.]')
  }
}

function defangUrl(value: string): string {
  const schemeEnd = value.indexOf('://')
  if (schemeEnd < 0) return value.replaceAll('.', '[.]')
  const scheme = value.slice(0, schemeEnd).replace(/^http/i, 'hxxp').replace(/^ftp/i, 'fxp')
  const rest = value.slice(schemeEnd + 3)
  const pathStart = rest.search(/[/?#]/)
  const authority = pathStart < 0 ? rest : rest.slice(0, pathStart)
  const tail = pathStart < 0 ? '' : rest.slice(pathStart)
  return `${scheme}://${authority.replaceAll('.', '[.]')}${tail}`
}
