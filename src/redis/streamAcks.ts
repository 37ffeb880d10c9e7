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
 * and ids flushed while an `XACK` is on the wire go in the next one. A failed XACK is sent again
 * after a second; ids never acknowledged stay pending and are taken over later (duplicates,
 * never loss).
 */
export class StreamAcks {
  private queued: string[] = []
  private sending: Promise<void> | undefined
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

  /** Queues `id` for the next XACK. */
  ack(id: string): void {
    this.queued.push(id)
    if (this.queued.length === 1 && !this.sending) queueMicrotask(() => void this.send())
  }

  /** Sends everything queued now; resolves when no XACK is on the wire and nothing is queued (or the last try failed). */
  async drain(): Promise<void> {
    this.retry?.unsubscribe()
    this.retry = undefined
    while (this.sending) await this.sending
    if (this.queued.length > 0) await this.send()
  }

  /** Sends what is queued one last time and retries nothing after: the consumer is stopping. */
  close(): Promise<void> {
    this.closed = true
    return this.drain()
  }

  private send(): Promise<void> {
    if (this.sending || this.queued.length === 0) return this.sending ?? Promise.resolve()
    this.sending = this.sendQueued().finally(() => {
      this.sending = undefined
      if (this.queued.length > 0 && !this.retry) void this.send()
    })
    return this.sending
  }

  private async sendQueued(): Promise<void> {
    while (this.queued.length > 0) {
      const ids = this.queued.splice(0, MAX_IDS_PER_ACK)
      try {
        this.calls++
        await this.redis.sendCommand(['XACK', this.stream, this.group, ...ids])
        this.acked += ids.length
        this.onAcked(ids)
      } catch (error) {
        this.failures++
        this.queued.unshift(...ids)
        this.logger.warn(`loadbatch/redis: XACK of ${ids.length} entries failed${this.closed ? '; they stay pending' : `; retrying in ${RETRY_MS} ms`}`, error)
        if (this.closed) return
        this.retry = this.scheduler.schedule(() => {
          this.retry = undefined
          void this.send()
        }, RETRY_MS)
        return
      }
    }
  }
}
