/**
 * The pipeline's two brokers: a Redis stream and a RabbitMQ quorum queue. Producing items,
 * reading what is left, and cleaning up, for each.
 */
import amqp, { type Channel, type ChannelModel } from 'amqplib'
import { createClient } from 'redis'

/** Where the services are (override with REDIS_URL, RABBITMQ_URL, DATABASE_URL). */
export const urls = {
  redis: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  rabbitmq: process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  postgres: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
}

/** A connected node-redis client whose errors are logged, not thrown as events. */
export async function connectRedis(url = urls.redis) {
  const client = createClient({ url })
  client.on('error', (error) => console.warn('redis client error', error))
  await client.connect()
  return client
}

/** A client as `connectRedis` gives it. */
export type Redis = Awaited<ReturnType<typeof connectRedis>>

/** Adds one entry `{ id }` per id to the stream, pipelined. */
export async function produceToStream(redis: Redis, stream: string, ids: readonly number[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 5000) {
    await Promise.all(ids.slice(start, start + 5000).map((id) => redis.sendCommand(['XADD', stream, '*', 'id', String(id)])))
  }
}

/** An AMQP connection whose errors are logged, not thrown as events. */
export async function connectRabbit(url = urls.rabbitmq): Promise<ChannelModel> {
  const connection = await amqp.connect(url)
  connection.on('error', (error) => console.warn('rabbitmq connection error', error))
  return connection
}

/** The name of `queue`'s dead-letter queue. */
export const deadLetterQueueOf = (queue: string) => `${queue}.dead`

/**
 * Declares `queue` as a durable quorum queue that dead-letters (through the default exchange)
 * into `<queue>.dead` once a message was returned more than `deliveryLimit` times.
 */
export async function declareQuorumQueue(channel: Channel, queue: string, deliveryLimit: number): Promise<void> {
  await channel.assertQueue(deadLetterQueueOf(queue), { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': deliveryLimit, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueueOf(queue) },
  })
}

/** Publishes one persistent JSON message `{ id }` per id and waits for the broker's confirms. */
export async function publishToQueue(connection: ChannelModel, queue: string, ids: readonly number[]): Promise<void> {
  const channel = await connection.createConfirmChannel()
  for (const id of ids) {
    if (!channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id })), { persistent: true })) await new Promise((resolve) => channel.once('drain', resolve))
  }
  await channel.waitForConfirms()
  await channel.close()
}

/** Messages ready in `queue` (delivered-but-unacknowledged ones are not counted). */
export async function readyCount(connection: ChannelModel, queue: string): Promise<number> {
  const channel = await connection.createChannel()
  try {
    return (await channel.checkQueue(queue)).messageCount
  } finally {
    await channel.close()
  }
}
