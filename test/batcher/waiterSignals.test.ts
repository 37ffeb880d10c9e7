import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { AbortError, BatcherStoppedError, createBatcher, createVirtualTime } from '../../src/index.ts'
import { manualSink } from '../support/sink.ts'

/**
 * The AbortSignal of a waiting `add`/`submit` (src/batcher/admission.ts): an aborted one is
 * refused at once; a waiter that was let in or refused on stop leaves no listener behind on
 * a signal the producer may keep for long; an abort after admission changes nothing.
 */
function full() {
  const time = createVirtualTime()
  const sink = manualSink<number>()
  const batcher = createBatcher<number>({ flush: sink.flush, size: 1, capacity: 1, scheduler: time.scheduler })
  batcher.tryAdd(0) // in flight: full
  return { time, sink, batcher }
}

describe('the signal of a waiting producer', () => {
  it('refuses at once when it is already aborted, and nothing is added', async () => {
    const { batcher } = full()
    await expect(batcher.add(1, { signal: AbortSignal.abort('late') })).rejects.toBeInstanceOf(AbortError)
    await expect(batcher.submit(2, { signal: AbortSignal.abort('late') })).rejects.toBeInstanceOf(AbortError)
    expect(batcher.metrics().itemsAdded).toBe(1)
  })

  it('loses its listener once the producer was let in, and a later abort changes nothing', async () => {
    const { time, sink, batcher } = full()
    const controller = new AbortController()
    const adding = batcher.add(1, { signal: controller.signal })
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1)
    await time.settle()
    sink.pending()[0]!.resolve()
    await adding
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    controller.abort('too late')
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 2, itemsDropped: 0 })
  })

  it('loses its listener when it aborts while waiting', async () => {
    const { batcher } = full()
    const controller = new AbortController()
    const adding = batcher.add(1, { signal: controller.signal })
    controller.abort('gave up')
    await expect(adding).rejects.toBeInstanceOf(AbortError)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('loses its listener when stop refuses the producer', async () => {
    const { time, sink, batcher } = full()
    const controller = new AbortController()
    const adding = batcher.add(1, { signal: controller.signal }).then(() => 'accepted', (error: unknown) => error)
    const stopped = batcher.stop()
    expect(await adding).toEqual(expect.objectContaining({ name: 'BatcherStoppedError', message: expect.stringContaining('it was not accepted') }))
    expect(await adding).toBeInstanceOf(BatcherStoppedError)
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
    await time.settle()
    sink.pending()[0]!.resolve()
    await stopped
  })
})
