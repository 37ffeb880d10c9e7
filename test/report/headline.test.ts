import { describe, expect, it } from 'vitest'
import { decisionsOf, describeDecision, reasonOf } from '../../src/report/decisions.ts'
import { drainNote, headlineOf } from '../../src/report/headline.ts'
import type { SimulationRun, SimulationSample } from '../../src/sim/runResult.ts'

function sample(atMs: number, batchSize: number, bestBatchSize: number, extra: object = {}): SimulationSample {
  return { atMs, batchSize, bestBatchSize, loadScore: 0.2, itemsPerSecond: 0, latencyP50Ms: 10, latencyP99Ms: 20, errors: 0, backgroundLoad: 0.3, ...extra }
}

function run(label: string, itemsPerSecond: number, latencyP99Ms: number, options: { durationMs?: number; itemsFailed?: number; samples?: SimulationSample[] } = {}): SimulationRun {
  return {
    label, controller: label, pattern: 'spikes', seed: 1, clock: 'virtual',
    samples: options.samples ?? [sample(1000, 20, 60), sample(2000, 30, 80)],
    summary: {
      durationMs: options.durationMs ?? 30_000, itemsOffered: 1000, itemsFlushed: 1000, itemsFailed: options.itemsFailed ?? 0, itemsPerSecond, windowItemsPerSecond: itemsPerSecond,
      latencyP50Ms: 10, latencyP99Ms, errors: 0, flushes: 10, failedFlushes: 0, finalBatchSize: 30, avgBatchSize: 25.4,
      itemLatencyP50Ms: 20, itemLatencyP99Ms: 40, finalConcurrency: 1,
    },
  }
}

describe('the headline of a report', () => {
  it('compares the first run with the best of the others by items/s', () => {
    const headline = headlineOf([run('aimd', 1407, 468), run('fixed 5', 481, 319), run('fixed 20', 1291, 354), run('fixed 100', 198, 249)])
    expect(headline.verdict).toBe('aimd: +9% items/s vs the best fixed size (fixed 20, 1291/s), p99 468 ms vs 354 ms')
    expect(headline.detail).toBe("aimd's batch 25 on average, the oracle's best size 70 on average")
  })

  it('says so when adaptive loses, and counts its dead letters', () => {
    const headline = headlineOf([run('loadScore', 900, 500, { itemsFailed: 12 }), run('fixed 100', 1000, 300)])
    expect(headline.verdict).toBe('loadScore: −10% items/s vs the best fixed size (fixed 100, 1000/s), p99 500 ms vs 300 ms, 12 dead-lettered')
  })

  it('gives a lone run its own figures, and takes the oracle only over the offered period', () => {
    const samples = [sample(1000, 20, 60), sample(2000, 20, 80), sample(3000, 20, 1000)]
    expect(headlineOf([run('aimd', 1407.4, 468, { samples })], 2000)).toEqual({ verdict: 'aimd: 1407 items/s, p99 468 ms', detail: "aimd's batch 25 on average, the oracle's best size 70 on average" })
  })

  it('notes the drain of runs that outlasted the offered period', () => {
    const runs = [run('aimd', 1, 1, { durationMs: 32_900 }), run('fixed 5', 1, 1, { durationMs: 30_010 })]
    expect(drainNote(runs, 30_000)).toBe('Offering stopped at 30 s; drained after it (not drawn): aimd 2.9 s')
    expect(drainNote(runs, Infinity)).toBe('')
  })
})

describe('the decisions a report shows', () => {
  it('lists each size change up to the offered period, with the controller’s reason when given', () => {
    const samples = [sample(1000, 20, 60), sample(2000, 30, 60, { reason: 'latency 40 ms under target: grow' }), sample(3000, 30, 60), sample(4000, 15, 60, { reason: { rule: 'halve on errors', inputs: { errorRate: 0.1234 } } }), sample(5000, 40, 60)]
    const decisions = decisionsOf(run('aimd', 1, 1, { samples }), 4000)
    expect(decisions.map(describeDecision)).toEqual([
      '2.0 s: batch 20 → 30 (latency 40 ms under target: grow)',
      '4.0 s: batch 30 → 15 (halve on errors: errorRate 0.123)',
    ])
    const described = { rule: 'grow', inputs: { latencyMs: 42 }, text: 'latency 42 ms is under the 250 ms target: grow by 10', from: { batchSize: 20, concurrency: 1 }, to: { batchSize: 30, concurrency: 1 } }
    expect(reasonOf(sample(0, 30, 60, { reason: described }))).toBe('latency 42 ms is under the 250 ms target: grow by 10')
    expect(reasonOf(sample(0, 1, 1))).toBeUndefined()
    expect(reasonOf(sample(0, 1, 1, { reason: 42 }))).toBeUndefined()
  })
})
