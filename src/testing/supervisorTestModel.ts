import { createTestModel, type TestModel } from '@xstate/graph'
import type { SnapshotFrom } from 'xstate'
import { supervisorMachine, type SupervisorEvent, type SupervisorInput } from '../../machines/supervisor.machine.ts'

/** A snapshot of the supervisor statechart, as the test model walks it. */
export type SupervisorSnapshot = SnapshotFrom<typeof supervisorMachine>

/** Bounds of the supervisor's test model (the machine's input); small ones keep the paths few. */
export type SupervisorTestModelOptions = Required<SupervisorInput>

/** Two to three workers, one restart allowed per minute, no cool-down: every state is reachable in a few steps. */
export const SUPERVISOR_MODEL_BOUNDS: SupervisorTestModelOptions = { min: 2, max: 3, initial: 2, maxRestarts: 1, withinMs: 60_000, cooldownMs: 0 }

/**
 * The events the supervisor's model offers: one item, a flush, scale ticks to `max` and `min`
 * and one past each (the chart must refuse those), a scaling step done, a crash, a restart
 * due, stop and drained. Times are 0: with `cooldownMs: 0` and one restart in the window,
 * time never decides a guard.
 */
export function supervisorModelEvents(bounds: SupervisorTestModelOptions = SUPERVISOR_MODEL_BOUNDS): SupervisorEvent[] {
  return [
    { type: 'ADD', item: 1 },
    { type: 'FLUSH' },
    { type: 'SCALE_TICK', at: 0, desired: bounds.max },
    { type: 'SCALE_TICK', at: 0, desired: bounds.max + 1 },
    { type: 'SCALE_TICK', at: 0, desired: bounds.min },
    { type: 'SCALE_TICK', at: 0, desired: bounds.min - 1 },
    { type: 'SCALE_DONE' },
    { type: 'WORKER_CRASHED', workerId: 'any', at: 0 },
    { type: 'RESTART_DUE' },
    { type: 'STOP' },
    { type: 'DRAINED' },
  ]
}

/**
 * Only what decides the supervisor's behaviour: the state, the worker count, and the restart
 * budget used. The crash times themselves (a growing list) would make every crash a new state.
 */
export function serializeSupervisorSnapshot(snapshot: SupervisorSnapshot): string {
  const { workers, pendingRestarts, crashes } = snapshot.context
  return `${JSON.stringify(snapshot.value)}|workers=${workers}|pending=${pendingRestarts}|crashes=${crashes.length}`
}

/**
 * A finite `@xstate/graph` test model of the supervisor statechart
 * (`machines/supervisor.machine.ts`) within `bounds`: its shortest and simple paths reach
 * running, scaling, restarting, draining, stopped and failed. Create the real supervisor with
 * the same bounds (`workers`, `restart`, `scale.cooldownMs`) to replay them.
 */
export function createSupervisorTestModel(bounds: SupervisorTestModelOptions = SUPERVISOR_MODEL_BOUNDS): TestModel<SupervisorSnapshot, SupervisorEvent, unknown> {
  return createTestModel(supervisorMachine, {
    input: bounds,
    events: supervisorModelEvents(bounds),
    serializeState: (snapshot) => serializeSupervisorSnapshot(snapshot as SupervisorSnapshot),
  })
}
