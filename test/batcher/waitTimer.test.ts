import type { SchedulerLike } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime } from '../../src/index.ts'
import type { Controller } from '../../src/controllers/controller.ts'
import { manualSink, recordingSink } from '../support/sink.ts'

/**
 * How long a partial batch waits (src/batcher/cutting.ts): `maxWaitMs`, or the controller's
 * shorter `waitMs`; a remainder left by a cut keeps the deadline of the oldest item cut before
 * it (early, never late).
 */
function fixedWith(waitMs: number): Controller<null> {
  return { name: 'waiting', intervalMs: 1000, waitMs, initialState: () => null, decide: ({ target }) => ({ ...target, state: null }) }
}

function batcher(options: { size: number; maxWaitMs: number; controller?: Controller<null> }) {
  const time = createVirtualTime()
  const sink = recordingSink<number>()
  const created = createBatcher({ flush: sink.flush, scheduler: time.scheduler, ...options })
  return { time, sink, batcher: created }
}

describe('the wait of a partial batch', () => {
  it('is the controller\'s waitMs when shorter than maxWaitMs', async () => {
    const { time, sink, batcher: b } = batcher({ size: 10, maxWaitMs: 100, controller: fixedWith(20) })
    b.tryAdd(1)
    await time.advanceBy(19)
    expect(sink.batches).toEqual([])
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[1]])
    expect(sink.infos[0]!.trigger).toBe('time')
  })

  it('is maxWaitMs when the controller\'s waitMs is longer', async () => {
    const { time, sink, batcher: b } = batcher({ size: 10, maxWaitMs: 30, controller: fixedWith(500) })
    b.tryAdd(1)
    await time.advanceBy(29)
    expect(sink.batches).toEqual([])
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[1]])
  })

  it('of a remainder left by a cut keeps the deadline of the oldest item before it: early, never late', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const gates: (() => void)[] = []
    const b = createBatcher<number>({ flush: (batch, info) => sink.flush(batch, info).then(() => new Promise<void>((resolve) => gates.push(resolve))), size: 2, concurrency: 1, maxWaitMs: 100, scheduler: time.scheduler })
    b.addMany([0, 1, 2]) // [0, 1] in flight; 2 waits from t=0
    await time.advanceBy(50)
    b.addMany([3, 4]) // a full batch waits for the flush slot
    await time.advanceBy(10)
    for (const open of gates.splice(0)) open() // t=60: [2, 3] is cut by size; 4 remains
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[0, 1], [2, 3]])
    for (const open of gates.splice(0)) open()
    await time.advanceBy(38)
    expect(sink.batches).toHaveLength(2)
    await time.advanceBy(1) // t=100: 2's deadline, not 4's (t=150)
    expect(sink.batches).toEqual([[0, 1], [2, 3], [4]])
    expect(sink.infos.map((info) => info.trigger)).toEqual(['size', 'size', 'time'])
  })

  it('of a batch that filled while the timer of an earlier one still ran is its own: that timer waits on for it', async () => {
    const { time, sink, batcher: b } = batcher({ size: 2, maxWaitMs: 100 })
    b.tryAdd(0)
    await time.advanceBy(50)
    b.tryAdd(1) // [0, 1] cut by size; the timer armed for 0 is kept for 2
    b.tryAdd(2)
    await time.advanceBy(50)
    expect(sink.batches).toEqual([[0, 1]]) // t=100: 0's deadline, not 2's
    await time.advanceBy(49)
    expect(sink.batches).toEqual([[0, 1]])
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[0, 1], [2]])
    expect(sink.infos.map((info) => info.trigger)).toEqual(['size', 'time'])
  })

  it('of a remainder accepted after the timer fired counts from the fire, not from the overdue items cut before it', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const b = createBatcher<number>({ flush: sink.flush, size: 2, concurrency: 1, maxWaitMs: 100, scheduler: time.scheduler })
    b.addMany([0, 1]) // in flight
    await time.advanceBy(10)
    b.addMany([2, 3]) // a full batch waiting for the flush slot, its wait from t=10
    await time.advanceBy(100) // t=110: overdue, still no slot
    b.tryAdd(4)
    await time.advanceBy(40)
    sink.pending()[0]!.resolve() // t=150: [2, 3] is cut; 4 remains
    await time.settle()
    sink.pending()[0]!.resolve()
    await time.advanceBy(59)
    expect(sink.calls.map((call) => call.batch)).toEqual([[0, 1], [2, 3]])
    await time.advanceBy(1) // t=210: 100 ms after the fire
    expect(sink.calls.map((call) => [call.batch, call.info.trigger])).toEqual([[[0, 1], 'size'], [[2, 3], 'size'], [[4], 'time']])
  })

  it('arms one timer for a run of batches cut by size in one turn, and none once every batch was cut', async () => {
    const time = createVirtualTime()
    let armed = 0
    const scheduler: SchedulerLike = { now: () => time.scheduler.now(), schedule: (work, delay, state) => (armed++, time.scheduler.schedule(work as never, delay, state)) }
    const sink = recordingSink<number>()
    const b = createBatcher<number>({ flush: sink.flush, size: 2, maxWaitMs: 100, scheduler })
    const live = () => time.scheduler.actions.filter((action) => !action.closed).length
    b.addMany([0, 1, 2, 3, 4, 5, 6])
    expect(armed).toBe(2) // the wait timer of 0, kept for 2, 4 and 6, and the flush timeouts' one timer
    await time.advanceBy(100)
    expect(sink.batches).toEqual([[0, 1], [2, 3], [4, 5], [6]])
    for (let round = 0; round < 2; round++) {
      b.addMany([7, 8])
      await time.settle()
      expect(live()).toBe(0)
    }
  })

  it('is not armed while draining: the chart hears no TIMEOUT after STOP', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const events: string[] = []
    const b = createBatcher<number>({
      flush: sink.flush, size: 1, concurrency: 1, maxWaitMs: 10, scheduler: time.scheduler,
      inspect: (inspection) => void (inspection.type === '@xstate.event' && events.push(inspection.event.type)),
    })
    b.addMany([1, 2, 3]) // [1] in flight, 2 and 3 buffered
    const stopped = b.stop()
    await time.advanceBy(50)
    for (let i = 0; i < 3; i++) {
      sink.pending()[0]!.resolve()
      await time.advanceBy(50)
    }
    await stopped
    expect(events).toContain('STOP')
    expect(events).not.toContain('TIMEOUT')
  })
})
