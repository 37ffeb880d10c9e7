/**
 * The batcher attacked as a hostile user would (issue 10, "tests that would have caught
 * these"): fast-check command sequences against a batcher with hostile options (huge and
 * infinite timeouts, NaN weights, throwing logger, onDeadLetter and controller score), a sink
 * whose every call draws its outcome (sync throw, reject, hang honouring or ignoring the
 * signal, a late answer after the timeout, partial failures with duplicate, out-of-range,
 * fractional or no indexes, garbage feedback, re-entrant calls from inside the flush), producers
 * whose abort signals race admission, and stop({ timeoutMs }) at any moment.
 *
 * Checked: the metrics invariant after every step and inside flush, onDeadLetter and the
 * logger; at the end, nothing accepted is lost (written, or dead-lettered exactly once), an
 * item is written twice only if an attempt carrying it was aborted (at-least-once after a
 * timeout), nothing never accepted is written, every promise settles, and each with the outcome
 * its item had. Run on virtual time and on the real default scheduler.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { AbortError, BatcherStoppedError, createBatcher, InvalidWeightError, PartialBatchError, type Batcher, type Controller } from '../../src/index.ts'
import type { FlushInfo } from '../../src/batcher/flushFunction.ts'
import { fakeRealClock, virtualClock, type TestClock } from './clocks.ts'

/** What one call of the sink does. */
type SinkPlan =
  | { kind: 'ok'; afterMs: number; feedback: number }
  | { kind: 'throw' }
  | { kind: 'reject'; afterMs: number }
  | { kind: 'hang'; honoursSignal: boolean }
  | { kind: 'late'; afterMs: number }
  | { kind: 'partial'; indexes: 'valid' | 'duplicate' | 'outOfRange' | 'fractional' | 'empty' }
  | { kind: 'reenter'; call: 'tryAdd' | 'addMany' | 'flush' | 'submit' }

/** Garbage a flush may return or a monitor may send as feedback. */
const garbage: readonly (() => unknown)[] = [
  () => undefined,
  () => ({ cpu: 0.4, latencyMs: 12 }),
  () => ({ cpu: NaN, errorRate: 7 }),
  () => 'not feedback',
  () => null,
  () => ({ get cpu(): number { throw new Error('getter broke') } }),
  () => ({ custom: { x: { value: Infinity, weight: -1 } }, queueCapacity: 0 }),
  () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    return proxy
  },
]

interface HostileOptions {
  flushTimeoutMs: number
  maxWaitMs: number
  concurrency: number
  attempts: number
  backoffMs: number
  weighs: boolean
  throwingLogger: boolean
  throwingDeadLetter: 'no' | 'throw' | 'reject'
  throwingScore: boolean
}

/** Everything the test saw. Items are numbers, each offered once. */
interface World {
  batcher: Batcher<number>
  clock: TestClock
  plans: SinkPlan[]
  calls: number
  next: number
  /** Items known accepted when offered (tryAdd true, an addMany prefix, add resolved). */
  accepted: Set<number>
  /** Writes, counted per item. */
  written: Map<number, number>
  deadLettered: Map<number, number>
  /** Items carried by an attempt whose signal was aborted (timeout or stop). */
  exposed: Set<number>
  signals: { batch: number[]; info: FlushInfo }[]
  /** Every promise the test got, with what it settled to. */
  promises: Promise<unknown>[]
  submits: Map<number, Promise<'flushed' | unknown>>
  adds: Map<number, Promise<'accepted' | unknown>>
  stopCalled: boolean
  failures: unknown[]
}

function checkInvariant(world: World, where: string): void {
  const m = world.batcher.metrics()
  if (m.itemsAdded !== m.itemsFlushed + m.itemsFailed + m.itemsBuffered + m.itemsInFlight || m.itemsBuffered < 0 || m.itemsInFlight < 0) {
    world.failures.push(`invariant broken ${where}: ${JSON.stringify(m)}`)
  }
}

const count = (map: Map<number, number>, item: number) => map.set(item, (map.get(item) ?? 0) + 1)

function offer(world: World): number {
  return world.next++
}

function hostileSink(world: World) {
  return (batch: number[], info: FlushInfo): unknown => {
    checkInvariant(world, 'inside flush')
    world.signals.push({ batch, info })
    const plan = world.plans[world.calls++ % world.plans.length]!
    const write = (items: readonly number[]) => {
      for (const item of items) count(world.written, item)
    }
    switch (plan.kind) {
      case 'throw':
        throw new Error('sync failure')
      case 'hang':
        return new Promise((_resolve, reject) => {
          if (plan.honoursSignal) info.signal.addEventListener('abort', () => reject(info.signal.reason), { once: true })
        })
      case 'reject':
        return new Promise((_resolve, reject) => world.clock.later(plan.afterMs, () => reject(new Error('async failure'))))
      case 'late':
        // Writes after the batcher gave up on it (timeout): the at-least-once case.
        return new Promise((resolve) => world.clock.later(plan.afterMs, () => (write(batch), resolve(undefined))))
      case 'partial': {
        const failures = partialFailures(batch, plan.indexes)
        const valid = plan.indexes === 'valid' || plan.indexes === 'duplicate'
        if (valid) write(batch.filter((_, index) => !failures.some((f) => f.index === index)))
        if (valid && failures.length === 0) return undefined // nothing failed: an honest sink reports success
        // A malformed report writes nothing: the batcher retries the whole batch.
        throw new PartialBatchError(failures)
      }
      case 'reenter':
        if (world.next < 300) reenter(world, plan.call) // bounded: a sink that feeds itself for ever would never let the run end
        write(batch)
        return undefined
      case 'ok':
        return new Promise((resolve) =>
          world.clock.later(plan.afterMs, () => {
            write(batch)
            const feedback = garbage[plan.feedback % garbage.length]!()
            // Resolving with a revoked Proxy rejects (reading its `then` throws): written, then failed, so retried.
            if (isRevoked(feedback)) for (const item of batch) world.exposed.add(item)
            resolve(feedback)
          }),
        )
    }
  }
}

function isRevoked(value: unknown): boolean {
  try {
    void (value as { then?: unknown } | null)?.then
    return false
  } catch {
    return true
  }
}

function partialFailures(batch: readonly number[], indexes: Extract<SinkPlan, { kind: 'partial' }>['indexes']) {
  const cause = 'item failed'
  switch (indexes) {
    case 'valid': return batch.flatMap((item, index) => (item % 2 === 0 ? [{ index, cause }] : []))
    case 'duplicate': return [{ index: 0, cause }, { index: 0, cause }]
    case 'outOfRange': return [{ index: batch.length, cause }]
    case 'fractional': return [{ index: 0.5, cause }]
    case 'empty': return []
  }
}

function reenter(world: World, call: Extract<SinkPlan, { kind: 'reenter' }>['call']): void {
  const { batcher } = world
  if (call === 'tryAdd') {
    const item = offer(world)
    if (batcher.tryAdd(item)) world.accepted.add(item)
  } else if (call === 'addMany') {
    const items = [offer(world), offer(world)]
    for (const item of items.slice(0, batcher.addMany(items))) world.accepted.add(item)
  } else if (call === 'flush') {
    world.promises.push(batcher.flush())
  } else {
    submit(world, undefined)
  }
}

function submit(world: World, abortAfterMs: number | undefined): void {
  const item = offer(world)
  const controller = new AbortController()
  const settled = world.batcher.submit(item, { signal: controller.signal }).then(() => 'flushed', (error: unknown) => error)
  world.submits.set(item, settled)
  world.promises.push(settled)
  abortLater(world, controller, abortAfterMs)
}

function abortLater(world: World, controller: AbortController, abortAfterMs: number | undefined): void {
  if (abortAfterMs === undefined) return
  if (abortAfterMs === 0) controller.abort('changed my mind')
  else world.clock.later(abortAfterMs, () => controller.abort('changed my mind'))
}

type Command = fc.AsyncCommand<object, World>
const command = (name: string, run: (world: World) => Promise<void> | void): Command => ({
  check: () => true,
  async run(_model, world) {
    await run(world)
    checkInvariant(world, `after ${name}`)
  },
  toString: () => name,
})

const offers: fc.Arbitrary<Command>[] = [
  fc.constant(command('tryAdd', (world) => {
    const item = offer(world)
    if (world.batcher.tryAdd(item)) world.accepted.add(item)
  })),
  fc.integer({ min: 1, max: 8 }).map((n) => command(`addMany(${n})`, (world) => {
    const items = Array.from({ length: n }, () => offer(world))
    for (const item of items.slice(0, world.batcher.addMany(items))) world.accepted.add(item)
  })),
  fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }).map((abortAfterMs) => command(`add(abort ${abortAfterMs})`, async (world) => {
    const item = offer(world)
    const controller = new AbortController()
    const settled = world.batcher.add(item, { signal: controller.signal }).then(() => (world.accepted.add(item), 'accepted'), (error: unknown) => error)
    world.adds.set(item, settled)
    world.promises.push(settled)
    abortLater(world, controller, abortAfterMs)
    await world.clock.settle()
  })),
  fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }).map((abortAfterMs) => command(`submit(abort ${abortAfterMs})`, async (world) => {
    submit(world, abortAfterMs)
    await world.clock.settle()
  })),
]

const advance = fc.constantFrom(1, 10, 40, 150, 400, 2 ** 31).map((ms) => command(`advance(${ms})`, (world) => world.clock.advanceBy(ms)))

/** Offers and time are drawn three times as often as the rest, so runs carry traffic before a stop. */
const commands: fc.Arbitrary<Command>[] = [
  ...offers, ...offers, ...offers, advance, advance, advance,
  fc.constant(command('flush', async (world) => {
    world.promises.push(world.batcher.flush())
    await world.clock.settle()
  })),
  fc.nat(garbage.length - 1).map((i) => command(`FEEDBACK(garbage ${i})`, (world) => world.batcher.actor.send({ type: 'FEEDBACK', feedback: garbage[i]!() as never }))),
  fc.option(fc.constantFrom(0, 20, 100, 2 ** 31), { nil: undefined }).map((timeoutMs) => command(`stop(${timeoutMs})`, async (world) => {
    world.stopCalled = true
    world.promises.push(world.batcher.stop(timeoutMs === undefined ? undefined : { timeoutMs }))
    await world.clock.settle()
  })),
]

const sinkPlan: fc.Arbitrary<SinkPlan> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ok' as const), afterMs: fc.integer({ min: 0, max: 40 }), feedback: fc.nat(garbage.length - 1) }) },
  fc.constant({ kind: 'throw' as const }),
  fc.record({ kind: fc.constant('reject' as const), afterMs: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('hang' as const), honoursSignal: fc.boolean() }),
  fc.record({ kind: fc.constant('late' as const), afterMs: fc.constantFrom(60, 400) }),
  fc.record({ kind: fc.constant('partial' as const), indexes: fc.constantFrom('valid' as const, 'duplicate' as const, 'outOfRange' as const, 'fractional' as const, 'empty' as const) }),
  fc.record({ kind: fc.constant('reenter' as const), call: fc.constantFrom('tryAdd' as const, 'addMany' as const, 'flush' as const, 'submit' as const) }),
)

const hostileOptions: fc.Arbitrary<HostileOptions> = fc.record({
  flushTimeoutMs: fc.constantFrom(50, 300, 2 ** 31, Infinity),
  maxWaitMs: fc.constantFrom(1, 30, 2 ** 33, Infinity),
  concurrency: fc.integer({ min: 1, max: 3 }),
  attempts: fc.integer({ min: 1, max: 3 }),
  backoffMs: fc.constantFrom(0, 15, 2 ** 31),
  weighs: fc.boolean(),
  throwingLogger: fc.boolean(),
  throwingDeadLetter: fc.constantFrom('no' as const, 'throw' as const, 'reject' as const),
  throwingScore: fc.boolean(),
})

function throwingScore(world: () => World): Controller<null> {
  return {
    name: 'throwingScore', intervalMs: 25, initialState: () => null,
    decide: ({ target, samples }) => ({ ...target, batchSize: samples.some((s) => s.failed) ? target.batchSize - 1 : target.batchSize + 1, state: null }),
    score: () => {
      checkInvariant(world(), 'inside score')
      throw new Error('score broke')
    },
  }
}

async function runScenario(makeClock: () => TestClock, options: HostileOptions, plans: SinkPlan[], cmds: Iterable<Command>): Promise<void> {
  const clock = makeClock()
  try {
    const world: World = {
      batcher: undefined as never, clock, plans, calls: 0, next: 0, accepted: new Set(), written: new Map(), deadLettered: new Map(),
      exposed: new Set(), signals: [], promises: [], submits: new Map(), adds: new Map(), stopCalled: false, failures: [],
    }
    const logger = {
      debug: () => {}, info: () => {},
      warn: () => {
        checkInvariant(world, 'inside logger.warn')
        if (options.throwingLogger) throw new Error('logger broke')
      },
      error: () => {
        checkInvariant(world, 'inside logger.error')
        if (options.throwingLogger) throw new Error('logger broke')
      },
    }
    world.batcher = createBatcher<number>({
      flush: hostileSink(world) as never,
      size: { min: 1, max: 6, initial: 3 }, capacity: 12, concurrency: options.concurrency, maxWaitMs: options.maxWaitMs,
      flushTimeoutMs: options.flushTimeoutMs, retry: { attempts: options.attempts, backoffMs: options.backoffMs, jitter: true },
      random: () => 0.5, logger,
      ...(clock.scheduler ? { scheduler: clock.scheduler } : {}),
      ...(options.throwingScore ? { controller: throwingScore(() => world) } : {}),
      ...(options.weighs ? { weigh: (item: number) => (item % 7 === 3 ? NaN : item % 11 === 5 ? -1 : 1), maxBatchWeight: 4 } : {}),
      onDeadLetter: (items, error) => {
        checkInvariant(world, 'inside onDeadLetter')
        expect(error).toBeDefined()
        for (const item of items) count(world.deadLettered, item)
        if (options.throwingDeadLetter === 'throw') throw new Error('onDeadLetter broke')
        if (options.throwingDeadLetter === 'reject') return Promise.reject(new Error('onDeadLetter rejected'))
      },
    })
    await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds)

    // Drain. A sink that hangs forever with no flush timeout is ended the way a user would: stop({ timeoutMs }).
    const stopped = world.batcher.stop()
    for (let round = 0; round < 20 && world.batcher.state !== 'stopped'; round++) await clock.advanceBy(round < 10 ? 500 : 2 ** 32)
    if (world.batcher.state !== 'stopped') {
      world.batcher.actor.stop()
      await clock.settle()
    }
    await stopped
    for (let round = 0; round < 5; round++) await clock.advanceBy(100) // late answers and aborts scheduled after the stop
    const outcomes = await Promise.race([Promise.all(world.promises).then(() => 'all settled'), new Promise((resolve) => setImmediate(() => resolve('unsettled')))])
    expect(outcomes, 'every promise settles').toBe('all settled')
    expect(world.failures).toEqual([])
    for (const { batch, info } of world.signals) if (info.signal.aborted) for (const item of batch) world.exposed.add(item)

    const dead = [...world.deadLettered]
    expect(dead.filter(([, n]) => n > 1), 'dead-lettered at most once').toEqual([])
    const settledAccepted = new Set([...world.written.keys(), ...world.deadLettered.keys()])
    for (const item of world.accepted) expect(settledAccepted.has(item), `accepted item ${item} is lost`).toBe(true)
    for (const item of settledAccepted) expect(item).toBeLessThan(world.next) // nothing phantom
    for (const [item, n] of world.written) if (n > 1) expect(world.exposed.has(item), `item ${item} written ${n} times without a timeout`).toBe(true)
    for (const [item, outcome] of world.submits) {
      if (outcome === undefined) continue
      const result = await outcome
      if (result === 'flushed') {
        expect(world.written.has(item), `submit ${item} resolved but it was not written`).toBe(true)
        expect(world.deadLettered.has(item)).toBe(false)
      } else if (world.deadLettered.has(item)) {
        expect(result).not.toBeInstanceOf(BatcherStoppedError) // accepted: it carries the dead-letter error
      } else {
        // Never accepted: refused for a reason a producer can act on, and never written.
        expect(result instanceof BatcherStoppedError || result instanceof AbortError || result instanceof InvalidWeightError, String(result)).toBe(true)
        expect(world.written.has(item)).toBe(false)
      }
    }
    for (const [item, outcome] of world.adds) {
      const result = await outcome
      if (result !== 'accepted') expect(settledAccepted.has(item), `add ${item} rejected (${String(result)}) but its item was taken`).toBe(false)
    }
    const m = world.batcher.metrics()
    expect(m).toMatchObject({ itemsAdded: settledAccepted.size, itemsFailed: world.deadLettered.size, itemsFlushed: settledAccepted.size - world.deadLettered.size, itemsBuffered: 0, itemsInFlight: 0, state: 'stopped' })
  } finally {
    clock.dispose()
  }
}

afterEach(() => {
  // A failed run must not leave fake timers behind for the next test.
  fakeRealClock().dispose()
})

describe('the batcher attacked by hostile users', () => {
  const numRuns = Number(process.env.PROPERTY_RUNS ?? 200)
  for (const [name, makeClock, runs, seed] of [['virtual time', virtualClock, numRuns, 1010], ['the real default scheduler', fakeRealClock, Math.ceil(numRuns / 2), 2020]] as const) {
    it(`keeps every promise on ${name}`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileOptions, fc.array(sinkPlan, { minLength: 1, maxLength: 12 }), fc.commands(commands, { maxCommands: 50, size: 'large' }), (options, plans, cmds) => runScenario(makeClock, options, plans, cmds)),
        { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? seed) },
      )
    })
  }
})
