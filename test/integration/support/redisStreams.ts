/** Redis helpers of the stream tests: a client, producing entries, reading a group's state, cleaning up. */
import { createClient } from 'redis'
import { REDIS_URL } from './services.ts'


/** A connected client; errors are logged, not thrown as events. */
export async function connectRedis() {
  const client = createClient({ url: REDIS_URL })
  client.on('error', (error) => console.warn('redis client error', error))
  await client.connect()
  return client
}

/** A client as `connectRedis` gives it. */
export type Redis = Awaited<ReturnType<typeof connectRedis>>

/** Adds one entry per id, with field `id` (and `n` when given), pipelined. */
export async function produce(redis: Redis, stream: string, ids: readonly number[]): Promise<void> {
  for (let start = 0; start < ids.length; start += 5000) {
    await Promise.all(ids.slice(start, start + 5000).map((id) => redis.sendCommand(['XADD', stream, '*', 'id', String(id)])))
  }
}

/** The group's pending count and lag, from XINFO GROUPS. */
export async function groupState(redis: Redis, stream: string, group: string): Promise<{ pending: number; lag: number }> {
  const groups = (await redis.sendCommand(['XINFO', 'GROUPS', stream])) as Array<Record<string, unknown>> // RESP3: one map per group
  for (const info of groups) {
    if (info.name === group) return { pending: Number(info.pending), lag: Number(info.lag ?? 0) }
  }
  throw new Error(`no group ${group} on ${stream}`)
}

/** Entries of a (dead-letter) stream, as field records. */
export async function streamEntries(redis: Redis, stream: string): Promise<Array<Record<string, string>>> {
  const entries = (await redis.sendCommand(['XRANGE', stream, '-', '+'])) as Array<[string, string[]]>
  return entries.map(([, flat]) => {
    const fields: Record<string, string> = {}
    for (let i = 0; i < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!
    return fields
  })
}

/** Deletes the keys. */
export async function dropKeys(redis: Redis, ...keys: string[]): Promise<void> {
  await redis.sendCommand(['DEL', ...keys])
}
