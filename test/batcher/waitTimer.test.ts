import { describe, expect, it } from 'vitest'
import { createBatcher, createVirtualTime } from '../../src/index.ts'
import type { Controller } from '../../src/controllers/controller.ts'
import { recordingSink } from '../support/sink.ts'

/**
 * How long a partial batch waits (src/batcher/cutting.ts): `maxWaitMs`, or the controller's
 * shorter `waitMs`; a remainder left by a cut keeps the deadline of the oldest item cut before
 * it (early, never late).
 */
function fixedWith(waitMs: number): Controller<null> {
  return { name: 'waiting', intervalMs: 1000, waitMs, initialState: () => null, decide: ({ target }) => ({ ...target, state: null }) }
}

function batcher(options: { size: number; maxWaitMs: number; controller?: Controller<null> }) {
  const time = createVirtualTime()
  const sink = recordingSink<number>()
  const created = createBatcher({ flush: sink.flush, scheduler: time.scheduler, ...options })
  return { time, sink, batcher: created }
}

describe('the wait of a partial batch', () => {
  it('is the controller\'s waitMs when shorter than maxWaitMs', async () => {
    const { time, sink, batcher: b } = batcher({ size: 10, maxWaitMs: 100, controller: fixedWith(20) })
    b.tryAdd(1)
    await time.advanceBy(19)
    expect(sink.batches).toEqual([])
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[1]])
    expect(sink.infos[0]!.trigger).toBe('time')
  })

  it('is maxWaitMs when the controller\'s waitMs is longer', async () => {
    const { time, sink, batcher: b } = batcher({ size: 10, maxWaitMs: 30, controller: fixedWith(500) })
    b.tryAdd(1)
    await time.advanceBy(29)
    expect(sink.batches).toEqual([])
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[1]])
  })

  it('of a remainder left by a cut keeps the deadline of the oldest item before it: early, never late', async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>()
    const gates: (() => void)[] = []
    const b = createBatcher<number>({ flush: (batch, info) => sink.flush(batch, info).then(() => new Promise<void>((resolve) => gates.push(resolve))), size: 2, concurrency: 1, maxWaitMs: 100, scheduler: time.scheduler })
    b.addMany([0, 1, 2]) // [0, 1] in flight; 2 waits from t=0
    await time.advanceBy(50)
    b.addMany([3, 4]) // a full batch waits for the flush slot
    await time.advanceBy(10)
    for (const open of gates.splice(0)) open() // t=60: [2, 3] is cut by size; 4 remains
    await time.advanceBy(1)
    expect(sink.batches).toEqual([[0, 1], [2, 3]])
    for (const open of gates.splice(0)) open()
    await time.advanceBy(38)
    expect(sink.batches).toHaveLength(2)
    await time.advanceBy(1) // t=100: 2's deadline, not 4's (t=150)
    expect(sink.batches).toEqual([[0, 1], [2, 3], [4]])
    expect(sink.infos.map((info) => info.trigger)).toEqual(['size', 'size', 'time'])
  })
})
