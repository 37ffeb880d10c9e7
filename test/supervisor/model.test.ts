import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import type { SupervisorEvent } from '../../machines/supervisor.machine.ts'
import { byKey } from '../../src/routing/byKey.ts'
import { createSupervisor, type Supervisor } from '../../src/supervisor/createSupervisor.ts'
import { createSupervisorTestModel, createVirtualTime, SUPERVISOR_MODEL_BOUNDS, type SupervisorSnapshot, type VirtualTime } from '../../src/testing/index.ts'
import { balance, crash, recordingSink } from './harness.ts'

/**
 * Model-based tests: @xstate/graph walks the pure supervisor statechart (with the same bounds
 * as the real supervisor below) and every generated path drives a real `createSupervisor`,
 * checking after each step that it is in the state the chart says.
 *
 * The real supervisor completes scaling, restarts and drains on its own; to make each
 * intermediate state observable, every worker holds a flush at a gate, and the events that
 * complete a step (SCALE_DONE, RESTART_DUE, DRAINED) are performed by opening the gate or
 * moving virtual time.
 */
const BOUNDS = SUPERVISOR_MODEL_BOUNDS
type Snapshot = SupervisorSnapshot
const model = createSupervisorTestModel(BOUNDS)

function createSut() {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const pool = createSupervisor<number>({
    worker: { flush: sink.flush, size: 10, maxWaitMs: Infinity, scheduler: time.scheduler },
    workers: { min: BOUNDS.min, max: BOUNDS.max, initial: BOUNDS.initial },
    route: byKey(),
    restart: { maxRestarts: BOUNDS.maxRestarts, withinMs: BOUNDS.withinMs, backoffMs: 10 },
    scale: { intervalMs: 1e9, cooldownMs: BOUNDS.cooldownMs },
  })
  return { time, sink, pool }
}

function activeWorkers(pool: Supervisor<number>): AnyActorRef[] {
  return Object.values(pool.actor.getSnapshot().children as Record<string, AnyActorRef>).filter((child) => child.getSnapshot().status === 'active')
}

/** Puts one item in flight, held at the gate, in every live worker (through the worker's own ADD and FLUSH events). */
function holdAFlushInEveryWorker(pool: Supervisor<number>): void {
  for (const worker of activeWorkers(pool)) {
    worker.send({ type: 'ADD', item: 0 })
    worker.send({ type: 'FLUSH' })
  }
}

/** Lets promises settle (no time passes, so no restart backoff fires) until `done`. */
async function settleUntil(time: VirtualTime, open: () => void, done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) {
    open()
    await time.settle()
  }
}

async function runUntil(time: VirtualTime, open: () => void, done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) {
    open()
    await time.advanceBy(50)
  }
}

function pathParams({ time, sink, pool }: ReturnType<typeof createSut>) {
  return {
    states: {
      '*': (state: Snapshot) => {
        expect(pool.state).toBe(state.value)
        expect(pool.metrics().workerCount).toBe(state.context.workers)
        expect(balance(pool.metrics())).toBe(0)
        if (state.value === 'failed') expect(pool.actor.getSnapshot().status).toBe('error')
        // Oracles independent of the chart (the model walks the same chart, so it cannot catch a
        // wrong guard by itself): outside scaling and draining, the pool is `restarting` exactly
        // while some slot of the routing set has no live worker.
        const m = pool.metrics()
        expect(m.workerCount).toBeGreaterThanOrEqual(BOUNDS.min)
        expect(m.workerCount).toBeLessThanOrEqual(BOUNDS.max)
        const awaiting = m.workerCount - m.workers.length
        if (state.value === 'running' || state.value === 'restarting') {
          expect(pool.state).toBe(awaiting > 0 ? 'restarting' : 'running')
          expect(awaiting).toBe(state.context.pendingRestarts)
        }
      },
    },
    events: {
      ADD: () => void pool.tryAdd(1),
      FLUSH: () => pool.actor.send({ type: 'FLUSH' }),
      SCALE_TICK: ({ event }: { event: SupervisorEvent }) => {
        holdAFlushInEveryWorker(pool)
        pool.actor.send(event.type === 'SCALE_TICK' ? { ...event, at: time.now() } : event)
      },
      SCALE_DONE: () => settleUntil(time, () => sink.open(), () => pool.state !== 'scaling'),
      WORKER_CRASHED: () => {
        const worker = activeWorkers(pool)[0]
        expect(worker, 'a live worker to crash').toBeDefined()
        holdAFlushInEveryWorker(pool)
        crash(worker)
      },
      RESTART_DUE: async () => {
        const restarts = pool.metrics().restarts
        await runUntil(time, () => {}, () => pool.metrics().restarts > restarts)
      },
      STOP: () => {
        holdAFlushInEveryWorker(pool)
        void pool.stop().catch(() => {})
      },
      DRAINED: () => runUntil(time, () => sink.open(), () => pool.state !== 'draining'),
    },
  }
}

/**
 * The chart lets SCALE_DONE arrive whenever scaling; the runtime cannot finish adding a worker
 * while an old owner awaits its restart (its leftovers must flush before its keys move), so
 * paths asking for that are left out (and counted).
 */
function isPerformable(path: { steps: readonly { event: SupervisorEvent; state: Snapshot }[] }): boolean {
  let scalingUp = false
  let previous: Snapshot | undefined
  for (const step of path.steps) {
    if (step.event.type === 'SCALE_TICK') scalingUp = step.event.desired >= BOUNDS.max
    if (step.event.type === 'SCALE_DONE' && scalingUp && (previous?.context.pendingRestarts ?? 0) > 0) return false
    previous = step.state
  }
  return true
}

const allShortest = model.getShortestPaths()
const allSimple = model.getSimplePaths()
const shortest = allShortest.filter((path) => isPerformable(path as never))
const simple = allSimple.filter((path) => isPerformable(path as never))

describe('supervisor model (generated from machines/supervisor.machine.ts)', () => {
  it(`generates ${shortest.length} shortest and ${simple.length} simple paths (of ${allShortest.length} and ${allSimple.length})`, () => {
    expect(shortest.length).toBeGreaterThan(10)
    expect(simple.length).toBeGreaterThanOrEqual(shortest.length)
    const reached = new Set(simple.flatMap((path) => path.steps.map((step) => JSON.stringify(step.state.value))))
    for (const state of ['running', 'scaling', 'restarting', 'draining', 'stopped', 'failed']) expect(reached).toContain(JSON.stringify(state))
  })

  describe('shortest paths', () => {
    for (const path of shortest) {
      it(path.description, async () => {
        await path.test(pathParams(createSut()) as never)
      })
    }
  })

  describe('simple paths', () => {
    for (const path of simple) {
      it(path.description, async () => {
        await path.test(pathParams(createSut()) as never)
      })
    }
  })
})
