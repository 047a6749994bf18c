/**
 * @module
 * Progress of long reads on stderr, at most once a second, and a last line when done.
 */
import type { ReadProgress } from '../logs/batches.ts'
import { formatCount, type Logger } from '../util/log.ts'

export function progressReporter(
  log: Logger,
  extra: () => string = () => '',
): (progress: ReadProgress) => void {
  let last = 0
  return (progress) => {
    const now = Date.now()
    const done = progress.file === undefined
    if (!done && now - last < 1000) return
    last = now
    const tail = extra()
    log.info(
      `${progress.filesDone}/${progress.files} files, ${megabytes(progress.bytes)} read` +
        (progress.totalBytes > 0 ? ` (${megabytes(progress.totalBytes)} on disk)` : '') +
        `, ${formatCount(progress.events)} events${tail ? `, ${tail}` : ''}` +
        (progress.file ? ` — ${progress.file}` : ''),
    )
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`
}
