import { describe, expect, it, vi } from 'vitest'
import { createActor } from 'xstate'
import type { BatcherEmitted } from '../../machines/batcher.types.ts'
import { createBatcher, createBatcherLogic } from '../../src/batcher/createBatcher.ts'
import type { Controller } from '../../src/controllers/controller.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { manualSink } from '../support/sink.ts'

/**
 * The data plane as its actor shows it (src/batcher/batcherRuntime.ts): why items are refused
 * while draining, when the chart hears of a new target, what `flush()` waits for, and what an
 * actor stopped before it drained gives up.
 */
const kindError = (kind: string) => Object.assign(new Error(kind), { kind })

describe('the batcher runtime', () => {
  it('refuses every item offered while draining as stopped, whichever way it came', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const dropped: BatcherEmitted[] = []
    const batcher = createBatcher<number>({ flush: sink.flush, size: 1, scheduler: time.scheduler })
    batcher.actor.on('items.dropped', (event) => void dropped.push(event as BatcherEmitted))
    batcher.tryAdd(0)
    const stopped = batcher.stop()
    expect(batcher.tryAdd(1)).toBe(false)
    expect(batcher.addMany([2, 3, 4])).toBe(0)
    batcher.actor.send({ type: 'ADD', item: 5 })
    await time.settle()
    expect(dropped).toEqual([{ type: 'items.dropped', count: 5, reason: 'stopped' }])
    sink.resolveAll()
    await stopped
  })

  it('reports no empty drop when addMany stops at a last item refused for its weight', async () => {
    const time = createVirtualTime()
    const dropped: BatcherEmitted[] = []
    const batcher = createBatcher<number>({ flush: () => {}, size: 10, weigh: (item) => (item < 0 ? NaN : 1), scheduler: time.scheduler })
    batcher.actor.on('items.dropped', (event) => void dropped.push(event as BatcherEmitted))
    expect(batcher.addMany([1, -1])).toBe(1)
    await time.settle()
    expect(dropped).toEqual([{ type: 'items.dropped', count: 1, reason: 'invalidWeight' }])
  })

  it('tells the chart the target a sink taught by refusing a batch as too large', async () => {
    const time = createVirtualTime()
    const targets: BatcherEmitted[] = []
    const batcher = createBatcher<number>({
      flush: (batch) => { if (batch.length > 2) throw kindError('tooLarge') }, size: { initial: 4, min: 1, max: 10 }, scheduler: time.scheduler,
    })
    batcher.actor.on('target.changed', (event) => void targets.push(event as BatcherEmitted))
    batcher.addMany([1, 2, 3, 4])
    await time.settle()
    expect(targets).toEqual([{ type: 'target.changed', batchSize: 2, concurrency: 1 }])
    expect(batcher.actor.getSnapshot().context.batchSize).toBe(2)
  })

  it('tells the chart nothing when the controller keeps the target', async () => {
    const time = createVirtualTime()
    const targets: unknown[] = []
    const controller: Controller<null> = { name: 'keeps', intervalMs: 10, initialState: () => null, decide: ({ target }) => ({ ...target, state: null }) }
    const batcher = createBatcher<number>({ flush: () => {}, size: { initial: 4, min: 1, max: 10 }, scheduler: time.scheduler, controller })
    batcher.actor.on('target.changed', (event) => void targets.push(event))
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    await time.advanceBy(10)
    expect(targets).toEqual([])
  })

  it.each([[{}, 7, 3], [{ batchSize: 7 }, 7, 3], [{ concurrency: 3 }, 7, 3]])('puts its target in the chart when the input %j shows another', (given, batchSize, concurrency) => {
    const { logic } = createBatcherLogic<number>({ flush: () => {}, size: 7, concurrency: 3 })
    const actor = createActor(logic, { input: given }).start()
    expect(actor.getSnapshot().context).toMatchObject({ batchSize, concurrency })
    actor.stop()
  })

  it('resolves flush() only once every batch cut before it settled, not when a later one did', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 2, concurrency: 3, scheduler: time.scheduler })
    batcher.addMany([0, 1])
    let flushed = false
    const flushing = batcher.flush().then(() => (flushed = true))
    batcher.addMany([2, 3, 4, 5])
    await time.settle()
    sink.pending()[1]!.resolve() // [2, 3]: [0, 1] and [4, 5] still run
    await time.settle()
    expect(flushed).toBe(false)
    sink.pending()[0]!.resolve()
    await flushing
  })

  it('cuts a long backlog for a synchronous sink in a loop, not by recursion', async () => {
    const time = createVirtualTime()
    let held: (() => void) | undefined
    let flushed = 0
    const batcher = createBatcher<number>({
      flush: (batch) => {
        if (!held) return new Promise<void>((resolve) => (held = resolve))
        flushed += batch.length
      },
      size: 1, concurrency: 1, capacity: 20_001, scheduler: time.scheduler,
    })
    batcher.addMany(Array.from({ length: 20_001 }, (_, i) => i)) // the first in flight, held; the rest wait
    await time.settle()
    held!()
    await time.settle()
    expect(flushed).toBe(20_000)
  })

  it('stays draining while a flush runs, though nothing is buffered', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 1, scheduler: time.scheduler })
    batcher.tryAdd(1)
    const stopped = batcher.stop()
    await time.settle()
    expect(batcher.state).toBe('draining')
    sink.resolveAll()
    await stopped
    expect(batcher.state).toBe('stopped')
  })

  it('gives up nothing, and calls onDeadLetter with nothing, when stopped from outside empty', async () => {
    const onDeadLetter = vi.fn()
    const taken = vi.fn(() => true)
    const batcher = createBatcher<number>({ flush: () => {}, onDeadLetter })
    batcher.actor.stop()
    await batcher.stop()
    expect(onDeadLetter).not.toHaveBeenCalled()
    const { logic, input } = createBatcherLogic<number>({ flush: () => {} }, taken)
    createActor(logic, { input }).start().stop()
    expect(taken).not.toHaveBeenCalled()
  })

  it('says why it dead-letters: stopped before it drained, or a stop that timed out', async () => {
    const time = createVirtualTime()
    const errors: Error[] = []
    const onDeadLetter = (_items: number[], error: unknown) => void errors.push(error as Error)
    const outside = createBatcher<number>({ flush: () => {}, size: 10, scheduler: time.scheduler, onDeadLetter })
    outside.tryAdd(1)
    outside.actor.stop()
    const timedOut = createBatcher<number>({ flush: () => new Promise<void>(() => {}), size: 1, scheduler: time.scheduler, onDeadLetter })
    timedOut.tryAdd(2)
    const stopping = timedOut.stop({ timeoutMs: 50 })
    await time.advanceBy(50)
    await stopping
    expect(errors.map((error) => error.message)).toEqual(['Aborted: The batcher actor was stopped before it drained', 'Aborted: stop() timed out after 50 ms'])
  })
})
