import { describe, expect, it } from 'vitest'
import { BatcherStoppedError, ConfigError, createVirtualTime, latencyTarget } from '../../src/index.ts'
import { createKeyedBatcher, type KeyedBatcher } from '../../src/patterns/keyedBatcher.ts'
import { settleWithin, sleep } from './timing.ts'

interface Row {
  tenant: string
  n: number
}

function invariant(batcher: KeyedBatcher<Row, string>) {
  const m = batcher.metrics()
  expect(m.itemsAdded).toBe(m.itemsFlushed + m.itemsFailed + m.itemsBuffered + m.itemsInFlight)
}

describe('createKeyedBatcher', () => {
  it('makes every batch hold one key, keeps each key\'s order, and tells the flush its key', async () => {
    const time = createVirtualTime()
    const batches: { key: string; ns: number[] }[] = []
    const batcher = createKeyedBatcher<Row, string>({
      batchKey: (row) => row.tenant, size: 3, maxWaitMs: 100, scheduler: time.scheduler,
      flush: (batch, info) => {
        expect(batch.every((row) => row.tenant === info.key)).toBe(true)
        batches.push({ key: info.key, ns: batch.map((row) => row.n) })
      },
    })
    const rows = Array.from({ length: 20 }, (_, n) => ({ tenant: ['a', 'b', 'c'][n % 3]!, n }))
    expect(batcher.addMany(rows)).toBe(20)
    await time.advanceBy(100)
    await settleWithin(time, batcher.stop())
    for (const key of ['a', 'b', 'c']) {
      const ns = batches.filter((b) => b.key === key).flatMap((b) => b.ns)
      expect(ns).toEqual(rows.filter((r) => r.tenant === key).map((r) => r.n))
    }
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 20, itemsFlushed: 20, openKeys: 0 })
  })

  it('keeps one controller state per key: a slow tenant shrinks its own batches, not everyone\'s (vector#21725)', async () => {
    const time = createVirtualTime()
    const batcher = createKeyedBatcher<Row, string>({
      batchKey: (row) => row.tenant, size: { initial: 40, min: 1, max: 40 }, maxWaitMs: 10,
      controller: latencyTarget({ targetMs: 100, intervalMs: 50 }), scheduler: time.scheduler,
      flush: async (batch, { key }) => {
        await sleep(time, key === 'slow' ? batch.length * 20 : 1)
      },
    })
    for (let round = 0; round < 40; round++) {
      for (let i = 0; i < 40; i++) {
        batcher.tryAdd({ tenant: 'slow', n: i })
        batcher.tryAdd({ tenant: 'fast', n: i })
      }
      await time.advanceBy(100)
    }
    expect(batcher.batcherFor('slow')!.metrics().batchSize).toBeLessThanOrEqual(10) // 20 ms per item against a 100 ms target
    expect(batcher.batcherFor('fast')!.metrics().batchSize).toBe(40)
    await settleWithin(time, batcher.stop(), 1_000_000, 100)
  })

  it('never has more than maxOpenKeys open: a new key takes the place of the least recently used idle key', async () => {
    const time = createVirtualTime()
    const batcher = createKeyedBatcher<Row, string>({ batchKey: (r) => r.tenant, size: 1, maxOpenKeys: 2, scheduler: time.scheduler, flush: () => {} })
    batcher.tryAdd({ tenant: 'a', n: 1 })
    batcher.tryAdd({ tenant: 'b', n: 2 })
    await time.settle()
    batcher.tryAdd({ tenant: 'a', n: 3 }) // a is now the most recently used
    await time.settle()
    expect(batcher.tryAdd({ tenant: 'c', n: 4 })).toBe(true)
    expect(batcher.keys()).toEqual(['a', 'c'])
    expect(batcher.metrics()).toMatchObject({ openKeys: 2, keysClosed: 1 })
    await settleWithin(time, batcher.stop())
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 4, itemsFlushed: 4 })
  })

  it('when every open key is busy, tryAdd of a new key refuses (counted) and add waits for a key to go idle', async () => {
    const time = createVirtualTime()
    const written: Row[] = []
    const batcher = createKeyedBatcher<Row, string>({
      batchKey: (r) => r.tenant, size: 10, maxWaitMs: 1000, maxOpenKeys: 1, scheduler: time.scheduler,
      flush: async (batch) => {
        await sleep(time, 50)
        written.push(...batch)
      },
    })
    batcher.tryAdd({ tenant: 'a', n: 1 })
    expect(batcher.tryAdd({ tenant: 'b', n: 2 })).toBe(false)
    expect(batcher.metrics().itemsDropped).toBe(1)
    invariant(batcher)
    const waiting = batcher.add({ tenant: 'b', n: 3 })
    await settleWithin(time, waiting)
    expect(written.map((r) => r.n)).toEqual([1]) // a was flushed to make room, b got in
    expect(batcher.keys()).toEqual(['b'])
    invariant(batcher)
    await settleWithin(time, batcher.stop())
    expect(written.map((r) => r.n)).toEqual([1, 3])
  })

  it('closes a key idle for idleMs and keeps its counters', async () => {
    const time = createVirtualTime()
    const batcher = createKeyedBatcher<Row, string>({ batchKey: (r) => r.tenant, size: 1, idleMs: 500, scheduler: time.scheduler, flush: () => {} })
    batcher.tryAdd({ tenant: 'a', n: 1 })
    await time.advanceBy(499)
    expect(batcher.keys()).toEqual(['a'])
    await time.advanceBy(1)
    expect(batcher.keys()).toEqual([])
    await time.settle()
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 1, itemsFlushed: 1, openKeys: 0, keysClosed: 1 })
    expect(time.scheduler.actions).toHaveLength(0) // no sweep timer while no key is open
    await batcher.stop()
  })

  it('drains every key on stop, resolves submit per item, and refuses items after stop', async () => {
    const time = createVirtualTime()
    const batcher = createKeyedBatcher<Row, string>({ batchKey: (r) => r.tenant, size: 100, maxWaitMs: 10_000, scheduler: time.scheduler, flush: async () => {} })
    const submitted = batcher.submit({ tenant: 'x', n: 1 })
    await batcher.add({ tenant: 'y', n: 2 })
    await settleWithin(time, batcher.stop())
    await expect(submitted).resolves.toBeUndefined()
    expect(batcher.metrics()).toMatchObject({ itemsFlushed: 2, itemsBuffered: 0 })
    await expect(batcher.add({ tenant: 'x', n: 3 })).rejects.toBeInstanceOf(BatcherStoppedError)
    expect(batcher.tryAdd({ tenant: 'x', n: 4 })).toBe(false)
  })

  it('rejects bad options with a ConfigError naming the field', () => {
    const flush = () => {}
    expect(() => createKeyedBatcher({ flush } as never)).toThrow('`batchKey`')
    expect(() => createKeyedBatcher({ batchKey: () => 1, flush, maxOpenKeys: 0 })).toThrow(ConfigError)
    expect(() => createKeyedBatcher({ batchKey: () => 1, flush, idleMs: 0 })).toThrow('`idleMs`')
    expect(() => createKeyedBatcher({ batchKey: () => 1, flush, size: 0 })).toThrow('`size`')
  })
})

describe('createKeyedBatcher with a hostile batchKey', () => {
  it('refuses (and counts) an item whose batchKey throws on tryAdd, and rejects add with the error', async () => {
    const batcher = createKeyedBatcher<Row, string>({
      batchKey: (row) => {
        if (row.n < 0) throw new Error('no tenant')
        return row.tenant
      },
      flush: () => {},
    })
    expect(batcher.tryAdd({ tenant: 'a', n: -1 })).toBe(false)
    expect(batcher.metrics().itemsDropped).toBe(1)
    await expect(batcher.add({ tenant: 'a', n: -2 })).rejects.toThrow('no tenant')
    expect(batcher.tryAdd({ tenant: 'a', n: 1 })).toBe(true)
    await batcher.stop()
    expect(batcher.metrics()).toMatchObject({ itemsAdded: 1, itemsFlushed: 1 })
  })
})
