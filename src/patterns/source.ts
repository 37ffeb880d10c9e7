import { ConfigError } from '../errors.ts'
import { untilAborted } from './untilAborted.ts'

/** What the batch patterns read from: an array, any iterable, or an async iterable (pulled lazily). */
export type BatchSource<T> = Iterable<T> | AsyncIterable<T>

/** The next item of a source, or `done`; `'aborted'` when the signal fired first. */
export type PullResult<T> = IteratorResult<T, unknown> | 'aborted'

/**
 * Reads a source one item at a time, only as fast as it is asked, and can be abandoned while
 * a `next()` hangs: an abort wins the race and the source is closed (its `return()` runs).
 */
export class SourceReader<T> {
  private readonly iterator: Iterator<T> | AsyncIterator<T>
  private closed = false

  constructor(source: BatchSource<T>, private readonly signal: AbortSignal | undefined) {
    this.iterator =
      typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] === 'function'
        ? (source as AsyncIterable<T>)[Symbol.asyncIterator]()
        : (source as Iterable<T>)[Symbol.iterator]()
  }

  /**
   * The next item; `'aborted'` when the signal aborted before (or while) the source answered.
   * A sync source answers synchronously, so a caller can read and hand on an item in one step.
   */
  next(): PullResult<T> | Promise<PullResult<T>> {
    if (this.signal?.aborted) return 'aborted'
    const result = this.iterator.next()
    return isPromiseLike(result) ? untilAborted(result, this.signal) : result
  }

  /** Closes the source early (after a break, an abort or an error). Never throws; does not wait for a hung source. */
  close(): void {
    if (this.closed) return
    this.closed = true
    try {
      const done = this.iterator.return?.()
      if (isPromiseLike(done)) done.then(undefined, () => {})
    } catch {
      // a source whose return() throws is closed as far as we are concerned
    }
  }
}

/** Throws a ConfigError unless `value` is something {@link SourceReader} can read. */
export function checkSource(field: string, value: unknown): void {
  const readable =
    value !== null &&
    value !== undefined &&
    (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' || typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  if (!readable) throw new ConfigError(field, 'an array, an iterable or an async iterable', value)
}

/** The number of items, when `source` knows it without being read (an array, a Set, a Map). */
export function knownLength(source: BatchSource<unknown>): number | undefined {
  if (Array.isArray(source)) return source.length
  if (source instanceof Set || source instanceof Map) return source.size
  return undefined
}

function isPromiseLike<V>(value: unknown): value is PromiseLike<V> {
  return typeof (value as PromiseLike<V> | null)?.then === 'function'
}
