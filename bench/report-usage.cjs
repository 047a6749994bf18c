// Preloaded into a benchmarked process: at exit, appends its peak resident memory (bytes) to
// the file named by HUNTPACK_BENCH_USAGE, so the parent can report it.
const { appendFileSync } = require('node:fs')

process.on('exit', () => {
  const file = process.env.HUNTPACK_BENCH_USAGE
  if (file) appendFileSync(file, `${process.resourceUsage().maxRSS * 1024}\n`)
})
