import type { Logger } from '../logger.ts'
import { describeError } from '../source/itemOutcome.ts'
import type { ConsumeMessage, RabbitChannel } from './rabbitChannel.ts'

/** When this many settled tags lie before the watermark, the arrival list is compacted. */
const COMPACT_AT = 1024

/**
 * Acknowledges deliveries after their items were flushed, without the `multiple` trap: an ack
 * with `allUpTo` covers every unacknowledged delivery up to its tag, so it is sent only for the
 * highest tag below which every delivery has settled (the watermark). Deliveries flushed
 * beyond an unsettled one are acknowledged one by one, so a batch still in flight is never
 * covered. Everything flushed within one turn of the event loop (a batch) goes out together.
 * If the channel's tags are not consecutive (another consumer shares the channel), every ack
 * is a single one.
 */
export class DeliveryAcks {
  private readonly order: number[] = []
  private head = 0
  private readonly unsettled = new Map<number, ConsumeMessage>()
  private readonly flushed = new Set<number>()
  private lastTag = 0
  private consecutive = true
  private scheduled = false
  /** Frames sent: acks (one may cover many deliveries) and nacks. */
  frames = 0
  /** Deliveries acknowledged. */
  acked = 0
  /** Acks or nacks the channel refused (closed): the broker delivers those messages again. */
  errors = 0

  constructor(
    private readonly channel: RabbitChannel,
    private readonly logger: Logger,
  ) {}

  /** Deliveries neither acknowledged nor rejected yet. */
  get held(): number {
    return this.unsettled.size
  }

  /** Records a delivery, in the order the channel received it. */
  received(message: ConsumeMessage): void {
    const tag = message.fields.deliveryTag
    if (tag !== this.lastTag + 1) this.consecutive = false
    this.lastTag = tag
    this.order.push(tag)
    this.unsettled.set(tag, message)
  }

  /** The delivery's item was flushed: acknowledge it with the next batch of acks. */
  flush(tag: number): void {
    this.flushed.add(tag)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(() => this.send())
    }
  }

  /** The delivery's item failed: reject it now, back to the queue (`requeue`) or to its dead-letter exchange. */
  reject(tag: number, requeue: boolean): void {
    const message = this.unsettled.get(tag)
    if (!message) return
    this.unsettled.delete(tag)
    this.frame(() => this.channel.nack(message, false, requeue), 'nack')
  }

  /** Sends every pending acknowledgement now. */
  send(): void {
    this.scheduled = false
    let top: ConsumeMessage | undefined
    let covered = 0
    while (this.head < this.order.length) {
      const tag = this.order[this.head]!
      const message = this.unsettled.get(tag)
      if (message && !this.flushed.has(tag)) break // still in flight: the watermark stops here
      this.head++
      if (!message) continue // rejected, or acknowledged alone earlier
      this.flushed.delete(tag)
      this.unsettled.delete(tag)
      if (this.consecutive) {
        top = message
        covered++
      } else this.ackOne(message)
    }
    if (top && this.frame(() => this.channel.ack(top, true), 'ack')) this.acked += covered
    for (const tag of this.flushed) this.ackOne(this.unsettled.get(tag)!)
    for (const tag of this.flushed) this.unsettled.delete(tag)
    this.flushed.clear()
    if (this.head >= COMPACT_AT && this.head * 2 >= this.order.length) {
      this.order.splice(0, this.head)
      this.head = 0
    }
  }

  private ackOne(message: ConsumeMessage): void {
    if (this.frame(() => this.channel.ack(message, false), 'ack')) this.acked++
  }

  private frame(send: () => void, what: string): boolean {
    try {
      this.frames++
      send()
      return true
    } catch (error) {
      this.errors++
      this.logger.warn(`loadbatch/rabbitmq: ${what} refused (${describeError(error)}); the broker delivers the message again`)
      return false
    }
  }
}
