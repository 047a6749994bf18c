/**
 * @module
 * `huntpack site`: a static site of the packs `build` wrote. Reads each `pack.json`, copies the
 * pack's files (the page's Markdown, `pack.json`, queries, watchlists, target artefacts) beside
 * its HTML page, and writes the index. Every file is written whole (temporary file, rename).
 */
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import type { Command } from 'commander'
import { HuntpackError, UsageError } from '../errors.ts'
import { packFolders } from '../pack/pack-folders.ts'
import { PACK_SCHEMA } from '../pack/pack-json.ts'
import {
  type PackJson,
  packFiles,
  renderSiteIndex,
  renderSitePackPage,
} from '../report/html/site.ts'
import { writeFileAtomic } from '../util/atomic-write.ts'
import { stderrLogger } from '../util/log.ts'
import { plural } from '../util/plural.ts'
import { EXIT } from './exit-codes.ts'

interface SiteFlags {
  out: string
  title?: string
  quiet?: boolean
}

export function registerSite(program: Command): void {
  program
    .command('site')
    .description('write a static HTML site of the packs build wrote (index, search, pack pages)')
    .argument('<packs>', 'the folder build wrote (or one pack folder)')
    .option('-o, --out <dir>', 'output folder', 'site')
    .option('--title <text>', 'title of the index (default: from the packs)')
    .option('-q, --quiet', 'no progress on stderr')
    .action(async (packsDir: string, flags: SiteFlags) => {
      process.exitCode = await site(packsDir, flags)
    })
}

/** A pack folder name that is safe as one path segment of the site. */
const PACK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

async function site(packsDir: string, flags: SiteFlags): Promise<number> {
  const log = stderrLogger({ quiet: flags.quiet })
  if (resolve(flags.out) === resolve(packsDir)) {
    throw new UsageError('--out must not be the packs folder: the site is written beside it')
  }
  const dirs = await packFolders(packsDir, 'pass the folder `huntpack build` wrote')
  const packs: PackJson[] = []
  for (const dir of dirs) {
    const file = join(dir, 'pack.json')
    const pack = await readPack(file)
    if (packs.some((p) => p.id === pack.id)) {
      throw new HuntpackError('ERR_INPUT', `a second pack with id "${pack.id}"`, { file })
    }
    const extra = ['pack.json']
    if (await isFile(join(dir, 'README.md'))) extra.unshift('README.md')
    const files = packFiles(pack, extra)
    for (const name of files) {
      if (!safeRelative(name) || name === 'index.html') {
        throw new HuntpackError('ERR_INPUT', `file "${name}" is not a path inside the pack`, {
          file,
        })
      }
      if (!(await isFile(join(dir, name)))) {
        throw new HuntpackError(
          'ERR_INPUT',
          `pack.json lists "${name}", which is not in the pack`,
          {
            file,
          },
        )
      }
      await copy(join(dir, name), join(flags.out, pack.id, name))
    }
    await output(join(flags.out, pack.id, 'index.html'), renderSitePackPage(pack, files))
    packs.push(pack)
  }
  const title = flags.title ?? siteTitle(packs)
  await output(join(flags.out, 'index.html'), renderSiteIndex({ title, packs }))
  log.info(`${plural(packs.length, 'pack')} written to ${join(flags.out, 'index.html')}`)
  return EXIT.ok
}

async function readPack(file: string): Promise<PackJson> {
  let pack: PackJson
  try {
    pack = JSON.parse(await readFile(file, 'utf8'))
  } catch (error) {
    throw new HuntpackError('ERR_INPUT', `not a readable pack.json: ${(error as Error).message}`, {
      file,
    })
  }
  if (pack?.schema !== PACK_SCHEMA) {
    throw new HuntpackError(
      'ERR_INPUT',
      `not a huntpack pack (schema ${JSON.stringify(pack?.schema)}, expected ${PACK_SCHEMA})`,
      { file },
    )
  }
  if (typeof pack.id !== 'string' || !PACK_ID.test(pack.id)) {
    throw new HuntpackError(
      'ERR_INPUT',
      `pack id ${JSON.stringify(pack.id)} is not a folder name`,
      {
        file,
      },
    )
  }
  return pack
}

/** `a/b.kql`: no absolute path, no `..`, no backslash, no empty segment. */
function safeRelative(path: string): boolean {
  return (
    typeof path === 'string' &&
    path !== '' &&
    !path.includes('\\') &&
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is its job
    !/[\u0000-\u001f]/.test(path) &&
    path.split('/').every((s) => s !== '' && s !== '.' && s !== '..')
  )
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

async function output(path: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(path, text)
  } catch (error) {
    throw new HuntpackError('ERR_OUTPUT', `cannot write ${path}: ${(error as Error).message}`)
  }
}

/** A byte-for-byte copy, appearing whole under its name or not at all. */
async function copy(from: string, to: string): Promise<void> {
  const temp = join(dirname(to), `.${basename(to)}.${randomBytes(6).toString('hex')}.tmp`)
  try {
    await mkdir(dirname(to), { recursive: true })
    await copyFile(from, temp)
    await rename(temp, to)
  } catch (error) {
    await rm(temp, { force: true })
    throw new HuntpackError('ERR_OUTPUT', `cannot write ${to}: ${(error as Error).message}`)
  }
}

/** `<feed>: hunt packs`, the feed part taken from the pack titles (`<feed>: <name> IOCs`). */
function siteTitle(packs: PackJson[]): string {
  const prefixes = new Set(
    packs.map((p) => {
      const suffix = `: ${p.name} IOCs`
      return p.title.endsWith(suffix) ? p.title.slice(0, -suffix.length) : 'huntpack'
    }),
  )
  return `${prefixes.size === 1 ? [...prefixes][0] : 'huntpack'}: hunt packs`
}
