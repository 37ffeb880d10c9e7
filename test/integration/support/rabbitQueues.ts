/** RabbitMQ helpers of the queue tests beyond the example's (broker.ts): emptying and deleting queues. */
import type { ChannelModel } from 'amqplib'

export { connectRabbit, deadLetterQueueOf, declareQuorumQueue, publishToQueue as publishIds, readyCount } from '../../../examples/queue-to-postgres/broker.ts'

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
