import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import type { Browser, BrowserContext } from 'playwright-core'
import {
  checkLinks,
  handlerAttributes,
  launchChromium,
  setXssTrap,
  watchPage,
  xssValue,
} from './support/browser.ts'
import { huntpack, REPO } from './support/cli.ts'
import { requireSharedData } from './support/shared-data.ts'

function buildSite(dir: string, name: string, ...feeds: string[]): string {
  const packs = join(dir, `${name}-packs`)
  const site = join(dir, `${name}-site`)
  const build = huntpack('build', ...feeds, '--out', packs, '--targets', 'all', '-q')
  assert.equal(build.status, 0, build.stderr)
  const run = huntpack('site', packs, '--out', site)
  assert.equal(run.status, 0, run.stderr)
  return site
}

/**
 * Opens the index and every page it leads to, each watched for console and page errors, and
 * checks every link on them. Returns the pages visited.
 */
async function crawl(
  context: BrowserContext,
  site: string,
  each: (url: string) => Promise<void> = async () => {},
): Promise<string[]> {
  const start = pathToFileURL(join(site, 'index.html')).href
  const queue = [start]
  const seen = new Set(queue)
  const page = await context.newPage()
  const watch = watchPage(page)
  let files = 0
  while (queue.length > 0) {
    const url = queue.shift() as string
    await page.goto(url)
    await each(url)
    const links = await checkLinks(page)
    files += links.files.length
    for (const next of links.pages) {
      if (!seen.has(next)) {
        seen.add(next)
        queue.push(next)
      }
    }
    watch.assertClean(url)
  }
  await page.close()
  assert.ok(files > 0, 'the pages link files to download')
  return [...seen]
}

describe('the static pack site in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-browser-site-'))
  let browser: Browser | undefined
  after(async () => {
    await browser?.close()
  })

  test('search, follow a result, copy a query; every page and link works', async (t) => {
    browser = await launchChromium(t)
    if (!browser) return
    const site = buildSite(
      dir,
      'examples',
      'examples/threatfox_recent.csv',
      'examples/notes_defanged.txt',
    )
    const context = await browser.newContext()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    const page = await context.newPage()
    const watch = watchPage(page)
    await page.goto(pathToFileURL(join(site, 'index.html')).href)
    const rows = page.locator('#packs tbody tr:not([hidden])')
    assert.equal(await rows.count(), 6)

    // A family by alias-free name, then an indicator written defanged.
    await page.fill('#search', 'xworm')
    assert.deepEqual(await rows.locator('td:first-child a').allTextContents(), ['XWorm'])
    await page.fill('#search', '91[.]214[.]65[.]17')
    const results = page.locator('#search-results li')
    const found = await results.allTextContents()
    assert.ok(found.includes('91.214.65.17:7000 ip:port in XWorm'), found.join('; '))
    assert.ok(
      found.every((r) => r.startsWith('91.214.65.17')),
      found.join('; '),
    )
    const holding = await rows.count()
    assert.ok(holding >= 1 && holding < 6)
    assert.equal(
      await page.textContent('#search-status'),
      `${holding} of 6 packs; ${found.length} indicators hold \u201c91.214.65.17\u201d`,
    )
    await page.fill('#search', 'no-such-thing')
    assert.equal(await rows.count(), 0)
    await page.fill('#search', '91.214.65.17')
    await results.filter({ hasText: 'XWorm' }).first().locator('a').click()
    await page.waitForURL(/\/xworm\/index\.html$/)
    assert.equal(await page.textContent('h1'), 'ThreatFox: XWorm IOCs')

    // The copy button puts the query, exactly as in pack.json, on the clipboard.
    const pack = JSON.parse(readFileSync(join(site, 'xworm', 'pack.json'), 'utf8'))
    const button = page.locator('button.copy').first()
    await button.click()
    await page.waitForFunction("document.querySelector('button.copy').textContent === 'Copied'")
    const copied = await page.evaluate('navigator.clipboard.readText()')
    assert.equal(copied, pack.hunts[0].query.replace(/\n$/, ''))

    // The IOC table filters.
    await page.fill('#filter-text', 'portmap')
    assert.match((await page.textContent('#filter-count')) ?? '', /^\d+ of \d+ shown$/)
    watch.assertClean('search and copy')
    await page.close()

    const pages = await crawl(context, site)
    assert.equal(pages.length, 7)
    await context.close()
  })

  test('the site of the real ThreatFox export opens without errors', async (t) => {
    const feed = requireSharedData(t, 'intel/threatfox_recent_export_2026-04-12.csv')
    if (!feed) return
    browser ??= await launchChromium(t)
    if (!browser) return
    const site = buildSite(dir, 'threatfox', feed)
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const pages = await crawl(context, site)
    assert.equal(pages.length, 43)
    if (process.env.SCREENSHOTS === '1') {
      const page = await context.newPage()
      await page.goto(pathToFileURL(join(site, 'index.html')).href)
      await page.fill('#search', 'portmap')
      await page.screenshot({ path: join(REPO, 'docs', 'site-index.png') })
      await page.goto(pathToFileURL(join(site, 'xworm', 'index.html')).href)
      await page.evaluate("document.getElementById('iocs').scrollIntoView()")
      await page.screenshot({ path: join(REPO, 'docs', 'site-pack.png') })
    }
    await context.close()
  })

  test('hostile feed values run nothing on any page, searched or not', async (t) => {
    browser ??= await launchChromium(t)
    if (!browser) return
    const site = buildSite(
      dir,
      'hostile',
      'test/fixtures/html/hostile_threatfox.csv',
      'test/fixtures/build/hostile_threatfox.csv',
    )
    const context = await browser.newContext()
    await context.grantPermissions(['clipboard-read', 'clipboard-write'])
    await context.addInitScript('window.__xss = 0')
    const pages = await crawl(context, site, async () => {})
    assert.equal(pages.length, 4)
    const page = await context.newPage()
    const watch = watchPage(page)
    await setXssTrap(page)
    for (const url of pages) {
      await page.goto(url)
      if (url.endsWith('-site/index.html')) {
        for (const q of ['<script>', 'onerror', 'hostile', '"', "'"]) await page.fill('#search', q)
        await page.fill('#search', 'c2')
        assert.ok((await page.locator('#search-results li').count()) > 0)
      } else {
        await page.locator('button.copy').first().click()
      }
      assert.equal(await xssValue(page), 0, url)
      assert.deepEqual(await handlerAttributes(page), [], url)
      assert.equal(await page.locator('img, iframe, object, embed').count(), 0, url)
      assert.equal(await page.locator('script:not([type="application/json"])').count(), 1, url)
    }
    await page.goto(pages[0] as string)
    assert.ok(
      await page.locator('#packs a', { hasText: '<img src=x onerror=window.__xss=1>' }).isVisible(),
    )
    watch.assertClean('hostile site')
    await context.close()
  })
})
