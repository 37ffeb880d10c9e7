import { describe, expect } from 'vitest'
import { connectRedis, produceToStream, type Redis } from '../../examples/queue-to-postgres/broker.ts'
import { crashTests } from './support/crashScenario.ts'
import { postgresUp, redisUp } from './support/services.ts'

const up = (await redisUp()) && (await postgresUp())

/** Runs `use` on a fresh client, closing it after. */
async function withRedis<R>(use: (redis: Redis) => Promise<R>): Promise<R> {
  const redis = await connectRedis()
  try {
    return await use(redis)
  } finally {
    await redis.close()
  }
}

describe.skipIf(!up)('Redis stream → 3 consumer processes → PostgreSQL (id primary key), N = 20,000', () => {
  crashTests({
    source: 'redis',
    prepare: (stream) => withRedis(async (redis) => void (await redis.sendCommand(['XGROUP', 'CREATE', stream, 'writers', '0', 'MKSTREAM']))),
    produce: (stream, ids) => withRedis((redis) => produceToStream(redis, stream, ids)),
    unacknowledged: (stream) =>
      withRedis(async (redis) => {
        const [group] = (await redis.sendCommand(['XINFO', 'GROUPS', stream])) as Array<{ pending: number; lag: number | null }>
        return Number(group!.pending) + Number(group!.lag ?? 0)
      }),
    deadLettered: (stream) => withRedis(async (redis) => Number(await redis.sendCommand(['XLEN', `${stream}:dead`]))),
    remove: (stream) => withRedis(async (redis) => void (await redis.sendCommand(['DEL', stream, `${stream}:dead`]))),
    takenOver: (survivor) => Number(survivor.claimed),
    checkGracefulStop(victim, survivors) {
      expect(victim.acked).toBe(victim.read! + victim.reread! + victim.claimed!)
      expect(survivors.map((metrics) => metrics.claimed)).toEqual([0, 0]) // nothing of c0's was taken over
    },
  })
})
