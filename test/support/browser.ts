/**
 * @module
 * Debian's Chromium driven by playwright-core, for tests that open pages as a person would.
 * Never a downloaded browser: without `/usr/bin/chromium` the tests skip with the reason, and
 * fail under `CI=true` (CI installs the `chromium` package). Each launch gets a fresh temporary
 * profile. `watchPage` records what must never happen on our pages: console errors, page errors,
 * dialogs, requests that fail or leave the disk.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import type { TestContext } from 'node:test'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** The browser, or undefined after skipping the test (throws under CI=true instead). */
export async function launchChromium(t: TestContext): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) {
    const reason = `${CHROMIUM} is missing: apt-get install chromium`
    if (process.env.CI === 'true') throw new Error(reason)
    t.skip(reason)
    return undefined
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })
}

export interface PageWatch {
  problems: string[]
  dialogs: string[]
  /** Fails with every problem seen since the page was opened. */
  assertClean(what: string): void
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = {
    problems: [],
    dialogs: [],
    assertClean(what) {
      assert.deepEqual(watch.dialogs, [], `${what}: a dialog opened`)
      assert.deepEqual(watch.problems, [], `${what}: console or page errors`)
    },
  }
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') {
      watch.problems.push(`console ${m.type()}: ${m.text()}`)
    }
  })
  page.on('pageerror', (e) => watch.problems.push(`page error: ${e.message}`))
  page.on('dialog', async (d) => {
    watch.dialogs.push(`${d.type()}: ${d.message()}`)
    await d.dismiss()
  })
  page.on('requestfailed', (r) => watch.problems.push(`request failed: ${r.url()}`))
  page.on('request', (r) => {
    const url = r.url()
    if (!url.startsWith('file:') && !url.startsWith('data:')) {
      watch.problems.push(`request off the disk: ${url}`)
    }
  })
  return watch
}

/**
 * A trap for injected script: every hostile fixture value sets `window.__xss`, and no page of
 * ours defines it. Call before `goto`; read with `xssValue`.
 */
export async function setXssTrap(page: Page): Promise<void> {
  await page.addInitScript('window.__xss = 0')
}

export async function xssValue(page: Page): Promise<unknown> {
  return page.evaluate('window.__xss')
}

/** Elements carrying an event-handler attribute (`onerror`, `onload`…), which we never write. */
export async function handlerAttributes(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const found = []
    for (const element of document.querySelectorAll('*')) {
      for (const attribute of element.attributes) {
        if (attribute.name.toLowerCase().startsWith('on')) {
          found.push('<' + element.tagName.toLowerCase() + ' ' + attribute.name + '>')
        }
      }
    }
    return found
  })()`)
}

/**
 * Every link of the page: local ones must name a file that exists (and an id on the target page
 * for a fragment, checked by the caller through `fragments`), external ones must be http(s) and
 * open without access to the page. Returns the local HTML pages linked, to follow.
 */
export async function checkLinks(
  page: Page,
): Promise<{ pages: string[]; files: string[]; external: string[] }> {
  const links: { href: string; raw: string; rel: string }[] = await page.evaluate(`
    Array.from(document.querySelectorAll('a[href]')).map((a) => ({
      href: a.href,
      raw: a.getAttribute('href'),
      rel: a.getAttribute('rel') || '',
    }))`)
  const pages: string[] = []
  const files: string[] = []
  const external: string[] = []
  for (const link of links) {
    const url = new URL(link.href)
    if (url.protocol === 'file:') {
      assert.ok(!/^[a-z][a-z0-9+.-]*:|^\/\//i.test(link.raw), `not a relative link: ${link.raw}`)
      url.hash = ''
      const path = fileURLToPath(url)
      assert.ok(existsSync(path), `broken link ${link.raw} on ${page.url()}: ${path} is missing`)
      if (path.endsWith('.html')) pages.push(url.href)
      else files.push(path)
    } else {
      assert.match(
        url.protocol,
        /^https?:$/,
        `a link that is neither local nor http(s): ${link.href}`,
      )
      assert.match(link.rel, /noopener/, `external link without rel=noopener: ${link.href}`)
      external.push(link.href)
    }
  }
  return { pages: [...new Set(pages)], files: [...new Set(files)], external }
}
