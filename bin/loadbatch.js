#!/usr/bin/env node
// The `loadbatch` command: runs the compiled CLI from dist/ (built by `npm run build`, which
// `npm ci` runs through the `prepare` script).
import { main } from '../dist/src/cli/main.js'

process.exitCode = await main(process.argv.slice(2))
