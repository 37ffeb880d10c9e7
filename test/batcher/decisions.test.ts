import { describe, expect, it } from 'vitest'
import { aimd, createBatcher, createVirtualTime } from '../../src/index.ts'
import type { BatcherEmitted } from '../../machines/batcher.types.ts'

type TargetChanged = Extract<BatcherEmitted, { type: 'target.changed' }>

describe("the controller's decisions, told", () => {
  it('each new target is emitted as target.changed with the reason, and logged at debug level with it', async () => {
    const time = createVirtualTime()
    const debug: unknown[][] = []
    const logger = { debug: (...args: unknown[]) => debug.push(args), info: () => {}, warn: () => {}, error: () => {} }
    const batcher = createBatcher<number>({
      flush: () => ({ latencyMs: 5 }), size: { initial: 20, min: 10, max: 100 }, controller: aimd({ intervalMs: 100, increase: 10 }),
      maxWaitMs: 10, scheduler: time.scheduler, logger,
    })
    const changes: TargetChanged[] = []
    batcher.actor.on('target.changed', (event) => changes.push(event as TargetChanged))
    for (let round = 0; round < 3; round++) {
      batcher.tryAdd(round)
      await time.advanceBy(110)
    }
    expect(changes.map((change) => change.batchSize)).toEqual([30, 40, 50])
    for (const change of changes) {
      expect(change.reason?.rule).toBe('additive increase')
      expect(change.reason?.to.batchSize).toBe(change.batchSize)
      expect(change.reason?.from.batchSize).toBe(change.batchSize - 10)
    }
    const logged = debug.filter(([message]) => String(message).includes('aimd: batch'))
    expect(logged.map(([message]) => message)).toEqual([
      'loadbatch: aimd: batch 20 → 30, concurrency 1 → 1: no congestion: + 10',
      'loadbatch: aimd: batch 30 → 40, concurrency 1 → 1: no congestion: + 10',
      'loadbatch: aimd: batch 40 → 50, concurrency 1 → 1: no congestion: + 10',
    ])
    expect(logged[0]![1]).toEqual(changes[0]!.reason)
    const stopped = batcher.stop()
    await time.advanceBy(100)
    await stopped
  })
})
