import { describe, expect, it } from 'vitest'
import type { InspectionEvent } from 'xstate'
import { createBatcher, createVirtualTime } from '../../src/index.ts'

function collect() {
  const seen: InspectionEvent[] = []
  return { seen, inspect: (event: InspectionEvent) => void seen.push(event) }
}

describe('inspection', () => {
  it('shows an inspector the batcher actor, its events and its snapshots', async () => {
    const time = createVirtualTime()
    const { seen, inspect } = collect()
    const batcher = createBatcher<number>({ flush: async () => {}, size: 2, scheduler: time.scheduler, inspect })
    batcher.addMany([1, 2])
    await batcher.stop()
    expect(seen.some((e) => e.type === '@xstate.actor' && e.actorRef === batcher.actor)).toBe(true)
    const events = seen.flatMap((e) => (e.type === '@xstate.event' ? [e.event.type] : []))
    expect(events).toEqual(expect.arrayContaining(['BATCH_STARTED', 'BATCH_SETTLED', 'STOP', 'DRAINED']))
    const values = seen.flatMap((e) => (e.type === '@xstate.snapshot' ? [(e.snapshot as { value?: unknown }).value] : []))
    expect(values).toEqual(expect.arrayContaining(['collecting', 'flushing', 'draining', 'stopped']))
  })

  it('sends the actor a few control events per batch, never one per item', async () => {
    const time = createVirtualTime()
    const { seen, inspect } = collect()
    const batcher = createBatcher<number>({ flush: async () => {}, size: 100, capacity: 20_000, scheduler: time.scheduler, inspect })
    for (let i = 0; i < 10_000; i++) batcher.tryAdd(i)
    await time.advanceBy(10)
    const batches = batcher.metrics().flushCount
    const events = seen.filter((e) => e.type === '@xstate.event' && e.event.type !== 'xstate.init').length
    expect(batches).toBe(100)
    expect(events / batches).toBeLessThanOrEqual(2)
    await batcher.stop()
  })
})
