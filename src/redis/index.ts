/**
 * loadbatch/redis: consume a Redis stream through a consumer group into a batcher or a
 * supervisor, acknowledging each entry only after its batch was flushed.
 * Needs the `redis` package (node-redis, the official client) as a peer dependency.
 * @packageDocumentation
 */
export { consumeRedisStream, type RedisStreamConsumer } from './consumeRedisStream.ts'
export type { RedisStreamMetrics } from './redisStreamMetrics.ts'
export type { RedisStreamOptions, GroupLoad, PortTimeLimits } from './redisStreamOptions.ts'
export type { RedisStreamClient, RedisReaderClient, RedisCommandClient } from './redisClient.ts'
export type { StreamEntry } from './streamReplies.ts'
export type { SourcePort, SourceHandle, PortLoad } from '../source/sourcePort.ts'
