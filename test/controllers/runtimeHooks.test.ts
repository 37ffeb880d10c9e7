/**
 * What the batcher hands its controller (runtime hooks of issue 12): each attempt timed on its
 * own with its concurrency, backlog and trigger; adjusting goes on while draining; the default
 * capacity leaves room for every flush slot; a stall watch asks for a decision while an attempt
 * hangs.
 */
import { describe, expect, it } from 'vitest'
import { autoTune, createBatcher, createVirtualTime, type Controller, type ControllerInput, type FeedbackSample } from '../../src/index.ts'

/** Records every window it is shown and doubles the size each time. */
function recorder(windows: FeedbackSample[][]): Controller<null> {
  return {
    name: 'recorder', intervalMs: 1, initialState: () => null,
    decide: ({ target, samples }) => {
      windows.push([...samples])
      return { batchSize: target.batchSize * 2, concurrency: target.concurrency, state: null }
    },
  }
}

const wait = (time: ReturnType<typeof createVirtualTime>, ms: number) => new Promise<void>((resolve) => time.scheduler.schedule(() => resolve(), ms))

describe('runtime hooks for controllers', () => {
  it('gives each flush sample its own duration, flushes in flight, backlog, trigger and a running number', async () => {
    const time = createVirtualTime()
    const windows: FeedbackSample[][] = []
    const batcher = createBatcher<number>({
      flush: () => wait(time, 30), size: { initial: 2, min: 1, max: 2 }, concurrency: 2, controller: recorder(windows), maxWaitMs: 5, scheduler: time.scheduler,
    })
    for (let i = 0; i < 5; i++) batcher.tryAdd(i)
    await time.advanceBy(31)
    const first = windows[0]!
    expect(first.map((s) => [s.durationMs, s.inFlight, s.trigger, s.backlog])).toEqual([[30, 1, 'size', 1], [30, 2, 'size', 0]])
    expect(first.map((s) => s.seq)).toEqual([1, 2])
    const stopped = batcher.stop()
    await time.advanceBy(100)
    await stopped
  })

  it('counts as in flight only the attempts running: a batch waiting out its retry backoff puts no load on the backend', async () => {
    const time = createVirtualTime()
    const windows: FeedbackSample[][] = []
    let calls = 0
    const batcher = createBatcher<number>({
      // The first call fails at once; every other takes 30 ms.
      flush: () => (++calls === 1 ? Promise.reject(new Error('503')) : wait(time, 30)),
      size: 1, concurrency: { initial: 2, min: 1, max: 2 }, controller: recorder(windows), maxWaitMs: 1, scheduler: time.scheduler,
      retry: { attempts: 3, backoffMs: 100, jitter: false },
    })
    batcher.tryAdd(0) // fails, then waits 100 ms to retry
    await time.advanceBy(10)
    batcher.tryAdd(1) // starts while item 0's batch waits out its backoff: alone on the backend
    await time.advanceBy(200)
    const samples = windows.flat().filter((s) => s.source === 'flush' && !s.failed)
    const alone = samples.find((s) => s.attempt === 1)!
    expect(alone.inFlight).toBe(1)
    const stopped = batcher.stop()
    await time.advanceBy(100)
    await stopped
    expect(batcher.metrics().itemsFlushed).toBe(2)
  })

  it('keeps adjusting while draining', async () => {
    const time = createVirtualTime()
    const windows: FeedbackSample[][] = []
    const batcher = createBatcher<number>({
      flush: () => wait(time, 10), size: { initial: 1, min: 1, max: 64 }, controller: recorder(windows), scheduler: time.scheduler,
    })
    for (let i = 0; i < 100; i++) batcher.tryAdd(i)
    const stopped = batcher.stop()
    await time.advanceBy(200)
    await stopped
    // 100 items from size 1 doubling per flush: 1+2+4+8+16+32+37, far fewer than 100 flushes
    expect(batcher.metrics().flushCount).toBeLessThan(10)
    expect(batcher.metrics().itemsFlushed).toBe(100)
  })

  it('defaults capacity so that every flush slot can hold a full batch twice over', () => {
    const batcher = createBatcher({ flush: () => new Promise<void>(() => {}), size: 1, concurrency: { initial: 1, min: 1, max: 20 } })
    let accepted = 0
    while (batcher.tryAdd(accepted)) accepted++
    expect(accepted).toBe(40)
    void batcher.stop({ timeoutMs: 0 })
  })

  it('asks a controller with overdueMs to decide while an attempt hangs: at that age, then at each doubling, with oldestAttemptMs', async () => {
    const time = createVirtualTime()
    const inputs: ControllerInput[] = []
    const controller: Controller<null> = {
      name: 'watcher', intervalMs: 1, initialState: () => null, overdueMs: () => 100,
      decide: (input) => {
        inputs.push(input)
        return { ...input.target, state: null }
      },
    }
    let call = 0
    // The first flush answers in 10 ms; the second hangs until the batcher gives up on it.
    const flush = () => (++call === 1 ? wait(time, 10) : new Promise<void>(() => {}))
    const batcher = createBatcher<number>({ flush, size: { initial: 1, min: 1, max: 4 }, controller, scheduler: time.scheduler, flushTimeoutMs: 1000, retry: { attempts: 1 }, onDeadLetter: () => {} })
    batcher.tryAdd(1)
    await time.advanceBy(11)
    expect(inputs).toHaveLength(1) // the first flush's sample
    expect(inputs[0]!.oldestAttemptMs).toBeUndefined()
    batcher.tryAdd(2)
    await time.advanceBy(99)
    expect(inputs).toHaveLength(1)
    await time.advanceBy(2)
    expect(inputs).toHaveLength(2)
    expect(inputs[1]!.oldestAttemptMs).toBe(100)
    await time.advanceBy(99)
    expect(inputs).toHaveLength(3)
    expect(inputs[2]!.oldestAttemptMs).toBe(200)
    await time.advanceBy(200)
    expect(inputs.map((i) => i.oldestAttemptMs)).toEqual([undefined, 100, 200, 400])
    const stopped = batcher.stop()
    await time.advanceBy(1000)
    await stopped
  })

  it('lets autoTune shrink a batcher whose flushes hang, without waiting for them to end', async () => {
    const time = createVirtualTime()
    let hang = false
    // Healthy flushes take 10 ms; from the switch on, every flush hangs until it times out (60 s).
    const flush = () => (hang ? new Promise<void>(() => {}) : wait(time, 10))
    const batcher = createBatcher<number>({ flush, size: { initial: 100, min: 10, max: 1000 }, concurrency: { initial: 4, min: 1, max: 8 }, controller: autoTune(), scheduler: time.scheduler, flushTimeoutMs: 60_000, onDeadLetter: () => {} })
    const feed = () => { while (batcher.tryAdd(0)) { /* fill */ } }
    for (let t = 0; t < 2000; t += 5) {
      feed()
      await time.advanceBy(5)
    }
    const before = batcher.metrics().batchSize * batcher.metrics().concurrency
    hang = true
    feed()
    // 16 × the healthy latency (about 10 ms) is well under a second; the timeout is a minute away.
    await time.advanceBy(1000)
    const after = batcher.metrics().batchSize * batcher.metrics().concurrency
    expect(after).toBeLessThan(before / 2)
    const stopped = batcher.stop({ timeoutMs: 0 })
    await time.advanceBy(1)
    await stopped
  })
})
