import { runRequests } from '../src/sim/requestRun.ts'
import { requestScenarios } from '../src/sim/evaluation/requestScenarios.ts'
import { autoTune } from '../src/controllers/autoTune.ts'
const i = Number(process.argv[2] ?? 0); const until = Number(process.argv[3] ?? 4000)
const base = autoTune()
let seen = 0
const ctl = { ...base, decide(input: any, state: any) {
  const d = base.decide(input, state)
  const fresh = input.samples.filter((s: any) => s.seq > seen); seen = Math.max(seen, ...input.samples.map((s: any) => s.seq))
  if (input.now < until) console.log(`${input.now.toFixed(0)} ${d.reason?.rule} c=${input.target.concurrency}->${d.concurrency} fresh ok=${fresh.filter((s: any) => !s.failed).length} fail=${fresh.filter((s: any) => s.failed).map((s: any) => `${s.errorKind}/a${s.attempt}/f${s.inFlight}/st${(s.at - s.durationMs).toFixed(0)}`).join(',')} ep=${d.state.epoch.flushes}/${d.state.epoch.overloads} since=${d.state.since.toFixed(0)}`)
  return d
} }
await runRequests({ backend: requestScenarios[i]!.backend, concurrency: { initial: 1, min: 1, max: 200 }, durationMs: 30_000, controller: ctl as any })
