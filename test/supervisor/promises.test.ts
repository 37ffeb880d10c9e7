/** Issue 10 items 5, 6, 8, 12 and 13: what a supervisor's add, submit and addMany promise, and when its scale timer runs. */
import { describe, expect, it } from 'vitest'
import { AbortError, BatcherStoppedError, InvalidWeightError } from '../../src/errors.ts'
import { byKey } from '../../src/routing/byKey.ts'
import type { Router } from '../../src/routing/router.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { SupervisorEscalatedError } from '../../src/errors.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { balance, crash, recordingSink } from './harness.ts'

function pool(options: { min?: number; max?: number; size?: number; capacity?: number; maxRestarts?: number; gated?: boolean; key?: (item: number) => number; route?: Router<number>; highWater?: number; lowWater?: number } = {}) {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: options.gated ?? false })
  const letters: { items: number[]; error: unknown }[] = []
  const supervisor = createSupervisor<number>({
    worker: {
      flush: sink.flush, size: options.size ?? 10, capacity: options.capacity, maxWaitMs: 100, scheduler: time.scheduler,
      onDeadLetter: (items, error) => void letters.push({ items, error }),
    },
    workers: { min: options.min ?? 1, max: options.max ?? options.min ?? 1 },
    restart: { maxRestarts: options.maxRestarts ?? 3, withinMs: 10_000, backoffMs: 50 },
    scale: { intervalMs: 100, cooldownMs: 100, highWater: options.highWater ?? 0.5, lowWater: options.lowWater ?? 0.1 },
    ...(options.key ? { route: byKey(options.key) } : options.route ? { route: options.route } : {}),
  })
  return { time, sink, letters, supervisor, crash: (id: string) => crash(supervisor.actor.system.get(id)) }
}

describe('item 5: a submitted item is never reported "not accepted" once it was accepted', () => {
  it('rejects with SupervisorEscalatedError, the error its item was dead-lettered with, after escalation', async () => {
    const { supervisor, crash, letters, time } = pool({ maxRestarts: 0 })
    const submitted = supervisor.submit(7)
    const outcome = submitted.then(() => 'flushed', (error: unknown) => error)
    crash('worker-0')
    await time.settle()
    expect(letters.map((letter) => letter.items)).toEqual([[7]])
    expect(letters[0]!.error).toBeInstanceOf(SupervisorEscalatedError)
    const error = await outcome
    expect(error).toBeInstanceOf(SupervisorEscalatedError)
    expect(error).not.toBeInstanceOf(BatcherStoppedError)
  })

  it('follows its item through a crash during a scale-up handoff and resolves once it is flushed', async () => {
    const { supervisor, crash, sink, time } = pool({ min: 1, max: 2, size: 100, key: (item) => item, gated: true, highWater: 0.01, lowWater: 0 })
    for (let i = 0; i < 20; i++) supervisor.tryAdd(i)
    await time.advanceBy(100) // scale up; the keys that move wait until worker-0 flushed (its sink is gated)
    expect(supervisor.state).toBe('scaling')
    const submits = [100, 101, 102, 103, 104, 105].map((item) => supervisor.submit(item).then(() => 'flushed', (error: unknown) => error))
    crash('worker-0')
    for (let i = 0; i < 20; i++) {
      sink.open()
      await time.advanceBy(100)
    }
    expect(await Promise.all(submits)).toEqual(Array(6).fill('flushed'))
    await supervisor.stop()
    expect(sink.flushed.filter((item) => item >= 100).sort()).toEqual([100, 101, 102, 103, 104, 105])
  })

  it('a submit whose worker crashes twice still resolves once (no BatcherStoppedError, no double write)', async () => {
    const { supervisor, crash, sink, time } = pool({ size: 10 })
    const outcome = supervisor.submit(5).then(() => 'flushed', (error: unknown) => error)
    crash('worker-0')
    await time.advanceBy(50)
    crash('worker-0')
    await time.advanceBy(200)
    expect(await outcome).toBe('flushed')
    expect(sink.flushed).toEqual([5])
  })
})

describe('item 6: addMany means the accepted prefix', () => {
  it('returns how many of the first items were accepted and refuses everything after the first refusal', async () => {
    const { supervisor, sink, time } = pool({ min: 2, size: 5, capacity: 5, gated: true, route: { name: 'parity', pick: (item) => item % 2 } })
    expect(supervisor.addMany([0, 2, 4, 6, 8])).toBe(5) // the even worker is full; the odd one is empty
    const accepted = supervisor.addMany([10, 11, 12, 13])
    expect(accepted).toBe(0) // 10 finds no room: nothing after it is taken either, so slice(accepted) is what to offer again
    expect(supervisor.addMany([11, 13, 10])).toBe(2)
    const stopped = supervisor.stop()
    for (let i = 0; i < 5; i++) {
      sink.open()
      await time.advanceBy(100)
    }
    await stopped
    expect(sink.flushed.sort((a, b) => a - b)).toEqual([0, 2, 4, 6, 8, 11, 13])
    expect(supervisor.metrics().itemsDropped).toBe(5)
  })
})

describe('item 8: add and submit waiting on a restarting worker honour their AbortSignal', () => {
  it('rejects at once with an already aborted signal', async () => {
    const { supervisor, crash } = pool({ capacity: 10 })
    crash('worker-0')
    await expect(supervisor.add(1, { signal: AbortSignal.abort('late') })).rejects.toBeInstanceOf(AbortError)
    await expect(supervisor.submit(1, { signal: AbortSignal.abort('late') })).rejects.toBeInstanceOf(AbortError)
  })

  it('rejects as soon as the signal aborts during the restart backoff, and the item is not written', async () => {
    const { supervisor, crash, time, sink } = pool({ size: 10, capacity: 10, gated: true })
    supervisor.addMany([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    crash('worker-0') // 10 leftovers held: the slot is full until the replacement takes them
    const controller = new AbortController()
    const adding = supervisor.add(99, { signal: controller.signal }).then(() => 'accepted', (error: unknown) => error)
    const submitting = supervisor.submit(98, { signal: controller.signal }).then(() => 'accepted', (error: unknown) => error)
    await time.advanceBy(10)
    controller.abort('gave up')
    await time.settle()
    expect(await adding).toBeInstanceOf(AbortError)
    expect(await submitting).toBeInstanceOf(AbortError)
    await time.advanceBy(100)
    const stopped = supervisor.stop()
    for (let i = 0; i < 5; i++) {
      sink.open()
      await time.advanceBy(100)
    }
    await stopped
    expect(sink.flushed.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(sink.flushed).not.toContain(98)
    expect(balance(supervisor.metrics())).toBe(0)
  })
})

describe('items 12 and 13: the scale timer', () => {
  it('a supervisor fed only by add() scales up', async () => {
    const { supervisor, time } = pool({ min: 1, max: 3, size: 5, gated: true, highWater: 0.3 })
    for (let i = 0; i < 30; i++) await supervisor.add(i)
    await time.advanceBy(100)
    expect(supervisor.metrics().workerCount).toBe(2)
  })

  it('a supervisor fed only by submit() scales up', async () => {
    const { supervisor, time } = pool({ min: 1, max: 3, size: 5, gated: true, highWater: 0.3 })
    for (let i = 0; i < 30; i++) void supervisor.submit(i).catch(() => {})
    await time.advanceBy(100)
    expect(supervisor.metrics().workerCount).toBe(2)
  })

  it('an idle supervisor at workers.min lets its scale timer sleep', async () => {
    const { supervisor, time } = pool({ min: 1, max: 3, size: 5 })
    supervisor.addMany([1, 2, 3, 4, 5])
    await time.advanceBy(1000)
    expect(supervisor.metrics()).toMatchObject({ itemsFlushed: 5, workerCount: 1 })
    expect(time.scheduler.actions).toEqual([]) // no timer armed at all: it sleeps until the next item
  })
})

describe('an item whose weight a worker would refuse', () => {
  it('is refused at the door while its worker restarts, instead of being held and offered for ever', async () => {
    const time = createVirtualTime()
    const written: number[] = []
    const supervisor = createSupervisor<number>({
      worker: { flush: (batch) => void written.push(...batch), size: 10, maxWaitMs: 10, scheduler: time.scheduler, weigh: (item) => (item < 0 ? NaN : 1), maxBatchWeight: 100 },
      restart: { backoffMs: 50 },
    })
    crash(supervisor.actor.system.get('worker-0'))
    expect(supervisor.state).toBe('restarting')
    expect(supervisor.tryAdd(-1)).toBe(false)
    await expect(supervisor.add(-2)).rejects.toBeInstanceOf(InvalidWeightError)
    await expect(supervisor.submit(-3)).rejects.toBeInstanceOf(InvalidWeightError)
    expect(supervisor.tryAdd(4)).toBe(true)
    await time.advanceBy(100)
    await supervisor.stop()
    expect(written).toEqual([4])
    expect(supervisor.metrics()).toMatchObject({ itemsAdded: 1, itemsFlushed: 1, itemsDropped: 1 })
  })
})
