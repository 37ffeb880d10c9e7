import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import { BatcherStoppedError, SupervisorEscalatedError } from '../../src/errors.ts'
import type { Router } from '../../src/routing/router.ts'
import { createSupervisor, createSupervisorLogic } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { balance, crash, recordingSink } from './harness.ts'

/**
 * What an escalation gives up (src/supervisor/supervisorRuntime.ts `escalate`, `abandon`): the
 * live workers' items and the held ones go to onDeadLetter with the SupervisorEscalatedError,
 * every worker stops, and a producer waiting for a restarting slot is refused at once.
 */
const parity: Router<number> = { name: 'parity', pick: (item, _key, workers) => item % workers.length }

function pool() {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const letters: { items: number[]; error: unknown }[] = []
  const supervisor = createSupervisor<number>({
    worker: { flush: sink.flush, size: 2, capacity: 4, maxWaitMs: 1e9, scheduler: time.scheduler, onDeadLetter: (items, error) => void letters.push({ items, error }) },
    workers: { min: 2 }, route: parity,
    restart: { maxRestarts: 1, withinMs: 10_000, backoffMs: 50 },
  })
  const crashWorker = (id: string) => crash(supervisor.actor.system.get(id))
  return { time, sink, letters, supervisor, crash: crashWorker }
}

describe('an escalation', () => {
  it('dead-letters what the live workers and the supervisor hold, with the escalation error, and stops every worker', async () => {
    const { supervisor, letters, time, crash } = pool()
    supervisor.addMany([0, 2, 4, 6]) // worker-0: [0, 2] in flight, [4, 6] buffered
    supervisor.addMany([1, 3]) // worker-1: [1, 3] in flight
    const workers = ['worker-0', 'worker-1'].map((id) => supervisor.actor.system.get(id) as AnyActorRef)
    crash('worker-1') // its leftovers are held
    supervisor.tryAdd(5) // held behind them
    crash('worker-0') // the second crash within the window escalates
    await time.settle()
    expect(supervisor.state).toBe('failed')
    expect(letters.flatMap((letter) => letter.items).toSorted()).toEqual([0, 1, 2, 3, 4, 5, 6])
    for (const letter of letters) expect(letter.error).toBe(supervisor.actor.getSnapshot().error) // one error, built once
    expect(letters[0]!.error).toBeInstanceOf(SupervisorEscalatedError)
    await expect(supervisor.stop()).rejects.toBe(letters[0]!.error)
    await expect(supervisor.add(8)).rejects.toThrow('The supervisor is stopping or stopped and accepts no new items')
    expect(workers.map((worker) => worker.getSnapshot().status)).not.toContain('active')
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 0, itemsFailed: 7 })
    expect(balance(supervisor.metrics())).toBe(0)
  })

  it('dead-letters the live workers\' items even when they did not crash', async () => {
    const { supervisor, letters, time, crash } = pool()
    supervisor.addMany([0, 2, 4]) // worker-0, which never crashes
    crash('worker-1')
    await time.advanceBy(50)
    crash('worker-1')
    await time.settle()
    expect(supervisor.state).toBe('failed')
    expect(letters.flatMap((letter) => letter.items).toSorted()).toEqual([0, 2, 4])
    expect((supervisor.actor.system.get('worker-0') as AnyActorRef | undefined)?.getSnapshot().status).not.toBe('active')
  })

  it('refuses at once an add waiting for a restarting slot to take it', async () => {
    const { supervisor, time, crash } = pool()
    supervisor.addMany([1, 3, 5, 7]) // worker-1 full
    crash('worker-1') // 4 leftovers: its slot is full
    const waiting = supervisor.add(9).then(() => 'accepted', (error: unknown) => error)
    await time.advanceBy(10)
    crash('worker-0') // escalates during worker-1's backoff
    expect(await waiting).toBeInstanceOf(BatcherStoppedError)
  })

  it('cancels the restarts still waiting for their backoff', async () => {
    const { supervisor, time, crash } = pool()
    crash('worker-1') // its restart is due in 50 ms
    expect(time.scheduler.actions.filter((action) => !action.closed)).toHaveLength(1)
    crash('worker-0') // escalates
    expect(time.scheduler.actions.filter((action) => !action.closed)).toHaveLength(0)
    await time.advanceBy(100)
    expect(supervisor.metrics().restarts).toBe(0)
  })

  it('of a tree makes each worker supervisor give up what it holds, with the escalation error', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>({ gated: true })
    const letters: { items: number[]; error: unknown }[] = []
    const onDeadLetter = (items: number[], error: unknown) => void letters.push({ items, error })
    const leaf = createSupervisorLogic<number>({ worker: { flush: sink.flush, size: 10, maxWaitMs: 1e9, scheduler: time.scheduler, onDeadLetter }, workers: { min: 1 } })
    const root = createSupervisor<number>({ worker: leaf, workers: { min: 2 }, route: parity, restart: { maxRestarts: 0 }, scheduler: time.scheduler })
    root.addMany([0, 1, 2, 3, 4, 5]) // worker-0: 0, 2, 4; worker-1: 1, 3, 5
    crash(root.actor.system.get('worker-1')) // a leaf supervisor crashes: the root escalates
    await time.settle()
    expect(root.state).toBe('failed')
    const escalated = letters.filter((letter) => letter.error instanceof SupervisorEscalatedError)
    expect(escalated.flatMap((letter) => letter.items).toSorted()).toEqual([0, 2, 4]) // the live leaf's, given up on the root's order
  })
})
