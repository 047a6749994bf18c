/**
 * @module
 * Refanging: turning the defanged spellings analysts use in reports (`hxxp://evil[.]com`) back
 * into live values. Only bracketed markers and the mangled schemes are undone; a bare ` dot ` or
 * `(at)` in prose is too often a real word to rewrite.
 */

/**
 * One step per marker, applied in order. Brackets may hold spaces (`[ . ]`) and the words are
 * case-insensitive (`[DOT]`), because hand-written reports vary.
 */
const STEPS: readonly (readonly [RegExp, string | ((match: string, s: string) => string)])[] = [
  // Schemes only when a colon (plain or bracketed) follows, so `hxxp` inside a path survives.
  [/\bh(?:xx|tx|xt)p(s?)(?=\[?:|\(:|\{:)/gi, (_, s) => `http${s.toLowerCase()}`],
  [/\bfxp(s?)(?=\[?:|\(:|\{:)/gi, (_, s) => `ftp${s.toLowerCase()}`],

  [/[[({]\s*:\s*\/\s*\/\s*[\])}]/g, '://'],
  [/[[({]\s*:\s*[\])}]/g, ':'],
  [/[[({]\s*\/\s*[\])}]/g, '/'],

  [/[[({]\s*(?:\.|dot)\s*[\])}]/gi, '.'],
  [/\[\s*(?:@|at)\s*\]|\{\s*(?:@|at)\s*\}|\(\s*@\s*\)/gi, '@'],
]

/** Any marker of `STEPS`, for the cheap yes/no question. */
const DEFANGED =
  /\bh(?:xx|tx|xt)ps?(?:\[?:|\(:|\{:)|\bfxps?(?:\[?:|\(:|\{:)|[[({]\s*(?::(?:\s*\/\s*\/)?|\/|\.|dot)\s*[\])}]|\[\s*(?:@|at)\s*\]|\{\s*(?:@|at)\s*\}|\(\s*@\s*\)/i

/** Characters every marker contains at least one of; text without them needs no regex. */
function mayBeDefanged(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // ( [ { x X
    if (c === 40 || c === 91 || c === 123 || c === 120 || c === 88) return true
  }
  return false
}

/**
 * The live form of a defanged value, trimmed. Text without markers comes back trimmed and
 * otherwise unchanged; quotes and other stray characters are left for validation to reject.
 * Never throws.
 *
 * @example refang('hxxps[://]evil[.]com/a.php') // 'https://evil.com/a.php'
 * @example refang('84[.]38[.]129[.]122:443') // '84.38.129.122:443'
 */
export function refang(text: string): string {
  let value = text.trim()
  if (!mayBeDefanged(value)) return value
  for (const [pattern, replacement] of STEPS) {
    value =
      typeof replacement === 'string'
        ? value.replace(pattern, replacement)
        : value.replace(pattern, replacement)
  }
  return value
}

/**
 * Whether the text carries a defang marker (`[.]`, `hxxp:`, `[:]`…). An IPv6 literal in
 * brackets (`[2001:db8::1]:443`) is not one.
 *
 * @example isDefanged('evil[.]com') // true
 */
export function isDefanged(text: string): boolean {
  return mayBeDefanged(text) && DEFANGED.test(text)
}
