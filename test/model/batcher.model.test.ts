import { describe, expect, it } from 'vitest'
import { getMicrosteps, initialTransition, transition } from 'xstate'
import { batcherMachine, type BatcherEvent } from '../../machines/batcher.machine.ts'
import { createBatcherTestModel, manualSink, type BatcherSnapshot, type ManualSink } from '../../src/testing/index.ts'
import { createBatcher, createVirtualTime, type Batcher, type Controller } from '../../src/index.ts'

/**
 * Tests generated from machines/batcher.machine.ts: every path @xstate/graph finds through the
 * statechart is replayed against a real createBatcher, and every state reached is checked on
 * the live object (its state, the flushes in flight, and the items they carry).
 *
 * The model (loadbatch/testing's createBatcherTestModel) offers each event only where the real
 * batcher can produce it: a batch starts when a slot is free, settles when one is in flight,
 * DRAINED comes when draining found nothing left.
 */
const SIZE = 2
/** At least 2, so paths settle one of several flights and the live state is checked after each settle. */
const CONCURRENCY = 3
const INTERVAL_MS = 100

type Snapshot = BatcherSnapshot

/** A controller that grows the size by one each time: adjusting is visible in metrics. */
const growing: Controller<null> = {
  name: 'growing',
  intervalMs: INTERVAL_MS,
  initialState: () => null,
  decide: ({ target }) => ({ ...target, batchSize: target.batchSize + 1, state: null }),
}

const model = createBatcherTestModel({ batchSize: SIZE, concurrency: CONCURRENCY })

interface Harness {
  batcher: Batcher<number>
  sink: ManualSink<number>
  time: ReturnType<typeof createVirtualTime>
  next: number
  stopping: Promise<void> | undefined
}

function harness(): Harness {
  const time = createVirtualTime()
  const sink = manualSink<number>()
  const batcher = createBatcher<number>({
    flush: sink.flush, size: { initial: SIZE, min: SIZE, max: 1000 }, concurrency: CONCURRENCY, controller: growing,
    maxWaitMs: 1_000_000, flushTimeoutMs: 1_000_000_000, capacity: 100_000, scheduler: time.scheduler,
  })
  return { batcher, sink, time, next: 0, stopping: undefined }
}

function testParams(h: Harness) {
  const check = (snapshot: Snapshot) => {
    const m = h.batcher.metrics()
    // Draining with nothing buffered or in flight: the runtime has already sent DRAINED.
    const drained = snapshot.matches('draining') && snapshot.context.inFlight === 0
    expect(h.batcher.state).toBe(drained ? 'stopped' : snapshot.value)
    expect(h.batcher.actor.getSnapshot().context.inFlight).toBe(snapshot.context.inFlight)
    expect(m.itemsInFlight).toBe(h.sink.pending().reduce((n, call) => n + call.batch.length, 0))
    expect(h.sink.pending()).toHaveLength(snapshot.context.inFlight)
    expect(m.itemsAdded).toBe(m.itemsFlushed + m.itemsFailed + m.itemsBuffered + m.itemsInFlight)
    expect(m.itemsBuffered).toBe(0)
    // An oracle independent of the chart (the model walks the same chart, so it cannot catch a
    // wrong guard by itself): running, the batcher is `flushing` exactly while a flush is pending.
    const pending = h.sink.pending().length
    expect(h.batcher.actor.getSnapshot().context.inFlight).toBe(pending)
    if (h.batcher.state === 'collecting' || h.batcher.state === 'flushing') {
      expect(h.batcher.state).toBe(pending > 0 ? 'flushing' : 'collecting')
    }
  }
  return {
    states: { '*': check },
    events: {
      BATCH_STARTED: async () => {
        const size = h.batcher.metrics().batchSize
        for (let i = 0; i < size; i++) h.batcher.tryAdd(h.next++)
        await h.time.settle()
      },
      BATCH_SETTLED: async () => {
        h.sink.pending()[0]!.resolve()
        await h.time.settle()
      },
      TICK: async () => {
        const before = h.batcher.metrics().batchSize
        h.batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.1 } })
        await h.time.advanceBy(INTERVAL_MS)
        expect(h.batcher.metrics().batchSize).toBe(before + 1)
      },
      FLUSH: async () => {
        // Nothing is buffered here, so FLUSH cuts nothing; its promise waits for the flights in progress.
        void h.batcher.flush()
        await h.time.settle()
      },
      FEEDBACK: async () => {
        h.batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
        await h.time.settle()
      },
      STOP: async () => {
        h.stopping = h.batcher.stop()
        await h.time.settle()
      },
      DRAINED: async () => {
        await h.stopping
      },
    },
  }
}

describe('batcher statechart, model-based', () => {
  const shortest = model.getShortestPaths({ allowDuplicatePaths: true })
  const simple = model.getSimplePaths({ allowDuplicatePaths: true })

  it('finds paths to every state of the machine', () => {
    const reached = new Set([...shortest, ...simple].map((p) => String(p.state.value)))
    expect([...reached].sort()).toEqual(['collecting', 'draining', 'flushing', 'stopped'])
    expect(simple.length).toBeGreaterThan(shortest.length)
  })

  for (const [kind, paths] of [['shortest', shortest], ['simple', simple]] as const) {
    describe(`${kind} paths`, () => {
      for (const path of paths) {
        it(path.description, async () => {
          const h = harness()
          await path.test(testParams(h))
          // Whatever the path, the batcher can still be drained and loses nothing.
          const stopped = h.batcher.stop()
          for (let i = 0; i < 10 && h.batcher.state !== 'stopped'; i++) {
            for (const call of h.sink.pending()) call.resolve()
            await h.time.settle()
          }
          await stopped
          const m = h.batcher.metrics()
          expect(m.itemsFlushed).toBe(m.itemsAdded)
          expect(h.sink.items().sort((a, b) => a - b)).toEqual(Array.from({ length: h.next }, (_, i) => i))
        })
      }
    })
  }

  it('walks through adjusting from both collecting and flushing', async () => {
    // getPathsFromEvents loops on a self-transition here, so this path is replayed with
    // xstate's pure `transition`: the machine says where each event leads, the live batcher must agree.
    const events: BatcherEvent[] = [
      { type: 'TICK' },
      { type: 'BATCH_STARTED', batchId: 0, size: SIZE, trigger: 'size' },
      { type: 'TICK' },
      { type: 'BATCH_SETTLED', batchId: 0, ok: true },
      { type: 'STOP' },
      { type: 'DRAINED' },
    ]
    const h = harness()
    const params = testParams(h)
    let [expected] = initialTransition(batcherMachine, { batchSize: SIZE, concurrency: CONCURRENCY })
    const visited: string[] = []
    for (const event of events) {
      await params.events[event.type as keyof typeof params.events]()
      const microsteps = getMicrosteps(batcherMachine, expected, event)
      visited.push(...microsteps.map(([snapshot]) => String(snapshot.value)))
      ;[expected] = transition(batcherMachine, expected, event)
      params.states['*'](expected)
    }
    expect(visited).toEqual(['adjusting', 'collecting', 'flushing', 'adjusting', 'flushing', 'collecting', 'draining', 'stopped'])
  })
})
