import type { SchedulerLike, Subscription } from 'rxjs'
import type { Logger } from '../logger.ts'
import type { RedisCommandClient } from './redisClient.ts'

/** Most ids in one XACK, so one command stays a bounded request. */
const MAX_IDS_PER_ACK = 10_000
/** Wait before acknowledgements that failed (connection lost) are sent again, in ms. */
const RETRY_MS = 1000

/**
 * Acknowledges entries in batches: every id whose item was flushed within one turn of the event
 * loop goes out in a single `XACK` (a batch's `submit` promises all resolve in the same turn),
 * sent at once, without waiting for an earlier XACK's reply. A failed XACK is sent again after a
 * second; ids never acknowledged stay pending and are taken over later (duplicates, never loss).
 */
export class StreamAcks {
  private queued: string[] = []
  private scheduled = false
  private readonly onTheWire = new Set<Promise<void>>()
  private idsOnTheWire = 0
  private retry: Subscription | undefined
  private closed = false
  /** XACK commands sent. */
  calls = 0
  /** Entries acknowledged. */
  acked = 0
  /** XACK commands that failed. */
  failures = 0

  constructor(
    private readonly redis: RedisCommandClient,
    private readonly stream: string,
    private readonly group: string,
    private readonly scheduler: SchedulerLike,
    private readonly logger: Logger,
    private readonly onAcked: (ids: readonly string[]) => void,
  ) {}

  /** Ids flushed whose XACK is queued or not yet answered. */
  get unconfirmed(): number {
    return this.queued.length + this.idsOnTheWire
  }

  /** Queues `id` for the XACK sent at the end of this turn. */
  ack(id: string): void {
    this.queued.push(id)
    if (this.scheduled || this.retry) return
    this.scheduled = true
    queueMicrotask(() => this.sendQueued())
  }

  /** Sends everything queued now and resolves when no XACK is on the wire (failed ones are left for the retry). */
  async drain(): Promise<void> {
    this.retry?.unsubscribe()
    this.retry = undefined
    this.sendQueued()
    while (this.onTheWire.size > 0) await Promise.all(this.onTheWire)
  }

  /** Sends what is queued one last time and retries nothing after: the consumer is stopping. */
  close(): Promise<void> {
    this.closed = true
    return this.drain()
  }

  private sendQueued(): void {
    this.scheduled = false
    while (this.queued.length > 0) {
      const sent = this.send(this.queued.splice(0, MAX_IDS_PER_ACK))
      this.onTheWire.add(sent)
      void sent.finally(() => this.onTheWire.delete(sent))
    }
  }

  private async send(ids: string[]): Promise<void> {
    this.idsOnTheWire += ids.length
    try {
      this.calls++
      await this.redis.sendCommand(['XACK', this.stream, this.group, ...ids])
      this.idsOnTheWire -= ids.length
      this.acked += ids.length
      this.onAcked(ids)
    } catch (error) {
      this.idsOnTheWire -= ids.length
      this.failures++
      this.logger.warn(`loadbatch/redis: XACK of ${ids.length} entries failed${this.closed ? '; they stay pending' : `; retrying in ${RETRY_MS} ms`}`, error)
      if (this.closed) return
      this.queued.push(...ids)
      this.retry ??= this.scheduler.schedule(() => {
        this.retry = undefined
        this.sendQueued()
      }, RETRY_MS)
    }
  }
}
