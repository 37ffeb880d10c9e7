/**
 * The adaptive yardstick (issue 12): every controller against the best fixed (size,
 * concurrency) in hindsight, the cost model's oracle and natural batching, closed and open
 * loop, plus Vector-style request scenarios; prints the ratio tables and the targets.
 * Virtual time and seeds: the figures are exact and the same on every machine.
 *
 * Run: node --import tsx bench/adaptive/index.ts [smoke|quick|full]   (default full)
 * Same as: npx loadbatch evaluate --plan full
 */
import { writeFile } from 'node:fs/promises'
import { renderEvaluation } from '../../src/sim/evaluation/evaluationTables.ts'
import { evaluationPlans, runEvaluation } from '../../src/sim/evaluation/runEvaluation.ts'

const name = (process.argv[2] ?? 'full') as keyof typeof evaluationPlans
const plan = evaluationPlans[name]
if (!plan) throw new Error(`unknown plan ${name}: one of ${Object.keys(evaluationPlans).join(', ')}`)
const started = performance.now()
const result = await runEvaluation(plan, (line) => process.stderr.write(`  ${line} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`))
const report = renderEvaluation(result)
process.stdout.write(`${report.lines.join('\n')}\n`)
await writeFile(new URL(`../results/adaptive-${name}.json`, import.meta.url), JSON.stringify(result, null, 1))
