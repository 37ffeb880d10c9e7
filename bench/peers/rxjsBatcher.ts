/**
 * The RxJS pipelines a user would write instead of loadbatch: a Subject piped through
 * `bufferCount(size)` or `bufferTime(maxWaitMs, null, size)`, and for flushing,
 * `mergeMap(flush, concurrency)`. RxJS has no backpressure: `next` never waits and nothing
 * bounds what piles up in `mergeMap`'s queue.
 */
import { Subject, bufferCount, bufferTime, lastValueFrom, mergeMap, type Subscription, defaultIfEmpty } from 'rxjs'

/** `subject.pipe(bufferCount(size))` into a synchronous sink. */
export function rxBufferCount<T>(size: number, sink: (batch: T[]) => void): { subject: Subject<T>; subscription: Subscription } {
  const subject = new Subject<T>()
  const subscription = subject.pipe(bufferCount(size)).subscribe(sink)
  return { subject, subscription }
}

/** `subject.pipe(bufferTime(maxWaitMs, null, size))` into a synchronous sink (empty time-outs skipped). */
export function rxBufferTime<T>(size: number, maxWaitMs: number, sink: (batch: T[]) => void): { subject: Subject<T>; subscription: Subscription } {
  const subject = new Subject<T>()
  const subscription = subject.pipe(bufferTime(maxWaitMs, null, size)).subscribe((batch) => {
    if (batch.length > 0) sink(batch)
  })
  return { subject, subscription }
}

/**
 * `bufferTime(maxWaitMs, null, size)` + `mergeMap(flush, concurrency)`: push with
 * `subject.next`, end with `subject.complete()`; `done` settles when every batch was flushed.
 */
export function rxBufferTimeMergeMap<T>(options: {
  size: number
  maxWaitMs: number
  concurrency: number
  flush: (batch: T[]) => Promise<unknown>
}): { subject: Subject<T>; done: Promise<unknown> } {
  const subject = new Subject<T>()
  const done = lastValueFrom(
    subject.pipe(
      bufferTime(options.maxWaitMs, null, options.size),
      mergeMap((batch) => (batch.length > 0 ? options.flush(batch) : Promise.resolve()), options.concurrency),
      defaultIfEmpty(undefined),
    ),
  )
  return { subject, done }
}
