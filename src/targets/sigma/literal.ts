/**
 * @module
 * Feed values as Sigma string values. Sigma reads `*` and `?` as wildcards and `\` as their
 * escape in every plain, `contains`, `startswith` and `endswith` value, so each of the three is
 * escaped; YAML quoting is left to the YAML writer.
 */

/**
 * A Sigma string value matching exactly `value`: `\` becomes `\\`, `*` becomes `\*` and `?`
 * becomes `\?`.
 *
 * @example sigmaString('http://x/a.php?id=1') // 'http://x/a.php\?id=1'
 */
export function sigmaString(value: string): string {
  return value.replace(/[\\*?]/g, '\\$&')
}

/** The value a Sigma string value stands for: the inverse of `sigmaString`, for tests. */
export function sigmaUnescape(text: string): string {
  return text.replace(/\\([\\*?])/g, '$1')
}

/**
 * Text for titles, descriptions and false-positive notes: line breaks and other controls become
 * spaces, so one line stays one line whatever a feed's family or file name holds.
 */
export function sigmaText(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
}
