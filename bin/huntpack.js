#!/usr/bin/env -S node --max-semi-space-size=64
// Runs the TypeScript sources directly through tsx's loader, so the bin needs no build step.
// The larger young generation (flag above) suits a build's millions of short-lived strings:
// with the default size many are promoted to the old generation, where collecting costs more.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')
