import { describe, expect, it } from 'vitest'
import { createActor, setup } from 'xstate'
import { AbortError, BatcherStoppedError, createBatcher, createBatcherLogic, createVirtualTime } from '../../src/index.ts'
import { manualSink, recordingSink } from '../support/sink.ts'

describe('stop', () => {
  it('drains every buffered item before it resolves', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 4, maxWaitMs: 10_000, scheduler: time.scheduler })
    batcher.addMany([1, 2, 3, 4, 5, 6])
    await batcher.stop()
    expect(sink.batches).toEqual([[1, 2, 3, 4], [5, 6]])
    expect(sink.infos[1]!.trigger).toBe('drain')
    expect(batcher.state).toBe('stopped')
  })

  it('waits for a running flush to finish (stop during a flush)', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 2, scheduler: time.scheduler })
    batcher.addMany([1, 2, 3])
    let stopped = false
    const stopping = batcher.stop().then(() => (stopped = true))
    await time.settle()
    expect(batcher.state).toBe('draining')
    expect(stopped).toBe(false)
    sink.calls[0]!.resolve()
    await time.settle()
    expect(stopped).toBe(false)
    expect(sink.calls[1]!.batch).toEqual([3])
    sink.calls[1]!.resolve()
    await stopping
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 3, state: 'stopped' })
  })

  it('is idempotent: every call gets the same promise', async () => {
    const batcher = createBatcher({ flush: async () => {} })
    const first = batcher.stop()
    expect(batcher.stop()).toBe(first)
    await first
    expect(batcher.stop()).toBe(first)
  })

  it('past timeoutMs aborts running flushes and dead-letters what is left, bounded and never lost', async () => {
    const time = createVirtualTime()
    const signals: AbortSignal[] = []
    const letters: { items: number[]; error: unknown }[] = []
    const batcher = createBatcher<number>({
      size: 2, scheduler: time.scheduler, flushTimeoutMs: 60_000,
      flush: (_batch, info) => {
        signals.push(info.signal)
        return new Promise(() => {})
      },
      onDeadLetter: (items, error) => void letters.push({ items, error }),
    })
    batcher.addMany([1, 2, 3])
    const stopped = batcher.stop({ timeoutMs: 1000 })
    await time.advanceBy(1000)
    await stopped
    expect(signals[0]!.aborted).toBe(true)
    expect(letters.map((l) => l.items)).toEqual([[1, 2], [3]])
    expect(letters[0]!.error).toBeInstanceOf(AbortError)
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 3, itemsFailed: 3, itemsFlushed: 0, itemsInFlight: 0, itemsBuffered: 0 })
  })

  it('does not let a timer flush run after stop', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 10, maxWaitMs: 100, scheduler: time.scheduler })
    batcher.tryAdd(1)
    await batcher.stop()
    await time.advanceBy(1000)
    expect(sink.batches).toEqual([[1]])
    expect(time.scheduler.actions.filter((a) => !a.closed)).toHaveLength(0)
  })

  it('dead-letters buffered items when its actor is stopped from outside without STOP', async () => {
    const time = createVirtualTime()
    const letters: number[][] = []
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({
      flush: sink.flush, size: 2, scheduler: time.scheduler, onDeadLetter: (items) => void letters.push(items),
    })
    batcher.addMany([1, 2, 3])
    batcher.actor.stop()
    await batcher.stop()
    expect(letters).toEqual([[1, 2], [3]])
    expect(sink.calls[0]!.info.signal.aborted).toBe(true)
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 3, itemsFailed: 3 })
    await expect(batcher.add(4)).rejects.toBeInstanceOf(BatcherStoppedError)
  })

  it('says stopped (state and metrics) after its actor was stopped from outside mid-flush', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 2, scheduler: time.scheduler, onDeadLetter: () => {} })
    batcher.addMany([1, 2])
    expect(batcher.state).toBe('flushing')
    batcher.actor.stop()
    expect(batcher.state).toBe('stopped')
    expect(batcher.metrics().state).toBe('stopped')
  })

  it('counts ADD and ADD_MANY events sent after stop as dropped', async () => {
    const batcher = createBatcher<number>({ flush: async () => {} })
    await batcher.stop()
    batcher.actor.send({ type: 'ADD', item: 1 })
    batcher.actor.send({ type: 'ADD_MANY', items: [2, 3, 4] })
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 0, itemsDropped: 4 })
  })

  it('counts ADD and ADD_MANY events sent while draining as dropped', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 1, scheduler: time.scheduler })
    batcher.tryAdd(0)
    const stopped = batcher.stop()
    expect(batcher.state).toBe('draining')
    batcher.actor.send({ type: 'ADD', item: 1 })
    batcher.actor.send({ type: 'ADD_MANY', items: [2, 3, 4] })
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 1, itemsDropped: 4 })
    await time.settle()
    sink.pending()[0]!.resolve()
    await stopped
  })

  it('is released as it enters stopped: an ADD from a subscriber seeing the final snapshot is counted as dropped', async () => {
    const batcher = createBatcher<number>({ flush: async () => {} })
    batcher.actor.subscribe((snapshot) => {
      if (snapshot.status === 'done') batcher.actor.send({ type: 'ADD', item: 1 })
    })
    await batcher.stop()
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 0, itemsDropped: 1 })
  })

  it('counts a malformed ADD_MANY (items not an array) as one dropped offering instead of crashing', async () => {
    const batcher = createBatcher<number>({ flush: async () => {} })
    batcher.actor.send({ type: 'ADD_MANY', items: 5 as unknown as number[] })
    expect(batcher.actor.getSnapshot().status).toBe('active')
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 0, itemsDropped: 1 })
    await batcher.stop()
  })
})

describe('as a child actor', () => {
  it('is driven by ADD, ADD_MANY, FLUSH and STOP events from a parent machine', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<string>()
    const { logic, portOf } = createBatcherLogic<string>({ flush: sink.flush, size: 3, maxWaitMs: 50, scheduler: time.scheduler })
    const parent = setup({ actors: { batcher: logic } }).createMachine({
      invoke: { src: 'batcher', id: 'writer', systemId: 'writer', input: {} },
    })
    const actor = createActor(parent).start()
    const child = actor.system.get('writer')!
    child.send({ type: 'ADD', item: 'a' })
    child.send({ type: 'ADD_MANY', items: ['b', 'c', 'd'] })
    await time.settle()
    expect(sink.batches).toEqual([['a', 'b', 'c']])
    child.send({ type: 'FLUSH' })
    await time.settle()
    expect(sink.batches).toEqual([['a', 'b', 'c'], ['d']])
    child.send({ type: 'STOP' })
    await time.settle()
    expect(child.getSnapshot().status).toBe('done')
    child.send({ type: 'ADD', item: 'late' })
    expect(sink.batches.flat()).toEqual(['a', 'b', 'c', 'd'])
    expect(portOf(child)!.metrics().itemsDropped).toBe(0) // a child does not watch its parent's system for late items
  })

  it('gives every spawned child its own buffer', async () => {
    const time = createVirtualTime()
    const seen: string[][] = []
    const { logic, portOf } = createBatcherLogic<string>({ flush: (b) => void seen.push(b), size: 2, scheduler: time.scheduler })
    const a = createActor(logic, { input: {} }).start()
    const b = createActor(logic, { input: {} }).start()
    a.send({ type: 'ADD', item: 'a1' })
    b.send({ type: 'ADD', item: 'b1' })
    a.send({ type: 'ADD', item: 'a2' })
    await time.settle()
    expect(seen).toEqual([['a1', 'a2']])
    expect(portOf(b)!.metrics().itemsBuffered).toBe(1)
    b.send({ type: 'STOP' })
    a.send({ type: 'STOP' })
    await time.settle()
    expect(seen).toEqual([['a1', 'a2'], ['b1']])
  })
})
