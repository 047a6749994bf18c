/**
 * @module
 * Escaping for HTML. Every value from a feed or a log reaches a page through one of these
 * three: `htmlText` for element content, `htmlAttr` for a double-quoted attribute value, and
 * `htmlUrl` for an `href`, which lets only http(s) and relative addresses through. Markup is
 * written by hand around them, so no value can open a tag, end an attribute or start a script.
 *
 * Characters that would make a value read differently from what it holds (C0 and C1 controls,
 * bidirectional overrides, zero-width and other format characters, line and paragraph
 * separators, lone surrogates) are shown as escapes (`\u202e`), as on the Markdown pages.
 */

const HTML_SPECIALS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
}

/** Controls (tab and line feed kept), bidi and format characters, separators, lone surrogates. */
const INVISIBLE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

const SPECIALS = /[&<>"'`]/g

function visible(value: string): string {
  return value.replace(
    INVISIBLE,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  )
}

/**
 * Element content: `&`, `<`, `>` and quotes as entities, invisible characters as escapes.
 * Line feeds and tabs stay, so a query in `<pre>` keeps its lines.
 *
 * @example htmlText('<script>alert(1)</script>') // '&lt;script&gt;alert(1)&lt;/script&gt;'
 */
export function htmlText(value: string): string {
  return visible(value).replace(SPECIALS, (c) => HTML_SPECIALS[c] as string)
}

/**
 * A double-quoted attribute value: as `htmlText`, and line feeds and tabs as character
 * references, so the value reads back exactly (`title`, `data-*`).
 *
 * @example `<td title="${htmlAttr('" onerror="x')}">` // title="&quot; onerror=&quot;x"
 */
export function htmlAttr(value: string): string {
  return htmlText(value).replace(/[\n\t]/g, (c) => (c === '\n' ? '&#10;' : '&#9;'))
}

/** A scheme at the start of an address (`javascript:`, `https:`). */
const SCHEME = /^([a-z][a-z0-9+.-]*):/i

/** Whitespace, controls and backslashes, which browsers strip or read as `/` in URLs. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is its job
const URL_UNSAFE = /[\s\u0000-\u001f\u007f-\u009f\\]/

/** Relative addresses are ours, percent-encoded: printable ASCII only. */
const RELATIVE_URL = /^[\x21-\x7e]+$/

/**
 * An address for `href` or `src`, escaped for a double-quoted attribute, or `undefined` when it
 * may not be one: only `http:` and `https:` addresses with a host, and relative paths (no
 * scheme, not `//host`). `javascript:`, `data:`, `vbscript:`, `file:` and everything else are
 * refused; callers then show the address as text.
 *
 * @example htmlUrl('https://threatfox.abuse.ch/ioc/1/') // 'https://threatfox.abuse.ch/ioc/1/'
 * @example htmlUrl('javascript:alert(1)') // undefined
 */
export function htmlUrl(value: string): string | undefined {
  if (value === '' || URL_UNSAFE.test(value)) return undefined
  const scheme = SCHEME.exec(value)?.[1]?.toLowerCase()
  if (scheme !== undefined) {
    if (scheme !== 'http' && scheme !== 'https') return undefined
    let url: URL
    try {
      url = new URL(value)
    } catch {
      return undefined
    }
    if (url.hostname === '') return undefined
    return htmlAttr(url.href)
  }
  if (value.startsWith('//') || !RELATIVE_URL.test(value)) return undefined
  return htmlAttr(value)
}

/** A relative address of a file: each `/`-separated segment percent-encoded. */
export function relativeHref(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

/**
 * A link when `url` is allowed (external ones open without a referrer and without access to
 * this page), else the address as text, so a refused address is still shown.
 */
export function htmlLink(label: string, url: string): string {
  const href = htmlUrl(url)
  if (href === undefined) return `<span class="refused-url">${htmlText(url)}</span>`
  const external = SCHEME.test(url) ? ' rel="noopener noreferrer" referrerpolicy="no-referrer"' : ''
  return `<a href="${href}"${external}>${htmlText(label)}</a>`
}

/**
 * JSON for a `<script type="application/json">` data block: `<`, `>`, `&` and the line
 * separators as `\u` escapes, so no value can close the element or open a comment in it;
 * `JSON.parse` of the element's text gives the value back.
 */
export function htmlJsonData(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  )
}
