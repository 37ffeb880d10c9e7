import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { createBatcher, createBatcherLogic } from '../../src/batcher/createBatcher.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/**
 * What createBatcher and createBatcherLogic set up (src/batcher/createBatcher.ts): the actor
 * named by `name` (its id and systemId), the chart starting at the options' target, and one
 * port per actor made from the logic, none for another.
 */
describe('createBatcher', () => {
  it('names the actor by `name`: its id, and its systemId in the system', () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: () => {}, name: 'orders', scheduler: time.scheduler })
    expect(batcher.actor.id).toBe('orders')
    expect(batcher.actor.system.get('orders')).toBe(batcher.actor)
  })

  it('starts the chart at the options\' initial target', () => {
    const time = createVirtualTime()
    const batcher = createBatcher<number>({ flush: () => {}, size: { min: 5, initial: 40, max: 80 }, concurrency: { min: 1, initial: 3, max: 4 }, scheduler: time.scheduler })
    expect(batcher.actor.getSnapshot().context).toMatchObject({ batchSize: 40, concurrency: 3 })
    expect(batcher.metrics()).toMatchObject({ batchSize: 40, concurrency: 3 })
  })

  it('gives the logic\'s input at the options\' target, and one port per actor made from it', () => {
    const time = createVirtualTime()
    const { logic, portOf, input } = createBatcherLogic<number>({ flush: () => {}, size: 7, concurrency: 2, scheduler: time.scheduler })
    expect(input).toEqual({ batchSize: 7, concurrency: 2 })
    const [a, b] = [createActor(logic, { input }).start(), createActor(logic, { input }).start()]
    expect(portOf(a)).toBe(portOf(a))
    expect(portOf(a)).not.toBe(portOf(b))
    portOf(a)!.tryAdd(1)
    expect([portOf(a)!.pending, portOf(b)!.pending]).toEqual([1, 0])
    expect(portOf(createActor(logic, { input }))).toBeUndefined() // not started: no runtime yet
  })
})
