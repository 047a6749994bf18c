// The worker thread's entry: registers tsx's loader in this thread, as the bin does for the
// main one, then runs the TypeScript worker.
import { register } from 'tsx/esm/api'

register()
await import('./range-worker.ts')
