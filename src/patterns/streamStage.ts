import { Observable } from 'rxjs'
import { AbortError } from '../errors.ts'
import { SourceReader, type BatchSource } from './source.ts'
import { untilAborted } from './untilAborted.ts'

/**
 * One step of a stream that groups items into outputs (batches, windows). The same stage runs
 * behind an Observable and behind an async iterable, so both behave alike on complete, error
 * and cancel.
 */
export interface StreamStage<I, O> {
  /** Takes one item; may emit outputs. */
  add(item: I): void | Promise<void>
  /** The source ended (or failed): emit everything pending, then resolve. */
  complete(): Promise<void>
  /** The consumer went away: emit nothing more, hand what is pending (and the outputs it never took) to the user. */
  cancel(unconsumed: O[]): Promise<void>
  /** After cancel, an async source answered a read that was already pending: hand that item to the user too. */
  late(item: I): void
}

/** Makes a stage that emits its outputs through `emit`. */
export type StageFactory<I, O> = (emit: (output: O) => void) => StreamStage<I, O>

/**
 * Runs a stage over an Observable. Complete: pending outputs are emitted, then complete.
 * Error: pending outputs are emitted, then the error. Unsubscribe: the stage is cancelled
 * (its pending items go to the user's callback, not lost).
 */
export function stageOnObservable<I, O>(source: Observable<I>, makeStage: StageFactory<I, O>): Observable<O> {
  return new Observable<O>((subscriber) => {
    let finished = false
    const stage = makeStage((output) => subscriber.next(output))
    const end = (notify: () => void) => {
      stage.complete().then(() => {
        finished = true
        notify()
      })
    }
    const subscription = source.subscribe({
      next: (item) => {
        const added = stage.add(item)
        if (added) added.catch((error: unknown) => subscriber.error(error))
      },
      error: (error: unknown) => end(() => subscriber.error(error)),
      complete: () => end(() => subscriber.complete()),
    })
    return () => {
      subscription.unsubscribe()
      if (!finished) {
        finished = true
        void stage.cancel([])
      }
    }
  })
}

/**
 * Runs a stage over an iterable or async iterable, as an async iterable of its outputs. The
 * source is read only while no output waits for the consumer (bounded memory).
 * `return()` (a `break`) or an abort cancels the stage: its pending items and the outputs not
 * taken go to the user's callback. An abort then throws AbortError; a source error is thrown
 * after the pending outputs were yielded.
 */
export async function* stageOnIterable<I, O>(source: BatchSource<I>, makeStage: StageFactory<I, O>, signal: AbortSignal | undefined): AsyncGenerator<O, void, undefined> {
  const ready: O[] = []
  let wakeConsumer: (() => void) | undefined
  let wakeProducer: (() => void) | undefined
  let finished = false
  let cancelled = false
  let failure: { error: unknown } | undefined
  const stage = makeStage((output) => {
    ready.push(output)
    wakeConsumer?.()
  })
  const reader = new SourceReader(source, signal)
  const produce = async () => {
    try {
      for (;;) {
        while (ready.length > 0 && !cancelled) await new Promise<void>((resolve) => (wakeProducer = resolve))
        if (cancelled) return
        const read = reader.next()
        const next = read instanceof Promise ? await read : read
        if (next === 'aborted') return
        if (next.done) break
        if (cancelled) return stage.late(next.value) // read while the consumer was leaving: not lost either
        await stage.add(next.value)
      }
    } catch (error) {
      failure = { error }
    }
    if (!cancelled) await stage.complete()
    finished = true
    wakeConsumer?.()
  }
  const producing = produce()
  let completed = false
  try {
    for (;;) {
      if (ready.length > 0) {
        const output = ready.shift()!
        wakeProducer?.()
        yield output
        continue
      }
      if (finished) break
      const woken = new Promise<void>((resolve) => (wakeConsumer = resolve))
      if ((await untilAborted(woken, signal)) === 'aborted') throw new AbortError(signal!.reason)
    }
    completed = true
    if (failure) throw failure.error
  } finally {
    if (!completed) {
      cancelled = true
      reader.close()
      wakeProducer?.()
      await stage.cancel(ready.splice(0))
    }
    // The producer is not awaited: it may sit in a hung source's next(); it never rejects.
    void producing
  }
}
