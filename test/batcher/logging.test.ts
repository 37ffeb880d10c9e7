import { Subject, throwError } from 'rxjs'
import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime, PartialBatchError, type Controller, type Logger } from '../../src/index.ts'
import { manualSink } from '../../src/testing/index.ts'

/**
 * What a batcher tells its logger (src/batcher/feedbackWindow.ts, refusals.ts, flight.ts): a
 * controller that throws or scores out of range, each target change with its reason, a partial
 * failure naming no item, drops and invalid weights at a bounded rate, a broken feedback$.
 */
function recordingLogger() {
  const lines: string[] = []
  const at = (level: keyof Logger) => (message: string) => void lines.push(`${level} ${message}`)
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } satisfies Logger }
}

const adaptive = { initial: 2, min: 1, max: 10 }

function controller(overrides: Partial<Controller<null>>): Controller<null> {
  return { name: 'c', intervalMs: 10, initialState: () => null, decide: ({ target }) => ({ ...target, batchSize: target.batchSize + 1, state: null }), ...overrides }
}

describe('batcher logging', () => {
  it('reports a controller whose initialState, score or decide throws, or whose score leaves 0..1', async () => {
    const time = createVirtualTime()
    const { lines, logger } = recordingLogger()
    let score = 2
    const batcher = createBatcher<number>({
      flush: async () => {}, size: adaptive, scheduler: time.scheduler, logger,
      controller: controller({
        initialState: () => { throw new Error('no state') },
        score: () => { if (score > 1) return score; throw new Error('no score') },
        decide: () => { throw new Error('no decision') },
      }),
    })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    score = 0
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    await time.advanceBy(10)
    expect(lines).toEqual([
      'error loadbatch: controller c initialState() threw; starting from undefined',
      'error loadbatch: controller c score() gave 2, not a number in 0..1; using scoreLoad()',
      'error loadbatch: controller c score() threw; using scoreLoad()',
      'error loadbatch: controller c threw; keeping the current target',
    ])
  })

  it('reports each target change at debug level with the controller reason', async () => {
    const time = createVirtualTime()
    const { lines, logger } = recordingLogger()
    let reasoned = false
    const batcher = createBatcher<number>({
      flush: async () => {}, size: adaptive, scheduler: time.scheduler, logger,
      controller: controller({
        decide: ({ target }) => {
          const next = { ...target, batchSize: target.batchSize + 1, state: null }
          if (!reasoned) return next
          return { ...next, reason: { rule: 'grow', from: target, to: next, inputs: {}, text: 'it grew' } }
        },
      }),
    })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    await time.advanceBy(10)
    reasoned = true
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    await time.advanceBy(10)
    expect(lines).toEqual([
      'debug loadbatch: c: batch 2 → 3, concurrency 1 → 1: the controller gave no reason',
      'debug loadbatch: c: batch 3 → 4, concurrency 1 → 1: it grew',
    ])
  })

  it('warns of a PartialBatchError that names no failed item, and retries the whole batch', async () => {
    const time = createVirtualTime()
    const { lines, logger } = recordingLogger()
    const sink = manualSink<number>()
    const batcher = createBatcher<number>({ flush: sink.flush, size: 2, scheduler: time.scheduler, logger, retry: { attempts: 2, backoffMs: 1, jitter: false } })
    batcher.addMany([1, 2])
    sink.pending()[0]!.reject(new PartialBatchError([]))
    await time.advanceBy(1)
    expect(sink.pending()[0]!.batch).toEqual([1, 2])
    expect(lines).toEqual(['warn loadbatch: PartialBatchError names no failed item, or an index that is no integer within the batch; retrying the whole batch'])
  })

  it('reports drops and invalid weights at most once per 10 s, with the count since the last report', async () => {
    const time = createVirtualTime()
    const { lines, logger } = recordingLogger()
    const batcher = createBatcher<number>({
      flush: () => new Promise(() => {}), size: 2, capacity: 2, scheduler: time.scheduler, logger,
      weigh: (n) => (n < 0 ? NaN : n), maxBatchWeight: 100,
    })
    batcher.addMany([1, 2])
    batcher.tryAdd(3)
    batcher.tryAdd(4)
    await time.advanceBy(9_999)
    batcher.tryAdd(5)
    expect(lines).toEqual(['warn loadbatch: dropped 1 item(s): the batcher is full (capacity 2) or stopped'])
    await time.advanceBy(1)
    batcher.tryAdd(6)
    expect(lines.at(-1)).toBe('warn loadbatch: dropped 3 item(s): the batcher is full (capacity 2) or stopped')
    const weighed = createBatcher<number>({ flush: async () => {}, size: 2, scheduler: time.scheduler, logger, weigh: (n) => (n < 0 ? NaN : n), maxBatchWeight: 100 })
    weighed.tryAdd(-1)
    weighed.tryAdd(-2)
    expect(lines.at(-1)).toBe('warn loadbatch: refused 1 item(s) whose weight is no finite number >= 0')
    expect(weighed.metrics().itemsDropped).toBe(2)
  })

  it('reports a feedback$ that errors or cannot be subscribed to, and adapts on flush feedback', () => {
    const time = createVirtualTime()
    const { lines, logger } = recordingLogger()
    createBatcher<number>({ flush: async () => {}, scheduler: time.scheduler, logger, feedback$: throwError(() => new Error('down')) })
    const broken = new Subject<never>()
    broken.subscribe = () => { throw new Error('no') }
    createBatcher<number>({ flush: async () => {}, scheduler: time.scheduler, logger, feedback$: broken })
    expect(lines).toEqual([
      'error loadbatch: feedback$ errored; adapting on flush feedback only',
      'error loadbatch: subscribing to feedback$ threw; adapting on flush feedback only',
    ])
  })
})
