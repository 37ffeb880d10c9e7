/**
 * Finds the machines to draw: every XState machine exported from `machines/index.ts`, so a
 * new machine gets its diagram without anyone editing a list.
 */

import type { AnyStateMachine } from 'xstate'
import * as machines from '../../machines/index.ts'

/** Is `value` an XState v5 state machine (as `setup().createMachine()` returns)? */
export function isStateMachine(value: unknown): value is AnyStateMachine {
  return typeof value === 'object' && value !== null && 'root' in value && 'config' in value && typeof (value as { transition?: unknown }).transition === 'function'
}

/** Every machine exported from `machines/index.ts`, by machine id, sorted by id. */
export function machinesToDraw(): AnyStateMachine[] {
  return Object.values(machines as Record<string, unknown>)
    .filter(isStateMachine)
    .sort((a, b) => a.id.localeCompare(b.id))
}
