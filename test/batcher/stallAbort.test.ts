/**
 * A controller's stall limit (`attemptTimeoutMs`) and retries inside the target: an attempt
 * that runs past the controller's limit is aborted and retried without using up one of
 * `retry.attempts`, the limit doubling for the same batch until `flushTimeoutMs` takes over,
 * and its answer still awaited (a write that landed counts as flushed: never written twice);
 * and after the controller cuts the target, retries wait until they fit it (attempts and items
 * in flight), as a retry of every stalled batch at once would hold the backend as before; a
 * limit a decision lowers cuts short at once an attempt already past it.
 */
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, FlushTimeoutError, type Controller, type FlushInfo } from '../../src/index.ts'

const wait = (time: ReturnType<typeof createVirtualTime>, ms: number) => new Promise<void>((resolve) => time.scheduler.schedule(() => resolve(), ms))

/** Holds the target; `attemptTimeoutMs` answers `limitMs` (or throws when it is an Error). */
function stallLimit(limitMs: number | Error | undefined): Controller<null> {
  return {
    name: 'stallLimit', intervalMs: 1, initialState: () => null,
    attemptTimeoutMs: () => {
      if (limitMs instanceof Error) throw limitMs
      return limitMs
    },
    decide: ({ target }) => ({ ...target, state: null }),
  }
}

/** A flush whose calls hang (until aborted) while `hang(call)` says so, and take 10 ms otherwise; records each call. */
function sink(time: ReturnType<typeof createVirtualTime>, hang: (call: number) => boolean) {
  const calls: { at: number; endedAt?: number; reason?: unknown }[] = []
  const flush = (_batch: number[], info: FlushInfo) => {
    const call = { at: time.now() } as (typeof calls)[number]
    calls.push(call)
    if (!hang(calls.length)) return wait(time, 10).then(() => void (call.endedAt = time.now()))
    return new Promise<void>((_, reject) => {
      info.signal.addEventListener('abort', () => {
        call.endedAt = time.now()
        call.reason = info.signal.reason
        reject(info.signal.reason)
      })
    })
  }
  return { calls, flush }
}

const adaptive = { size: { initial: 1, min: 1, max: 2 } }

describe('a controller stall limit (attemptTimeoutMs)', () => {
  it('aborts an attempt that runs past it and retries it without using up an attempt', async () => {
    const time = createVirtualTime()
    const { calls, flush } = sink(time, (call) => call === 1)
    const dead: number[] = []
    const batcher = createBatcher<number>({
      flush, ...adaptive, controller: stallLimit(50), scheduler: time.scheduler, flushTimeoutMs: 10_000,
      retry: { attempts: 1, backoffMs: 5, jitter: false }, onDeadLetter: (items) => void dead.push(...items),
    })
    batcher.tryAdd(7)
    await time.advanceBy(49)
    expect(calls[0]!.endedAt).toBeUndefined()
    await time.advanceBy(1)
    expect(calls[0]!.endedAt).toBe(50)
    expect(calls[0]!.reason).toBeInstanceOf(FlushTimeoutError)
    expect((calls[0]!.reason as FlushTimeoutError).limit).toBe('controller')
    expect((calls[0]!.reason as FlushTimeoutError).message).toMatch(/does not use up a retry/)
    await time.advanceBy(100)
    // retry.attempts is 1, yet the batch was retried and written: the cut-short attempt did not count.
    expect(calls).toHaveLength(2)
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 1, itemsFailed: 0, retries: 1 })
    expect(dead).toEqual([])
    await batcher.stop()
  })

  it('awaits the aborted call: a write that landed anyway counts as flushed and is never written again', async () => {
    const time = createVirtualTime()
    const written: number[][] = []
    // A database whose commit lands 30 ms after the abort asked it to stop (the cancel came too late).
    const flush = (batch: number[]) => wait(time, 80).then(() => void written.push(batch))
    const batcher = createBatcher<number>({ flush, ...adaptive, controller: stallLimit(50), scheduler: time.scheduler, flushTimeoutMs: 10_000 })
    batcher.tryAdd(7)
    await time.advanceBy(200)
    expect(written).toEqual([[7]])
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 1, itemsFailed: 0, retries: 0 })
    await batcher.stop()
    expect(written).toEqual([[7]])
  })

  it('gives a call that ignores the abort until flushTimeoutMs, then fails it as that timeout', async () => {
    const time = createVirtualTime()
    let calls = 0
    const errors: unknown[] = []
    const batcher = createBatcher<number>({
      flush: () => (++calls === 1 ? new Promise<void>(() => {}) : undefined), ...adaptive, controller: stallLimit(50), scheduler: time.scheduler, flushTimeoutMs: 300,
      retry: { attempts: 2, backoffMs: 5, jitter: false }, onDeadLetter: (_items, error) => void errors.push(error),
    })
    batcher.tryAdd(7)
    await time.advanceBy(299)
    expect(calls).toBe(1) // aborted at 50 ms, but still awaited
    await time.advanceBy(20)
    expect(calls).toBe(2) // failed at 300 ms as flushTimeoutMs, then retried
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 1, retries: 1 })
    expect(errors).toEqual([])
    await batcher.stop()
  })

  it('dead-letters a call that ignores the abort with the flushTimeoutMs error once its attempts are used up', async () => {
    const time = createVirtualTime()
    const errors: unknown[] = []
    const batcher = createBatcher<number>({
      flush: () => new Promise<void>(() => {}), ...adaptive, controller: stallLimit(50), scheduler: time.scheduler, flushTimeoutMs: 300,
      retry: { attempts: 1 }, onDeadLetter: (_items, error) => void errors.push(error),
    })
    batcher.tryAdd(7)
    await time.advanceBy(301)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(FlushTimeoutError)
    expect((errors[0] as FlushTimeoutError).limit).toBe('flushTimeoutMs')
    expect((errors[0] as FlushTimeoutError).timeoutMs).toBe(300)
    await batcher.stop({ timeoutMs: 0 })
  })

  it('doubles the limit each time it cuts the same batch short, and leaves it to flushTimeoutMs once it gets there', async () => {
    const time = createVirtualTime()
    const { calls, flush } = sink(time, () => true)
    const errors: unknown[] = []
    const batcher = createBatcher<number>({
      flush, ...adaptive, controller: stallLimit(100), scheduler: time.scheduler, flushTimeoutMs: 350,
      retry: { attempts: 1, backoffMs: 5, jitter: false }, onDeadLetter: (_items, error) => void errors.push(error),
    })
    batcher.tryAdd(1)
    await time.advanceBy(2000)
    // 100, then 200 (the controller's, doubled), then 400 ≥ flushTimeoutMs: the batcher's 350, which counts, and ends it.
    expect(calls.map((c) => c.endedAt! - c.at)).toEqual([100, 200, 350])
    expect(calls.map((c) => (c.reason as FlushTimeoutError).limit)).toEqual(['controller', 'controller', 'flushTimeoutMs'])
    expect(errors).toHaveLength(1)
    expect(errors[0]).toBeInstanceOf(FlushTimeoutError)
    expect(batcher.metrics().itemsFailed).toBe(1)
    await batcher.stop()
  })

  it('leaves flushTimeoutMs alone when the limit throws, is no finite number > 0, or the batcher does not adapt', async () => {
    for (const [limit, size] of [[new Error('broken controller'), adaptive.size], [Number.NaN, adaptive.size], [-5, adaptive.size], [undefined, adaptive.size], [50, 1]] as const) {
      const time = createVirtualTime()
      const { calls, flush } = sink(time, (call) => call === 1)
      const logged: unknown[] = []
      const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (...args: unknown[]) => void logged.push(args[0]) }
      const batcher = createBatcher<number>({
        flush, size, controller: stallLimit(limit), scheduler: time.scheduler, flushTimeoutMs: 300, logger,
        retry: { attempts: 2, backoffMs: 5, jitter: false }, onDeadLetter: () => {},
      })
      batcher.tryAdd(1)
      await time.advanceBy(1000)
      expect(calls[0]!.endedAt! - calls[0]!.at).toBe(300)
      expect((calls[0]!.reason as FlushTimeoutError).limit).toBe('flushTimeoutMs')
      expect(batcher.metrics().itemsFlushed).toBe(1)
      if (limit instanceof Error) expect(logged.some((line) => String(line).includes('attemptTimeoutMs() threw'))).toBe(true)
      await batcher.stop()
    }
  })
})

describe('a limit a decision lowers', () => {
  /** No limit until a flush answered; then 50 ms for attempts that started before that decision (the batcher asks with each attempt's start). */
  function lowersOnAnswer(): Controller<number | null> {
    return {
      name: 'lowersOnAnswer', intervalMs: 1, initialState: () => null,
      attemptTimeoutMs: (decidedAt, _items, startedAt) => (decidedAt !== null && startedAt < decidedAt ? 50 : undefined),
      decide: ({ target, samples, now }, decidedAt) => ({ ...target, state: decidedAt ?? (samples.length > 0 ? now : null) }),
    }
  }

  it('cuts short at once a running attempt already past it, and retries it without using up an attempt', async () => {
    const time = createVirtualTime()
    // The first call hangs until aborted (a dropped request); the others take 10 ms, the second answering at 60 ms.
    const calls: { at: number; endedAt?: number; reason?: unknown }[] = []
    const flush = (_batch: number[], info: FlushInfo) => {
      const call = { at: time.now() } as (typeof calls)[number]
      calls.push(call)
      if (calls.length === 2) return wait(time, 60).then(() => void (call.endedAt = time.now()))
      if (calls.length > 2) return wait(time, 10).then(() => void (call.endedAt = time.now()))
      return new Promise<void>((_, reject) => info.signal.addEventListener('abort', () => {
        call.endedAt = time.now()
        call.reason = info.signal.reason
        reject(info.signal.reason)
      }))
    }
    const batcher = createBatcher<number>({
      flush, size: { initial: 1, min: 1, max: 2 }, concurrency: 2, controller: lowersOnAnswer(), scheduler: time.scheduler,
      flushTimeoutMs: 10_000, retry: { attempts: 1, backoffMs: 5, jitter: false },
    })
    batcher.tryAdd(1)
    batcher.tryAdd(2)
    await time.advanceBy(59)
    expect(calls[0]!.endedAt).toBeUndefined()
    // The second call answers at 60 ms; the decision on it (the controller's 1 ms cadence) lowers the limit to 50 ms, which the
    // first attempt is past: cut then, not at 10 s.
    await time.advanceBy(1)
    expect(calls[0]!.endedAt).toBeUndefined()
    await time.advanceBy(1)
    expect(calls[0]!.endedAt).toBe(61)
    expect((calls[0]!.reason as FlushTimeoutError).limit).toBe('controller')
    await time.advanceBy(100)
    expect(calls).toHaveLength(3)
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsFailed: 0, retries: 1 })
    await batcher.stop()
  })
})

describe('retries after a cut', () => {
  /** Cuts the target to `to` once a failed flush is seen. */
  function cutOnFailure(to: { batchSize: number; concurrency: number }): Controller<null> {
    return {
      name: 'cutOnFailure', intervalMs: 1, initialState: () => null,
      decide: ({ target, samples }) => ({ ...(samples.some((s) => s.failed) ? to : target), state: null }),
    }
  }

  /** Fails each batch's first call after 10 ms, writes it on the next; counts attempts running at once from `watchFrom` on. */
  function firstCallsFail(time: ReturnType<typeof createVirtualTime>, watchFrom: number) {
    const seen = new Set<number>()
    let running = 0
    let most = 0
    const written: number[] = []
    const flush = async (batch: number[]) => {
      running++
      if (time.now() >= watchFrom) most = Math.max(most, running)
      await wait(time, 10)
      running--
      if (!seen.has(batch[0]!)) {
        seen.add(batch[0]!)
        throw new Error('busy')
      }
      written.push(...batch)
    }
    return { flush, written, most: () => most }
  }

  /**
   * Starts at `size` × `concurrency`, offers `items`, cuts to `to` on the first failure; returns
   * what was written and the most attempts that ran at once after the cut.
   */
  async function retriesAfterCut(size: number, concurrency: number, to: { batchSize: number; concurrency: number }, items: number) {
    const time = createVirtualTime()
    const sinkUnderTest = firstCallsFail(time, 12)
    const batcher = createBatcher<number>({
      flush: sinkUnderTest.flush, size: { initial: size, min: 1, max: Math.max(2, size) }, concurrency: { initial: concurrency, min: 1, max: concurrency },
      controller: cutOnFailure(to), scheduler: time.scheduler, retry: { attempts: 3, backoffMs: 5, jitter: false },
    })
    for (let i = 0; i < items; i++) batcher.tryAdd(i)
    await time.advanceBy(200)
    await batcher.stop()
    return { written: sinkUnderTest.written.sort(), most: sinkUnderTest.most() }
  }

  it('run one at a time once the concurrency was cut to one', async () => {
    expect(await retriesAfterCut(1, 4, { batchSize: 1, concurrency: 1 }, 4)).toEqual({ written: [0, 1, 2, 3], most: 1 })
  })

  it('keep the items in flight within size × concurrency once the size was cut', async () => {
    // Two batches of 3 failed together; cut to 1 × 2, their retries (3 items each) go one after the other.
    expect(await retriesAfterCut(3, 2, { batchSize: 1, concurrency: 2 }, 6)).toEqual({ written: [0, 1, 2, 3, 4, 5], most: 1 })
  })

  it('still run side by side while they fit the target', async () => {
    expect(await retriesAfterCut(1, 4, { batchSize: 1, concurrency: 4 }, 4)).toEqual({ written: [0, 1, 2, 3], most: 4 })
  })
})
