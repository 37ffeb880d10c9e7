import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BatcherStoppedError, createBatcher, createVirtualTime, PartialBatchError, type Batcher, type Controller } from '../../src/index.ts'

/**
 * Random interleavings of add / tryAdd / submit / addMany / flush / feedback / time / stop
 * against a sink whose calls succeed, throw, reject, hang or partly fail, checked against a
 * simple model: nothing accepted is lost, nothing is written twice, order is kept with
 * concurrency 1, and `itemsAdded = itemsFlushed + itemsFailed + itemsBuffered + itemsInFlight`
 * after every step.
 */

type Outcome = 'ok' | 'throw' | 'reject' | 'hang' | 'partial'

interface Model {
  accepted: number[]
  next: number
  stopped: boolean
}

interface Real {
  batcher: Batcher<number>
  time: ReturnType<typeof createVirtualTime>
  written: number[]
  deadLettered: number[]
  submitted: Map<number, 'pending' | 'flushed' | 'failed'>
  /** Items that failed inside a partial failure: retried alone, they land after their batch's others. */
  partlyFailed: Set<number>
  concurrency: number
}

const halving: Controller<null> = {
  name: 'halving',
  intervalMs: 50,
  initialState: () => null,
  decide: ({ target, samples }) => ({
    ...target,
    batchSize: samples.some((s) => s.failed) ? target.batchSize / 2 : target.batchSize * 2,
    state: null,
  }),
}

function checkInvariant(real: Real): void {
  const m = real.batcher.metrics()
  expect(m.itemsAdded).toBe(m.itemsFlushed + m.itemsFailed + m.itemsBuffered + m.itemsInFlight)
  expect(m.itemsBuffered).toBeGreaterThanOrEqual(0)
  expect(m.itemsInFlight).toBeGreaterThanOrEqual(0)
}

class TryAdd implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => !m.stopped
  async run(m: Model, r: Real) {
    const item = m.next++
    if (r.batcher.tryAdd(item)) m.accepted.push(item)
    checkInvariant(r)
  }
  toString = () => 'tryAdd'
}

class AddMany implements fc.AsyncCommand<Model, Real> {
  constructor(readonly count: number) {}
  check = (m: Readonly<Model>) => !m.stopped
  async run(m: Model, r: Real) {
    const items = Array.from({ length: this.count }, () => m.next++)
    const accepted = r.batcher.addMany(items)
    m.accepted.push(...items.slice(0, accepted))
    checkInvariant(r)
  }
  toString = () => `addMany(${this.count})`
}

class Add implements fc.AsyncCommand<Model, Real> {
  constructor(readonly submit: boolean) {}
  check = (m: Readonly<Model>) => !m.stopped
  async run(m: Model, r: Real) {
    const item = m.next++
    // Waiting producers are let in as room frees; when stop comes first they are told so
    // with BatcherStoppedError (their item was never accepted). A submit also settles later,
    // with its batch: flushed, or the dead-letter error.
    const entered = this.submit ? r.batcher.submit(item) : r.batcher.add(item)
    if (this.submit) r.submitted.set(item, 'pending')
    entries.set(item, entered.then(
      () => {
        if (this.submit) r.submitted.set(item, 'flushed')
        return true
      },
      (error: unknown) => {
        if (this.submit) r.submitted.set(item, 'failed')
        return !(error instanceof BatcherStoppedError)
      },
    ))
    await r.time.settle()
    checkInvariant(r)
  }
  toString = () => (this.submit ? 'submit' : 'add')
}

/** Items offered through add/submit: resolves true when the item was accepted. */
const entries = new Map<number, Promise<boolean>>()

class Flush implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(_m: Model, r: Real) {
    void r.batcher.flush()
    await r.time.settle()
    checkInvariant(r)
  }
  toString = () => 'flush'
}

class Feedback implements fc.AsyncCommand<Model, Real> {
  constructor(readonly cpu: number) {}
  check = () => true
  async run(_m: Model, r: Real) {
    r.batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: this.cpu } })
    checkInvariant(r)
  }
  toString = () => `feedback(${this.cpu})`
}

class Advance implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number) {}
  check = () => true
  async run(_m: Model, r: Real) {
    await r.time.advanceBy(this.ms)
    checkInvariant(r)
  }
  toString = () => `advance(${this.ms})`
}

class Stop implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => !m.stopped
  async run(m: Model, r: Real) {
    m.stopped = true
    void r.batcher.stop()
    await r.time.settle()
    checkInvariant(r)
  }
  toString = () => 'stop'
}

const commands = [
  fc.constant(new TryAdd()),
  fc.integer({ min: 1, max: 12 }).map((n) => new AddMany(n)),
  fc.boolean().map((submit) => new Add(submit)),
  fc.constant(new Flush()),
  fc.double({ min: 0, max: 1, noNaN: true }).map((cpu) => new Feedback(cpu)),
  fc.integer({ min: 1, max: 400 }).map((ms) => new Advance(ms)),
  fc.constant(new Stop()),
]

function outcomeStream(seed: number): () => Outcome {
  const outcomes: Outcome[] = ['ok', 'ok', 'ok', 'throw', 'reject', 'hang', 'partial']
  let state = seed >>> 0 || 1
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return outcomes[state % outcomes.length]!
  }
}

async function runScenario(seed: number, concurrency: number, cmds: Iterable<fc.AsyncCommand<Model, Real>>): Promise<void> {
  entries.clear()
  const time = createVirtualTime()
  const nextOutcome = outcomeStream(seed)
  const real: Real = { batcher: undefined as unknown as Batcher<number>, time, written: [], deadLettered: [], submitted: new Map(), partlyFailed: new Set(), concurrency }
  real.batcher = createBatcher<number>({
    size: { initial: 4, min: 1, max: 8 }, capacity: 16, concurrency, maxWaitMs: 100, flushTimeoutMs: 300,
    retry: { attempts: 2, backoffMs: 20, jitter: false }, controller: halving, scheduler: time.scheduler,
    onDeadLetter: (items) => void real.deadLettered.push(...items),
    flush: (batch) => {
      const outcome = nextOutcome()
      if (outcome === 'throw') throw new Error('sync failure')
      if (outcome === 'hang') return new Promise(() => {})
      return new Promise<void>((resolve, reject) => {
        time.scheduler.schedule(() => {
          if (outcome === 'reject') return reject(new Error('async failure'))
          if (outcome === 'partial') {
            const failures = batch.flatMap((item, index) => (item % 2 === 0 ? [{ index, cause: 'even' }] : []))
            real.written.push(...batch.filter((item) => item % 2 !== 0))
            for (const item of batch) if (item % 2 === 0) real.partlyFailed.add(item)
            return failures.length ? reject(new PartialBatchError(failures)) : resolve()
          }
          real.written.push(...batch)
          resolve()
        }, 10)
      })
    },
  })
  const model: Model = { accepted: [], next: 0, stopped: false }
  await fc.asyncModelRun(() => ({ model, real }), cmds)

  // Drain: whatever the sequence, stop must end with every accepted item accounted for.
  const stopped = real.batcher.stop()
  for (let i = 0; i < 200 && real.batcher.state !== 'stopped'; i++) await time.advanceBy(100)
  await stopped
  for (const [item, entry] of entries) if (await entry) model.accepted.push(item)
  await time.settle()

  const accepted = [...model.accepted].sort((a, b) => a - b)
  const accounted = [...real.written, ...real.deadLettered].sort((a, b) => a - b)
  expect(accounted).toEqual(accepted) // none lost, none twice
  expect(new Set(real.written).size).toBe(real.written.length)
  if (concurrency === 1) {
    // With one flush at a time, every written item follows the ones accepted before it,
    // except the failed items of a partial failure, which are retried after the rest.
    const order = real.written.filter((item) => !real.partlyFailed.has(item)).map((item) => accepted.indexOf(item))
    expect(order).toEqual([...order].sort((a, b) => a - b))
  }
  for (const [item, status] of real.submitted) {
    if (!accepted.includes(item)) continue
    expect(status).toBe(real.written.includes(item) ? 'flushed' : 'failed')
  }
  const m = real.batcher.metrics()
  expect(m).toMatchObject({ itemsAdded: accepted.length, itemsFlushed: real.written.length, itemsFailed: real.deadLettered.length, itemsBuffered: 0, itemsInFlight: 0, state: 'stopped' })
}

describe('batcher properties', () => {
  const numRuns = Number(process.env.PROPERTY_RUNS ?? 500)

  it('loses nothing, writes nothing twice and keeps order at concurrency 1', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.commands(commands, { maxCommands: 40 }), (seed, cmds) => runScenario(seed, 1, cmds)),
      { numRuns, seed: 20261123 },
    )
  })

  it('loses nothing and writes nothing twice at concurrency 3', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.commands(commands, { maxCommands: 40 }), (seed, cmds) => runScenario(seed, 3, cmds)),
      { numRuns, seed: 4242 },
    )
  })
})
