/**
 * The `loadbatch` command line: `simulate` and `diagram`. Mistakes on the command line
 * (an unknown command or flag, a bad value) print one line naming the flag and what it
 * accepts, then the usage, and exit with code 2.
 */

import { ConfigError } from '../errors.ts'
import { diagramCommand } from './diagramCommand.ts'
import { evaluateCommand } from './evaluateCommand.ts'
import type { CliIo } from './io.ts'
import { simulateCommand } from './simulateCommand.ts'
import { usage } from './usage.ts'
import { UsageError } from './usageError.ts'

/** Runs the CLI with `args` (without `node` and the script); resolves to the exit code. */
export async function main(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = args
  try {
    if (command === undefined) throw new UsageError('', 'missing command: one of simulate, diagram, evaluate')
    if (command === '--help' || command === '-h' || command === 'help') {
      io.stdout.write(usage())
      return 0
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(usage())
      return 0
    }
    if (command === 'simulate') await simulateCommand(rest, io)
    else if (command === 'diagram') await diagramCommand(rest, io)
    else if (command === 'evaluate') await evaluateCommand(rest, io)
    else throw new UsageError(command, `unknown command ${command}: one of simulate, diagram, evaluate`)
    return 0
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.stderr.write(`loadbatch: ${error.message}\n\n${usage()}`)
      return 2
    }
    io.stderr.write(`loadbatch: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return 1
  }
}

/** The real process's streams and directory. */
function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() }
}
