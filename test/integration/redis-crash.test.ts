import { describe, expect, it } from 'vitest'
import { connectRedis, produceToStream } from '../../examples/queue-to-postgres/broker.ts'
import { batchesInFlightAtKill, describeResult, runCrashScenario, type Broker } from './support/crashScenario.ts'
import { postgresUp, redisUp } from './support/services.ts'

const up = (await redisUp()) && (await postgresUp())

const redisBroker: Broker = {
  source: 'redis',
  async fill(stream, ids) {
    const redis = await connectRedis()
    await redis.sendCommand(['XGROUP', 'CREATE', stream, 'writers', '0', 'MKSTREAM'])
    await produceToStream(redis, stream, ids)
    await redis.close()
  },
  async unacknowledged(stream) {
    const redis = await connectRedis()
    const [group] = (await redis.sendCommand(['XINFO', 'GROUPS', stream])) as Array<{ pending: number; lag: number | null }>
    await redis.close()
    return Number(group!.pending) + Number(group!.lag ?? 0)
  },
  async deadLettered(stream) {
    const redis = await connectRedis()
    const length = Number(await redis.sendCommand(['XLEN', `${stream}:dead`]))
    await redis.close()
    return length
  },
  async remove(stream) {
    const redis = await connectRedis()
    await redis.sendCommand(['DEL', stream, `${stream}:dead`])
    await redis.close()
  },
}

describe.skipIf(!up)('Redis stream → 3 consumer processes → PostgreSQL (id primary key), N = 20,000', () => {
  it('kill -9 in the middle of a flush: the survivors take over, every id is written, duplicates only from the batches in flight', async () => {
    const result = await runCrashScenario(redisBroker, { kind: 'kill-mid-flush', atBatch: 8 })
    console.log(describeResult('redis kill -9 mid-flush', result))
    expect(result.victim.exit).toBe('SIGKILL')
    expect(result.distinct).toBe(result.n)
    expect(result.unacknowledged).toBe(0)
    expect(result.deadLettered).toBe(0)
    const inFlight = batchesInFlightAtKill(result.victim.events)
    for (const row of result.duplicated) expect({ writer: row.writer, inFlight: inFlight.includes(row.batch), writes: row.writes }).toEqual({ writer: 'c0', inFlight: true, writes: 2 })
    expect(result.duplicates).toBeLessThanOrEqual(2 * 200)
    expect(result.survivors.reduce((sum, metrics) => sum + Number(metrics.claimed), 0)).toBeGreaterThan(0)
  })

  it('kill -9 after the write, before the ack: that batch is written twice, nothing is lost', async () => {
    const result = await runCrashScenario(redisBroker, { kind: 'kill-after-write', atBatch: 6 })
    console.log(describeResult('redis kill -9 after write', result))
    expect(result.victim.exit).toBe('SIGKILL')
    expect(result.distinct).toBe(result.n)
    expect(result.unacknowledged).toBe(0)
    // Batch 6 committed and was never acknowledged: every row of it is written twice. The batch
    // before it may be too (its XACK can still be on the way when the process dies); no other.
    const killedBatch = result.victim.events.find((event) => event.event === 'written' && event.batch === 6)!
    expect(result.duplicated.filter((row) => row.batch === 6)).toHaveLength(Number(killedBatch.size))
    for (const row of result.duplicated) expect({ writer: row.writer, inFlight: [5, 6].includes(row.batch), writes: row.writes }).toEqual({ writer: 'c0', inFlight: true, writes: 2 })
  })

  it('SIGTERM: the consumer drains and acknowledges everything it read; nothing is delivered again', async () => {
    const result = await runCrashScenario(redisBroker, { kind: 'sigterm', atBatch: 6 })
    console.log(describeResult('redis SIGTERM', result))
    expect(result.victim.exit).toBe(0)
    const stopped = result.victim.events.find((event) => event.event === 'stopped')!.metrics as Record<'held' | 'acked' | 'read' | 'reread' | 'claimed', number>
    expect(stopped.held).toBe(0)
    expect(stopped.acked).toBe(stopped.read + stopped.reread + stopped.claimed)
    expect(result.distinct).toBe(result.n)
    expect(result.duplicates).toBe(0)
    expect(result.unacknowledged).toBe(0)
    expect(result.survivors.map((metrics) => metrics.claimed)).toEqual([0, 0])
  })
})
