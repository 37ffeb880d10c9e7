import type { Logger } from './logger.ts'

/** The user's dead-letter hook: gets items that will not be flushed, with the error that ended them. */
export type DeadLetterHook<T> = (items: T[], error: unknown) => void | Promise<void>

/**
 * Hands `items` to `onDeadLetter`, guarded: a hook that throws or rejects is logged, never
 * thrown at the caller. Without a hook the loss is logged as an error; `what` says what
 * happened to the items ("failed after their last attempt", "held … dead-lettered").
 */
export function deadLetter<T>(onDeadLetter: DeadLetterHook<T> | undefined, logger: Logger, items: T[], error: unknown, what = 'item(s) failed after their last attempt'): void {
  if (!onDeadLetter) {
    logger.error(`loadbatch: ${items.length} ${what} and no onDeadLetter is set`, error)
    return
  }
  try {
    const result = onDeadLetter(items, error)
    if (isPromiseLike(result)) result.then(undefined, (e: unknown) => logger.error('loadbatch: onDeadLetter rejected', e))
  } catch (e) {
    logger.error('loadbatch: onDeadLetter threw', e)
  }
}

/** True for a thenable; false (never a throw) for a value whose `then` getter throws. */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  try {
    return typeof (value as PromiseLike<unknown> | null)?.then === 'function'
  } catch {
    return false // a `then` getter that throws: not a promise, and not feedback either
  }
}
