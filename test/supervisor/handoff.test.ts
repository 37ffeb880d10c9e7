import { describe, expect, it } from 'vitest'
import { BatcherStoppedError, InvalidWeightError, SupervisorEscalatedError } from '../../src/errors.ts'
import type { Router } from '../../src/routing/router.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { balance, crash, recordingSink } from './harness.ts'

/**
 * The keyed handoff while scaling (src/supervisor/supervisorRuntime.ts `routeMoving`,
 * src/supervisor/scaling.ts): while a keyed router's worker set changes, an item whose owner
 * differs between the old and the new set waits in the handoff queue (counted as held, bounded
 * by the supervisor's capacity) until the old owners flushed; an item whose owner stays goes
 * straight to it. A `parity` router makes the owners plain: `key % workers`, so with one
 * worker growing to two the odd keys move to worker-1 and the even ones stay on worker-0.
 */
const parity: Router<number> = { name: 'parity', keyed: true, pick: (item, key, workers) => ((key as number | undefined) ?? item) % workers.length }

/** A keyed pool on virtual time whose worker-0 holds its first batch in a gated flush while a second worker is added. */
function scalingUp(options: { maxRestarts?: number; initial?: number; weigh?: (n: number) => number; route?: Router<number> } = {}) {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const letters: number[] = []
  const pool = createSupervisor<number>({
    worker: {
      flush: sink.flush, size: 10, maxWaitMs: 1e9, capacity: 10, scheduler: time.scheduler,
      onDeadLetter: (items) => void letters.push(...items), ...(options.weigh ? { weigh: options.weigh } : {}),
    },
    workers: { min: 1, max: 2, initial: options.initial ?? 1 },
    route: options.route ?? parity,
    restart: { maxRestarts: options.maxRestarts ?? 3, withinMs: 10_000, backoffMs: 50 },
    scale: { intervalMs: 100, cooldownMs: 0, highWater: 0.1, lowWater: 0 },
  })
  const buffered = () => pool.metrics().workers.map((worker) => worker.itemsBuffered)
  /** Adds 0..4 to worker-0 and lets the scale timer add worker-1: the handoff waits for worker-0's gated flush. */
  const startHandoff = async () => {
    expect(pool.addMany([0, 1, 2, 3, 4])).toBe(5)
    await time.advanceBy(100)
    expect(pool.state).toBe('scaling')
    expect(pool.metrics().workers.map((worker) => worker.itemsInFlight)).toEqual([5, 0])
  }
  return { time, sink, letters, pool, buffered, startHandoff }
}

describe('supervisor keyed handoff while scaling up', () => {
  it('holds the items whose key moves until the old owner flushed; the others go straight to their worker', async () => {
    const { pool, sink, time, buffered, startHandoff } = scalingUp()
    await startHandoff()
    expect([pool.tryAdd(5), pool.tryAdd(6), pool.tryAdd(7)]).toEqual([true, true, true])
    expect(pool.metrics()).toMatchObject({ itemsHeld: 2, workerCount: 2 })
    expect(buffered()).toEqual([1, 0]) // 6 stays with worker-0; 5 and 7 wait for worker-1
    expect(pool.state).toBe('scaling')
    sink.open()
    await time.advanceBy(1)
    expect(pool.state).toBe('running')
    expect(pool.metrics().itemsHeld).toBe(0)
    expect(buffered()).toEqual([1, 2])
    pool.tryAdd(9) // after the handoff: straight to worker-1, behind 5 and 7
    expect(buffered()).toEqual([1, 3])
    const stopped = pool.stop()
    await time.advanceBy(1)
    sink.open()
    await stopped
    expect(sink.batches.map((batch) => batch.toSorted((a, b) => a - b)).toSorted((a, b) => a[0]! - b[0]!)).toEqual([[0, 1, 2, 3, 4], [5, 7, 9], [6]])
    expect(sink.batches[0]).toEqual([0, 1, 2, 3, 4])
  })

  it('routes an ADD event by its key, not its item, during the handoff', async () => {
    const { pool, buffered, startHandoff } = scalingUp()
    await startHandoff()
    pool.actor.send({ type: 'ADD', item: 10, key: 1 }) // key 1 moves, item 10 would stay
    pool.actor.send({ type: 'ADD', item: 11, key: 0 }) // key 0 stays
    expect(pool.metrics().itemsHeld).toBe(1)
    expect(buffered()).toEqual([1, 0])
  })

  it('bounds the handoff queue by the supervisor capacity: tryAdd is refused and counted, add and submit wait for the handoff', async () => {
    const { pool, sink, time, startHandoff } = scalingUp()
    await startHandoff()
    const odd = Array.from({ length: 20 }, (_, i) => 101 + 2 * i) // capacity: 10 per worker × 2 workers
    expect(pool.addMany(odd)).toBe(20)
    expect(pool.metrics()).toMatchObject({ itemsHeld: 20, itemsDropped: 0 })
    expect(pool.tryAdd(1001)).toBe(false)
    expect(pool.metrics()).toMatchObject({ itemsHeld: 20, itemsDropped: 1 })
    let added = false
    let submitted = false
    const adding = pool.add(1003).then(() => (added = true))
    const submitting = pool.submit(1005).then(() => (submitted = true))
    await time.advanceBy(1)
    expect([added, submitted, pool.metrics().itemsHeld]).toEqual([false, false, 20])
    sink.open() // the handoff ends: the 20 moved items fill worker-1 and the slot holds the rest
    await time.advanceBy(1)
    expect([added, submitted]).toEqual([false, false])
    for (let i = 0; i < 3; i++) {
      sink.open() // worker-1's full batches make room for the rest
      await time.advanceBy(1)
    }
    expect([added, submitted]).toEqual([true, false]) // both accepted; the submit waits for its flush
    const stopped = pool.stop()
    for (let i = 0; i < 3; i++) {
      sink.open()
      await time.advanceBy(1)
    }
    await Promise.all([stopped, adding, submitting])
    expect(submitted).toBe(true)
    expect(sink.flushed.toSorted((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, ...odd, 1003, 1005])
    expect(pool.metrics()).toMatchObject({ itemsAdded: 27, itemsFlushed: 27, itemsDropped: 1 })
  })

  it('a submit whose key moves resolves once its new worker flushed it; one whose key stays, once its worker did', async () => {
    const { pool, sink, time, startHandoff } = scalingUp()
    await startHandoff()
    const settled: number[] = []
    const moving = pool.submit(7).then(() => settled.push(7))
    const staying = pool.submit(8).then(() => settled.push(8))
    await time.advanceBy(1)
    expect(pool.metrics()).toMatchObject({ itemsHeld: 1, workers: [{ itemsBuffered: 1 }, { itemsBuffered: 0 }] })
    sink.open() // worker-0's first batch: the handoff ends, 7 goes to worker-1
    await time.advanceBy(1)
    expect(settled).toEqual([])
    const flushing = pool.flush()
    await time.advanceBy(1)
    sink.open()
    await flushing
    await Promise.all([moving, staying])
    expect(settled.toSorted()).toEqual([7, 8])
    expect(sink.flushed).toEqual([0, 1, 2, 3, 4, ...sink.flushed.slice(5)])
    expect(sink.flushed.slice(5).toSorted()).toEqual([7, 8])
  })

  it('holds a submit or add whose key stays when its worker is full, and refuses a tryAdd there', async () => {
    const { pool, sink, time, startHandoff } = scalingUp()
    await startHandoff()
    expect(pool.addMany([10, 12, 14, 16, 18])).toBe(5) // worker-0: 5 in flight + 5 buffered = its capacity
    expect(pool.tryAdd(20)).toBe(false)
    let submitted = false
    let added = false
    const adding = pool.add(24).then(() => (added = true)) // held for worker-0: accepted
    const submitting = pool.submit(22).then(() => (submitted = true)) // held too, settles once flushed
    await time.advanceBy(1)
    expect(pool.metrics()).toMatchObject({ itemsHeld: 2, itemsDropped: 1 }) // only the tryAdd was refused
    expect([submitted, added]).toEqual([false, true])
    const stopped = pool.stop()
    for (let i = 0; i < 4; i++) {
      sink.open()
      await time.advanceBy(1)
    }
    await Promise.all([stopped, submitting, adding])
    expect(submitted).toBe(true)
    expect(sink.flushed.toSorted((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 10, 12, 14, 16, 18, 22, 24])
    expect(pool.metrics()).toMatchObject({ itemsAdded: 12, itemsFlushed: 12, itemsDropped: 1 })
  })

  it('refuses an item of invalid weight at the door during the handoff', async () => {
    const { pool, startHandoff } = scalingUp({ weigh: (n) => (n === 9 ? -1 : 1) })
    await startHandoff()
    expect(pool.tryAdd(9)).toBe(false)
    expect(pool.metrics()).toMatchObject({ itemsHeld: 0, itemsDropped: 1 })
    await expect(pool.add(9)).rejects.toBeInstanceOf(InvalidWeightError)
    expect(pool.tryAdd(7)).toBe(true)
    expect(pool.metrics()).toMatchObject({ itemsHeld: 1, itemsDropped: 1 })
  })

  it('stop waits for the handoff, then drains every worker with the moved items', async () => {
    const { pool, sink, time, startHandoff } = scalingUp()
    await startHandoff()
    pool.tryAdd(5)
    const stopped = pool.stop()
    await time.advanceBy(1)
    expect(pool.tryAdd(7)).toBe(false)
    expect(pool.metrics().itemsHeld).toBe(1)
    sink.open()
    await time.advanceBy(1)
    sink.open()
    await stopped
    expect(sink.batches).toEqual([[0, 1, 2, 3, 4], [5]])
    expect(pool.metrics()).toMatchObject({ itemsHeld: 0, itemsFlushed: 6, itemsDropped: 1, state: 'stopped' })
  })

  it('escalating during the handoff dead-letters the queued items and rejects their submits', async () => {
    const { pool, letters, time, startHandoff } = scalingUp({ maxRestarts: 0 })
    await startHandoff()
    pool.tryAdd(5)
    const submitted = pool.submit(7)
    expect(pool.metrics().itemsHeld).toBe(2)
    crash(pool.actor.system.get('worker-0'))
    expect(pool.state).toBe('failed')
    await expect(submitted).rejects.toBeInstanceOf(SupervisorEscalatedError)
    await time.settle()
    expect(letters.toSorted((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 7])
    expect(pool.metrics().itemsHeld).toBe(0)
    expect(balance(pool.metrics())).toBe(0)
    await expect(pool.add(9)).rejects.toBeInstanceOf(BatcherStoppedError)
  })

  it('hands nothing off for a router that is not keyed: the step is done at once and the new worker takes items', async () => {
    const { pool, buffered, time } = scalingUp({ route: { ...parity, keyed: false } })
    pool.addMany([0, 1, 2, 3, 4])
    await time.advanceBy(100)
    expect(pool.metrics()).toMatchObject({ workerCount: 2, itemsInFlight: 0 }) // no old owner is flushed first
    expect(pool.state).toBe('running')
    expect([pool.tryAdd(5), pool.tryAdd(6)]).toEqual([true, true])
    expect(pool.metrics().itemsHeld).toBe(0)
    expect(buffered()).toEqual([6, 1])
  })
})
