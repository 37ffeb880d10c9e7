import { checkKeys } from '../checkOption.ts'
import type { Controller } from './controller.ts'

/** Options of {@link fixed}. */
export interface FixedOptions {
  /** Cadence in ms (default 5000); a fixed controller changes nothing, so it only sets when metrics refresh. */
  readonly intervalMs?: number
}

/**
 * Keeps the batch size and concurrency where they are: the controller of a batcher whose
 * `size` is a plain number, and the baseline that adaptive controllers are compared with.
 */
export function fixed(options: FixedOptions = {}): Controller<null> {
  checkKeys('', options, ['intervalMs'], 'fixed')
  return {
    name: 'fixed',
    intervalMs: options.intervalMs ?? 5000,
    initialState: () => null,
    decide: ({ target }) => ({ batchSize: target.batchSize, concurrency: target.concurrency, state: null }),
  }
}
