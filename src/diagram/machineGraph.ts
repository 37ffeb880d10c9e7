/**
 * A statechart as plain data for drawing: its states (with their descriptions, entry actions
 * and the events they handle without leaving) and its transitions (event, guard, actions),
 * read from the machine definition itself (`machine.root`, each node's `states`,
 * `transitions` and `always`), so a diagram can never drift from the machine.
 */

import type { AnyStateMachine } from 'xstate'

/** An event a state handles without changing state (a targetless transition). */
export interface InternalEvent {
  /** The event type, `always`, or `after 100ms`. */
  readonly event: string
  /** The guard's name, if any. */
  readonly guard?: string
  /** The actions' names. */
  readonly actions: readonly string[]
}

/** One state of the chart. */
export interface GraphState {
  /** Unique id: the path of keys joined with `.` (e.g. `running.scaling`). */
  readonly id: string
  /** The state's own key. */
  readonly key: string
  /** The id of the parent state, or undefined at the top level. */
  readonly parentId?: string
  /** `atomic`, `compound`, `parallel`, `final` or `history`. */
  readonly type: string
  /** True for the initial state of its parent. */
  readonly initial: boolean
  /** The state's `description`, if any. */
  readonly description?: string
  /** Names of its entry actions. */
  readonly entry: readonly string[]
  /** Events it handles in place, in definition order. */
  readonly internal: readonly InternalEvent[]
}

/** One transition between two states (or from a state to itself). */
export interface GraphTransition {
  readonly from: string
  readonly to: string
  /** The event type, `always`, or `after 100ms`. */
  readonly event: string
  /** The guard's name, if any. */
  readonly guard?: string
  /** The actions' names. */
  readonly actions: readonly string[]
}

/** A whole chart. */
export interface MachineGraph {
  /** The machine's id. */
  readonly id: string
  /** The top-level initial state's id. */
  readonly initial: string | undefined
  /** Every state but the root, parents before children, in definition order. */
  readonly states: readonly GraphState[]
  /** Every transition with a target, in definition order. */
  readonly transitions: readonly GraphTransition[]
}

/** The minimal shape of an XState v5 state node that the walk reads. */
interface NodeLike {
  readonly key: string
  readonly path: readonly string[]
  readonly type: string
  readonly description?: string
  readonly states: Record<string, NodeLike>
  readonly entry: readonly unknown[]
  readonly transitions: Map<string, readonly TransitionLike[]>
  readonly always?: readonly TransitionLike[]
  readonly initial?: { readonly target: readonly NodeLike[] }
  readonly config: { readonly initial?: unknown }
}

interface TransitionLike {
  readonly target?: readonly NodeLike[]
  readonly guard?: unknown
  readonly actions: readonly unknown[]
  readonly eventType: string | null
}

/**
 * Walks `machine` into a {@link MachineGraph}: every state under the root and every
 * transition, with named guards and actions (inline functions show as `inline`).
 *
 * @example machineGraph(batcherMachine).states.map((s) => s.id) // ['collecting', 'flushing', …]
 */
export function machineGraph(machine: AnyStateMachine): MachineGraph {
  const root = machine.root as unknown as NodeLike
  const states: GraphState[] = []
  const transitions: GraphTransition[] = []
  const visit = (node: NodeLike, parent: NodeLike | undefined): void => {
    const id = idOf(node)
    const internal: InternalEvent[] = []
    const handle = (event: string, definition: TransitionLike) => {
      const guard = nameOf(definition.guard)
      const actions = definition.actions.map(nameOf).filter((a): a is string => a !== undefined)
      const targets = definition.target ?? []
      if (targets.length === 0) internal.push({ event, ...(guard ? { guard } : {}), actions })
      for (const target of targets) transitions.push({ from: id, to: idOf(target), event, ...(guard ? { guard } : {}), actions })
    }
    if (parent) {
      for (const [eventType, definitions] of node.transitions) for (const d of definitions) handle(eventLabel(eventType), d)
      for (const d of node.always ?? []) handle('always', d)
      const initialKey = parent.initial?.target[0]?.key ?? (typeof parent.config.initial === 'string' ? parent.config.initial : undefined)
      states.push({
        id,
        key: node.key,
        ...(parent.path.length > 0 ? { parentId: idOf(parent) } : {}),
        type: node.type,
        initial: initialKey === node.key,
        ...(node.description ? { description: node.description } : {}),
        entry: node.entry.map(nameOf).filter((a): a is string => a !== undefined),
        internal,
      })
    }
    for (const child of Object.values(node.states)) visit(child, node)
  }
  visit(root, undefined)
  const initial = root.initial?.target[0]
  return { id: machine.id, initial: initial ? idOf(initial) : undefined, states, transitions }
}

function idOf(node: NodeLike): string {
  return node.path.join('.')
}

/** `xstate.after.100.batcher.x` → `after 100ms`; `''` (eventless) → `always`. */
function eventLabel(eventType: string): string {
  const after = /^xstate\.after\.(\d+)\./.exec(eventType)
  if (after) return `after ${after[1]}ms`
  return eventType === '' ? 'always' : eventType
}

/** The name of a guard or action: a string, `{ type }`, or `inline` for an anonymous function. */
function nameOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'function') return value.name && !value.name.startsWith('xstate.') ? value.name : 'inline'
  if (typeof value === 'object' && 'type' in value && typeof value.type === 'string') return value.type
  return 'inline'
}
