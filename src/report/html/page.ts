/**
 * @module
 * The frame of every page huntpack writes: one file with its style and script inline, and a
 * Content Security Policy that allows exactly those two (by their SHA-256) and nothing else:
 * no other script, no request to any host, no font or image from outside, no form. Were a
 * value ever to slip past the escaping, the browser would still refuse to run it.
 */
import { createHash } from 'node:crypto'
import { htmlText } from './escape.ts'

export interface PageParts {
  title: string
  /** Markup of the body, already escaped. */
  body: string
  /** Page-specific style, appended to the base style. */
  style?: string
  /** The page's inline script, if it has one. */
  script?: string
}

/** Colours and layout shared by the report and the site; system fonts only. */
export const BASE_STYLE = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg-alt: #f6f8fa; --accent: #0b5cad; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1280px; padding: 1.5rem 2rem 3rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
a { color: var(--accent); }
code, pre { font: 13px/1.45 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; }
code { overflow-wrap: anywhere; }
pre { background: var(--bg-alt); border: 1px solid var(--line); border-radius: 6px; padding: .7rem .9rem; overflow-x: auto; margin: .4rem 0 0; }
table { border-collapse: collapse; margin: .4rem 0; font-size: 14px; }
table.wide { width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; }
th { background: var(--bg-alt); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); }
.refused-url { color: var(--muted); font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
input[type=search], select { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; }
input[type=search] { min-width: 20rem; }
button { font: inherit; cursor: pointer; }
`

/** The whole document. */
export function renderPage(parts: PageParts): string {
  const style = BASE_STYLE + (parts.style ?? '')
  const sources = [
    "default-src 'none'",
    `style-src '${sha256(style)}'`,
    parts.script === undefined ? "script-src 'none'" : `script-src '${sha256(parts.script)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ]
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${sources.join('; ')}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${htmlText(parts.title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
    '<body>',
    parts.body,
    parts.script === undefined ? '' : `<script>${parts.script}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`
}
