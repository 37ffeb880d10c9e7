/**
 * One consumer process of bench/redis-consume.ts. Connects, prints `ready`, waits for `go` on
 * stdin, then consumes the stream into a no-op sink until SIGTERM, either through loadbatch
 * (`consumeRedisStream` into a batcher) or through a hand-written XREADGROUP + XACK loop at the
 * same batch size, or that loop handing each entry to a batcher's `submit` (what the source adds
 * on top of the batcher). Argument: JSON `{ mode: 'loadbatch' | 'hand' | 'hand-submit', stream, group, consumer, size }`.
 */
import { createInterface } from 'node:readline'
import { createBatcher } from '../src/index.ts'
import { consumeRedisStream } from '../src/redis/index.ts'
import { connectRedis } from '../examples/queue-to-postgres/broker.ts'

const { mode, stream, group, consumer, size } = JSON.parse(process.argv[2]!) as { mode: 'loadbatch' | 'hand' | 'hand-submit'; stream: string; group: string; consumer: string; size: number }
const redis = await connectRedis()
console.log('ready')
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()))

let stop: () => Promise<void>
if (mode === 'loadbatch') {
  const batcher = createBatcher<unknown>({ flush: async () => {}, size, maxWaitMs: 5, capacity: 4 * size })
  const source = consumeRedisStream({ redis, stream, group, consumer, into: batcher, capacity: 4 * size, blockMs: 100, claimIdleMs: Infinity, feedbackIntervalMs: Infinity })
  stop = async () => {
    await source.stop()
    await batcher.stop()
  }
} else {
  // The loop a user would write by hand: read a batch, "write" it, acknowledge it, repeat.
  const batcher = mode === 'hand-submit' ? createBatcher<unknown>({ flush: async () => {}, size, maxWaitMs: 5, capacity: 4 * size }) : undefined
  const write = batcher ? (entries: unknown[]) => Promise.all(entries.map((entry) => batcher.submit(entry))) : async (_batch: unknown[]) => {}
  const reader = redis.duplicate()
  await reader.connect()
  let running = true
  const loop = (async () => {
    while (running) {
      const reply = (await reader.sendCommand(['XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(size), 'BLOCK', '100', 'STREAMS', stream, '>'])) as Record<string, Array<[string, string[]]>> | null
      const entries = reply ? Object.values(reply)[0]! : []
      if (entries.length === 0) continue
      await write(entries) // the no-op sink, alone or behind a batcher
      await redis.sendCommand(['XACK', stream, group, ...entries.map(([id]) => id)])
    }
  })()
  stop = async () => {
    running = false
    await loop
    await batcher?.stop()
    await reader.close()
  }
}
process.on('SIGTERM', async () => {
  await stop()
  await redis.close()
  process.exit(0)
})
