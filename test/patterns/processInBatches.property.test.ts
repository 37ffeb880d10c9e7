import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createVirtualTime } from '../../src/index.ts'
import { PartialResultsError } from '../../src/patterns/partialResults.ts'
import { processInBatches } from '../../src/patterns/processInBatches.ts'
import { settleWithin, sleep } from './timing.ts'

/**
 * Random datasets, batch sizes, concurrency, sources (array / sync / async generator), per-item
 * failures (whole batch or partial) and per-batch delays, checked against what a user relies
 * on: results in input order, every item exactly once either as a result or as a failure,
 * never more than `concurrency` batches running.
 */
describe('processInBatches properties', () => {
  it('keeps order, reports every item exactly once (result or failure) and bounds concurrency', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 999 }), { maxLength: 80 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('array', 'iterable', 'async'),
        fc.constantFrom('none', 'batch', 'partial'),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 16 }),
        async (items, batchSize, concurrency, kind, failureMode, delays) => {
          const time = createVirtualTime()
          const fails = (n: number) => failureMode !== 'none' && n % 7 === 3
          let running = 0
          let peak = 0
          let call = 0
          const processedAt = new Map<number, number>()
          const values = items.map((value, position) => ({ value, position }))
          const source =
            kind === 'array' ? values
            : kind === 'iterable' ? (function* () { yield* values })()
            : (async function* () { for (const v of values) yield v })()
          const outcome = await settleWithin(
            time,
            processInBatches(source, async (batch) => {
              running++
              peak = Math.max(peak, running)
              try {
                await sleep(time, delays[call++ % delays.length]!)
                for (const entry of batch) processedAt.set(entry.position, (processedAt.get(entry.position) ?? 0) + 1)
                const failures = batch.flatMap((entry, index) => (fails(entry.value) ? [{ index, cause: entry.value }] : []))
                if (failures.length > 0 && failureMode === 'batch') throw new Error('batch failed')
                const results = batch.map((entry) => entry.value * 2)
                if (failures.length > 0) throw new PartialResultsError(results, failures)
                return results
              } finally {
                running--
              }
            }, { batchSize, concurrency, scheduler: time.scheduler }),
            1_000_000,
          )
          expect(peak).toBeLessThanOrEqual(concurrency)
          expect(outcome.count).toBe(items.length)
          expect(outcome.results).toHaveLength(items.length)
          const failedIndexes = outcome.failures.map((f) => f.index)
          expect(failedIndexes).toEqual([...failedIndexes].sort((a, b) => a - b))
          expect(new Set(failedIndexes).size).toBe(failedIndexes.length)
          items.forEach((value, i) => {
            expect(processedAt.get(i)).toBe(1) // no retry configured: each item handed to fn exactly once
            if (failedIndexes.includes(i)) expect(outcome.results[i]).toBeUndefined()
            else expect(outcome.results[i]).toBe(value * 2)
            if (failureMode === 'partial') expect(failedIndexes.includes(i)).toBe(fails(value))
          })
          for (const failure of outcome.failures) expect(failure.item).toBe(values[failure.index])
        },
      ),
      { numRuns: 150 },
    )
  })

  it('settles after an abort at any moment: every item read is a result or a failure, never both, and no batch starts after the abort', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 8 }),
        async (n, batchSize, concurrency, abortAt, delays) => {
          const time = createVirtualTime()
          const controller = new AbortController()
          let call = 0
          let startedAfterAbort = 0
          const run = processInBatches(
            (async function* () { for (let i = 0; i < n; i++) yield i })(),
            async (batch, info) => {
              if (controller.signal.aborted) startedAfterAbort++
              const delay = delays[call++ % delays.length]!
              await new Promise<void>((resolve, reject) => {
                const timer = time.scheduler.schedule(() => resolve(), delay)
                info.signal.addEventListener('abort', () => { timer.unsubscribe(); reject(info.signal.reason) })
              })
              return batch.map((i) => i + 1)
            },
            { batchSize, concurrency, signal: controller.signal, scheduler: time.scheduler },
          )
          time.scheduler.schedule(() => controller.abort('stop'), abortAt)
          const outcome = await settleWithin(time, run, 100_000)
          expect(startedAfterAbort).toBe(0)
          const failed = new Set(outcome.failures.map((f) => f.index))
          expect(failed.size).toBe(outcome.failures.length)
          for (let i = 0; i < outcome.count; i++) {
            if (failed.has(i)) expect(outcome.results[i]).toBeUndefined()
            else expect(outcome.results[i]).toBe(i + 1)
          }
          if (outcome.aborted) expect(outcome.ok).toBe(false)
          else expect(outcome.count).toBe(n)
        },
      ),
      { numRuns: 150 },
    )
  })
})
