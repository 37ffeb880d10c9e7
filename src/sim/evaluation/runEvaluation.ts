/**
 * The adaptive yardstick (issue 12) in one call: closed loop over ranges × patterns × seeds ×
 * run lengths, open loop at offered rates from 10 % to 120 % of capacity, and the
 * request-style scenarios. `loadbatch evaluate` and `bench/adaptive` print what it returns.
 */

import { loadPatternNames, type LoadPatternName } from '../loadPatterns.ts'
import { runRequests } from '../requestRun.ts'
import { bestFixed, runClosedLoopCell, type ClosedLoopCell } from './closedLoop.ts'
import { adaptiveContenders, evaluationRanges, fixedContenders, namedControllers, naturalContender, type EvaluationRange } from './contenders.ts'
import { offeredShares, runOpenLoop, type OpenLoopRow } from './openLoop.ts'
import { idealRate, requestScenarios } from './requestScenarios.ts'
import { measureStepResponse, type StepResponse } from './stepResponse.ts'

/** How much of the yardstick to run. */
export interface EvaluationPlan {
  readonly ranges: readonly EvaluationRange[]
  readonly patterns: readonly LoadPatternName[]
  readonly seeds: readonly number[]
  readonly durationsMs: readonly number[]
  /** Open loop: pattern, seed and length (one cell per range). */
  readonly openLoop: { readonly pattern: LoadPatternName; readonly seed: number; readonly durationMs: number; readonly shares: readonly number[] }
  /** Request-style: scenarios (by index into `requestScenarios`), length, concurrency bounds. */
  readonly requests: { readonly scenarios: readonly number[]; readonly durationMs: number; readonly maxConcurrency: number }
  /** Which adaptive contenders run (default: all). */
  readonly controllers: readonly string[]
}

const allControllers = ['default', ...namedControllers.map((c) => c.label)]

/** The named plans: `smoke` (the test's, seconds), `quick` (one seed, 60 s), `full` (two seeds, 60 s and 300 s). */
export const evaluationPlans: Readonly<Record<'smoke' | 'quick' | 'full', EvaluationPlan>> = {
  smoke: {
    ranges: [evaluationRanges[0]!],
    patterns: ['step'],
    seeds: [2],
    durationsMs: [10_000],
    openLoop: { pattern: 'constant', seed: 2, durationMs: 10_000, shares: [0.5] },
    requests: { scenarios: [3], durationMs: 5_000, maxConcurrency: 50 },
    controllers: ['default', 'aimd'],
  },
  quick: {
    ranges: evaluationRanges,
    patterns: loadPatternNames,
    seeds: [2],
    durationsMs: [60_000],
    openLoop: { pattern: 'constant', seed: 2, durationMs: 60_000, shares: offeredShares },
    requests: { scenarios: requestScenarios.map((_, i) => i), durationMs: 30_000, maxConcurrency: 200 },
    controllers: allControllers,
  },
  full: {
    ranges: evaluationRanges,
    patterns: loadPatternNames,
    seeds: [2, 3],
    durationsMs: [60_000, 300_000],
    openLoop: { pattern: 'constant', seed: 2, durationMs: 60_000, shares: offeredShares },
    requests: { scenarios: requestScenarios.map((_, i) => i), durationMs: 30_000, maxConcurrency: 200 },
    controllers: allControllers,
  },
}

/** One request-style scenario's figures. */
export interface RequestRow {
  readonly scenario: string
  readonly idealPerSecond: number
  readonly runs: readonly { readonly label: string; readonly ratePerSecond: number; readonly deadLettered: number; readonly meanConcurrency: number }[]
}

/** Everything the yardstick measured. */
export interface EvaluationResult {
  readonly closedLoop: readonly ClosedLoopCell[]
  readonly openLoop: readonly { readonly range: string; readonly capacityPerSecond: number; readonly rows: readonly OpenLoopRow[] }[]
  readonly requests: readonly RequestRow[]
  /** The default's step response in each range (seed: the plan's first). */
  readonly stepResponses: readonly StepResponse[]
}

/** Runs `plan`; `onProgress` hears one line per finished cell. */
export async function runEvaluation(plan: EvaluationPlan, onProgress: (line: string) => void = () => {}): Promise<EvaluationResult> {
  const closedLoop: ClosedLoopCell[] = []
  for (const range of plan.ranges) {
    const contenders = [...adaptiveContenders(range, plan.controllers), naturalContender(range), ...fixedContenders(range)]
    for (const pattern of plan.patterns) {
      for (const seed of plan.seeds) {
        for (const durationMs of plan.durationsMs) {
          closedLoop.push(await runClosedLoopCell(range, pattern, seed, durationMs, contenders))
          onProgress(`closed loop ${range.name} ${pattern} seed ${seed} ${durationMs / 1000} s`)
        }
      }
    }
  }

  const openLoop: EvaluationResult['openLoop'][number][] = []
  for (const range of plan.ranges) {
    const { pattern, seed, durationMs, shares } = plan.openLoop
    const capacityCell = closedLoop.find((c) => c.range === range.name && c.pattern === pattern && c.seed === seed && c.durationMs === durationMs)
      ?? (await runClosedLoopCell(range, pattern, seed, durationMs, fixedContenders(range)))
    const capacityPerSecond = bestFixed(capacityCell).itemsPerSecond
    const rows = await runOpenLoop(pattern, seed, durationMs, capacityPerSecond, [naturalContender(range), ...adaptiveContenders(range, plan.controllers)], shares)
    openLoop.push({ range: range.name, capacityPerSecond, rows })
    onProgress(`open loop ${range.name}`)
  }

  const requests: RequestRow[] = []
  const concurrency = { initial: 1, min: 1, max: plan.requests.maxConcurrency }
  for (const index of plan.requests.scenarios) {
    const scenario = requestScenarios[index]!
    const runs: RequestRow['runs'][number][] = []
    for (const label of plan.controllers) {
      const controller = namedControllers.find((c) => c.label === label)?.make()
      const result = await runRequests({ backend: scenario.backend, concurrency, durationMs: plan.requests.durationMs, ...(controller ? { controller } : {}) })
      runs.push({ label, ...result })
    }
    requests.push({ scenario: scenario.name, idealPerSecond: idealRate(scenario, plan.requests.maxConcurrency), runs })
    onProgress(`requests ${scenario.name}`)
  }
  const stepResponses: StepResponse[] = []
  if (plan.controllers.includes('default')) {
    for (const range of plan.ranges) stepResponses.push(await measureStepResponse(range, plan.seeds[0]!))
    onProgress('step response')
  }
  return { closedLoop, openLoop, requests, stepResponses }
}
