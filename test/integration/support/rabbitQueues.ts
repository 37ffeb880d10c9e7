/** RabbitMQ helpers of the queue tests: connecting, a quorum queue with a dead-letter queue, publishing, cleaning up. */
import amqp, { type Channel, type ChannelModel } from 'amqplib'
import { RABBIT_URL } from './services.ts'

/** Opens a connection; errors are logged, not thrown as events. */
export async function connectRabbit(): Promise<ChannelModel> {
  const connection = await amqp.connect(RABBIT_URL)
  connection.on('error', (error) => console.warn('rabbitmq connection error', error))
  return connection
}

/** The name of `queue`'s dead-letter queue. */
export const deadLetterQueueOf = (queue: string) => `${queue}.dead`

/**
 * Declares `queue` as a durable quorum queue that dead-letters (through the default exchange)
 * into `<queue>.dead` after `deliveryLimit` returns, and declares that queue.
 */
export async function declareQuorumQueue(channel: Channel, queue: string, deliveryLimit: number): Promise<void> {
  await channel.assertQueue(deadLetterQueueOf(queue), { durable: true, arguments: { 'x-queue-type': 'quorum' } })
  await channel.assertQueue(queue, {
    durable: true,
    arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': deliveryLimit, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueueOf(queue) },
  })
}

/** Publishes one persistent JSON message `{ id }` per id, with publisher confirms. */
export async function publishIds(connection: ChannelModel, queue: string, ids: readonly number[]): Promise<void> {
  const channel = await connection.createConfirmChannel()
  for (const id of ids) {
    if (!channel.sendToQueue(queue, Buffer.from(JSON.stringify({ id })), { persistent: true })) await new Promise((resolve) => channel.once('drain', resolve))
  }
  await channel.waitForConfirms()
  await channel.close()
}

/** Messages ready in `queue` (not delivered to any consumer). */
export async function readyCount(connection: ChannelModel, queue: string): Promise<number> {
  const channel = await connection.createChannel()
  try {
    return (await channel.checkQueue(queue)).messageCount
  } finally {
    await channel.close()
  }
}

/** Takes every message ready in `queue` (acknowledging them) and returns their JSON bodies. */
export async function drainQueue(connection: ChannelModel, queue: string): Promise<Array<Record<string, unknown>>> {
  const channel = await connection.createChannel()
  const bodies: Array<Record<string, unknown>> = []
  for (let message = await channel.get(queue); message; message = await channel.get(queue)) {
    bodies.push(JSON.parse(message.content.toString()))
    channel.ack(message)
  }
  await channel.close()
  return bodies
}

/** Deletes the queues. */
export async function deleteQueues(connection: ChannelModel, ...queues: string[]): Promise<void> {
  const channel = await connection.createChannel()
  for (const queue of queues) await channel.deleteQueue(queue)
  await channel.close()
}
