/**
 * The story of a set of runs in one line each: how the first (adaptive) run did against the
 * best of the others, and how its batch size compared with the oracle's best size. Also the
 * note that says how long each run drained after the offered period (which the charts leave out).
 */

import type { SimulationRun } from '../sim/runResult.ts'

/** A run's headline: the verdict, and a line of detail under it. */
export interface Headline {
  /** "aimd: +9% items/s vs the best fixed size (fixed 20, 1291/s), p99 468 ms vs 354 ms". */
  readonly verdict: string
  /** "batch 26 on average, the oracle's best 71". */
  readonly detail: string
}

/**
 * The headline of the first run against the best of the others (by items/s); with one run,
 * its own figures. `offeredMs` bounds the samples the oracle's mean is taken over. Needs at
 * least one run.
 */
export function headlineOf(runs: readonly SimulationRun[], offeredMs = Infinity): Headline {
  const [first, ...others] = runs
  if (!first) throw new RangeError('Expected at least one simulation run')
  const s = first.summary
  const oracle = meanBestSize(first, offeredMs)
  const detail = `${first.label}'s batch ${s.avgBatchSize.toFixed(0)} on average${oracle === undefined ? '' : `, the oracle's best size ${oracle.toFixed(0)} on average`}`
  const lost = s.itemsFailed > 0 ? `, ${s.itemsFailed} dead-lettered` : ''
  const best = others.reduce<SimulationRun | undefined>((top, run) => (!top || run.summary.itemsPerSecond > top.summary.itemsPerSecond ? run : top), undefined)
  if (!best) return { verdict: `${first.label}: ${s.itemsPerSecond.toFixed(0)} items/s, p99 ${s.latencyP99Ms.toFixed(0)} ms${lost}`, detail }
  const b = best.summary
  const gain = b.itemsPerSecond > 0 ? (s.itemsPerSecond / b.itemsPerSecond - 1) * 100 : Infinity
  const signed = `${gain >= 0 ? '+' : '−'}${Math.abs(gain).toFixed(0)}%`
  return {
    verdict: `${first.label}: ${signed} items/s vs the best fixed size (${best.label}, ${b.itemsPerSecond.toFixed(0)}/s), p99 ${s.latencyP99Ms.toFixed(0)} ms vs ${b.latencyP99Ms.toFixed(0)} ms${lost}`,
    detail,
  }
}

/** "Offering stopped at 30 s; drained after it (not drawn): aimd 2.9 s, fixed 100 2.8 s", or '' when no run outlasted it. */
export function drainNote(runs: readonly SimulationRun[], offeredMs: number): string {
  if (!Number.isFinite(offeredMs)) return ''
  const drains = runs
    .map((run) => ({ label: run.label, ms: run.summary.durationMs - offeredMs }))
    .filter(({ ms }) => ms >= 50)
    .map(({ label, ms }) => `${label} ${(ms / 1000).toFixed(1)} s`)
  return drains.length === 0 ? '' : `Offering stopped at ${(offeredMs / 1000).toFixed(0)} s; drained after it (not drawn): ${drains.join(', ')}`
}

/** The oracle's best batch size, averaged over the run's samples within the offered period. */
function meanBestSize(run: SimulationRun, offeredMs: number): number | undefined {
  const samples = run.samples.filter((sample) => sample.atMs <= offeredMs && Number.isFinite(sample.bestBatchSize))
  if (samples.length === 0) return undefined
  return samples.reduce((sum, sample) => sum + sample.bestBatchSize, 0) / samples.length
}
