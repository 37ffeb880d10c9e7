import { runRequests } from '../src/sim/requestRun.ts'
import { idealRate, requestScenarios } from '../src/sim/evaluation/requestScenarios.ts'
const only = process.argv[2] !== undefined ? [Number(process.argv[2])] : requestScenarios.map((_, i) => i)
for (const i of only) {
  const s = requestScenarios[i]!
  const r = await runRequests({ backend: s.backend, concurrency: { initial: 1, min: 1, max: 200 }, durationMs: 30_000 })
  const ideal = idealRate(s, 200)
  console.log(`${s.name.padEnd(28)} ${(100 * r.ratePerSecond / ideal).toFixed(1)}%  rate ${r.ratePerSecond.toFixed(0)} ideal ${ideal.toFixed(0)} meanC ${r.meanConcurrency.toFixed(1)} dl ${r.deadLettered}`)
}
