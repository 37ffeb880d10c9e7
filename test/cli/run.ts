/** Runs `node bin/loadbatch.js …` as a child process and collects its exit code and output. */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The project root. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

/** What one CLI run printed and returned. */
export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the CLI with `args` in `cwd` (default the project root). */
export function runCli(args: readonly string[], cwd = root): CliResult {
  const result = spawnSync(process.execPath, [`${root}/bin/loadbatch.js`, ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, FORCE_COLOR: '0' } })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}
