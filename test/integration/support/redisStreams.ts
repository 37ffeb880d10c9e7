/** Redis helpers of the stream tests: a client, producing entries, reading a group's state, cleaning up. */
import type { Redis } from '../../../examples/queue-to-postgres/broker.ts'

export { connectRedis, produceToStream as produce, type Redis } from '../../../examples/queue-to-postgres/broker.ts'


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
