import type { AnyStateMachine } from 'xstate'

/**
 * A statechart whose named effect actions (`effects`) only record that they ran, with the
 * `params` a transition gave them: the log of a chart as data, to check which effects each
 * event runs in each state. Assigning actions keep their implementation.
 */
export function recordingEffects<M extends AnyStateMachine>(machine: M, effects: readonly string[]): { machine: M; log: string[] } {
  const log: string[] = []
  const actions = Object.fromEntries(
    effects.map((name) => [name, (_: unknown, params?: { trigger?: string }) => void log.push(params?.trigger ? `${name}:${params.trigger}` : name)]),
  )
  return { machine: machine.provide({ actions } as never) as M, log }
}
