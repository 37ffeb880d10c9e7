import { describeError, isNotAccepted } from '../source/itemOutcome.ts'
import { submitTo, type SourceHandle } from '../source/sourcePort.ts'
import { Outstanding, settleWithin } from '../source/wakeup.ts'
import { DeliveryAcks } from './deliveryAcks.ts'
import type { ConsumeMessage, RabbitChannel } from './rabbitChannel.ts'
import { resolveRabbitQueueOptions, type RabbitQueueOptions, type ResolvedRabbitQueueOptions } from './rabbitQueueOptions.ts'

/** A RabbitMQ queue consumer's counters. */
export interface RabbitQueueMetrics {
  /** `starting` (setting prefetch, subscribing), `consuming`, `stopping`, `stopped`, or `cancelled` (by the broker: the queue was deleted). */
  state: 'starting' | 'consuming' | 'stopping' | 'stopped' | 'cancelled'
  /** Messages delivered to this consumer. */
  received: number
  /** Of those, messages the broker had delivered before (to a consumer that died, or that failed them). */
  redelivered: number
  /** Messages acknowledged after their batch was flushed. */
  acked: number
  /** Ack and nack frames sent (one ack may cover many deliveries). */
  frames: number
  /** Messages whose item the port dead-lettered: returned to the queue, which counts the delivery against its `x-delivery-limit`. */
  failed: number
  /** Messages whose decode threw: rejected to the queue's dead-letter exchange at once. */
  rejected: number
  /** Messages the port did not accept (it was stopping): returned to the queue. */
  notAccepted: number
  /** Messages the broker delivered after stop() had finished (a quorum queue may, rabbitmq-server#3729): returned to the queue untouched. */
  returned: number
  /** Messages delivered and not settled yet (in the port, or waiting for their ack). */
  held: number
  /** Acks or nacks the channel refused (it was closed): the broker delivers those messages again. */
  ackErrors: number
}

/** A running RabbitMQ queue consumer: stop it, read its counters. */
export type RabbitQueueConsumer = SourceHandle<RabbitQueueMetrics>

/**
 * Consumes a RabbitMQ queue into a port (a batcher or a supervisor), at least once: a message
 * is acknowledged only after its item's batch was flushed, with acks that never cover a
 * delivery still in flight (see `DeliveryAcks`). `prefetch` (basic.qos, at most the port's
 * capacity) bounds the deliveries held at once, so the broker never sends more than the port
 * can take. A message whose item fails for good is returned to the queue; a quorum queue
 * counts that delivery and, past its `x-delivery-limit`, dead-letters the message. When a
 * consumer dies, the broker gives its unacknowledged messages to the others.
 *
 * @throws ConfigError when an option is missing or out of range, naming it and the rule.
 * @example
 * const channel = await connection.createChannel()
 * await channel.assertQueue('orders', { durable: true, arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 5, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'orders.dead' } })
 * const batcher = createBatcher<Order>({ flush: insertOrders, size: 500, capacity: 2000 })
 * const consumer = consumeRabbitQueue({ channel, queue: 'orders', into: batcher, capacity: 2000, decode: (m) => JSON.parse(m.content.toString()) })
 * process.on('SIGTERM', async () => { await consumer.stop(); await batcher.stop(); await connection.close() })
 */
export function consumeRabbitQueue<T = ConsumeMessage>(options: RabbitQueueOptions<T>): RabbitQueueConsumer {
  const consumer = new QueueConsumer(resolveRabbitQueueOptions(options))
  return { stop: (stopOptions) => consumer.stop(stopOptions?.timeoutMs ?? Infinity), metrics: () => consumer.metrics() }
}

class QueueConsumer<T> {
  private readonly acks: DeliveryAcks
  private readonly outstanding = new Outstanding()
  private readonly started: Promise<string | undefined>
  private stopping: Promise<void> | undefined
  private state: RabbitQueueMetrics['state'] = 'starting'
  private readonly counts = { received: 0, redelivered: 0, failed: 0, rejected: 0, notAccepted: 0, returned: 0 }

  constructor(private readonly o: ResolvedRabbitQueueOptions<T>) {
    this.acks = new DeliveryAcks(o.channel, o.logger)
    this.started = this.start()
  }

  metrics(): RabbitQueueMetrics {
    return { state: this.state, ...this.counts, acked: this.acks.acked, frames: this.acks.frames, held: this.acks.held, ackErrors: this.acks.errors }
  }

  stop(timeoutMs: number): Promise<void> {
    this.stopping ??= this.drain(timeoutMs)
    return this.stopping
  }

  /** Sets the prefetch and subscribes; resolves with the consumer tag (undefined when that failed). */
  private async start(): Promise<string | undefined> {
    const { channel, queue, prefetch, logger } = this.o
    try {
      await channel.prefetch(prefetch, false)
      const { consumerTag } = await channel.consume(queue, (message) => this.receive(message), { noAck: false })
      if (this.state === 'starting') this.state = 'consuming'
      return consumerTag
    } catch (error) {
      logger.error(`loadbatch/rabbitmq: could not consume ${queue}: ${describeError(error)}`, error)
      this.state = 'cancelled'
      return undefined
    }
  }

  private receive(message: ConsumeMessage | null): void {
    if (message !== null && this.state === 'stopped') {
      this.counts.returned++
      this.acks.received(message)
      this.acks.reject(message.fields.deliveryTag, true) // arrived after stop(): back to the queue, never handed over
      return
    }
    if (message === null) {
      this.state = this.stopping ? this.state : 'cancelled'
      this.o.logger.warn(`loadbatch/rabbitmq: the broker cancelled the consumer of ${this.o.queue} (queue deleted?)`)
      return
    }
    this.counts.received++
    if (message.fields.redelivered) this.counts.redelivered++
    this.acks.received(message)
    const tag = message.fields.deliveryTag
    let item: T
    try {
      item = this.o.decode(message)
    } catch (error) {
      this.counts.rejected++
      this.o.logger.warn(`loadbatch/rabbitmq: decode failed (${describeError(error)}); message rejected to the dead-letter exchange`)
      this.acks.reject(tag, false)
      return
    }
    this.outstanding.add()
    submitTo(this.o.into, item).then(
      () => {
        this.acks.flush(tag)
        this.outstanding.settle()
      },
      (error: unknown) => {
        this.acks.reject(tag, true)
        this.outstanding.settle()
        if (!isNotAccepted(error)) {
          this.counts.failed++
          return
        }
        this.counts.notAccepted++
        // The port stopped before its source: consuming on would bounce every message (each return counts against the delivery limit).
        this.o.logger.error(`loadbatch/rabbitmq: the port did not accept a message (${describeError(error)}); stopping`)
        void this.stop(Infinity)
      },
    )
  }

  private async drain(timeoutMs: number): Promise<void> {
    const { scheduler, logger } = this.o
    const deadline = scheduler.now() + timeoutMs
    if (this.state !== 'cancelled') this.state = 'stopping'
    const drained = this.started.then(async (consumerTag) => {
      if (consumerTag !== undefined) await this.cancel(consumerTag)
      // A quorum queue may still deliver after cancel-ok (rabbitmq-server#3729): hand those over
      // too, until a round ends with nothing new (each round's basic.qos reply follows the acks).
      for (let received = -1; received !== this.counts.received; ) {
        received = this.counts.received
        await this.o.into.flush().catch(() => undefined)
        await this.outstanding.whenIdle()
        this.acks.send()
        await this.o.channel.prefetch(this.o.prefetch, false).catch(() => undefined)
      }
    })
    if ((await settleWithin(drained, deadline - scheduler.now(), scheduler)) === 'timedOut') {
      logger.warn(`loadbatch/rabbitmq: ${this.outstanding.size} items did not settle within timeoutMs (${timeoutMs} ms); the broker delivers their messages again`)
      this.acks.send()
    }
    this.state = 'stopped'
  }

  /**
   * Cancels the subscription. amqplib forgets the consumer at cancel-ok and would close the whole
   * channel (returning every unacknowledged message, batches in flight included) on a delivery
   * that arrives after it (amqplib#641); so the consumer's callback is registered again: a late
   * delivery is handed over while draining, and returned to the queue alone once stopped.
   */
  private async cancel(consumerTag: string): Promise<void> {
    const channel = this.o.channel as RabbitChannel & { registerConsumer?: (tag: string, callback: (message: ConsumeMessage | null) => void) => void }
    try {
      await channel.cancel(consumerTag)
    } catch (error) {
      this.o.logger.warn('loadbatch/rabbitmq: cancel failed', error)
    }
    channel.registerConsumer?.(consumerTag, (message) => this.receive(message))
  }
}
