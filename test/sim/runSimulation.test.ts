import { describe, expect, it } from 'vitest'
import { aimd } from '../../src/controllers/index.ts'
import { ConfigError } from '../../src/errors.ts'
import { runComparison } from '../../src/sim/runComparison.ts'
import { runSimulation } from '../../src/sim/runSimulation.ts'

describe('runSimulation', () => {
  it('repeats a virtual-time run exactly for a seed', async () => {
    const options = { pattern: 'spikes', count: 5000, seed: 7, controller: aimd({ intervalMs: 1000 }) }
    const first = await runSimulation({ ...options, controller: aimd({ intervalMs: 1000 }) })
    const second = await runSimulation({ ...options, controller: aimd({ intervalMs: 1000 }) })
    expect(second).toEqual(first)
    expect(first.summary.itemsFlushed + first.summary.itemsFailed).toBe(5000)
  })

  it('gives a different run for a different seed', async () => {
    const a = await runSimulation({ pattern: 'spikes', count: 5000, seed: 1, size: 20 })
    const b = await runSimulation({ pattern: 'spikes', count: 5000, seed: 2, size: 20 })
    expect(b.samples).not.toEqual(a.samples)
  })

  it("carries the controller's reason on the samples whose target changed, and none on a fixed size", async () => {
    const adaptive = await runSimulation({ pattern: 'spikes', count: 20_000, seed: 3, controller: aimd({ intervalMs: 1000 }) })
    const explained = adaptive.samples.filter((sample) => sample.reason !== undefined)
    expect(explained.length).toBeGreaterThan(0)
    for (const sample of explained) {
      expect(sample.reason!.to.batchSize).toBe(sample.batchSize)
      expect(sample.reason!.text).not.toBe('')
    }
    const fixed = await runSimulation({ pattern: 'spikes', count: 5000, seed: 3, size: 20 })
    expect(fixed.samples.every((sample) => sample.reason === undefined)).toBe(true)
  })

  it('settles every offered item: flushed or dead-lettered', async () => {
    const run = await runSimulation({ pattern: 'step', count: 20_000, size: 100 })
    expect(run.summary.itemsOffered).toBe(20_000)
    expect(run.summary.itemsFlushed + run.summary.itemsFailed).toBe(20_000)
  })

  it('samples the time series at the sample interval, with one last sample at the end', async () => {
    const run = await runSimulation({ pattern: 'constant', count: 3000, size: 20, sampleIntervalMs: 500 })
    const times = run.samples.map((s) => s.atMs)
    for (let i = 1; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBe(500)
    expect(times.at(-1)).toBe(run.summary.durationMs)
    for (const sample of run.samples) {
      expect(sample.batchSize).toBe(20)
      expect(sample.loadScore).toBeGreaterThanOrEqual(0)
      expect(sample.loadScore).toBeLessThanOrEqual(1)
      expect(sample.latencyP99Ms).toBeGreaterThanOrEqual(sample.latencyP50Ms)
    }
  })

  it('keeps an adaptive batch size within its bounds', async () => {
    const run = await runSimulation({ pattern: 'sinewave', count: 20_000, size: { initial: 20, min: 5, max: 100 }, controller: aimd({ intervalMs: 1000 }) })
    for (const sample of run.samples) {
      expect(sample.batchSize).toBeGreaterThanOrEqual(5)
      expect(sample.batchSize).toBeLessThanOrEqual(100)
    }
    expect(new Set(run.samples.map((s) => s.batchSize)).size).toBeGreaterThan(1)
  })

  it('stops offering at durationMs when count is unlimited', async () => {
    const run = await runSimulation({ pattern: 'constant', count: Infinity, durationMs: 5000, size: 20 })
    expect(run.summary.itemsOffered).toBeGreaterThan(0)
    expect(run.summary.durationMs).toBeGreaterThanOrEqual(5000)
    expect(run.summary.itemsFlushed + run.summary.itemsFailed).toBe(run.summary.itemsOffered)
  })

  it('counts the goodput of the window apart from the drain after it', async () => {
    // Fixed 20 × 1 with four producers: the buffer (200 items) is full when the window ends, and drains after it.
    const run = await runSimulation({ pattern: 'constant', count: Infinity, durationMs: 2000, size: 20, concurrency: 1, workers: 4 })
    const { windowItemsPerSecond, itemsPerSecond, durationMs, itemsFlushed } = run.summary
    expect(durationMs).toBeGreaterThan(2000)
    expect(windowItemsPerSecond).toBeGreaterThan(0)
    expect(windowItemsPerSecond * 2).toBeLessThan(itemsFlushed) // not every item flushed went in the window
    expect(windowItemsPerSecond).toBeGreaterThan(itemsPerSecond * 0.9) // the drain does not dilute it
    const counted = await runSimulation({ pattern: 'constant', count: 500, size: 20 })
    expect(counted.summary.windowItemsPerSecond).toBe(counted.summary.itemsPerSecond)
  })

  it('offers items at the given rate', async () => {
    const run = await runSimulation({ pattern: 'constant', count: Infinity, durationMs: 10_000, ratePerSecond: 200, size: 20 })
    expect(run.summary.itemsOffered).toBeGreaterThanOrEqual(1950)
    expect(run.summary.itemsOffered).toBeLessThanOrEqual(2050)
  })

  it('rejects bad options with a ConfigError naming the option', async () => {
    await expect(runSimulation({ pattern: 'wobbly' })).rejects.toThrow(ConfigError)
    await expect(runSimulation({ pattern: 'wobbly' })).rejects.toThrow(/`pattern`/)
    await expect(runSimulation({ count: 0 })).rejects.toThrow(/`count`/)
    await expect(runSimulation({ workers: 0 })).rejects.toThrow(/`workers`/)
    await expect(runSimulation({ count: Infinity })).rejects.toThrow(/`durationMs`/)
    await expect(runSimulation({ patern: 'spikes' } as never)).rejects.toThrow(/`patern`.*did you mean `pattern`\?/)
  })
})

describe('runComparison', () => {
  it('runs the adaptive controller first, then fixed 5, 20 and 100 on the same load', async () => {
    const runs = await runComparison({ adaptive: { pattern: 'burst', count: 3000, controller: aimd() } })
    expect(runs.map((r) => r.label)).toEqual(['aimd', 'fixed 5', 'fixed 20', 'fixed 100'])
    expect(runs.map((r) => r.summary.avgBatchSize > 0)).toEqual([true, true, true, true])
    expect(runs[1]!.summary.finalBatchSize).toBe(5)
  })
})
