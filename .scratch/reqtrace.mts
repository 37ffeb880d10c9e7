import { runRequests } from '../src/sim/requestRun.ts'
import { requestScenarios } from '../src/sim/evaluation/requestScenarios.ts'
import { autoTune } from '../src/controllers/autoTune.ts'
const i = Number(process.argv[2] ?? 0)
const base = autoTune()
const ctl = { ...base, decide(input: any, state: any) {
  const d = base.decide(input, state)
  if (d.reason && d.reason.rule !== 'measuring' && d.reason.rule !== 'settled') console.log(`${input.now} ${d.reason.rule} ${input.target.concurrency} -> ${d.concurrency} gp=${d.reason.inputs.goodput} lat=${d.reason.inputs.latencyMs}`)
  return d
} }
const r = await runRequests({ backend: requestScenarios[i]!.backend, concurrency: { initial: 1, min: 1, max: 200 }, durationMs: 30_000, controller: ctl as any })
console.log(r)
