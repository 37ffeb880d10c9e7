import { describe, expect } from 'vitest'
import { connectRabbit, deadLetterQueueOf, declareQuorumQueue, publishToQueue, readyCount } from '../../examples/queue-to-postgres/broker.ts'
import { crashTests } from './support/crashScenario.ts'
import { deleteQueues } from './support/rabbitQueues.ts'
import { postgresUp, rabbitUp } from './support/services.ts'

const up = (await rabbitUp()) && (await postgresUp())

/** Runs `use` on a fresh connection, closing it after. */
async function withRabbit<R>(use: (connection: Awaited<ReturnType<typeof connectRabbit>>) => Promise<R>): Promise<R> {
  const connection = await connectRabbit()
  try {
    return await use(connection)
  } finally {
    await connection.close()
  }
}

describe.skipIf(!up)('RabbitMQ quorum queue → 3 consumer processes → PostgreSQL (id primary key), N = 20,000', () => {
  crashTests({
    source: 'rabbitmq',
    prepare: (queue) =>
      withRabbit(async (connection) => {
        const channel = await connection.createChannel()
        await declareQuorumQueue(channel, queue, 5)
        await channel.close()
      }),
    produce: (queue, ids) => withRabbit((connection) => publishToQueue(connection, queue, ids)),
    // Read with no consumer left: an unacknowledged message would be back in the queue, ready.
    unacknowledged: (queue) => withRabbit((connection) => readyCount(connection, queue)),
    deadLettered: (queue) => withRabbit((connection) => readyCount(connection, deadLetterQueueOf(queue))),
    remove: (queue) => withRabbit((connection) => deleteQueues(connection, queue, deadLetterQueueOf(queue))),
    takenOver: (survivor) => Number(survivor.redelivered),
    checkGracefulStop(victim, survivors) {
      expect(victim.acked).toBe(victim.received)
      // Nothing c0 handed to its port came back (no duplicate, checked above). A quorum queue may go
      // on delivering to a cancelled consumer for a moment (rabbitmq-server#3729); c0 returns those
      // untouched (or the broker does when c0's connection closes): redelivered, at most its prefetch.
      const redelivered = survivors.reduce((sum, metrics) => sum + Number(metrics.redelivered), 0)
      console.log(`[rabbitmq SIGTERM] redelivered to the survivors: ${redelivered} (c0 returned ${victim.returned} after its stop)`)
      expect(redelivered).toBeLessThanOrEqual(1000)
    },
  })
})
