import { runRequests } from './reqrun2.mts'
import { requestScenarios } from '../src/sim/evaluation/requestScenarios.ts'
;(globalThis as any).bins = []
const i = Number(process.argv[2] ?? 0)
const r = await runRequests({ backend: requestScenarios[i]!.backend, concurrency: { initial: 1, min: 1, max: 200 }, durationMs: 30_000 })
console.log(r.ratePerSecond, (globalThis as any).bins.join(' '))
