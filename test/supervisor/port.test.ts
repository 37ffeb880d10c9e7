import { describe, expect, it, vi } from 'vitest'
import { AbortError } from '../../src/errors.ts'
import { createActor, createMachine } from 'xstate'
import { createSupervisor, createSupervisorLogic } from '../../src/supervisor/createSupervisor.ts'
import type { SupervisorPort } from '../../src/supervisor/supervisorPort.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/** The supervisor's port (src/supervisor/supervisorPort.ts) and creation: stop once, state after an outside stop, inspection. */
function pool(inspect?: (event: { type: string }) => void) {
  const time = createVirtualTime()
  const flushed: number[] = []
  const supervisor = createSupervisor<number>({
    worker: { flush: (batch) => void flushed.push(...batch), size: 10, maxWaitMs: 1e9, scheduler: time.scheduler },
    workers: { min: 2 }, ...(inspect ? { inspect } : {}),
  })
  return { time, flushed, supervisor }
}

describe('supervisor port', () => {
  it('stop() is idempotent: one drain, the same promise', async () => {
    const { supervisor, flushed } = pool()
    supervisor.addMany([1, 2, 3])
    const first = supervisor.stop()
    expect(supervisor.stop()).toBe(first)
    await first
    expect(flushed.sort()).toEqual([1, 2, 3])
    expect([supervisor.state, supervisor.metrics().state]).toEqual(['stopped', 'stopped'])
  })

  it('says stopped after its actor was stopped from outside, and stop() then settles at once', async () => {
    const { supervisor } = pool()
    supervisor.actor.stop()
    expect([supervisor.state, supervisor.metrics().state]).toEqual(['stopped', 'stopped'])
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}) // XState warns of an event sent to a stopped actor
    try {
      await expect(supervisor.stop()).resolves.toBeUndefined()
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
  })

  it('reports its state while running, and its routing set', () => {
    const { supervisor } = pool()
    expect([supervisor.state, supervisor.metrics().state, supervisor.metrics().workerCount, (supervisor as typeof supervisor & SupervisorPort<number>).capacity]).toEqual(['running', 'running', 2, 2 * 100])
    expect(supervisor.metrics().workers.map((worker) => worker.id)).toEqual(['worker-0', 'worker-1'])
  })

  it('lets an inspector see the supervisor and its workers', () => {
    const seen = new Set<string>()
    pool((event) => void seen.add(event.type))
    expect(seen).toContain('@xstate.actor')
    expect(seen).toContain('@xstate.snapshot')
  })
})

describe('a supervisor stopped from outside before it drained', () => {
  it('dead-letters what its workers held with an AbortError and rejects their submits with it', async () => {
    const time = createVirtualTime()
    const letters: [number[], unknown][] = []
    const supervisor = createSupervisor<number>({
      worker: { flush: () => new Promise(() => {}), size: 2, maxWaitMs: 1e9, scheduler: time.scheduler, onDeadLetter: (items, error) => void letters.push([items, error]) },
      workers: { min: 2 },
    })
    supervisor.addMany([1, 2, 3, 4, 5])
    const submitted = supervisor.submit(6).then(() => undefined, (error: unknown) => error)
    supervisor.actor.stop()
    await time.settle()
    expect(await submitted).toEqual(new AbortError('The worker was stopped before it drained'))
    expect(letters.flatMap(([items]) => items).sort()).toEqual([1, 2, 3, 4, 5, 6])
    for (const [, error] of letters) expect(error).toBeInstanceOf(AbortError)
    expect(supervisor.metrics()).toMatchObject({ itemsAdded: 6, itemsFailed: 6, state: 'stopped' })
  })
})

describe('the supervisor logic', () => {
  it('gives one port per actor it made, and none for another actor', () => {
    const time = createVirtualTime()
    const { logic, portOf } = createSupervisorLogic<number>({ worker: { flush: () => {}, scheduler: time.scheduler } })
    const actor = createActor(logic, { input: {} }).start()
    expect(portOf(actor)).toBeDefined()
    expect(portOf(actor)).toBe(portOf(actor))
    expect(portOf(createActor(createMachine({})).start())).toBeUndefined()
  })

  it('counts items offered by ADD and ADD_MANY events while draining as dropped', async () => {
    const time = createVirtualTime()
    const supervisor = createSupervisor<number>({ worker: { flush: () => new Promise(() => {}), size: 1, scheduler: time.scheduler, onDeadLetter: () => {} } })
    supervisor.tryAdd(1)
    void supervisor.stop({ timeoutMs: 100 })
    expect(supervisor.state).toBe('draining')
    supervisor.actor.send({ type: 'ADD', item: 2 })
    supervisor.actor.send({ type: 'ADD_MANY', items: [3, 4, 5] })
    expect(supervisor.metrics().itemsDropped).toBe(4)
    await time.advanceBy(100)
  })
})
