import type { RedisCommandClient } from './redisClient.ts'
import type { GroupLoad } from './redisStreamOptions.ts'
import { parseGroupInfo } from './streamReplies.ts'

/** Reads the group's pending count, lag and consumers with `XINFO GROUPS`; undefined when the group is gone. */
export async function readGroupLoad(redis: RedisCommandClient, stream: string, group: string): Promise<GroupLoad | undefined> {
  const info = parseGroupInfo(await redis.sendCommand(['XINFO', 'GROUPS', stream]), group)
  if (!info) return undefined
  const count = (value: unknown) => (value === null || value === undefined || !Number.isFinite(Number(value)) ? 0 : Number(value))
  return { pending: count(info.pending), lag: count(info.lag), consumers: count(info.consumers) }
}
