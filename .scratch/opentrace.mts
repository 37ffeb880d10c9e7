import { runSimulation } from '../src/sim/runSimulation.ts'
import { autoTune } from '../src/controllers/autoTune.ts'
const share = Number(process.argv[2] ?? 0.75)
const base = autoTune()
const ctl = { ...base, decide(input: any, state: any) {
  const d = base.decide(input, state)
  if (d.reason && d.reason.rule !== 'measuring' && d.reason.rule !== 'settled') console.log(`${(input.now/1000).toFixed(2)} ${d.reason.rule} ${input.target.batchSize}x${input.target.concurrency} -> ${d.batchSize}x${d.concurrency} ${JSON.stringify(d.reason.inputs)}`)
  return d
} }
const r = await runSimulation({ size: { initial: 100, min: 10, max: 1000 }, concurrency: { initial: 4, min: 1, max: 8 }, controller: ctl as any, pattern: 'constant', seed: 2, count: Infinity, durationMs: 60_000, workers: 4, ratePerSecond: Math.round(2538 * share), label: 'x' })
console.log(r.summary.itemLatencyP99Ms, r.summary.avgBatchSize, r.summary.latencyP99Ms)
