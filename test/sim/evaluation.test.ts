/**
 * The yardstick's smallest configuration (`loadbatch evaluate --plan smoke`): every cell holds
 * every contender, the figures are sane, the tables name every target, and a run repeats.
 */
import { describe, expect, it } from 'vitest'
import { bestFixed } from '../../src/sim/evaluation/closedLoop.ts'
import { fixedContenders, evaluationRanges } from '../../src/sim/evaluation/contenders.ts'
import { renderEvaluation } from '../../src/sim/evaluation/evaluationTables.ts'
import { evaluationPlans, runEvaluation } from '../../src/sim/evaluation/runEvaluation.ts'

describe('the adaptive yardstick, smoke plan', () => {
  it('measures the default, aimd, natural batching and the fixed grid, and checks every target', async () => {
    const result = await runEvaluation(evaluationPlans.smoke)
    const [cell] = result.closedLoop
    expect(result.closedLoop).toHaveLength(1)
    const labels = cell!.runs.map((run) => run.label)
    expect(labels).toEqual(['default', 'aimd', 'natural', ...fixedContenders(evaluationRanges[0]!).map((c) => c.label)])
    for (const run of cell!.runs) expect(run.itemsPerSecond).toBeGreaterThan(0)
    // The oracle knows the load and the cost model: no fixed pair beats it by more than noise.
    expect(cell!.oracleItemsPerSecond).toBeGreaterThan(0.9 * bestFixed(cell!).itemsPerSecond)
    expect(result.openLoop[0]!.rows[0]!.runs.map((r) => r.label)).toEqual(['natural', 'default', 'aimd'])
    expect(result.requests[0]!.idealPerSecond).toBe(50)

    const report = renderEvaluation(result)
    expect(report.targets.map((t) => t.target)).toEqual([
      'closed loop 5..100: default ≥ 0.95 × best fixed in hindsight in every cell',
      'closed loop 5..100: default ≥ 1.0 × natural batching in every cell',
      'closed loop 5..100: no dead letters where the best fixed has none',
      'closed loop 5..100: p99 flush latency ≤ 2 × the best fixed\'s',
      'open loop 5..100: default p99 item latency ≤ natural batching\'s at every rate up to capacity',
      'request-style: default ≥ 90 % of the ideal rate in every scenario',
      'step change 5..100: within 5 adjustment intervals of the new best',
    ])
    expect(result.stepResponses[0]!.oracle).toEqual({ batchSize: 10, concurrency: 8 })
    // After the load jumps, stalled calls are aborted and retried inside the cut target: the default is near the new best within 5 decisions.
    expect(result.stepResponses[0]!.intervals).toBeLessThanOrEqual(5)
    expect(report.lines.join('\n')).toContain('Closed loop, sizes 5..100')

    const again = await runEvaluation(evaluationPlans.smoke)
    expect(again).toEqual(result)
  }, 120_000)
})
