import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import { byKey } from '../../src/routing/byKey.ts'
import { createSupervisor, type Supervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime, type VirtualTime } from '../../src/virtualTime.ts'
import { balance, crash, recordingSink } from './harness.ts'

interface Item {
  readonly key: number
  readonly seq: number
}

/** What the model knows: the items the supervisor accepted, in order. */
interface Model {
  accepted: Item[]
  nextSeq: number
}

interface Real {
  pool: Supervisor<Item>
  time: VirtualTime
  sink: ReturnType<typeof recordingSink<Item>>
}

class AddCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly keys: number[]) {}
  check = () => true
  async run(model: Model, real: Real) {
    for (const key of this.keys) {
      const item = { key, seq: model.nextSeq++ }
      if (real.pool.tryAdd(item)) model.accepted.push(item)
    }
  }
  toString = () => `add(${this.keys.join(',')})`
}

class CrashCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly worker: number) {}
  check = () => true
  async run(_model: Model, real: Real) {
    const ref = real.pool.actor.system.get(`worker-${this.worker}`) as AnyActorRef | undefined
    crash(ref)
  }
  toString = () => `crash(worker-${this.worker})`
}

class ScaleCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly desired: number) {}
  check = () => true
  async run(_model: Model, real: Real) {
    real.pool.actor.send({ type: 'SCALE_TICK', at: real.time.now(), desired: this.desired })
  }
  toString = () => `scale(${this.desired})`
}

class TimeCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly ms: number, readonly open: boolean) {}
  check = () => true
  async run(_model: Model, real: Real) {
    if (this.open) real.sink.open()
    await real.time.advanceBy(this.ms)
  }
  toString = () => `${this.open ? 'open+' : ''}advance(${this.ms})`
}

const commands = [
  fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 12 }).map((keys) => new AddCommand(keys)),
  fc.integer({ min: 0, max: 3 }).map((worker) => new CrashCommand(worker)),
  fc.integer({ min: 1, max: 4 }).map((desired) => new ScaleCommand(desired)),
  fc.tuple(fc.integer({ min: 0, max: 300 }), fc.boolean()).map(([ms, open]) => new TimeCommand(ms, open)),
]

const RUNS = 300
let runs = 0

describe('supervisor properties', () => {
  it(`every accepted item is flushed exactly once or dead-lettered, per-key order kept, metrics balance (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40 }), fc.integer({ min: 1, max: 3 }), async (cmds, initial) => {
        runs++
        const time = createVirtualTime()
        const sink = recordingSink<Item>({ gated: true })
        const letters: Item[] = []
        const pool = createSupervisor<Item>({
          worker: {
            flush: sink.flush, size: 3, maxWaitMs: 50, scheduler: time.scheduler,
            onDeadLetter: (items) => void letters.push(...items),
          },
          workers: { min: 1, max: 4, initial },
          route: byKey((item: Item) => item.key),
          restart: { maxRestarts: 1000, withinMs: 1000, backoffMs: 20 },
          scale: { intervalMs: 1_000_000, cooldownMs: 0 },
        })
        const model: Model = { accepted: [], nextSeq: 0 }
        await fc.asyncModelRun(() => ({ model, real: { pool, time, sink } }), cmds)
        expect(balance(pool.metrics())).toBe(0)
        const stopped = pool.stop()
        let done = false
        void stopped.finally(() => (done = true))
        for (let i = 0; i < 200 && !done; i++) {
          sink.open()
          await time.advanceBy(100)
        }
        await stopped
        const seen = [...sink.flushed, ...letters].map((item) => item.seq).sort((a, b) => a - b)
        expect(seen).toEqual(model.accepted.map((item) => item.seq))
        expect(letters).toEqual([])
        for (let key = 0; key <= 5; key++) {
          const order = sink.flushed.filter((item) => item.key === key).map((item) => item.seq)
          expect(order).toEqual([...order].sort((a, b) => a - b))
        }
        const m = pool.metrics()
        expect(m).toMatchObject({ itemsAdded: model.accepted.length, itemsFlushed: model.accepted.length, itemsBuffered: 0, itemsInFlight: 0 })
      }),
      { numRuns: RUNS, seed: 20260523 },
    )
    expect(runs).toBeGreaterThanOrEqual(RUNS)
  })
})
