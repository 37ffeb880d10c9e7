import { checkNumber } from '../checkOption.ts'
import { ConfigError } from '../errors.ts'
import { checkName, refuseUnknownKeys, resolveCommonOptions, type CommonSourceOptions, type ResolvedCommonOptions } from '../source/sourceOptions.ts'
import type { ConsumeMessage, RabbitChannel } from './rabbitChannel.ts'

/** Options of {@link consumeRabbitQueue}. */
export interface RabbitQueueOptions<T = ConsumeMessage> extends CommonSourceOptions<T> {
  /**
   * An amqplib channel of the consumer's own (`await connection.createChannel()`). Required.
   * The consumer sets its prefetch and consumes on it; it never closes it.
   */
  channel: RabbitChannel
  /**
   * The queue: a quorum queue (`x-queue-type: quorum`) with `x-delivery-limit` and a dead-letter
   * exchange, so a message that keeps failing ends in the dead-letter queue. Required.
   */
  queue: string
  /** Deliveries unacknowledged at once (basic.qos): at most `capacity`, since every one waits in the port until flushed (default `capacity`). */
  prefetch?: number
  /** Turns a message into the port's item (default: the message itself). A decode that throws rejects the message to the dead-letter exchange at once. */
  decode?: (message: ConsumeMessage) => T
}

/** {@link RabbitQueueOptions} checked, with defaults filled in. */
export interface ResolvedRabbitQueueOptions<T> extends ResolvedCommonOptions<T> {
  readonly channel: RabbitChannel
  readonly queue: string
  readonly prefetch: number
  readonly decode: (message: ConsumeMessage) => T
}

const KNOWN = ['channel', 'queue', 'into', 'capacity', 'prefetch', 'decode', 'logger', 'scheduler'] as const

/** Checks every option of `consumeRabbitQueue`; throws a ConfigError naming the first wrong one. */
export function resolveRabbitQueueOptions<T>(options: RabbitQueueOptions<T>): ResolvedRabbitQueueOptions<T> {
  if (typeof options !== 'object' || options === null) throw new ConfigError('options', 'an object with channel, queue and into', options)
  refuseUnknownKeys('consumeRabbitQueue', options, KNOWN)
  const channel = options.channel
  if (typeof channel !== 'object' || channel === null || typeof channel.consume !== 'function' || typeof channel.ack !== 'function' || typeof channel.prefetch !== 'function') {
    throw new ConfigError('channel', 'an amqplib channel (await connection.createChannel())', channel)
  }
  const queue = checkName('queue', options.queue)
  const common = resolveCommonOptions(options)
  const prefetch = checkNumber('prefetch', options.prefetch, common.capacity, { min: 1, integer: true })
  if (prefetch > common.capacity) {
    throw new ConfigError('prefetch', `an integer in 1..${common.capacity} (the port's capacity: each unacknowledged delivery waits in the port until flushed)`, prefetch)
  }
  const decode = options.decode ?? ((message: ConsumeMessage) => message as unknown as T)
  if (typeof decode !== 'function') throw new ConfigError('decode', 'a function (message) => item', decode)
  return { ...common, channel, queue, prefetch, decode }
}
