import type { ChannelModel } from 'amqplib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBatcher, PartialBatchError } from '../../src/index.ts'
import { consumeRabbitQueue, type ConsumeMessage } from '../../src/rabbitmq/index.ts'
import { manualSink } from '../support/sink.ts'
import { connectRabbit, deadLetterQueueOf, declareQuorumQueue, deleteQueues, drainQueue, publishIds, readyCount } from './support/rabbitQueues.ts'
import { freshName, rabbitUp, waitFor } from './support/services.ts'

const up = await rabbitUp()
const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i)
const idOf = (message: ConsumeMessage) => (JSON.parse(message.content.toString()) as { id: number }).id
const decodeId = (message: ConsumeMessage) => idOf(message)

describe.skipIf(!up)('consumeRabbitQueue (real RabbitMQ, quorum queue)', () => {
  let connection: ChannelModel
  const queues: string[] = []
  const freshQueue = async (deliveryLimit = 5) => {
    const queue = freshName('lb_test')
    queues.push(queue, deadLetterQueueOf(queue))
    const channel = await connection.createChannel()
    await declareQuorumQueue(channel, queue, deliveryLimit)
    await channel.close()
    return queue
  }
  beforeAll(async () => {
    connection = await connectRabbit()
  })
  afterAll(async () => {
    if (queues.length) await deleteQueues(connection, ...queues)
    await connection?.close()
  })

  it('holds no more than prefetch, and never acknowledges a batch still in flight (no multiple-ack trap)', async () => {
    const queue = await freshQueue()
    await publishIds(connection, queue, range(40))
    const channel = await connection.createChannel()
    const sink = manualSink<number>()
    const batcher = createBatcher({ flush: sink.flush, size: 10, capacity: 20, concurrency: 2, maxWaitMs: 5000, flushTimeoutMs: 60_000 })
    const consumer = consumeRabbitQueue({ channel, queue, into: batcher, capacity: 20, decode: decodeId })
    await waitFor('two batches in flight', () => sink.pending().length === 2)
    expect(consumer.metrics()).toMatchObject({ received: 20, held: 20, acked: 0 })

    sink.calls[1]!.resolve() // the later batch settles first
    await waitFor('the second batch acknowledged', () => consumer.metrics().acked === 10)
    expect(consumer.metrics().frames).toBe(10) // one by one: an ack with `multiple` would also cover the first batch
    await channel.close() // the consumer "dies" with the first batch unacknowledged
    await waitFor('the first batch and the 20 unread back in the queue', async () => (await readyCount(connection, queue)) === 30)
    expect(sink.calls[0]!.batch).toEqual(range(10))
    void batcher.stop({ timeoutMs: 0 })
  })

  it('acknowledges a batch settled in order with one ack frame, and stop() drains', async () => {
    const queue = await freshQueue()
    await publishIds(connection, queue, range(35))
    const channel = await connection.createChannel()
    const written: number[] = []
    const batcher = createBatcher<number>({ flush: (batch) => void written.push(...batch), size: 10, capacity: 40, maxWaitMs: 60_000 })
    const consumer = consumeRabbitQueue({ channel, queue, into: batcher, capacity: 40, decode: decodeId })
    await waitFor('30 written', () => written.length === 30)
    await consumer.stop() // the last 5 wait in the buffer: stop cuts them
    expect(written).toEqual(range(35))
    expect(consumer.metrics()).toMatchObject({ state: 'stopped', received: 35, acked: 35, held: 0, redelivered: 0 })
    expect(consumer.metrics().frames).toBeLessThanOrEqual(4)
    await channel.close()
    expect(await readyCount(connection, queue)).toBe(0)
    await batcher.stop()
  })

  it("ends a poison message in the dead-letter queue through the queue's delivery limit, and writes the rest", async () => {
    const poison = 7
    const queue = await freshQueue(2)
    await publishIds(connection, queue, range(30))
    const channel = await connection.createChannel()
    const written: number[] = []
    const batcher = createBatcher<number>({
      flush: (batch) => {
        const bad = batch.indexOf(poison)
        written.push(...batch.filter((id) => id !== poison))
        if (bad >= 0) throw new PartialBatchError([{ index: bad, cause: new Error('check constraint') }])
      },
      size: 10,
      maxWaitMs: 10,
      retry: { attempts: 1 },
    })
    const consumer = consumeRabbitQueue({ channel, queue, into: batcher, capacity: 100, prefetch: 50, decode: decodeId })
    await waitFor('the poison message dead-lettered', async () => (await readyCount(connection, deadLetterQueueOf(queue))) === 1)
    await consumer.stop()
    await batcher.stop()
    expect([...written].sort((a, b) => a - b)).toEqual(range(30).filter((id) => id !== poison))
    expect(consumer.metrics().failed).toBe(3) // delivered 3 times: the limit of 2 returns, then dead-lettered
    expect(await drainQueue(connection, deadLetterQueueOf(queue))).toEqual([{ id: poison }])
    await channel.close()
    expect(await readyCount(connection, queue)).toBe(0)
  })

  it('stops, returning its messages to the queue, when the port no longer accepts items', async () => {
    const queue = await freshQueue()
    await publishIds(connection, queue, range(10))
    const channel = await connection.createChannel()
    const batcher = createBatcher<number>({ flush: () => {}, size: 10 })
    await batcher.stop()
    const consumer = consumeRabbitQueue({ channel, queue, into: batcher, capacity: 100, decode: decodeId })
    await waitFor('the consumer stopped by itself', () => consumer.metrics().state === 'stopped')
    await channel.close()
    expect(consumer.metrics()).toMatchObject({ acked: 0, held: 0 })
    expect(consumer.metrics().notAccepted).toBeGreaterThanOrEqual(10) // a returned message may come back once before the cancel
    await waitFor('the 10 back in the queue', async () => (await readyCount(connection, queue)) === 10)
  })

  it('rejects a message whose decode throws to the dead-letter queue at once', async () => {
    const queue = await freshQueue()
    await publishIds(connection, queue, range(5))
    const channel = await connection.createChannel()
    const written: number[] = []
    const batcher = createBatcher<number>({ flush: (batch) => void written.push(...batch), size: 4, maxWaitMs: 10 })
    const decode = (message: ConsumeMessage) => {
      const id = idOf(message)
      if (id === 3) throw new Error('bad payload')
      return id
    }
    const consumer = consumeRabbitQueue({ channel, queue, into: batcher, capacity: 40, decode })
    await waitFor('4 written', () => written.length === 4)
    await consumer.stop()
    await batcher.stop()
    expect(written).toEqual([0, 1, 2, 4])
    expect(consumer.metrics()).toMatchObject({ rejected: 1, acked: 4 })
    await waitFor('the bad message in the dead-letter queue', async () => (await readyCount(connection, deadLetterQueueOf(queue))) === 1)
    await channel.close()
  })
})
