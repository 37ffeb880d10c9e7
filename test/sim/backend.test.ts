import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { backendOnScheduler, constant, createSimulatedBackend, optimalBatchSize, sinewave, spikes, step, type BackendCallResult } from '../../src/sim/index.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { loadScore } from '../../src/controllers/index.ts'
import { scoreLoad } from '../../src/feedback.ts'
import { runClosedLoop } from './closedLoop.ts'

/** A quiet, noise-free backend, so latencies can be checked exactly. */
const quiet = (extra: Parameters<typeof createSimulatedBackend>[0] = {}) =>
  createSimulatedBackend({ pattern: constant({ level: 0 }), latencyJitter: 0, ...extra })

/** The same script of calls (size, time), overlapping, against a fresh backend: each call's outcome once all ended. */
const script = (options: Parameters<typeof createSimulatedBackend>[0], poll = false): BackendCallResult[] => {
  const backend = createSimulatedBackend(options)
  const calls = Array.from({ length: 200 }, (_, i) => {
    if (poll) {
      backend.feedbackAt(i * 50)
      backend.loadAt(i * 50)
      backend.optimalBatchSizeAt(i * 50)
    }
    return backend.call(20 + (i % 7) * 40, i * 50)
  })
  backend.advanceTo(1e9)
  return calls.map((call) => call.result()!)
}

/** Starts a call and runs the backend until it ended. */
const done = (backend: ReturnType<typeof createSimulatedBackend>, batchSize: number, atMs: number): BackendCallResult => backend.finish(backend.call(batchSize, atMs))

describe('createSimulatedBackend', () => {
  it('fills in the documented defaults', () => {
    const { options } = createSimulatedBackend()
    expect(options).toMatchObject({
      seed: 1, overheadMs: 20, perItemMs: 0.5, capacity: 2000, queueCapacity: 2000, kneeSlowdown: 20, saturationSlowdown: 1000,
      baseErrorRate: 0.001, errorOnset: 0.9, errorSlope: 3, maxErrorRate: 0.95, lockOnset: 0.8, lockSlope: 250,
      failureMode: 'items', latencyJitter: 0.1,
    })
    expect(options.pattern(12_345)).toBe(0.5)
  })

  it('refuses bad options with a ConfigError naming the field and the rule', () => {
    expect(() => createSimulatedBackend({ capacity: 0 })).toThrow('Expected `capacity` to be a number > 0, got `0`')
    expect(() => createSimulatedBackend({ queueCapacity: 0 })).toThrow('Expected `queueCapacity` to be a number > 0, got `0`')
    expect(createSimulatedBackend({ capacity: 500 }).options.queueCapacity).toBe(500)
    expect(createSimulatedBackend({ queueCapacity: 300 }).options.queueCapacity).toBe(300)
    const cases: Array<[Parameters<typeof createSimulatedBackend>[0], string]> = [
      [{ overheadMs: -1 }, 'overheadMs'],
      [{ perItemMs: Number.NaN }, 'perItemMs'],
      [{ overheadMs: 0, perItemMs: 0 }, 'perItemMs'],
      [{ capacity: Infinity }, 'capacity'],
      [{ kneeSlowdown: 0.5 }, 'kneeSlowdown'],
      [{ kneeSlowdown: 50, saturationSlowdown: 10 }, 'saturationSlowdown'],
      [{ baseErrorRate: 2 }, 'baseErrorRate'],
      [{ baseErrorRate: 0.5, maxErrorRate: 0.2 }, 'maxErrorRate'],
      [{ seed: Number.NaN }, 'seed'],
      [{ failureMode: 'rows' as never }, 'failureMode'],
      [{ pattern: 0.5 as never }, 'pattern'],
      [{ latencyJitter: -0.1 }, 'latencyJitter'],
    ]
    for (const [options, field] of cases) {
      try {
        createSimulatedBackend(options)
        expect.unreachable(`${field} was accepted`)
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError)
        expect((error as ConfigError).field).toBe(field)
      }
    }
  })
})

describe('call', () => {
  it('costs the overhead plus the per-item cost on an idle backend', () => {
    const backend = quiet({ capacity: 1e9 })
    expect(done(backend, 1, 0).latencyMs).toBeCloseTo(20.5, 6)
    expect(done(backend, 100, 1000).latencyMs).toBeCloseTo(70, 3)
    expect(done(backend, 0, 2000).latencyMs).toBeCloseTo(20, 6)
  })

  it('slows a call down by the background load', () => {
    const backend = createSimulatedBackend({ pattern: constant({ level: 0.5 }), latencyJitter: 0, capacity: 1e9 })
    expect(done(backend, 100, 0).latencyMs).toBeCloseTo(140, 3)
  })

  it('serves a call at the pace of the moment: faster once the load falls, slower while others pile on', () => {
    // 100 items (70 ms of work) at background 0.5 (pace ½) until 50 ms, then at 0 (pace 1): 25 ms of work done, 45 left.
    const falling = createSimulatedBackend({ pattern: step({ fromLevel: 0.5, toLevel: 0, atMs: 50 }), latencyJitter: 0, capacity: 1e9 })
    expect(done(falling, 100, 0).latencyMs).toBeCloseTo(95, 3)
    // Alone a 100-item call on an empty backend of capacity 200 meets u = 0.5: 140 ms. A second one from 10 ms on slows it.
    const shared = createSimulatedBackend({ pattern: constant({ level: 0 }), latencyJitter: 0, capacity: 200 })
    const first = shared.call(100, 0)
    shared.call(100, 10)
    expect(shared.finish(first).latencyMs).toBeGreaterThan(140 + 40)
  })

  it('counts the work already in flight until it ends, with no end reported', () => {
    const backend = quiet()
    const first = backend.call(1000, 0)
    expect(first.utilisation).toBeCloseTo(0.5, 12)
    const second = backend.call(10, 1)
    expect(second.utilisation).toBeCloseTo(0.505, 12)
    expect(backend.loadAt(2)).toMatchObject({ itemsInFlight: 1010, callsInFlight: 2 })
    const secondEnd = backend.finish(second)
    expect(secondEnd.latencyMs).toBeGreaterThan(1.9 * 25)
    expect(backend.loadAt(secondEnd.endMs)).toMatchObject({ itemsInFlight: 1000, callsInFlight: 1 })
    const firstEnd = backend.finish(first)
    expect(first.result()).toBe(firstEnd)
    expect(backend.loadAt(firstEnd.endMs)).toMatchObject({ itemsInFlight: 0, callsInFlight: 0, utilisation: 0 })
    expect(backend.nextEndMs()).toBe(Infinity)
    expect(done(backend, 10, firstEnd.endMs + 1).latencyMs).toBeCloseTo(25 / (1 - 10 / 2000), 6)
  })

  it('never lets its clock run backwards: an earlier time counts as the latest seen', () => {
    const backend = quiet()
    const first = done(backend, 1000, 0)
    backend.loadAt(first.endMs + 10)
    // A late caller with a stale time does not meet the call that already ended.
    const late = backend.call(10, 5)
    expect(late.utilisation).toBeCloseTo(10 / 2000, 12)
    expect(late.startMs).toBe(first.endMs + 10)
    expect(backend.finish(late).endMs).toBeGreaterThan(first.endMs + 10)
  })

  it('reports feedback a flush function can return: cpu, errorRate, queue, locks and latency', () => {
    const backend = quiet()
    const result = done(backend, 100, 0)
    expect(result.feedback.cpu).toBeCloseTo(0.05, 12)
    expect(result.feedback).toEqual({
      cpu: result.feedback.cpu,
      errorRate: 0,
      queueDepth: 5,
      queueCapacity: 2000,
      locks: 0,
      latencyMs: result.latencyMs,
    })
  })

  it('has lock waits, long queues and errors appear past capacity, and none when comfortable', () => {
    const backend = createSimulatedBackend({ pattern: constant({ level: 0.9 }), seed: 4 })
    const comfortable = done(createSimulatedBackend({ pattern: constant({ level: 0.1 }), seed: 4 }), 200, 0)
    expect(comfortable).toMatchObject({ ok: true, feedback: { locks: 0, errorRate: 0 } })
    const started = backend.call(600, 0)
    expect(started.utilisation).toBeCloseTo(1.2, 12)
    expect(started.ok).toBe(false)
    expect(started.failedIndexes!.length / 600).toBeGreaterThan(0.4)
    const overrun = backend.finish(started)
    expect(overrun.utilisation).toBeCloseTo(1.2, 6)
    expect(overrun.feedback.locks).toBe(100)
    expect(overrun.feedback.cpu).toBe(1)
    // The whole backend's waiting work (1.2 × 2000 items, nearly all waiting), past the queue's size.
    expect(overrun.feedback.queueDepth).toBeGreaterThan(2350)
    expect(overrun.feedback.queueDepth).toBeGreaterThan(overrun.feedback.queueCapacity!)
    expect(overrun.latencyMs).toBeGreaterThan(100 * 320)
  })

  it('lists failed items by index, ascending, in failureMode items', () => {
    const result = done(createSimulatedBackend({ pattern: constant({ level: 1 }), seed: 2 }), 50, 0)
    const failed = result.failedIndexes!
    expect(failed.length).toBeGreaterThan(0)
    expect(failed.length).toBeLessThan(50)
    expect([...failed].sort((a, b) => a - b)).toEqual(failed)
    expect(failed.every((i) => Number.isInteger(i) && i >= 0 && i < 50)).toBe(true)
    expect(result.feedback.errorRate).toBe(failed.length / 50)
  })

  it('fails whole calls, with no failedIndexes, in failureMode batch', () => {
    const backend = createSimulatedBackend({ pattern: constant({ level: 1 }), failureMode: 'batch', seed: 3 })
    const results = Array.from({ length: 200 }, (_, i) => done(backend, 10, i * 100_000))
    const failed = results.filter((r) => !r.ok)
    expect(failed.length).toBeGreaterThan(40)
    expect(failed.length).toBeLessThan(160)
    expect(failed.every((r) => r.failedIndexes === undefined && r.feedback.errorRate === 1)).toBe(true)
    expect(results.filter((r) => r.ok).every((r) => r.feedback.errorRate === 0)).toBe(true)
  })

  it('spreads latency with jitter but keeps its mean', () => {
    const backend = createSimulatedBackend({ pattern: constant({ level: 0 }), capacity: 1e9, seed: 8 })
    const latencies = Array.from({ length: 4000 }, (_, i) => done(backend, 100, i * 1000).latencyMs)
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length
    expect(mean).toBeGreaterThan(69)
    expect(mean).toBeLessThan(71)
    expect(Math.max(...latencies) - Math.min(...latencies)).toBeGreaterThan(20)
  })

  it('refuses a batch size that is not an integer >= 0 and a time that is not finite', () => {
    const backend = quiet()
    expect(() => backend.call(-1, 0)).toThrow(RangeError)
    expect(() => backend.call(1.5, 0)).toThrow('Expected `batchSize` to be an integer >= 0, got `1.5`')
    expect(() => backend.call(1, Number.NaN)).toThrow(RangeError)
    expect(() => backend.feedbackAt(Infinity)).toThrow(RangeError)
  })

  it('keeps totals of calls, items and failures', () => {
    const backend = createSimulatedBackend({ pattern: constant({ level: 1 }), seed: 2 })
    const results = [backend.call(50, 0), backend.call(0, 10), backend.call(30, 20)]
    const failedItems = results.reduce((sum, r) => sum + (r.failedIndexes?.length ?? 0), 0)
    expect(backend.stats()).toEqual({
      calls: 3,
      items: 80,
      failedItems,
      failedCalls: results.filter((r) => !r.ok).length,
    })
  })
})

describe('cancel', () => {
  it('ends a running call at once, failed, and frees the backend of its load', () => {
    const backend = quiet({ capacity: 200 })
    const big = backend.call(100, 0)
    const small = backend.call(10, 0)
    backend.cancel(big, 5)
    expect(big.result()).toMatchObject({ ok: false, endMs: 5, latencyMs: 5 })
    expect(backend.loadAt(5)).toMatchObject({ itemsInFlight: 10, callsInFlight: 1 })
    // The small call now runs at the pace of its own load only: faster than beside the big one.
    const alone = quiet({ capacity: 200 })
    const reference = alone.finish(alone.call(10, 0))
    const crowded = quiet({ capacity: 200 })
    crowded.call(100, 0)
    const slowed = crowded.finish(crowded.call(10, 0))
    expect(backend.finish(small).latencyMs).toBeLessThan(slowed.latencyMs)
    expect(backend.finish(small).latencyMs).toBeGreaterThan(reference.latencyMs)
    backend.cancel(small, 1000) // already ended: no effect
    expect(small.result()!.ok).toBe(true)
  })
})

describe('backendOnScheduler', () => {
  it('settles each call at the moment the backend ends it, a slower one later, and cancels on abort', async () => {
    const time = createVirtualTime()
    const backend = quiet({ capacity: 1e9 })
    const send = backendOnScheduler(backend, time.scheduler, () => time.now())
    const settled: Array<[string, number]> = []
    void send(1).then((r) => settled.push(['one', r.endMs]))
    void send(100).then((r) => settled.push(['hundred', r.endMs]))
    const abort = new AbortController()
    void send(100, abort.signal).then((r) => settled.push([r.ok ? 'aborted call ok' : 'aborted', r.endMs]))
    await time.advanceBy(10)
    abort.abort()
    await time.advanceBy(100)
    expect(settled.map(([name, at]) => [name, +at.toFixed(3)])).toEqual([['aborted', 10], ['one', 20.5], ['hundred', 70]])
    expect(time.now()).toBe(110)
  })
})

describe('determinism', () => {
  it('gives identical outcomes for the same seed and the same calls', () => {
    const options = { pattern: spikes({ seed: 5 }), seed: 5 }
    expect(script(options)).toEqual(script(options))
  })

  it('gives different outcomes for a different seed', () => {
    const a = script({ pattern: constant({ level: 0.95 }), seed: 5 })
    const b = script({ pattern: constant({ level: 0.95 }), seed: 6 })
    expect(a.map((r) => r.latencyMs)).not.toEqual(b.map((r) => r.latencyMs))
    expect(a.map((r) => r.failedIndexes)).not.toEqual(b.map((r) => r.failedIndexes))
  })

  it('is not perturbed by a monitor polling feedbackAt, loadAt or optimalBatchSizeAt', () => {
    const options = { pattern: sinewave(), seed: 9 }
    // Polling splits the float steps of serving, so figures may differ in their last bits only.
    const nine = (results: BackendCallResult[]) => JSON.parse(JSON.stringify(results, (_, v) => (typeof v === 'number' ? +v.toPrecision(9) : v)))
    const polled = nine(script(options, true))
    expect(polled).toEqual(nine(script(options)))
    expect(polled.some((r: BackendCallResult) => !r.ok)).toBe(true)
  })
})

describe('feedbackAt', () => {
  it('reports what a monitor sees: load now, the current error chance, and the latest latency', () => {
    const backend = createSimulatedBackend({ pattern: step({ fromLevel: 0.2, toLevel: 0.95, atMs: 10_000 }), latencyJitter: 0 })
    // The queue counts the background's work too (other clients'), as a real database's does:
    // u × capacity items, of which the share 1 - 1 / slowdown = u waits below the knee.
    expect(backend.feedbackAt(0)).toEqual({ cpu: 0.2, errorRate: 0.001, queueDepth: Math.round(0.2 * 2000 * 0.2), queueCapacity: 2000, locks: 0 })
    const call = backend.call(200, 100)
    const during = backend.feedbackAt(101)
    expect(during.cpu).toBeCloseTo(0.3, 12)
    expect(during.latencyMs).toBeUndefined()
    const result = backend.finish(call)
    expect(backend.feedbackAt(result.endMs).latencyMs).toBe(result.latencyMs)
    expect(during.queueDepth).toBe(Math.round(0.3 * 2000 * 0.3))
    const spiking = backend.feedbackAt(20_000)
    expect(spiking.cpu).toBe(0.95)
    expect(spiking.errorRate).toBeCloseTo(0.151, 12)
    expect(spiking.locks).toBe(37) // 250 × (0.95 - 0.8) = 37.5 in exact arithmetic, just under it in floating point
    expect(spiking.queueDepth).toBe(Math.round(0.95 * 2000 * (1 - 1 / 20)))
  })

  it('reports queueCapacity as given, the queue the same', () => {
    const small = createSimulatedBackend({ pattern: constant({ level: 0.5 }), queueCapacity: 400 }).feedbackAt(0)
    expect(small).toMatchObject({ queueDepth: 500, queueCapacity: 400 })
  })
})

describe('the load score of its feedback (what makes loadScore() usable)', () => {
  /** scoreLoad of the feedback at utilisation `u`, made of `background` and items in flight. */
  const scoreAt = (u: number, background: number): number => {
    const backend = createSimulatedBackend({ pattern: constant({ level: background }), latencyJitter: 0 })
    const items = Math.round((u - background) * 2000)
    if (items > 0) backend.call(items, 0)
    expect(backend.loadAt(1).utilisation).toBeCloseTo(u, 9)
    return scoreLoad(backend.feedbackAt(1))
  }

  it('is under loadScore’s low 0.3 at light load, over its high 0.7 when overrun, in between around 0.8', () => {
    for (const background of [0, 0.2, 0.3]) {
      expect(scoreAt(0.3, background)).toBeLessThan(0.3)
    }
    for (const background of [0, 0.2, 0.5]) {
      expect(scoreAt(0.5, background)).toBeLessThan(0.3)
    }
    for (const background of [0, 0.5, 0.8]) {
      const score = scoreAt(0.8, background)
      expect(score).toBeGreaterThan(0.3)
      expect(score).toBeLessThan(0.7)
    }
    for (const background of [0, 0.5, 0.9, 1]) {
      expect(scoreAt(1, background)).toBeGreaterThan(0.7)
    }
    for (const background of [0, 0.6, 1]) {
      expect(scoreAt(1.2, background)).toBeGreaterThan(0.9)
    }
  })

  it('keeps its figures: 0.14, 0.25, 0.45, 0.79 and 0.97 at utilisation 0.3, 0.5, 0.8, 1 and 1.2', () => {
    const scores = [0.3, 0.5, 0.8, 1, 1.2].map((u) => Math.round(scoreAt(u, Math.min(u, 1) / 2) * 100) / 100)
    expect(scores).toEqual([0.14, 0.25, 0.45, 0.79, 0.97])
  })

  it('makes the default loadScore() shrink an overrun batch and grow a lightly loaded one', () => {
    const controller = loadScore()
    const decide = (u: number) => {
      const backend = createSimulatedBackend({ pattern: constant({ level: Math.min(u, 1) }), latencyJitter: 0 })
      if (u > 1) backend.call(Math.round((u - 1) * 2000), 0)
      const feedback = backend.feedbackAt(1)
      const samples = Array.from({ length: 10 }, (_, i) => ({
        at: i, feedback, score: scoreLoad(feedback), source: 'monitor' as const, failed: false, batchSize: 0,
      }))
      const input = {
        target: { batchSize: 100, concurrency: 4 },
        samples,
        bounds: { size: { min: 5, max: 1000 }, concurrency: { min: 1, max: 4 } },
        now: 0,
      }
      return controller.decide(input, controller.initialState()).batchSize
    }
    expect(decide(0.3)).toBeGreaterThan(100)
    expect(decide(0.5)).toBeGreaterThan(100)
    expect(decide(0.8)).toBe(100)
    expect(decide(1)).toBeLessThan(100)
    expect(decide(1.2)).toBeLessThan(100)
  })
})

describe('the best batch size moves with load (measured in virtual time)', () => {
  const sizes = [1, 5, 10, 20, 50, 100, 200, 500]
  /** Goodput of each fixed size, 4 callers back to back for a virtual minute at a steady background. */
  const measure = (background: number) =>
    sizes.map((batchSize) => {
      const backend = createSimulatedBackend({ pattern: constant({ level: background }), seed: 21 })
      return { batchSize, ...runClosedLoop(backend, batchSize, { concurrency: 4, durationMs: 60_000 }) }
    })
  const bestOf = (runs: ReturnType<typeof measure>) => runs.reduce((a, b) => (b.itemsPerSecond > a.itemsPerSecond ? b : a))
  const low = measure(0.2)
  const high = measure(0.9)

  it('wastes calls on tiny batches and overruns the backend with huge ones, at low load', () => {
    const best = bestOf(low)
    const at = (n: number) => low.find((r) => r.batchSize === n)!
    expect(best.batchSize).toBe(100)
    expect(at(1).itemsPerSecond).toBeLessThan(best.itemsPerSecond / 10)
    expect(at(5).itemsPerSecond).toBeLessThan(best.itemsPerSecond / 3)
    expect(at(500).itemsPerSecond).toBeLessThan(best.itemsPerSecond / 10)
    expect(at(500).errorRate).toBeGreaterThan(0.2)
    // Four calls of 500 overrun it so far that hardly any ends within the minute.
    expect(at(500).calls).toBeLessThan(at(100).calls / 100)
  })

  it('is smaller at high load than at low load', () => {
    const best = bestOf(high)
    expect(best.batchSize).toBe(20)
    expect(best.batchSize).toBeLessThan(bestOf(low).batchSize)
    // The low-load optimum overruns the loaded backend: errors and a fraction of the goodput.
    const lowBestUnderLoad = high.find((r) => r.batchSize === bestOf(low).batchSize)!
    expect(lowBestUnderLoad.errorRate).toBeGreaterThan(0.3)
    expect(lowBestUnderLoad.itemsPerSecond).toBeLessThan(best.itemsPerSecond / 10)
  })

  it('agrees with the cost model’s optimalBatchSize', () => {
    for (const [background, runs] of [[0.2, low], [0.9, high]] as const) {
      const predicted = optimalBatchSize({ background, concurrency: 4 }).batchSize
      const nearest = sizes.reduce((a, b) => (Math.abs(Math.log(b / predicted)) < Math.abs(Math.log(a / predicted)) ? b : a))
      expect(bestOf(runs).batchSize).toBe(nearest)
    }
  })

  it('is given over time by optimalBatchSizeAt, following the pattern', () => {
    const backend = createSimulatedBackend({ pattern: step({ fromLevel: 0.2, toLevel: 0.9, atMs: 1000 }) })
    expect(backend.optimalBatchSizeAt(0, { concurrency: 4 }).batchSize).toBe(93)
    expect(backend.optimalBatchSizeAt(1000, { concurrency: 4, minSize: 5, maxSize: 100 }).batchSize).toBe(18)
  })
})
