import type { RedisCommandClient } from './redisClient.ts'
import type { StreamEntry } from './streamReplies.ts'

/**
 * Moves each entry atomically: acknowledge it in the group, and only if it was still pending
 * (no other consumer acknowledged it meanwhile) add it to the dead-letter stream. One script
 * call per batch of poison entries, so a crash between the two steps cannot lose or double it.
 * KEYS: stream, dead-letter stream. ARGV: group, then per entry: id, field count, fields…
 */
const MOVE_SCRIPT = `
local moved = 0
local i = 2
while i <= #ARGV do
  local id = ARGV[i]
  local n = tonumber(ARGV[i + 1])
  if redis.call('XACK', KEYS[1], ARGV[1], id) == 1 then
    redis.call('XADD', KEYS[2], '*', unpack(ARGV, i + 2, i + 1 + n))
    moved = moved + 1
  end
  i = i + 2 + n
end
return moved
`

/** Why an entry was dead-lettered, written beside its own fields. */
export interface DeadLetterReason {
  /** How often it was delivered. */
  readonly deliveries: number
  /** The last error, as text. */
  readonly error: string
}

/**
 * Adds `entries` to `deadLetterStream` (their fields, plus `loadbatch.id`, `loadbatch.stream`,
 * `loadbatch.group`, `loadbatch.deliveries`, `loadbatch.error`) and acknowledges them in
 * `group`, atomically. Returns how many were moved (an entry already acknowledged is skipped).
 */
export async function deadLetterEntries(
  redis: RedisCommandClient,
  target: { readonly stream: string; readonly group: string; readonly deadLetterStream: string },
  entries: ReadonlyArray<{ readonly entry: StreamEntry; readonly reason: DeadLetterReason }>,
): Promise<number> {
  if (entries.length === 0) return 0
  const args = ['EVAL', MOVE_SCRIPT, '2', target.stream, target.deadLetterStream, target.group]
  for (const { entry, reason } of entries) {
    const fields = Object.entries(entry.fields).flat()
    fields.push('loadbatch.id', entry.id, 'loadbatch.stream', target.stream, 'loadbatch.group', target.group)
    fields.push('loadbatch.deliveries', String(reason.deliveries), 'loadbatch.error', reason.error.slice(0, 1000))
    args.push(entry.id, String(fields.length), ...fields)
  }
  return Number(await redis.sendCommand(args))
}
