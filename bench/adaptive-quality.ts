/**
 * Adaptive quality on the simulator (src/sim), in virtual time: for each load pattern
 * (constant, sinewave, spikes, gradual, step, burst), a saturating producer keeps the batcher
 * full while its flushes go to a simulated backend whose best batch size moves with load.
 * Each contender's goodput (items finally flushed per virtual second) is compared with that
 * of every fixed batch size on the same pattern, seed and backend:
 * - per pattern, adaptive ÷ the best fixed size in hindsight (DESIGN.md: "near" it);
 * - over all patterns together, adaptive against every single fixed size (DESIGN.md: beats
 *   each of them).
 * Figures are exact (seeded, virtual time): the same on every run and machine.
 *
 * Run alone: node --import tsx bench/adaptive-quality.ts
 */
import { createBatcher } from '../src/batcher/createBatcher.ts'
import { aimd } from '../src/controllers/aimd.ts'
import type { Controller } from '../src/controllers/controller.ts'
import { loadScore } from '../src/controllers/loadScore.ts'
import { PartialBatchError } from '../src/errors.ts'
import type { LoadFeedback } from '../src/feedback.ts'
import { backendOnScheduler, createSimulatedBackend, createLoadPattern, createRandom, loadPatternNames, type LoadPatternName } from '../src/sim/index.ts'
import { createVirtualTime } from '../src/virtualTime.ts'
import { isMain, publish, type Row, type ScenarioReport, type TargetCheck } from './report.ts'

/** Virtual length of each run, in ms (the patterns' defaults cycle within 60 s). */
const RUN_MS = 120_000
/** The producer tops the batcher up to capacity this often, in virtual ms. */
const STEP_MS = 20
const CAPACITY = 10_000
const CONCURRENCY = 2
const FIXED_SIZES = [10, 50, 100, 200, 500, 1000] as const
const SEED = 7
/** "Near the best fixed size in hindsight": at least this share of its goodput. */
const NEAR = 0.9

/** The adaptive contenders: a controller over sizes 10..1000, starting at 100. */
const adaptive: { name: string; controller: () => Controller<any> }[] = [
  { name: 'loadScore', controller: () => loadScore({ intervalMs: 1000 }) },
  { name: 'aimd', controller: () => aimd({ intervalMs: 1000 }) },
]

/** Runs one batcher (fixed `size`, or adaptive with `controller`) on `pattern`; returns its goodput in items/s and its mean batch. */
async function goodput(pattern: LoadPatternName, size: number | null, controller?: Controller<any>): Promise<{ perSecond: number; avgBatch: number }> {
  const time = createVirtualTime()
  const backend = createSimulatedBackend({ pattern: createLoadPattern(pattern, { seed: SEED }), seed: SEED })
  const jitter = createRandom(SEED)
  const send = backendOnScheduler(backend, time.scheduler, () => time.now())
  const flush = async (batch: number[]): Promise<LoadFeedback> => {
    const result = await send(batch.length)
    if (result.ok) return result.feedback
    if (result.failedIndexes) throw new PartialBatchError(result.failedIndexes.map((index) => ({ index, cause: 'overloaded' })))
    throw new Error('the backend failed the whole batch')
  }
  const batcher = createBatcher<number>({
    flush,
    size: size ?? { initial: 100, min: 10, max: 1000 },
    ...(controller ? { controller } : {}),
    concurrency: CONCURRENCY,
    capacity: CAPACITY,
    maxWaitMs: 100,
    flushTimeoutMs: 10_000,
    scheduler: time.scheduler,
    random: () => jitter.next(),
    onDeadLetter: () => {},
  })
  for (let at = 0; at < RUN_MS; at += STEP_MS) {
    const { itemsBuffered, itemsInFlight } = batcher.metrics()
    for (let room = CAPACITY - itemsBuffered - itemsInFlight; room > 0; room--) batcher.tryAdd(1)
    await time.advanceBy(STEP_MS)
  }
  const { itemsFlushed, avgBatchSize } = batcher.metrics()
  const stopped = batcher.stop({ timeoutMs: 0 })
  await time.advanceBy(1)
  await stopped
  return { perSecond: itemsFlushed / (RUN_MS / 1000), avgBatch: avgBatchSize }
}

/** Measures every contender on every pattern. */
export async function run(): Promise<ScenarioReport> {
  const rows: Row[] = []
  const totals = new Map<string, number>()
  const add = (name: string, value: number) => totals.set(name, (totals.get(name) ?? 0) + value)
  const targets: TargetCheck[] = []
  const nearMisses = new Map<string, string[]>()
  for (const pattern of loadPatternNames) {
    const fixed = new Map<number, number>()
    for (const size of FIXED_SIZES) {
      const value = (await goodput(pattern, size)).perSecond
      fixed.set(size, value)
      add(`fixed ${size}`, value)
    }
    let bestSize = FIXED_SIZES[0] as number
    for (const [size, value] of fixed) if (value > fixed.get(bestSize)!) bestSize = size
    const best = fixed.get(bestSize)!
    const row: Row = { pattern, 'best fixed (hindsight)': `${bestSize}: ${best.toFixed(0)}/s` }
    for (const { name, controller } of adaptive) {
      const { perSecond: value, avgBatch } = await goodput(pattern, null, controller())
      add(name, value)
      row[`${name} items/s`] = Math.round(value)
      row[`${name} ÷ best`] = `${(value / best).toFixed(2)}×`
      row[`${name} mean batch`] = Math.round(avgBatch)
      if (value < NEAR * best) nearMisses.set(name, [...(nearMisses.get(name) ?? []), `${pattern} ${(value / best).toFixed(2)}×`])
    }
    for (const size of FIXED_SIZES) row[`fixed ${size}`] = Math.round(fixed.get(size)!)
    rows.push(row)
  }
  const total: Row = { pattern: 'all patterns (sum)', 'best fixed (hindsight)': '' }
  let bestFixedTotal = 0
  for (const size of FIXED_SIZES) bestFixedTotal = Math.max(bestFixedTotal, totals.get(`fixed ${size}`)!)
  for (const { name } of adaptive) {
    const value = totals.get(name)!
    total[`${name} items/s`] = Math.round(value)
    total[`${name} ÷ best`] = `${(value / bestFixedTotal).toFixed(2)}×`
    total[`${name} mean batch`] = null
    const misses = nearMisses.get(name) ?? []
    targets.push({
      target: `${name}: within ${Math.round((1 - NEAR) * 100)}% of the best fixed size in hindsight on every pattern`,
      met: misses.length === 0,
      detail: misses.length === 0 ? 'on all six' : `short on ${misses.join(', ')}`,
    })
    targets.push({
      target: `${name}: beats every single fixed size over all patterns together`,
      met: value > bestFixedTotal,
      detail: `${Math.round(value)} vs best single size ${Math.round(bestFixedTotal)} items/s (summed over patterns)`,
    })
  }
  for (const size of FIXED_SIZES) total[`fixed ${size}`] = Math.round(totals.get(`fixed ${size}`)!)
  rows.push(total)
  return {
    scenario: 'adaptive-quality',
    title: `Adaptive quality on the simulator: goodput (items flushed per virtual second), ${RUN_MS / 1000} s per run, concurrency ${CONCURRENCY}`,
    method: `Virtual time; a saturating producer; simulated backend with default costs (20 ms per call, 0.5 ms per item, capacity 2000 items); adaptive = sizes 10..1000 from 100, adjusting every second; seed ${SEED}.`,
    rows,
    targets,
    notes: ['The "all patterns" row compares each adaptive controller\'s summed goodput with the best summed goodput of any single fixed size.'],
  }
}

if (isMain(import.meta.url)) publish(await run())
