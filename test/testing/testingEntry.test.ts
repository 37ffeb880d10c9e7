import { describe, expect, it } from 'vitest'
import { createBatcher, PartialBatchError } from '../../src/index.ts'
import { createBatcherTestModel, createSupervisorTestModel, createVirtualTime, manualSink } from '../../src/testing/index.ts'

const states = (paths: { steps: readonly { state: { value: unknown } }[] }[]) =>
  [...new Set(paths.flatMap((path) => path.steps.map((step) => JSON.stringify(step.state.value))))].sort()

describe('loadbatch/testing', () => {
  it('createBatcherTestModel has finite shortest and simple paths reaching every batcher state', () => {
    const model = createBatcherTestModel({ batchSize: 3, concurrency: 3 })
    const shortest = model.getShortestPaths()
    const simple = model.getSimplePaths()
    expect(states(simple)).toEqual(['"collecting"', '"draining"', '"flushing"', '"stopped"'])
    expect(shortest.length).toBeGreaterThan(3)
    // No path starts more batches than the concurrency bound allows.
    for (const path of simple) for (const step of path.steps) expect(step.state.context.inFlight).toBeLessThanOrEqual(3)
  })

  it('createSupervisorTestModel has finite paths reaching every supervisor state', () => {
    const simple = createSupervisorTestModel().getSimplePaths()
    expect(states(simple)).toEqual(['"draining"', '"failed"', '"restarting"', '"running"', '"scaling"', '"stopped"'])
  })

  it('manualSink holds batches until resolved, rejected or partly failed', async () => {
    const time = createVirtualTime()
    const sink = manualSink<string>()
    const deadLetters: string[][] = []
    const batcher = createBatcher<string>({
      flush: sink.flush, size: 2, concurrency: 2, scheduler: time.scheduler,
      retry: { attempts: 2, backoffMs: 10, jitter: false }, onDeadLetter: (items) => void deadLetters.push(items),
    })
    batcher.addMany(['a', 'b', 'c', 'd'])
    await time.settle()
    expect(sink.pending().map((call) => call.batch)).toEqual([['a', 'b'], ['c', 'd']])
    expect(batcher.metrics().itemsInFlight).toBe(4)

    const [first, second] = sink.pending()
    first!.failItems([1], new Error('b is bad'))
    second!.resolve()
    await time.advanceBy(10) // the retry backoff
    expect(sink.pending().map((call) => call.batch)).toEqual([['b']])
    expect(sink.pending()[0]!.info.attempt).toBe(2)
    sink.pending()[0]!.reject(new Error('still bad'))
    await time.settle()
    expect(deadLetters).toEqual([['b']])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 3, itemsFailed: 1, itemsInFlight: 0 })
    // A settled call ignores a second settlement.
    first!.resolve()
    expect(sink.calls.filter((call) => !call.settled)).toHaveLength(0)
    await batcher.stop()
  })

  it('failItems rejects with a PartialBatchError naming the indexes', async () => {
    const sink = manualSink<number>()
    const info = { signal: new AbortController().signal, attempt: 1, batchId: 1, batchSize: 3, trigger: 'size' as const }
    const result = sink.flush([1, 2, 3], info)
    sink.pending()[0]!.failItems([0, 2])
    const error = await result.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PartialBatchError)
    expect((error as PartialBatchError).failures.map((f) => f.index)).toEqual([0, 2])
  })
})
