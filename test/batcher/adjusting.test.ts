import { Subject } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, type Controller, type LoadFeedback } from '../../src/index.ts'
import { recordingSink } from '../support/sink.ts'

/** Shrinks by 10 when the mean score is above .5, grows by 10 otherwise: easy to predict. */
const stepper: Controller<number> = {
  name: 'stepper',
  intervalMs: 1000,
  initialState: () => 0,
  decide: ({ target, samples }, calls) => {
    const mean = samples.reduce((sum, s) => sum + s.score, 0) / samples.length
    return { batchSize: target.batchSize + (mean > 0.5 ? -10 : 10), concurrency: target.concurrency, state: calls + 1 }
  },
}

describe('adjusting', () => {
  it('moves the size from feedback the flush function returns, on the controller cadence', async () => {
    const time = createVirtualTime()
    let feedback: LoadFeedback = { cpu: 1, errorRate: 1 }
    const batcher = createBatcher<number>({
      flush: () => feedback, size: { initial: 50, min: 20, max: 60 }, controller: stepper, maxWaitMs: 10, scheduler: time.scheduler,
    })
    batcher.tryAdd(1)
    await time.advanceBy(10) // flushed: one sample, cadence armed
    expect(batcher.metrics().batchSize).toBe(50)
    await time.advanceBy(1000)
    expect(batcher.metrics().batchSize).toBe(40)
    expect(batcher.actor.getSnapshot().context.batchSize).toBe(40)
    await time.advanceBy(5000) // no traffic, no fresh feedback: the size holds
    expect(batcher.metrics().batchSize).toBe(40)
    for (const expected of [30, 20, 20]) {
      batcher.tryAdd(1)
      await time.advanceBy(1010)
      expect(batcher.metrics().batchSize).toBe(expected) // clamped at min
    }
    feedback = {}
    batcher.tryAdd(1)
    await time.advanceBy(1010)
    expect(batcher.metrics().batchSize).toBe(20) // mean of the window still above .5
    await batcher.stop()
  })

  it('moves the size from an outside feedback$ observable and from FEEDBACK events', async () => {
    const time = createVirtualTime()
    const monitor = new Subject<LoadFeedback>()
    const batcher = createBatcher<number>({
      flush: async () => {}, size: { initial: 50, min: 10, max: 100 }, controller: stepper, feedback$: monitor, scheduler: time.scheduler,
    })
    monitor.next({ cpu: 0 })
    await time.advanceBy(1000)
    expect(batcher.metrics().batchSize).toBe(60)
    const overload = { cpu: 1, errorRate: 1, queueDepth: 100, locks: 50 } // score 1
    batcher.actor.send({ type: 'FEEDBACK', feedback: overload })
    batcher.actor.send({ type: 'FEEDBACK', feedback: overload })
    await time.advanceBy(1000)
    expect(batcher.metrics().batchSize).toBe(50)
    expect(batcher.metrics().loadScore).toBeCloseTo(2 / 3)
    await batcher.stop()
    expect(monitor.observed).toBe(false)
  })

  it('passes through the adjusting state (a transient state: inspectors see it as a microstep)', async () => {
    const time = createVirtualTime()
    const states: string[] = []
    const batcher = createBatcher<number>({
      flush: async () => {}, size: { initial: 50, min: 10, max: 100 }, controller: stepper, scheduler: time.scheduler,
      inspect: (event) => {
        if (event.type === '@xstate.microstep' || event.type === '@xstate.snapshot') states.push(String((event.snapshot as { value?: unknown }).value))
      },
    })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0 } })
    await time.advanceBy(1000)
    await batcher.stop()
    expect(states).toContain('adjusting')
    expect(states.at(-1)).toBe('stopped')
  })

  it('cuts an over-full buffer at once when the target shrinks', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const batcher = createBatcher<number>({
      flush: sink.flush, size: { initial: 50, min: 10, max: 100 }, controller: stepper, maxWaitMs: 60_000, scheduler: time.scheduler,
    })
    for (let i = 0; i < 45; i++) batcher.tryAdd(i)
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 1, errorRate: 1 } })
    await time.advanceBy(1000) // target 40 < 45 buffered
    expect(sink.batches.map((b) => b.length)).toEqual([40])
    await batcher.stop()
  })

  it('counts and clamps bad feedback values instead of crashing', async () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({
      flush: async () => {}, size: { initial: 50, min: 10, max: 100 }, controller: stepper, scheduler: time.scheduler,
    })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: Number.NaN, errorRate: 7, queueDepth: -3 } })
    batcher.actor.send({ type: 'FEEDBACK', feedback: null as unknown as LoadFeedback })
    expect(batcher.metrics().feedbackRejected).toBe(4)
    expect(batcher.metrics().loadScore).toBeCloseTo(0.3 / 2)
    await batcher.stop()
  })

  it('keeps the target when a controller throws, and logs it', async () => {
    const time = createVirtualTime()
    const errors: string[] = []
    const batcher = createBatcher<number>({
      flush: async () => {}, size: { initial: 50, min: 10, max: 100 }, scheduler: time.scheduler,
      logger: { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m) },
      controller: { ...stepper, decide: () => { throw new Error('bug') } },
    })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0 } })
    await time.advanceBy(1000)
    expect(batcher.metrics().batchSize).toBe(50)
    expect(errors).toEqual(['loadbatch: controller stepper threw; keeping the current target'])
    await batcher.stop()
  })

  it('adapts with autoTune() by default when the size is a range: after 8 flushes it tries a size √2 larger', async () => {
    const time = createVirtualTime()
    const flush = () => new Promise<void>((resolve) => time.scheduler.schedule(() => resolve(), 10))
    const batcher = createBatcher<number>({ flush, size: { initial: 100, min: 10, max: 1000 }, scheduler: time.scheduler })
    for (let i = 0; i < 2000; i++) batcher.tryAdd(i)
    await time.advanceBy(79)
    expect(batcher.metrics().batchSize).toBe(100)
    await time.advanceBy(3)
    expect(batcher.metrics().batchSize).toBe(141) // starting: items in flight double (concurrency is fixed at 1 here)
    const stopped = batcher.stop()
    await time.advanceBy(1000)
    await stopped
  })
})
