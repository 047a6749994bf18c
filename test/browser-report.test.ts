import assert from 'node:assert/strict'
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'
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

/** The findings table's visible rows, as the text of the given column (0-based). */
async function column(page: Page, n: number): Promise<string[]> {
  return page.$$eval(
    '#findings tbody tr:not([hidden])',
    (rows, i) =>
      rows.map(
        (r) => (r as unknown as { cells: { textContent: string }[] }).cells[i]?.textContent ?? '',
      ),
    n,
  )
}

describe('the HTML hunt report in Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-browser-report-'))
  let browser: Browser | undefined

  before(async () => {})
  after(async () => {
    await browser?.close()
  })

  test('filters and sorts the findings table, with no console error and no broken link', async (t) => {
    browser = await launchChromium(t)
    if (!browser) return
    const html = join(dir, 'report.html')
    const run = huntpack(
      'hunt',
      '--intel',
      'test/fixtures/hunt/iocs.csv',
      '--logs',
      'test/fixtures/hunt/logs',
      '--format',
      'ndjson',
      '--html',
      html,
    )
    assert.equal(run.status, 1, run.stderr)
    const page = await browser.newPage()
    const watch = watchPage(page)
    await page.goto(pathToFileURL(html).href)

    assert.equal(await page.textContent('#filter-count'), '10 of 10 shown')
    assert.equal(await page.locator('svg.chart').count(), 3)
    assert.ok(await page.locator('#timeline').isVisible())

    await page.fill('#filter-text', 'firewall.cef')
    assert.equal(await page.textContent('#filter-count'), '2 of 10 shown')
    assert.deepEqual(await column(page, 8), [
      'test/fixtures/hunt/logs/firewall.cef:1',
      'test/fixtures/hunt/logs/firewall.cef:2',
    ])
    await page.fill('#filter-text', '')
    await page.selectOption('#filter-family', 'XWorm')
    assert.equal(await page.textContent('#filter-count'), '5 of 10 shown')
    await page.selectOption('#filter-match', 'address-only')
    assert.deepEqual(await column(page, 8), ['test/fixtures/hunt/logs/eve.json:2'])
    await page.selectOption('#filter-family', '')
    await page.selectOption('#filter-match', '')

    // Sorting: by time, then the other way, then by source (file, then line as a number).
    await page.click('th:nth-child(1) button')
    const ascending = await column(page, 0)
    assert.deepEqual(ascending, [...ascending].sort())
    assert.equal(await page.getAttribute('th:nth-child(1)', 'aria-sort'), 'ascending')
    await page.click('th:nth-child(1) button')
    assert.deepEqual(await column(page, 0), [...ascending].reverse())
    await page.click('th:nth-child(9) button')
    assert.deepEqual((await column(page, 8)).slice(0, 3), [
      'test/fixtures/hunt/logs/eve.json:1',
      'test/fixtures/hunt/logs/eve.json:2',
      'test/fixtures/hunt/logs/eve.json:3',
    ])
    // Filtering still works on the sorted rows.
    await page.fill('#filter-text', '10.1.2.6')
    assert.equal(await page.textContent('#filter-count'), '1 of 10 shown')

    const links = await checkLinks(page)
    assert.ok(links.external.every((l) => l.startsWith('https://threatfox.abuse.ch/ioc/')))
    assert.equal(links.external.length, 10)
    watch.assertClean('report')
    await page.close()

    // The README's picture: the example feed hunted in the example logs.
    if (process.env.SCREENSHOTS === '1') {
      const example = join(dir, 'example.html')
      const hunt = huntpack(
        'hunt',
        '--intel',
        'examples/threatfox_recent.csv',
        '--logs',
        'examples/logs',
        '--format',
        'ndjson',
        '--html',
        example,
      )
      assert.equal(hunt.status, 1, hunt.stderr)
      const shot = await browser.newPage({ viewport: { width: 1280, height: 1000 } })
      await shot.goto(pathToFileURL(example).href)
      await shot.screenshot({ path: join(REPO, 'docs', 'report.png') })
      await shot.close()
    }
  })

  test('the report of the hunt over the real log samples opens without errors', async (t) => {
    const logs = requireSharedData(t, 'logs')
    if (!logs) return
    browser ??= await launchChromium(t)
    if (!browser) return
    const html = join(dir, 'real.html')
    const run = huntpack(
      'hunt',
      '--intel',
      'test/fixtures/hunt/real-samples.txt',
      '--logs',
      logs,
      '--format',
      'ndjson',
      '--html',
      html,
    )
    assert.equal(run.status, 1, run.stderr)
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const watch = watchPage(page)
    await page.goto(pathToFileURL(html).href)
    const n = run.stdout.trim().split('\n').length
    assert.ok(n >= 73, `${n} findings`)
    assert.equal(await page.textContent('#filter-count'), `${n} of ${n} shown`)
    await page.fill('#filter-text', 'avsvmcloud')
    assert.equal(await page.textContent('#filter-count'), `2 of ${n} shown`)
    await page.fill('#filter-text', '')
    await page.click('th:nth-child(2) button')
    await checkLinks(page)
    watch.assertClean('real report')
    await page.close()
  })

  test('hostile intel and log values run nothing: no dialog, no script, no handler', async (t) => {
    browser ??= await launchChromium(t)
    if (!browser) return
    // A log whose file name is markup too.
    const logs = join(dir, 'hostile-logs')
    mkdirSync(logs)
    copyFileSync(
      'test/fixtures/html/logs/hostile.cef',
      join(logs, '<img src=x onerror=window.__xss=20>.cef'),
    )
    const html = join(dir, 'hostile.html')
    const run = huntpack(
      'hunt',
      '--intel',
      'test/fixtures/html/hostile_threatfox.csv',
      '--logs',
      logs,
      '--format',
      'ndjson',
      '--html',
      html,
    )
    assert.equal(run.status, 1, run.stderr)
    const page = await browser.newPage()
    const watch = watchPage(page)
    await setXssTrap(page)
    await page.goto(pathToFileURL(html).href)
    assert.equal(await page.textContent('#filter-count'), '4 of 4 shown')
    await page.fill('#filter-text', '<script>')
    await page.selectOption('#filter-family', '<img src=x onerror=window.__xss=1>')
    await page.click('th:nth-child(2) button')
    await page.hover('svg.chart >> nth=1')

    assert.equal(await xssValue(page), 0)
    assert.deepEqual(await handlerAttributes(page), [])
    assert.equal(await page.locator('script').count(), 1)
    assert.equal(await page.locator('img, iframe, object, embed').count(), 0)
    // The values are shown, as text.
    const host = page.locator('#findings td:nth-child(2)', {
      hasText: '<script>window.__xss=4</script>',
    })
    assert.ok(await host.first().isVisible())
    assert.ok(
      (await page.textContent('body'))?.includes('<img src=x onerror=window.__xss=20>.cef:1'),
    )
    await checkLinks(page)
    watch.assertClean('hostile report')
    await page.close()
  })
})
