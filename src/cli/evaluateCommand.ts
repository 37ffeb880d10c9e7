/**
 * `loadbatch evaluate`: the adaptive yardstick (issue 12). Runs every controller, natural
 * batching and a grid of fixed (size, concurrency) pairs against the simulator in virtual
 * time, closed and open loop, plus the request-style scenarios, and prints the ratio tables
 * and which targets the default controller meets. `--plan quick` (default) takes a few
 * minutes; `--plan full` (two seeds, 60 s and 300 s runs) is the one the README quotes.
 */

import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { renderEvaluation } from '../sim/evaluation/evaluationTables.ts'
import { evaluationPlans, runEvaluation } from '../sim/evaluation/runEvaluation.ts'
import { parseFlags, type FlagSpec } from './flags.ts'
import type { CliIo } from './io.ts'

/** The flags of `loadbatch evaluate`. */
export const evaluateFlags: readonly FlagSpec[] = [
  { name: 'plan', kind: { type: 'choice', choices: Object.keys(evaluationPlans) }, defaultText: 'quick', help: 'smoke (seconds), quick (one seed, 60 s runs), full (two seeds, 60 s and 300 s)' },
  { name: 'json', kind: { type: 'string' }, help: 'also write the raw figures to this file' },
]

/** Runs `loadbatch evaluate` with `args`; resolves to true when the default met every target. */
export async function evaluateCommand(args: readonly string[], io: CliIo): Promise<boolean> {
  const flags = parseFlags(args, evaluateFlags)
  const plan = evaluationPlans[flags['plan'] as keyof typeof evaluationPlans]
  const started = performance.now()
  const result = await runEvaluation(plan, (line) => io.stderr.write(`  ${line} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`))
  const report = renderEvaluation(result)
  io.stdout.write(`${report.lines.join('\n')}\n`)
  if (flags['json'] !== undefined) await writeFile(resolve(io.cwd, flags['json'] as string), JSON.stringify(result, null, 1))
  return report.targets.every((t) => t.met)
}
