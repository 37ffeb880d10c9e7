import { describe, expect, it } from 'vitest'
import { createActor, setup, type AnyActorRef } from 'xstate'
import { ConfigError } from '../../src/errors.ts'
import { byKey } from '../../src/routing/byKey.ts'
import { leastLoaded } from '../../src/routing/leastLoaded.ts'
import { roundRobin } from '../../src/routing/roundRobin.ts'
import { createSupervisor, createSupervisorLogic } from '../../src/supervisor/createSupervisor.ts'
import { SupervisorEscalatedError } from '../../src/errors.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { balance, crash, recordingSink } from './harness.ts'

function setupPool(options: { min?: number; max?: number; route?: ReturnType<typeof roundRobin<number>>; gated?: boolean; maxRestarts?: number; size?: number; highWater?: number } = {}) {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: options.gated ?? false })
  const letters: number[] = []
  const pool = createSupervisor<number>({
    worker: {
      flush: sink.flush, size: options.size ?? 3, maxWaitMs: 100, scheduler: time.scheduler,
      onDeadLetter: (items) => void letters.push(...items),
    },
    workers: { min: options.min ?? 2, max: options.max ?? options.min ?? 2 },
    route: options.route ?? roundRobin(),
    restart: { maxRestarts: options.maxRestarts ?? 3, withinMs: 10_000, backoffMs: 50 },
    scale: { intervalMs: 100, cooldownMs: 1000, highWater: options.highWater ?? 0.5 },
  })
  const crashWorker = (id: string) => crash(pool.actor.system.get(id))
  return { time, sink, letters, pool, crash: crashWorker }
}

describe('supervisor', () => {
  it('spawns its workers as children with systemIds the inspector and system.get find', () => {
    const { pool } = setupPool({ min: 3 })
    expect(['worker-0', 'worker-1', 'worker-2'].map((id) => pool.actor.system.get(id)?.id)).toEqual(['worker-0', 'worker-1', 'worker-2'])
    expect(Object.keys(pool.actor.getSnapshot().children)).toEqual(['worker-0', 'worker-1', 'worker-2'])
    expect(pool.state).toBe('running')
  })

  it('routes round robin straight into the workers, without an event per item', () => {
    const { pool } = setupPool({ min: 2, size: 100, route: roundRobin({ run: 1 }) })
    for (let i = 0; i < 10; i++) pool.tryAdd(i)
    expect(pool.metrics().workers.map((w) => w.itemsBuffered)).toEqual([5, 5])
  })

  it('routes round robin in runs of one worker batch by default, whichever way items come in', async () => {
    const { pool, sink, time } = setupPool({ min: 3, size: 4 })
    for (let i = 0; i < 6; i++) pool.tryAdd(i)
    await pool.add(6)
    await pool.submit(7)
    expect(pool.addMany([8, 9, 10, 11, 12, 13])).toBe(6)
    await pool.flush()
    await time.advanceBy(200)
    expect(sink.batches).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11], [12, 13]])
    expect(pool.metrics().workers.map((w) => w.itemsFlushed)).toEqual([6, 4, 4])
  })

  it('routes round robin in runs of a given length; a run ends when its worker holds items back', async () => {
    const { pool, sink, time, crash } = setupPool({ min: 2, size: 100, route: roundRobin({ run: 3 }) })
    pool.addMany([0, 1, 2, 3])
    crash('worker-1') // in the middle of its run: the router picks again, and a slot that holds items back gets one item per turn
    pool.addMany([4, 5, 6, 7, 8, 9, 10])
    expect(pool.metrics()).toMatchObject({ itemsHeld: 2, workers: [{ itemsBuffered: 9 }] })
    await time.advanceBy(200)
    await pool.stop()
    expect(sink.batches.toSorted((a, b) => a[0]! - b[0]!)).toEqual([[0, 1, 2, 4, 5, 6, 8, 9, 10], [3, 7]])
  })

  it('refuses a run of a roundRobin that is not a positive integer or batch', () => {
    expect(() => roundRobin({ run: 0 })).toThrow(ConfigError)
    expect(() => roundRobin({ run: 1.5 })).toThrow(ConfigError)
    expect(() => roundRobin({ runs: 2 } as never)).toThrow(/did you mean `run`/)
    expect(() => createSupervisor({ worker: { flush: () => {} }, route: { name: 'custom', run: -1, pick: () => 0 } })).toThrow(/route\.run/)
  })

  it('routes to the least loaded worker', async () => {
    const { pool, sink, time } = setupPool({ min: 2, size: 2, gated: true, route: leastLoaded() })
    pool.addMany([1, 2, 3])
    expect(pool.metrics().workers.map((w) => w.itemsBuffered + w.itemsInFlight)).toEqual([2, 1])
    sink.open()
    await time.advanceBy(200)
    sink.open()
    await time.advanceBy(200)
    expect(pool.metrics()).toMatchObject({ itemsFlushed: 3 })
  })

  it('sends the same key to the same worker', () => {
    const { pool } = setupPool({ min: 4, size: 1000, route: byKey((n: number) => n % 3) })
    for (let i = 0; i < 30; i++) pool.tryAdd(i)
    const counts = pool.metrics().workers.map((w) => w.itemsBuffered).filter((n) => n > 0)
    expect(counts.every((n) => n % 10 === 0)).toBe(true)
  })

  it('restarts a crashed worker under the same systemId and hands it the unflushed items', async () => {
    const { pool, sink, time, crash, letters } = setupPool({ min: 2, size: 10, route: roundRobin({ run: 1 }) })
    pool.addMany([1, 2, 3, 4, 5, 6])
    const before = pool.actor.system.get('worker-1')
    crash('worker-1')
    expect(pool.state).toBe('restarting')
    expect(pool.metrics()).toMatchObject({ itemsHeld: 3, itemsAdded: 6 })
    expect(balance(pool.metrics())).toBe(0)
    pool.tryAdd(8) // worker-0
    pool.tryAdd(10) // worker-1's turn: held behind the leftovers
    await time.advanceBy(50)
    expect(pool.state).toBe('running')
    expect(pool.actor.system.get('worker-1')).not.toBe(before)
    await pool.stop()
    expect([...sink.flushed].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 8, 10])
    expect(letters).toEqual([])
    expect(pool.metrics()).toMatchObject({ itemsAdded: 8, itemsFlushed: 8, restarts: 1, state: 'stopped' })
  })

  it('a submit follows its item to the replacement worker', async () => {
    const { pool, time, crash } = setupPool({ min: 1, size: 10 })
    const submitted = pool.submit(7)
    crash('worker-0')
    await time.advanceBy(200)
    await expect(submitted).resolves.toBeUndefined()
  })

  it('escalates after maxRestarts crashes within the window: failed, the actor errors, held items dead-lettered', async () => {
    const { pool, crash, time, letters } = setupPool({ min: 1, size: 10, maxRestarts: 1 })
    pool.addMany([1, 2])
    crash('worker-0')
    await time.advanceBy(50)
    crash('worker-0')
    expect(pool.state).toBe('failed')
    expect(pool.actor.getSnapshot().status).toBe('error')
    expect(pool.actor.getSnapshot().error).toBeInstanceOf(SupervisorEscalatedError)
    await expect(pool.stop()).rejects.toBeInstanceOf(SupervisorEscalatedError)
    await time.settle()
    expect(letters.sort()).toEqual([1, 2])
    expect(balance(pool.metrics())).toBe(0)
    expect(pool.tryAdd(3)).toBe(false)
  })

  it('a parent machine sees the escalation as an error of its child', async () => {
    const time = createVirtualTime()
    const { logic, portOf } = createSupervisorLogic<number>({
      worker: { flush: () => {}, scheduler: time.scheduler }, restart: { maxRestarts: 0 },
    })
    const parent = setup({ actors: { pool: logic } }).createMachine({
      initial: 'up',
      states: { up: { invoke: { src: 'pool', systemId: 'pool', input: {}, onError: 'escalated' } }, escalated: {} },
    })
    const actor = createActor(parent).start()
    expect(portOf(actor.system.get('pool'))).toBeDefined()
    crash(actor.system.get('pool/worker-0'))
    expect(actor.getSnapshot().value).toBe('escalated')
  })

  it('scales up under load and back down when idle, with a cool-down between steps', async () => {
    const { pool, sink, time } = setupPool({ min: 1, max: 3, size: 5, gated: true, highWater: 0.3 })
    for (let i = 0; i < 40; i++) pool.tryAdd(i)
    await time.advanceBy(100)
    expect(pool.metrics().workerCount).toBe(2)
    await time.advanceBy(500)
    expect(pool.metrics().workerCount).toBe(2) // cooling down
    await time.advanceBy(600)
    expect(pool.metrics().workerCount).toBe(3)
    for (let i = 0; i < 30; i++) {
      sink.open()
      await time.advanceBy(100)
    }
    expect(pool.metrics().workerCount).toBe(1)
    await pool.stop()
    expect(sink.flushed.length).toBe(40)
    expect(pool.metrics()).toMatchObject({ itemsAdded: 40, itemsFlushed: 40 })
  })

  it('keeps per-key order while a worker is added and another retired', async () => {
    const { pool, sink, time } = setupPool({ min: 1, max: 2, size: 4, gated: true, route: byKey((n: number) => n % 7) })
    let next = 0
    const push = (n: number) => {
      for (let i = 0; i < n; i++) pool.tryAdd(next++)
    }
    push(30)
    await time.advanceBy(100) // scale up: keys move once worker-0 flushed
    expect(pool.state).toBe('scaling')
    push(10)
    for (let i = 0; i < 40; i++) {
      sink.open()
      await time.advanceBy(100)
      if (i === 3) push(10)
    }
    await pool.stop()
    expect(sink.flushed.length).toBe(50)
    for (let key = 0; key < 7; key++) {
      const ofKey = sink.flushed.filter((n) => n % 7 === key)
      expect(ofKey).toEqual([...ofKey].sort((a, b) => a - b))
    }
  })

  it('stop drains every worker and resolves when all stopped; later items are refused', async () => {
    const { pool, sink } = setupPool({ min: 3, size: 100 })
    pool.addMany([1, 2, 3, 4, 5])
    await pool.stop()
    expect(sink.flushed.sort()).toEqual([1, 2, 3, 4, 5])
    expect(Object.values(pool.actor.getSnapshot().children).every((child) => (child as AnyActorRef).getSnapshot().status === 'done')).toBe(true)
    expect(pool.tryAdd(6)).toBe(false)
    expect(pool.metrics()).toMatchObject({ itemsDropped: 1, state: 'stopped' })
  })

  it('a tree of two levels stops cleanly and accounts for every item', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const leaf = createSupervisorLogic<number>({ worker: { flush: sink.flush, size: 4, scheduler: time.scheduler }, workers: { min: 2 } })
    const root = createSupervisor<number>({ worker: leaf, workers: { min: 2 }, route: byKey(), scheduler: time.scheduler })
    expect(root.actor.system.get('worker-1/worker-0')).toBeDefined()
    for (let i = 0; i < 50; i++) root.tryAdd(i)
    await root.stop()
    expect(sink.flushed.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect(root.metrics()).toMatchObject({ itemsAdded: 50, itemsFlushed: 50, itemsBuffered: 0, itemsInFlight: 0, state: 'stopped' })
  })

  it('works as a child of a user machine driven by events', async () => {
    const sink = recordingSink<number>()
    const { logic, portOf } = createSupervisorLogic<number>({ worker: { flush: sink.flush, size: 2 }, workers: { min: 2 } })
    const actor = createActor(setup({ actors: { pool: logic } }).createMachine({ invoke: { src: 'pool', id: 'pool', input: {} } })).start()
    const child = actor.getSnapshot().children['pool']!
    child.send({ type: 'ADD', item: 1 })
    child.send({ type: 'ADD_MANY', items: [2, 3, 4] })
    child.send({ type: 'STOP' })
    await portOf(child)!.stopped
    expect(sink.flushed.sort()).toEqual([1, 2, 3, 4])
  })

  it.each([
    [{ workers: { min: 0 } }, 'Expected `workers.min` to be an integer >= 1, got `0`'],
    [{ workers: { min: 3, max: 2 } }, 'workers.max'],
    [{ workers: { min: 1, max: 3, initial: 4 } }, 'workers.initial'],
    [{ restart: { maxRestarts: -1 } }, 'restart.maxRestarts'],
    [{ scale: { highWater: 2 } }, 'scale.highWater'],
    [{ route: {} }, 'route'],
    [{ worker: { flush: () => {}, capacity: 0 } }, 'capacity'],
    [{ nope: 1 }, 'nope'],
  ])('rejects a bad option at creation: %j', (bad, message) => {
    expect(() => createSupervisor<number>({ worker: { flush: () => {} }, ...(bad as object) })).toThrow(ConfigError)
    expect(() => createSupervisor<number>({ worker: { flush: () => {} }, ...(bad as object) })).toThrow(message)
  })
})
