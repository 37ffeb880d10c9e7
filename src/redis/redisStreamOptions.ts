import { checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import { checkName, refuseUnknownKeys, resolveCommonOptions, type CommonSourceOptions, type ResolvedCommonOptions } from '../source/sourceOptions.ts'
import type { RedisStreamClient } from './redisClient.ts'
import type { StreamEntry } from './streamReplies.ts'

/** The consumer group's load, read with `XINFO GROUPS` every `feedbackIntervalMs`. */
export interface GroupLoad {
  /** Entries delivered to the group's consumers and not acknowledged yet (all consumers). */
  readonly pending: number
  /** Entries in the stream not delivered to the group yet (0 when Redis cannot tell). */
  readonly lag: number
  /** Consumers the group knows (live or dead). */
  readonly consumers: number
}

/** The port's time limits, as given to `createBatcher`: they bound how long an entry is held before its flush settles. */
export interface PortTimeLimits {
  /** The port's `maxWaitMs` (default 1000, the batcher's default). */
  readonly maxWaitMs?: number
  /** The port's `flushTimeoutMs` (default 30 000, the batcher's default). */
  readonly flushTimeoutMs?: number
}

/** Options of {@link consumeRedisStream}. */
export interface RedisStreamOptions<T = StreamEntry> extends CommonSourceOptions<T> {
  /** A connected node-redis client (`createClient()` from the `redis` package). The consumer duplicates it once for its blocking reads. Required. */
  redis: RedisStreamClient
  /** The stream key. Required. */
  stream: string
  /** The consumer group; created at the stream's start (`0`, with MKSTREAM) when missing. Required. */
  group: string
  /** This consumer's name within the group: unique among live consumers, and stable across restarts so a restarted consumer re-reads its own pending entries. Required. */
  consumer: string
  /**
   * How long an entry must sit unacknowledged before another consumer takes it over with
   * `XAUTOCLAIM` (default 60 000 ms; Infinity: never). Must exceed `intoLimits.maxWaitMs +
   * intoLimits.flushTimeoutMs`, or live consumers' entries would be taken while their flush runs.
   */
  claimIdleMs?: number
  /** How often the consumer looks for idle entries to take over, in ms (default `claimIdleMs / 2`, at most 30 000). */
  claimIntervalMs?: number
  /** Deliveries after which an entry that keeps failing goes to `deadLetterStream` instead of the port (default 5; Infinity: never). */
  maxDeliveries?: number
  /** Where poison entries go, with their fields and `loadbatch.*` fields saying why (default `<stream>:dead`). */
  deadLetterStream?: string
  /** Longest a read blocks waiting for new entries, in ms (default 1000); also bounds how late a claim round may start. */
  blockMs?: number
  /** Turns an entry into the port's item (default: the entry itself). A decode that throws sends the entry to `deadLetterStream` at once. */
  decode?: (entry: StreamEntry) => T
  /** The port's time limits, to check `claimIdleMs` against (defaults: the batcher's, 1000 and 30 000). */
  intoLimits?: PortTimeLimits
  /** How often the group's lag and pending are read and sent to the port as feedback, in ms (default 5000; Infinity: never). */
  feedbackIntervalMs?: number
  /** Turns the group's load into the port's feedback (default: `queueDepth` = pending over `queueCapacity` = consumers × capacity); return undefined to send nothing. */
  feedback?: (load: GroupLoad) => LoadFeedback | undefined
}

/** {@link RedisStreamOptions} checked, with defaults filled in. */
export interface ResolvedRedisStreamOptions<T> extends ResolvedCommonOptions<T> {
  readonly redis: RedisStreamClient
  readonly stream: string
  readonly group: string
  readonly consumer: string
  readonly claimIdleMs: number
  readonly claimIntervalMs: number
  readonly maxDeliveries: number
  readonly deadLetterStream: string
  readonly blockMs: number
  readonly decode: (entry: StreamEntry) => T
  readonly feedbackIntervalMs: number
  readonly feedback: (load: GroupLoad) => LoadFeedback | undefined
}

const KNOWN = [
  'redis', 'stream', 'group', 'consumer', 'into', 'capacity', 'claimIdleMs', 'claimIntervalMs', 'maxDeliveries', 'deadLetterStream',
  'blockMs', 'decode', 'intoLimits', 'feedbackIntervalMs', 'feedback', 'logger', 'scheduler',
] as const

/** Checks every option of `consumeRedisStream`; throws a ConfigError naming the first wrong one. */
export function resolveRedisStreamOptions<T>(options: RedisStreamOptions<T>): ResolvedRedisStreamOptions<T> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object with redis, stream, group, consumer and into', options)
  refuseUnknownKeys('consumeRedisStream', options, KNOWN)
  const redis = options.redis
  if (typeof redis !== 'object' || redis === null || typeof redis.sendCommand !== 'function' || typeof redis.duplicate !== 'function') {
    throw new ConfigError('redis', 'a connected node-redis client (createClient() from the `redis` package)', redis)
  }
  const stream = checkName('stream', options.stream)
  const group = checkName('group', options.group)
  const consumer = checkName('consumer', options.consumer)
  const common = resolveCommonOptions(options)
  const limits = options.intoLimits ?? {}
  if (typeof limits !== 'object' || limits === null) throw new ConfigError('intoLimits', 'an object { maxWaitMs, flushTimeoutMs }', limits)
  refuseUnknownKeys('consumeRedisStream `intoLimits`', limits, ['maxWaitMs', 'flushTimeoutMs'])
  const maxWaitMs = checkNumber('intoLimits.maxWaitMs', limits.maxWaitMs, 1000, { min: 1, max: Infinity })
  const flushTimeoutMs = checkNumber('intoLimits.flushTimeoutMs', limits.flushTimeoutMs, 30_000, { min: 1 })
  const holdMs = maxWaitMs + flushTimeoutMs
  const claimIdleMs = checkNumber('claimIdleMs', options.claimIdleMs, 60_000, { min: 1, max: Infinity })
  if (!(claimIdleMs > holdMs)) {
    throw new ConfigError(
      'claimIdleMs',
      `a number > intoLimits.maxWaitMs + intoLimits.flushTimeoutMs (${holdMs} ms), or live consumers' entries would be taken over while their batch is still flushing; raise it, or describe a faster port with \`intoLimits\``,
      claimIdleMs,
    )
  }
  const claimIntervalMs = checkNumber('claimIntervalMs', options.claimIntervalMs, Math.min(claimIdleMs / 2, 30_000), { min: 1, max: Infinity })
  const maxDeliveries = checkNumber('maxDeliveries', options.maxDeliveries, 5, { min: 1, integer: true, max: Infinity })
  const deadLetterStream = checkName('deadLetterStream', options.deadLetterStream ?? `${stream}:dead`)
  if (deadLetterStream === stream) throw new ConfigError('deadLetterStream', `a stream other than \`stream\` (${stream}), or poison entries would be read again`, deadLetterStream)
  const blockMs = checkNumber('blockMs', options.blockMs, 1000, { min: 1, max: 2 ** 31 - 1, integer: true })
  const decode = options.decode ?? ((entry: StreamEntry) => entry as unknown as T)
  if (typeof decode !== 'function') throw new ConfigError('decode', 'a function (entry) => item', decode)
  const feedbackIntervalMs = checkNumber('feedbackIntervalMs', options.feedbackIntervalMs, 5000, { min: 1, max: Infinity })
  const feedback = options.feedback ?? ((load: GroupLoad) => ({ queueDepth: load.pending, queueCapacity: Math.max(1, load.consumers) * common.capacity }))
  if (typeof feedback !== 'function') throw new ConfigError('feedback', 'a function (groupLoad) => LoadFeedback | undefined', feedback)
  return { ...common, redis, stream, group, consumer, claimIdleMs, claimIntervalMs, maxDeliveries, deadLetterStream, blockMs, decode, feedbackIntervalMs, feedback }
}
