import { describe, expect, it } from 'vitest'
import { createActor, type AnyActorRef, type InspectionEvent } from 'xstate'
import { ChartLink } from '../../src/batcher/chartLink.ts'
import { createBatcher, createBatcherLogic } from '../../src/batcher/createBatcher.ts'
import { newFlight } from '../../src/batcher/flight.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { manualSink } from '../support/sink.ts'

/**
 * The runtime's line to its chart (src/batcher/chartLink.ts), as an inspector of the actor's
 * system sees it: what each settle carries, nothing sent once the actor stopped, and which late
 * events count as dropped items.
 */
function eventsOf(into: { type: string }[]) {
  return (inspection: InspectionEvent) => void (inspection.type === '@xstate.event' && into.push(inspection.event))
}

describe('the chart link', () => {
  it('settles several batches of one turn with one plain BATCH_SETTLED each when nobody takes the detail, else the last carries it', async () => {
    const time = createVirtualTime()
    const sink = manualSink<number>()
    const { logic, portOf, input } = createBatcherLogic<number>({ flush: sink.flush, size: 1, concurrency: 3, scheduler: time.scheduler })
    const events: { type: string }[] = []
    const actor = createActor(logic, { input, inspect: eventsOf(events) }) // the system's inspector, not the batcher's `inspect`
    actor.start()
    portOf(actor)!.addMany([1, 2, 3])
    await time.settle()
    sink.resolveAll()
    await time.settle()
    expect(events.filter((event) => event.type === 'BATCH_SETTLED')).toEqual([1, 2, 3].map(() => ({ type: 'BATCH_SETTLED', batchId: 0, ok: true })))
    actor.on('batch.flushed', () => {}) // now somebody takes it: the settle carries the detail
    portOf(actor)!.tryAdd(4)
    await time.settle()
    sink.resolveAll()
    await time.settle()
    expect(events.at(-1)).toEqual({ type: 'BATCH_SETTLED', batchId: 0, ok: true, emitted: [{ type: 'batch.flushed', batchId: 4, items: [4] }] })
    await portOf(actor)!.stop()
  })

  it('sends nothing to an actor stopped from outside: no DRAINED, no report of a batch that settled in that turn', async () => {
    const time = createVirtualTime()
    const { logic, portOf, input } = createBatcherLogic<number>({ flush: () => {}, size: 1, scheduler: time.scheduler })
    const events: { type: string }[] = []
    const actor = createActor(logic, { input, inspect: eventsOf(events) })
    actor.on('*', () => {})
    actor.start()
    portOf(actor)!.tryAdd(1) // cut and flushed at once; the chart would hear of it a moment later
    actor.stop()
    const atStop = events.length
    await time.settle()
    expect(events.slice(atStop)).toEqual([])
    expect(events.map((event) => event.type)).not.toContain('DRAINED')
    expect(portOf(actor)!.metrics()).toMatchObject({ state: 'stopped', itemsFlushed: 1 })
  })

  it('counts only ADD and ADD_MANY events sent after stop as dropped, an ADD as one item', async () => {
    const batcher = createBatcher<number>({ flush: async () => {} })
    await batcher.stop()
    batcher.actor.send({ type: 'FLUSH' })
    batcher.actor.send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })
    batcher.actor.send({ type: 'ADD', item: 1, items: [1, 2, 3] } as never)
    batcher.actor.send({ type: 'ADD_MANY', items: 5 as unknown as number[] })
    expect(batcher.metrics().itemsDropped).toBe(2)
  })

  it('reports every batch over an actor whose listeners it cannot read', () => {
    const sent: { type: string; emitted?: unknown[] }[] = []
    const self = { send: (event: { type: string }) => void sent.push(event) } as unknown as AnyActorRef
    const link = new ChartLink(self, () => {}, false)
    const flight = newFlight(7, ['a', 'b'], undefined, 0, 'size', 2)
    link.started(7, 2, 'size')
    link.settled(flight, true, undefined)
    link.sync()
    expect(sent).toEqual([{ type: 'REPORT', emitted: [{ type: 'batch.flushed', batchId: 7, items: ['a', 'b'] }] }])
  })
})
