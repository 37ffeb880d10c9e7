import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { supervisorMachine, type SupervisorEvent, type SupervisorInput } from '../../machines/supervisor.machine.ts'
import { recordingEffects } from '../support/recordedActions.ts'

/**
 * The supervisor statechart on its own (machines/supervisor.machine.ts, every effect a no-op):
 * what its context holds after each event, where time decides a guard (the restart window, the
 * cool-down), and the defaults of its input. The model test walks the chart with times of 0;
 * these pin the boundaries it cannot see.
 */
function chart(input?: SupervisorInput) {
  const actor = createActor(supervisorMachine, { input }).start()
  const send = (...events: SupervisorEvent[]) => {
    for (const event of events) actor.send(event)
    return actor.getSnapshot()
  }
  return { actor, send, snapshot: () => actor.getSnapshot() }
}

const crashAt = (at: number): SupervisorEvent => ({ type: 'WORKER_CRASHED', workerId: 'worker-0', at })
const tick = (at: number, desired: number): SupervisorEvent => ({ type: 'SCALE_TICK', at, desired })

describe('supervisor chart: input', () => {
  it('starts running with the defaults when given no input', () => {
    const { snapshot } = chart()
    expect(snapshot().value).toBe('running')
    expect(snapshot().context).toEqual({
      workers: 1, min: 1, max: 1, pendingRestarts: 0, crashes: [], maxRestarts: 3, withinMs: 60_000, cooldownUntil: 0, cooldownMs: 10_000,
    })
  })

  it('takes max and the initial count from min when only min is given', () => {
    const { snapshot } = chart({ min: 2 })
    expect(snapshot().context).toMatchObject({ workers: 2, min: 2, max: 2 })
  })

  it('keeps every bound it is given', () => {
    const { snapshot } = chart({ min: 1, max: 4, initial: 3, maxRestarts: 5, withinMs: 10, cooldownMs: 7 })
    expect(snapshot().context).toMatchObject({ workers: 3, min: 1, max: 4, maxRestarts: 5, withinMs: 10, cooldownMs: 7, cooldownUntil: 0 })
  })
})

describe('supervisor chart: the restart window', () => {
  it('records each crash time and counts the restarts it owes', () => {
    const { send } = chart({ maxRestarts: 3, withinMs: 1000 })
    expect(send(crashAt(5))).toMatchObject({ value: 'restarting', context: { crashes: [5], pendingRestarts: 1 } })
    expect(send(crashAt(6))).toMatchObject({ value: 'restarting', context: { crashes: [5, 6], pendingRestarts: 2 } })
  })

  it('restarts the owed workers one RESTART_DUE at a time, running again after the last', () => {
    const { send } = chart({ maxRestarts: 3, withinMs: 1000 })
    send(crashAt(0), crashAt(0))
    expect(send({ type: 'RESTART_DUE' })).toMatchObject({ value: 'restarting', context: { pendingRestarts: 1 } })
    expect(send({ type: 'RESTART_DUE' })).toMatchObject({ value: 'running', context: { pendingRestarts: 0 } })
  })

  it('forgets a crash exactly withinMs old: it neither counts against the budget nor stays recorded', () => {
    const { send } = chart({ maxRestarts: 2, withinMs: 1000 })
    send(crashAt(0), { type: 'RESTART_DUE' }, crashAt(500), { type: 'RESTART_DUE' })
    const after = send(crashAt(1000))
    expect(after.value).toBe('restarting')
    expect(after.context.crashes).toEqual([500, 1000])
  })

  it('fails on the crash that finds maxRestarts crashes younger than withinMs', () => {
    const { send, actor } = chart({ maxRestarts: 2, withinMs: 1000 })
    actor.subscribe({ error: () => {} })
    send(crashAt(0), { type: 'RESTART_DUE' }, crashAt(999), { type: 'RESTART_DUE' })
    const after = send(crashAt(999))
    expect(after.value).toBe('failed')
    expect(after.context.crashes).toEqual([0, 999, 999])
  })

  it('counts a crash while scaling or draining without leaving the state, and fails past the budget there too', () => {
    const scaling = chart({ min: 1, max: 2, maxRestarts: 1, withinMs: 1000, cooldownMs: 0 })
    scaling.actor.subscribe({ error: () => {} })
    scaling.send(tick(0, 2))
    expect(scaling.send(crashAt(1))).toMatchObject({ value: 'scaling', context: { crashes: [1], pendingRestarts: 1 } })
    expect(scaling.send(crashAt(2)).value).toBe('failed')

    const draining = chart({ maxRestarts: 1, withinMs: 1000 })
    draining.actor.subscribe({ error: () => {} })
    draining.send({ type: 'STOP' })
    expect(draining.send(crashAt(1))).toMatchObject({ value: 'draining', context: { crashes: [1], pendingRestarts: 1 } })
    expect(draining.send({ type: 'RESTART_DUE' })).toMatchObject({ value: 'draining', context: { pendingRestarts: 0 } })
    expect(draining.send(crashAt(2)).value).toBe('failed')
  })

  it('never lets the owed restarts go below zero on a RESTART_DUE nobody owes', () => {
    const { send } = chart({ min: 1, max: 2, cooldownMs: 0 })
    send(tick(0, 2))
    expect(send({ type: 'RESTART_DUE' })).toMatchObject({ value: 'scaling', context: { pendingRestarts: 0 } })
    expect(send({ type: 'SCALE_DONE' })).toMatchObject({ value: 'running', context: { pendingRestarts: 0 } })
  })

  it('counts a restart done while scaling, so the step ends in running', () => {
    const { send } = chart({ min: 1, max: 2, cooldownMs: 0 })
    send(tick(0, 2), crashAt(1))
    expect(send({ type: 'RESTART_DUE' })).toMatchObject({ value: 'scaling', context: { pendingRestarts: 0 } })
    expect(send({ type: 'SCALE_DONE' }).value).toBe('running')
  })

  it('goes from scaling to restarting when a crash waits for its restart', () => {
    const { send } = chart({ min: 1, max: 2, cooldownMs: 0 })
    send(tick(0, 2), crashAt(1))
    expect(send({ type: 'SCALE_DONE' })).toMatchObject({ value: 'restarting', context: { pendingRestarts: 1 } })
  })
})

describe('supervisor chart: scaling and the cool-down', () => {
  it('adds a worker and sets the cool-down from the tick time', () => {
    const { send } = chart({ min: 1, max: 3, cooldownMs: 1000 })
    expect(send(tick(100, 2))).toMatchObject({ value: 'scaling', context: { workers: 2, cooldownUntil: 1100 } })
  })

  it('takes no step before the cool-down ends and the next one exactly when it ends', () => {
    const { send } = chart({ min: 1, max: 3, cooldownMs: 1000 })
    send(tick(100, 2), { type: 'SCALE_DONE' })
    expect(send(tick(1099, 3))).toMatchObject({ value: 'running', context: { workers: 2, cooldownUntil: 1100 } })
    expect(send(tick(1099, 1))).toMatchObject({ value: 'running', context: { workers: 2, cooldownUntil: 1100 } })
    expect(send(tick(1100, 1))).toMatchObject({ value: 'scaling', context: { workers: 1, cooldownUntil: 2100 } })
  })

  it('scales neither past max nor below min, nor when the load asks for the count it has', () => {
    const { send } = chart({ min: 2, max: 3, cooldownMs: 0 })
    expect(send(tick(0, 2))).toMatchObject({ value: 'running', context: { workers: 2 } })
    expect(send(tick(0, 1))).toMatchObject({ value: 'running', context: { workers: 2 } })
    send(tick(0, 3), { type: 'SCALE_DONE' })
    expect(send(tick(0, 4))).toMatchObject({ value: 'running', context: { workers: 3 } })
    expect(send(tick(0, 3))).toMatchObject({ value: 'running', context: { workers: 3 } })
  })

  it('takes one step per tick, however far the load asks', () => {
    const { send } = chart({ min: 1, max: 5, cooldownMs: 0 })
    expect(send(tick(0, 5))).toMatchObject({ value: 'scaling', context: { workers: 2 } })
    send({ type: 'SCALE_DONE' })
    expect(send(tick(0, 1))).toMatchObject({ value: 'scaling', context: { workers: 1 } })
  })

  it('ignores scale ticks while scaling, restarting and draining', () => {
    const { send } = chart({ min: 1, max: 3, cooldownMs: 0 })
    send(tick(0, 2))
    expect(send(tick(0, 3))).toMatchObject({ value: 'scaling', context: { workers: 2 } })
    send({ type: 'SCALE_DONE' }, crashAt(0))
    expect(send(tick(0, 3))).toMatchObject({ value: 'restarting', context: { workers: 2 } })
    send({ type: 'RESTART_DUE' }, { type: 'STOP' })
    expect(send(tick(0, 3))).toMatchObject({ value: 'draining', context: { workers: 2 } })
  })
})

describe('supervisor chart: stopping', () => {
  it('drains on STOP from every routing state and stops on DRAINED', () => {
    for (const prelude of [[], [tick(0, 2)], [crashAt(0)]] as SupervisorEvent[][]) {
      const { send } = chart({ min: 1, max: 2, cooldownMs: 0 })
      send(...prelude)
      expect(send({ type: 'STOP' }).value).toBe('draining')
      expect(send({ type: 'SCALE_DONE' }).value).toBe('draining')
      expect(send({ type: 'DRAINED' })).toMatchObject({ value: 'stopped', status: 'done' })
    }
  })
})

const EFFECTS = [
  'startWorkers', 'routeItem', 'routeItems', 'flushWorkers', 'shareFeedback', 'addWorker', 'retireWorker', 'scheduleRestart',
  'restartWorker', 'beginDrain', 'escalate', 'raiseEscalation', 'refuseItem', 'release',
]

/** The chart with its effects recorded, brought to a state by `prelude`, its log emptied. */
function recorded(prelude: SupervisorEvent[] = [], input: SupervisorInput = { min: 1, max: 3, maxRestarts: 2, withinMs: 1000, cooldownMs: 0 }) {
  const { machine, log } = recordingEffects(supervisorMachine, EFFECTS)
  const actor = createActor(machine, { input }).start()
  actor.subscribe({ error: () => {} })
  for (const event of prelude) actor.send(event)
  log.length = 0
  return (event: SupervisorEvent) => {
    actor.send(event)
    const snapshot = actor.getSnapshot()
    return { state: snapshot.value, status: snapshot.status, effects: log.splice(0) }
  }
}

const OUTSIDE: [SupervisorEvent, string][] = [
  [{ type: 'ADD', item: 1 }, 'routeItem'],
  [{ type: 'ADD_MANY', items: [1, 2] }, 'routeItems'],
  [{ type: 'FLUSH' }, 'flushWorkers'],
  [{ type: 'FEEDBACK', feedback: { cpu: 0.5 } }, 'shareFeedback'],
]

describe('supervisor chart: effects', () => {
  it('spawns the initial workers on start', () => {
    const { machine, log } = recordingEffects(supervisorMachine, EFFECTS)
    createActor(machine, { input: {} }).start()
    expect(log).toEqual(['startWorkers'])
  })

  for (const [name, prelude] of [['running', []], ['scaling', [tick(0, 2)]], ['restarting', [crashAt(0)]]] as [string, SupervisorEvent[]][]) {
    for (const [event, effect] of OUTSIDE) {
      it(`${name}: ${event.type} runs ${effect}`, () => {
        expect(recorded(prelude)(event)).toEqual({ state: name, status: 'active', effects: [effect] })
      })
    }

    it(`${name}: STOP begins the drain`, () => {
      expect(recorded(prelude)({ type: 'STOP' })).toEqual({ state: 'draining', status: 'active', effects: ['beginDrain'] })
    })

    it(`${name}: a worker's own error event is absorbed (WORKER_CRASHED carries it)`, () => {
      expect(recorded(prelude)({ type: 'xstate.error.actor.worker-0', error: new Error('x') })).toEqual({ state: name, status: 'active', effects: [] })
    })

    it(`${name}: a crash within budget schedules a restart; past it the supervisor escalates`, () => {
      const send = recorded(prelude, { min: 1, max: 3, maxRestarts: 2, withinMs: 1000, cooldownMs: 0 })
      expect(send(crashAt(1)).effects).toEqual(['scheduleRestart'])
      const past = send(crashAt(1))
      expect(past.effects).toEqual(name === 'restarting' ? ['escalate'] : ['scheduleRestart'])
    })
  }

  it('running: a tick asking for more adds a worker, one asking for fewer retires one', () => {
    expect(recorded()(tick(0, 2))).toEqual({ state: 'scaling', status: 'active', effects: ['addWorker'] })
    expect(recorded([], { min: 1, max: 3, initial: 2, cooldownMs: 0 })(tick(0, 1))).toEqual({ state: 'scaling', status: 'active', effects: ['retireWorker'] })
  })

  it('scaling and restarting: RESTART_DUE restarts a worker', () => {
    expect(recorded([tick(0, 2), crashAt(0)])({ type: 'RESTART_DUE' })).toEqual({ state: 'scaling', status: 'active', effects: ['restartWorker'] })
    const send = recorded([crashAt(0), crashAt(0)])
    expect(send({ type: 'RESTART_DUE' })).toEqual({ state: 'restarting', status: 'active', effects: ['restartWorker'] })
    expect(send({ type: 'RESTART_DUE' })).toEqual({ state: 'running', status: 'active', effects: ['restartWorker'] })
  })

  it('draining: refuses items, still shares feedback and restarts crashed workers, and releases when drained', () => {
    const send = recorded([{ type: 'STOP' }])
    expect(send({ type: 'ADD', item: 1 })).toEqual({ state: 'draining', status: 'active', effects: ['refuseItem'] })
    expect(send({ type: 'ADD_MANY', items: [1] })).toEqual({ state: 'draining', status: 'active', effects: ['refuseItem'] })
    expect(send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })).toEqual({ state: 'draining', status: 'active', effects: ['shareFeedback'] })
    expect(send({ type: 'FLUSH' })).toEqual({ state: 'draining', status: 'active', effects: [] })
    expect(send(tick(0, 3))).toEqual({ state: 'draining', status: 'active', effects: [] })
    expect(send({ type: 'xstate.error.actor.worker-0', error: new Error('x') })).toEqual({ state: 'draining', status: 'active', effects: [] })
    expect(send(crashAt(0))).toEqual({ state: 'draining', status: 'active', effects: ['scheduleRestart'] })
    expect(send({ type: 'RESTART_DUE' })).toEqual({ state: 'draining', status: 'active', effects: ['restartWorker'] })
    expect(send({ type: 'DRAINED' })).toEqual({ state: 'stopped', status: 'done', effects: ['release'] })
  })

  it('failed: routes nothing and raises the escalation on ESCALATE', () => {
    const send = recorded([crashAt(0), crashAt(0), crashAt(0)])
    for (const [event] of OUTSIDE) expect(send(event)).toEqual({ state: 'failed', status: 'active', effects: [] })
    expect(send({ type: 'STOP' })).toEqual({ state: 'failed', status: 'active', effects: [] })
    expect(send({ type: 'ESCALATE' }).effects).toEqual(['raiseEscalation'])
  })
})
