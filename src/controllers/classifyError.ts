import { FlushTimeoutError } from '../errors.ts'
import type { ErrorKind } from './controller.ts'

const kinds: ReadonlySet<string> = new Set<ErrorKind>(['overload', 'timeout', 'tooLarge', 'badItem', 'fatal'])

/** Classifies a flush error: the user's answer first, then an ErrorKind, if any, in the error's own `kind` field. */
export type ErrorClassifier = (error: unknown) => ErrorKind | undefined

/**
 * What a flush failure means: `classify(error)` when it gives a kind; else the error's own
 * `kind` field when it holds one (`{ kind: 'tooLarge' }`, as `loadbatch/postgres` throws);
 * a {@link FlushTimeoutError} is `timeout`; anything else counts as `overload` (retried, and
 * the controller backs off). A classifier that throws or answers nonsense counts as absent.
 *
 * @example classifyError(Object.assign(new Error('413'), { kind: 'tooLarge' })) // 'tooLarge'
 */
export function classifyError(error: unknown, classify?: ErrorClassifier): ErrorKind {
  if (classify) {
    try {
      const kind = classify(error)
      if (typeof kind === 'string' && kinds.has(kind)) return kind
    } catch {
      // a throwing classifier must not kill the batcher: fall through to the defaults
    }
  }
  const own = (error as { kind?: unknown } | null)?.kind
  if (typeof own === 'string' && kinds.has(own)) return own as ErrorKind
  if (error instanceof FlushTimeoutError) return 'timeout'
  return 'overload'
}
