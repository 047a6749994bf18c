import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { huntpack } from './support/cli.ts'
import { assertGoldenTree } from './support/golden.ts'

const GOLDEN = fileURLToPath(new URL('./golden/html/site/', import.meta.url))

function build(out: string, ...feeds: string[]): void {
  const run = huntpack('build', ...feeds, '--out', out, '--targets', 'all', '-q')
  assert.equal(run.status, 0, run.stderr)
}

/** Every `href` of a page, decoded, resolved against its folder. */
function hrefs(file: string): string[] {
  const html = readFileSync(file, 'utf8')
  return [...html.matchAll(/<a href="([^"]*)"/g)].map((m) =>
    (m[1] as string)
      .replace(/&amp;/g, '&')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'"),
  )
}

describe('huntpack site', () => {
  const dir = mkdtempSync(join(tmpdir(), 'huntpack-site-'))
  const packs = join(dir, 'packs')
  const site = join(dir, 'site')
  build(packs, 'examples/threatfox_recent.csv', 'examples/notes_defanged.txt')

  test('writes the reviewed index and pack pages from pack.json', () => {
    // Packs built once from the example feeds and kept, so this golden follows the site's
    // rendering, not every change to the queries.
    const fixed = join(dir, 'fixture-site')
    const run = huntpack('site', 'test/fixtures/html/example-build', '--out', fixed)
    assert.equal(run.status, 0, run.stderr)
    assert.match(run.stderr, /2 packs written to /)
    const pages = new Map<string, string>()
    for (const file of readdirSync(fixed, { recursive: true }).map(String)) {
      if (file.endsWith('index.html')) pages.set(file, readFileSync(join(fixed, file), 'utf8'))
    }
    assertGoldenTree(GOLDEN, pages)

    assert.equal(huntpack('site', packs, '--out', site).status, 0)
  })

  test('mirrors the Markdown page: every section, hunt, query and artefact', () => {
    const pack = JSON.parse(readFileSync(join(packs, 'xworm', 'pack.json'), 'utf8'))
    const page = readFileSync(join(site, 'xworm', 'index.html'), 'utf8')
    const markdown = readFileSync(join(packs, 'xworm', 'README.md'), 'utf8')
    const sections = [...markdown.matchAll(/^## (.+)$/gm)].map((m) => m[1])
    const headings = [...page.matchAll(/<h2 id="[^"]+">([^<]+)<\/h2>/g)].map((m) => m[1])
    assert.deepEqual(
      headings.filter((h) => h !== 'Downloads'),
      sections,
    )
    assert.equal(
      (page.match(/<button type="button" class="copy"/g) ?? []).length,
      pack.hunts.length + pack.guidance.filter((g: { exclusion?: unknown }) => g.exclusion).length,
    )
    for (const hunt of pack.hunts) assert.ok(page.includes(`<h3 id="hunt-${hunt.id}">`), hunt.id)
    for (const artefact of pack.artefacts) {
      assert.ok(page.includes(`href="${artefact.file}" download`), artefact.file)
    }
    for (const i of pack.indicators) assert.ok(page.includes(i.sources[0].record), i.value)
  })

  test('every link is relative and names a file of the site', () => {
    const files = readdirSync(site, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.html'))
    let checked = 0
    for (const file of files) {
      for (const href of hrefs(join(site, file))) {
        if (/^https?:\/\//.test(href)) continue
        assert.doesNotMatch(href, /^[a-z][a-z0-9+.-]*:|^\/|^\/\//i, `${file}: ${href}`)
        const target = join(site, dirname(file), decodeURIComponent(href.replace(/#.*$/, '')))
        assert.ok(existsSync(target), `${file} links ${href}, which is missing`)
        checked++
      }
    }
    assert.ok(checked > 100, `only ${checked} links`)
    // Downloads are byte-for-byte copies.
    assert.equal(
      readFileSync(join(site, 'xworm', 'pack.json'), 'utf8'),
      readFileSync(join(packs, 'xworm', 'pack.json'), 'utf8'),
    )
  })

  test('refuses a pack.json that lists a file outside its pack, or one that is missing', () => {
    const evil = join(dir, 'evil')
    build(evil, 'examples/threatfox_recent.csv')
    const file = join(evil, 'xworm', 'pack.json')
    const pack = JSON.parse(readFileSync(file, 'utf8'))
    for (const [path, message] of [
      ['../../../etc/passwd', /is not a path inside the pack/],
      ['/etc/passwd', /is not a path inside the pack/],
      ['missing.kql', /lists "missing.kql", which is not in the pack/],
    ] as const) {
      pack.artefacts = [{ target: 'kql', file: path, hunt: null }]
      writeFileSync(file, JSON.stringify(pack))
      const run = huntpack('site', evil, '--out', join(dir, 'evil-site'))
      assert.equal(run.status, 3, run.stderr)
      assert.match(run.stderr, message)
      assert.match(run.stderr, /xworm\/pack\.json/)
    }
    pack.id = '../x'
    pack.artefacts = []
    writeFileSync(file, JSON.stringify(pack))
    assert.match(
      huntpack('site', evil, '--out', join(dir, 'evil-site')).stderr,
      /not a folder name/,
    )
    assert.equal(huntpack('site', 'examples', '--out', join(dir, 'x')).status, 3)
    assert.equal(huntpack('site', packs, '--out', packs).status, 2)
  })

  test('hostile feed values show as text on the index and the pack pages', () => {
    const hostile = join(dir, 'hostile')
    build(
      hostile,
      'test/fixtures/html/hostile_threatfox.csv',
      'test/fixtures/build/hostile_threatfox.csv',
    )
    const out = join(dir, 'hostile-site')
    assert.equal(huntpack('site', hostile, '--out', out).status, 0)
    for (const file of readdirSync(out, { recursive: true }).map(String)) {
      if (!file.endsWith('.html')) continue
      const html = readFileSync(join(out, file), 'utf8')
      assert.equal((html.match(/<script/gi) ?? []).length, file === 'index.html' ? 2 : 1, file)
      assert.doesNotMatch(html, /<img|<svg\/|<b>/i, file)
      assert.doesNotMatch(html.replace(/="[^"]*"/g, '=""'), /<[^>]*\son[a-z]+\s*=/i, file)
      assert.doesNotMatch(html, /href="javascript/i, file)
    }
    const index = readFileSync(join(out, 'index.html'), 'utf8')
    assert.match(index, /&lt;img src=x onerror=window.__xss=1&gt;/)
    const data = /<script type="application\/json" id="search-data">([^<]*)<\/script>/.exec(index)
    assert.ok(data)
    // The search data holds the names exactly, though no `<` is written inside the element.
    const names = JSON.parse(data[1] as string).packs.map((p: string[]) => p[1])
    assert.ok(names.includes(`Evil "RAT" 'x' & <b>bold</b>`), names.join())
  })
})
