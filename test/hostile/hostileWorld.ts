/**
 * The hostile world shared by the batcher and supervisor models: the hostile sink, options,
 * producers and commands (the oracle that judges a run is in hostileOracle.ts). See
 * batcher.hostile.test.ts for what is attacked and what is promised.
 */
import fc from 'fast-check'

import type { Actor, AnyActorLogic } from 'xstate'
import { PartialBatchError, type BatcherMetrics, type Controller } from '../../src/index.ts'
import type { BatcherOptions } from '../../src/batcher/batcherOptions.ts'
import type { FlushInfo } from '../../src/batcher/flushFunction.ts'
import type { TestClock } from './clocks.ts'

/** What the models drive: a batcher or a supervisor (the same embedding API). */
export interface Target {
  tryAdd(item: number): boolean
  add(item: number, options?: { signal?: AbortSignal }): Promise<void>
  submit(item: number, options?: { signal?: AbortSignal }): Promise<void>
  addMany(items: readonly number[]): number
  flush(): Promise<void>
  stop(options?: { timeoutMs?: number }): Promise<void>
  metrics(): Omit<BatcherMetrics, 'state'> & { state: string }
  readonly state: string
  readonly actor: Actor<AnyActorLogic>
}

/** What one call of the sink does. */
export type SinkPlan =
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

export interface HostileOptions {
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
export interface World {
  batcher: Target
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
    world.promises.push(settled(batcher.flush()))
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

/** A promise that never rejects: what it settled to. */
export const settled = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => value, (error: unknown) => error)

export type Command = fc.AsyncCommand<object, World>
export const command = (name: string, run: (world: World) => Promise<void> | void): Command => ({
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

/**
 * The commands of every hostile model: offers and time are drawn three times as often as the
 * rest, so runs carry traffic before a stop. `advances` are the steps time may take (a model
 * with a timer that ticks while busy, like a supervisor's scale timer, keeps them moderate).
 */
export function hostileCommands(advances: readonly number[]): fc.Arbitrary<Command>[] {
  const advance = fc.constantFrom(...advances).map((ms) => command(`advance(${ms})`, (world) => world.clock.advanceBy(ms)))
  return [
    ...offers, ...offers, ...offers, advance, advance, advance,
    fc.constant(command('flush', async (world) => {
      world.promises.push(settled(world.batcher.flush()))
      await world.clock.settle()
    })),
    fc.nat(garbage.length - 1).map((i) => command(`FEEDBACK(garbage ${i})`, (world) => world.batcher.actor.send({ type: 'FEEDBACK', feedback: garbage[i]!() as never }))),
    fc.option(fc.constantFrom(0, 20, 100, 2 ** 31), { nil: undefined }).map((timeoutMs) => command(`stop(${timeoutMs})`, async (world) => {
      world.stopCalled = true
      world.promises.push(settled(world.batcher.stop(timeoutMs === undefined ? undefined : { timeoutMs })))
      await world.clock.settle()
    })),
  ]
}

export const sinkPlan: fc.Arbitrary<SinkPlan> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('ok' as const), afterMs: fc.integer({ min: 0, max: 40 }), feedback: fc.nat(garbage.length - 1) }) },
  fc.constant({ kind: 'throw' as const }),
  fc.record({ kind: fc.constant('reject' as const), afterMs: fc.integer({ min: 0, max: 40 }) }),
  fc.record({ kind: fc.constant('hang' as const), honoursSignal: fc.boolean() }),
  fc.record({ kind: fc.constant('late' as const), afterMs: fc.constantFrom(60, 400) }),
  fc.record({ kind: fc.constant('partial' as const), indexes: fc.constantFrom('valid' as const, 'duplicate' as const, 'outOfRange' as const, 'fractional' as const, 'empty' as const) }),
  fc.record({ kind: fc.constant('reenter' as const), call: fc.constantFrom('tryAdd' as const, 'addMany' as const, 'flush' as const, 'submit' as const) }),
)

export const hostileOptions: fc.Arbitrary<HostileOptions> = fc.record({
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

/** A fresh world on `clock`; `batcher` is set by the caller once its target exists. */
export function newWorld(clock: TestClock, plans: SinkPlan[]): World {
  return {
    batcher: undefined as never, clock, plans, calls: 0, next: 0, accepted: new Set(), written: new Map(), deadLettered: new Map(),
    exposed: new Set(), signals: [], promises: [], submits: new Map(), adds: new Map(), stopCalled: false, failures: [],
  }
}

/** Batcher options with every hostile choice of `options`, reporting into `world`. */
export function hostileBatcherOptions(world: World, options: HostileOptions): BatcherOptions<number> {
  const report = (where: string) => () => {
    checkInvariant(world, `inside logger.${where}`)
    if (options.throwingLogger) throw new Error('logger broke')
  }
  return {
    flush: hostileSink(world) as never,
    size: { min: 1, max: 6, initial: 3 }, capacity: 12, concurrency: options.concurrency, maxWaitMs: options.maxWaitMs,
    flushTimeoutMs: options.flushTimeoutMs, retry: { attempts: options.attempts, backoffMs: options.backoffMs, jitter: true },
    random: () => 0.5, logger: { debug: () => {}, info: () => {}, warn: report('warn'), error: report('error') },
    ...(world.clock.scheduler ? { scheduler: world.clock.scheduler } : {}),
    ...(options.throwingScore ? { controller: throwingScore(() => world) } : {}),
    ...(options.weighs ? { weigh: (item: number) => (item % 7 === 3 ? NaN : item % 11 === 5 ? -1 : 1), maxBatchWeight: 4 } : {}),
    onDeadLetter: (items, error) => {
      checkInvariant(world, 'inside onDeadLetter')
      if (error === undefined) world.failures.push('dead-lettered without an error')
      for (const item of items) count(world.deadLettered, item)
      if (options.throwingDeadLetter === 'throw') throw new Error('onDeadLetter broke')
      if (options.throwingDeadLetter === 'reject') return Promise.reject(new Error('onDeadLetter rejected'))
    },
  }
}

