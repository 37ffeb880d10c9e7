import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBatcher, createSupervisor, PartialBatchError } from '../../src/index.ts'
import { consumeRedisStream, type StreamEntry } from '../../src/redis/index.ts'
import { manualSink, type ManualSink } from '../support/sink.ts'
import { connectRedis, dropKeys, groupState, produce, streamEntries, type Redis } from './support/redisStreams.ts'
import { freshName, redisUp, waitFor } from './support/services.ts'

const up = await redisUp()
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i)
const idOf = (entry: StreamEntry) => Number(entry.fields.id)

/** Resolves the sink's calls as they come until `count` items were flushed. */
async function resolveUntil(sink: ManualSink<StreamEntry>, count: number): Promise<void> {
  while (sink.items().length < count || sink.pending().length > 0) {
    await waitFor('the next batch', () => sink.pending()[0])
    sink.pending()[0]!.resolve()
  }
}

describe.skipIf(!up)('consumeRedisStream (real Redis)', () => {
  let redis: Redis
  const keys: string[] = []
  const names = () => {
    const stream = freshName('lb_test')
    keys.push(stream, `${stream}:dead`)
    return { stream, group: 'writers' }
  }
  beforeAll(async () => {
    redis = await connectRedis()
  })
  afterAll(async () => {
    if (keys.length) await dropKeys(redis, ...keys)
    await redis?.close()
  })

  it('reads no more than the port has room for, and acknowledges a batch (one XACK) only after it flushed', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(100))
    const sink = manualSink<StreamEntry>()
    const batcher = createBatcher({ flush: sink.flush, size: 10, capacity: 20, maxWaitMs: 5000, flushTimeoutMs: 5000 })
    const consumer = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: batcher, capacity: 20, blockMs: 20, claimIdleMs: Infinity })

    await waitFor('the first batch', () => sink.calls.length === 1)
    await waitFor('20 entries read', () => consumer.metrics().read === 20)
    await new Promise((resolve) => setTimeout(resolve, 200)) // the loop keeps looking for room meanwhile
    expect(consumer.metrics().read).toBe(20)
    expect(await groupState(redis, stream, group)).toEqual({ pending: 20, lag: 80 })
    expect(consumer.metrics().acked).toBe(0)

    sink.calls[0]!.resolve()
    await waitFor('the first batch acknowledged', () => consumer.metrics().acked === 10)
    expect(consumer.metrics().ackCalls).toBe(1)
    await waitFor('10 more read', () => consumer.metrics().read === 30)
    expect((await groupState(redis, stream, group)).pending).toBe(20)

    await resolveUntil(sink, 100)
    await consumer.stop()
    await batcher.stop()
    expect(sink.items().map(idOf)).toEqual(range(100))
    expect(consumer.metrics()).toMatchObject({ read: 100, acked: 100, ackCalls: 10, held: 0, state: 'stopped' })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
  })

  it('stop() cuts the port, waits for the flush and acknowledges everything flushed', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(30))
    const written: number[] = []
    const batcher = createBatcher<StreamEntry>({ flush: (batch) => void written.push(...batch.map(idOf)), size: 100, maxWaitMs: 60_000 })
    const consumer = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: batcher, blockMs: 5000, claimIdleMs: Infinity, intoLimits: { maxWaitMs: 60_000 } })
    await waitFor('30 entries read', () => consumer.metrics().read === 30)
    expect(written).toEqual([])
    await consumer.stop() // ends the blocking read at once, not after blockMs
    expect(written).toEqual(range(30))
    expect(consumer.metrics()).toMatchObject({ acked: 30, held: 0, state: 'stopped' })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
    await batcher.stop()
  })

  it('re-reads its own pending entries when it starts again under the same name', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(50))
    const stuck = manualSink<StreamEntry>() // never settles: like a process that died mid-flush
    const first = createBatcher({ flush: stuck.flush, size: 10, capacity: 20, flushTimeoutMs: 60_000 })
    const crashed = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: first, capacity: 20, blockMs: 20, claimIdleMs: Infinity })
    await waitFor('20 entries held', () => crashed.metrics().read === 20)
    await crashed.stop({ timeoutMs: 0 }) // gives up waiting: its 20 entries stay pending
    expect((await groupState(redis, stream, group)).pending).toBe(20)

    const written: number[] = []
    const batcher = createBatcher<StreamEntry>({ flush: (batch) => void written.push(...batch.map(idOf)), size: 10, maxWaitMs: 10 })
    const restarted = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: batcher, blockMs: 20, claimIdleMs: Infinity, intoLimits: { maxWaitMs: 10 } })
    await waitFor('all 50 written', () => written.length === 50)
    await restarted.stop()
    expect([...written].sort((a, b) => a - b)).toEqual(range(50))
    expect(restarted.metrics()).toMatchObject({ reread: 20, read: 30, claimed: 0, acked: 50 })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
    await batcher.stop()
    void first.stop({ timeoutMs: 0 })
  })

  it("takes over a dead consumer's pending entries once idle for claimIdleMs", async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(40))
    const stuck = manualSink<StreamEntry>()
    const first = createBatcher({ flush: stuck.flush, size: 10, capacity: 20, flushTimeoutMs: 60_000 })
    const dead = consumeRedisStream({ redis, stream, group, consumer: 'dead', into: first, capacity: 20, blockMs: 20, claimIdleMs: Infinity })
    await waitFor('20 entries held', () => dead.metrics().read === 20)
    await dead.stop({ timeoutMs: 0 })

    const written: number[] = []
    const batcher = createBatcher<StreamEntry>({ flush: (batch) => void written.push(...batch.map(idOf)), size: 10, maxWaitMs: 10, flushTimeoutMs: 100 })
    const survivor = consumeRedisStream({ redis, stream, group, consumer: 'survivor', into: batcher, blockMs: 20, claimIdleMs: 300, claimIntervalMs: 50, intoLimits: { maxWaitMs: 10, flushTimeoutMs: 100 } })
    await waitFor('all 40 written', () => written.length === 40)
    await survivor.stop()
    expect([...written].sort((a, b) => a - b)).toEqual(range(40))
    expect(survivor.metrics()).toMatchObject({ read: 20, claimed: 20, acked: 40 })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
    await batcher.stop()
    void first.stop({ timeoutMs: 0 })
  })

  it('moves a poison entry to the dead-letter stream after maxDeliveries and writes the rest', async () => {
    const { stream, group } = names()
    const poison = 13
    await produce(redis, stream, range(50))
    const written: number[] = []
    const batcher = createBatcher<StreamEntry>({
      flush: (batch) => {
        const bad = batch.findIndex((entry) => idOf(entry) === poison)
        written.push(...batch.filter((_, i) => i !== bad).map(idOf))
        if (bad >= 0) throw new PartialBatchError([{ index: bad, cause: new Error('check constraint') }])
      },
      size: 10,
      maxWaitMs: 10,
      flushTimeoutMs: 100,
      retry: { attempts: 2, backoffMs: 1 },
    })
    const consumer = consumeRedisStream({
      redis, stream, group, consumer: 'c1', into: batcher, blockMs: 20,
      claimIdleMs: 200, claimIntervalMs: 50, maxDeliveries: 3, intoLimits: { maxWaitMs: 10, flushTimeoutMs: 100 },
    })
    await waitFor('the poison entry dead-lettered', () => consumer.metrics().deadLettered === 1)
    await consumer.stop()
    await batcher.stop()
    expect([...written].sort((a, b) => a - b)).toEqual(range(50).filter((id) => id !== poison))
    const dead = await streamEntries(redis, `${stream}:dead`)
    expect(dead).toHaveLength(1)
    expect(dead[0]).toMatchObject({ id: String(poison), 'loadbatch.deliveries': '3', 'loadbatch.group': group, 'loadbatch.stream': stream })
    expect(dead[0]!['loadbatch.error']).toContain('PartialBatchError')
    expect(consumer.metrics()).toMatchObject({ failed: 3, deadLettered: 1, claimed: 2, acked: 49 })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
  })

  it('dead-letters an entry whose decode throws, at once', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(5))
    const written: number[] = []
    const batcher = createBatcher<number>({ flush: (batch) => void written.push(...batch), size: 5, maxWaitMs: 10 })
    const consumer = consumeRedisStream({
      redis, stream, group, consumer: 'c1', into: batcher, blockMs: 20, claimIdleMs: Infinity, intoLimits: { maxWaitMs: 10 },
      decode: (entry) => {
        if (entry.fields.id === '2') throw new Error('not a number')
        return Number(entry.fields.id)
      },
    })
    await waitFor('4 written', () => written.length === 4)
    await consumer.stop()
    await batcher.stop()
    expect(written).toEqual([0, 1, 3, 4])
    const dead = await streamEntries(redis, `${stream}:dead`)
    expect(dead).toMatchObject([{ id: '2', 'loadbatch.deliveries': '1' }])
    expect(dead[0]!['loadbatch.error']).toContain('not a number')
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
  })

  it('survives a throwing feedback function, a throwing logger and a port whose submit throws, losing nothing', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(60))
    const written: number[] = []
    const batcher = createBatcher<StreamEntry>({ flush: (batch) => void written.push(...batch.map(idOf)), size: 10, maxWaitMs: 10, flushTimeoutMs: 100 })
    let throws = 3
    const port = {
      submit: (entry: StreamEntry) => {
        if (throws-- > 0) throw new Error('port broke')
        return batcher.submit(entry)
      },
      flush: batcher.flush,
      metrics: batcher.metrics,
      actor: batcher.actor,
    }
    const angry = () => {
      throw new Error('logger broke')
    }
    const consumer = consumeRedisStream({
      redis, stream, group, consumer: 'c1', into: port, capacity: 20, blockMs: 20, claimIdleMs: 200, claimIntervalMs: 50,
      intoLimits: { maxWaitMs: 10, flushTimeoutMs: 100 }, feedbackIntervalMs: 20,
      feedback: () => {
        throw new Error('feedback broke')
      },
      logger: { debug: angry, info: angry, warn: angry, error: angry },
    })
    await waitFor('all 60 written', () => written.length === 60)
    await consumer.stop()
    await batcher.stop()
    expect([...written].sort((a, b) => a - b)).toEqual(range(60))
    expect(consumer.metrics()).toMatchObject({ failed: 3, claimed: 3, acked: 60, held: 0 })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
  })

  it('stops when the port no longer accepts items, leaving what it read pending', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(100))
    const batcher = createBatcher<StreamEntry>({ flush: () => {}, size: 10 })
    await batcher.stop()
    const consumer = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: batcher, capacity: 20, blockMs: 20, claimIdleMs: Infinity })
    await waitFor('the consumer stopped by itself', () => consumer.metrics().state === 'stopped')
    expect(consumer.metrics()).toMatchObject({ read: 20, notAccepted: 20, acked: 0, held: 0 })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 20, lag: 80 })
  })

  it('feeds a supervisor as well as a batcher', async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(300))
    const written: number[] = []
    const pool = createSupervisor<StreamEntry>({ worker: { flush: (batch) => void written.push(...batch.map(idOf)), size: 20, maxWaitMs: 10 }, workers: { min: 2, max: 2 } })
    const consumer = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: pool, blockMs: 20, claimIdleMs: Infinity, intoLimits: { maxWaitMs: 10 } })
    await waitFor('all 300 written', () => written.length === 300)
    await consumer.stop()
    await pool.stop()
    expect([...written].sort((a, b) => a - b)).toEqual(range(300))
    expect(consumer.metrics()).toMatchObject({ read: 300, acked: 300, held: 0 })
    expect(await groupState(redis, stream, group)).toEqual({ pending: 0, lag: 0 })
  })

  it("sends the group's pending entries to the port as load feedback", async () => {
    const { stream, group } = names()
    await produce(redis, stream, range(20))
    const sink = manualSink<StreamEntry>()
    const batcher = createBatcher({ flush: sink.flush, size: 10, capacity: 20, flushTimeoutMs: 60_000 })
    const sent: unknown[] = []
    const port = { submit: batcher.submit, flush: batcher.flush, metrics: batcher.metrics, actor: { send: (event: unknown) => void sent.push(event) } }
    const consumer = consumeRedisStream({ redis, stream, group, consumer: 'c1', into: port, capacity: 20, blockMs: 20, claimIdleMs: Infinity, feedbackIntervalMs: 20 })
    await waitFor('feedback with 20 pending', () => sent.some((event) => (event as { feedback: { queueDepth: number } }).feedback.queueDepth === 20))
    expect(sent.at(-1)).toEqual({ type: 'FEEDBACK', feedback: { queueDepth: 20, queueCapacity: 20 } })
    expect(consumer.metrics()).toMatchObject({ pending: 20, lag: 0 })
    await resolveUntil(sink, 20)
    await consumer.stop()
    await batcher.stop()
  })
})
