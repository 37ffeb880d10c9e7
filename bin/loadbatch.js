#!/usr/bin/env node
// The `loadbatch` command: registers tsx so the TypeScript sources run straight from a clone,
// then hands over to src/cli/main.ts.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
