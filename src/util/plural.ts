/** `1 value`, `3 values`, `1,204 values`: a count with its noun. */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : nouns}`
}
