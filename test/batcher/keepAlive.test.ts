import { afterEach, describe, expect, it, vi } from 'vitest'
import { createBatcher, createVirtualTime } from '../../src/index.ts'
import { manualSink } from '../../src/testing/index.ts'
import { processHolds } from '../support/processHolds.ts'

/**
 * keepAlive on a batcher (src/batcher/batcherRuntime.ts): the process is held exactly while
 * accepted items are buffered, in flight or waiting to retry, and let go once every one was
 * flushed or dead-lettered, when stopped, and when a stop timeout gave up on them.
 */
afterEach(() => vi.restoreAllMocks())

function batcher(keepAlive = true) {
  const holds = processHolds()
  const time = createVirtualTime()
  const sink = manualSink<number>()
  const letters: number[] = []
  const created = createBatcher<number>({
    flush: sink.flush, size: 2, maxWaitMs: 1e9, scheduler: time.scheduler, keepAlive, retry: { attempts: 2, backoffMs: 10, jitter: false },
    onDeadLetter: (items) => void letters.push(...items),
  })
  return { holds, time, sink, letters, batcher: created }
}

describe('batcher keepAlive', () => {
  it('holds the process while items are buffered, in flight or waiting to retry', async () => {
    const { holds, time, sink, batcher: b } = batcher()
    expect(holds()).toBe(0)
    b.tryAdd(1)
    expect(holds()).toBe(1)
    b.tryAdd(2)
    expect(b.metrics().itemsInFlight).toBe(2)
    expect(holds()).toBe(1)
    sink.pending()[0]!.reject(new Error('busy'))
    await time.settle()
    expect(holds()).toBe(1) // waiting out the retry backoff
    await time.advanceBy(10)
    sink.pending()[0]!.resolve()
    await time.settle()
    expect(b.metrics().itemsFlushed).toBe(2)
    expect(holds()).toBe(0)
    await b.stop()
    expect(holds()).toBe(0)
  })

  it('lets go once a stop timeout dead-lettered what hung', async () => {
    const { holds, time, letters, batcher: b } = batcher()
    b.addMany([1, 2, 3])
    const stopped = b.stop({ timeoutMs: 50 })
    await time.advanceBy(50)
    await stopped
    expect(letters.sort()).toEqual([1, 2, 3])
    expect(holds()).toBe(0)
  })

  it('lets go when its actor is stopped from outside', async () => {
    const { holds, batcher: b } = batcher()
    b.addMany([1, 2, 3])
    b.actor.stop()
    expect(holds()).toBe(0)
  })

  it('never holds the process with keepAlive false', () => {
    const { holds, batcher: b } = batcher(false)
    b.addMany([1, 2, 3])
    expect(holds()).toBe(0)
  })
})
