/**
 * @module
 * Everything that is not a result goes to stderr with a fixed prefix: `[+]` progress,
 * `[!]` warning, `[x]` fatal. Results go to stdout or files. The library itself never logs;
 * only the CLI holds a logger.
 */

export interface Logger {
  info(message: string): void
  warn(message: string): void
  error(message: string): void
}

export function stderrLogger(options: { quiet?: boolean } = {}): Logger {
  const write = (line: string) => process.stderr.write(`${line}\n`)
  return {
    info: (message) => {
      if (!options.quiet) write(`[+] ${message}`)
    },
    warn: (message) => write(`[!] ${message}`),
    error: (message) => write(`[x] ${message}`),
  }
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}
