/**
 * One consumer process of the pipeline: reads a Redis stream (consumer group) or a RabbitMQ
 * quorum queue into a batcher whose flush is a multi-row INSERT into PostgreSQL. Each entry is
 * acknowledged only after its batch was written; SIGTERM drains and exits 0; kill -9 loses
 * nothing (the other consumers take its entries over).
 *
 * Run one by hand (run.ts starts several):
 *   node --import tsx examples/queue-to-postgres/consumer.ts '{"source":"redis","name":"c1","from":"orders","table":"orders"}'
 */
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { createBatcher, type FlushInfo } from '../../src/index.ts'
import { consumeRabbitQueue, type ConsumeMessage } from '../../src/rabbitmq/index.ts'
import { consumeRedisStream, type StreamEntry } from '../../src/redis/index.ts'
import { connectRabbit, connectRedis, urls } from './broker.ts'
import { insertRows } from './rowsTable.ts'

/** What one consumer process is told (as JSON in its first argument). */
export interface ConsumerConfig {
  /** Which broker to read. */
  readonly source: 'redis' | 'rabbitmq'
  /** The consumer's name in the group (and the `writer` column of its rows). */
  readonly name: string
  /** The stream (redis) or queue (rabbitmq) to read. */
  readonly from: string
  /** The PostgreSQL table to write. */
  readonly table: string
  /** Rows per INSERT (default 200). */
  readonly size?: number
  /** Longest a partial batch waits, in ms (default 50). */
  readonly maxWaitMs?: number
  /** A flush taking longer is retried, in ms (default 2000). */
  readonly flushTimeoutMs?: number
  /** Redis: idle time after which another consumer takes an entry over, in ms (default 3000). */
  readonly claimIdleMs?: number
}

/** Watches each write (the crash tests kill a process from here). */
export interface WriteHooks {
  /** Just before the INSERT of a batch. */
  beforeWrite?(batch: number, ids: readonly number[]): void
  /** Just after the INSERT committed, before the batch's entries are acknowledged. */
  afterWrite?(batch: number, ids: readonly number[]): void
}

/** A running consumer: `stop()` drains, closes every connection and returns the source's counters. */
export interface RunningConsumer {
  stop(): Promise<Record<string, unknown>>
}

/** Starts one consumer: PostgreSQL pool, batcher, and the source feeding it. */
export async function startConsumer(config: ConsumerConfig, hooks: WriteHooks = {}): Promise<RunningConsumer> {
  const size = config.size ?? 200
  const maxWaitMs = config.maxWaitMs ?? 50
  const flushTimeoutMs = config.flushTimeoutMs ?? 2000
  const capacity = 5 * size
  const pool = new pg.Pool({ connectionString: urls.postgres, max: 2 })
  const write = async (ids: number[], info: FlushInfo) => {
    hooks.beforeWrite?.(info.batchId, ids)
    await insertRows(pool, config.table, ids, config.name, info.batchId)
    hooks.afterWrite?.(info.batchId, ids)
  }
  const batcher = createBatcher<number>({ flush: write, size, maxWaitMs, flushTimeoutMs, capacity, logger: console })

  if (config.source === 'redis') {
    const redis = await connectRedis()
    const consumer = consumeRedisStream({
      redis, stream: config.from, group: 'writers', consumer: config.name, into: batcher, capacity,
      claimIdleMs: config.claimIdleMs ?? 3000, claimIntervalMs: 500, maxDeliveries: 5, blockMs: 500,
      intoLimits: { maxWaitMs, flushTimeoutMs },
      decode: (entry: StreamEntry) => Number(entry.fields.id),
      logger: console,
    })
    return {
      async stop() {
        await consumer.stop()
        await batcher.stop()
        await Promise.all([redis.close(), pool.end()])
        return { ...consumer.metrics() }
      },
    }
  }
  const connection = await connectRabbit()
  const channel = await connection.createChannel()
  const consumer = consumeRabbitQueue({
    channel, queue: config.from, into: batcher, capacity,
    decode: (message: ConsumeMessage) => (JSON.parse(message.content.toString()) as { id: number }).id,
    logger: console,
  })
  return {
    async stop() {
      await consumer.stop()
      await batcher.stop()
      await Promise.all([connection.close(), pool.end()])
      return { ...consumer.metrics() }
    },
  }
}

/**
 * Runs a consumer as this process: one JSON line `{"event":"started"}` when it reads, and on
 * SIGTERM or SIGINT a clean drain, one line `{"event":"stopped","metrics":{…}}`, exit 0.
 */
export async function runConsumerProcess(config: ConsumerConfig, hooks: WriteHooks = {}): Promise<void> {
  const consumer = await startConsumer(config, hooks)
  console.log(JSON.stringify({ event: 'started', name: config.name }))
  let stopping = false
  const stop = async () => {
    if (stopping) return
    stopping = true
    console.log(JSON.stringify({ event: 'stopping', name: config.name }))
    const metrics = await consumer.stop()
    console.log(JSON.stringify({ event: 'stopped', name: config.name, metrics }))
    process.exit(0)
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runConsumerProcess(JSON.parse(process.argv[2] ?? '{}') as ConsumerConfig)
