import { portRoom, submitTo, type SourceHandle } from '../source/sourcePort.ts'
import { Outstanding, Wakeup, settleWithin } from '../source/wakeup.ts'
import { describeError, isNotAccepted } from '../source/itemOutcome.ts'
import { deadLetterEntries, type DeadLetterReason } from './deadLetterEntries.ts'
import { readGroupLoad } from './groupLoad.ts'
import { closeReader, connectReader, type RedisReaderClient } from './redisClient.ts'
import { resolveRedisStreamOptions, type RedisStreamOptions, type ResolvedRedisStreamOptions } from './redisStreamOptions.ts'
import { StreamAcks } from './streamAcks.ts'
import type { RedisStreamMetrics } from './redisStreamMetrics.ts'
import { parseAutoClaim, parsePending, parseReadGroup, type StreamEntry } from './streamReplies.ts'

/** Most entries asked for in one read or claim, so one reply stays a bounded allocation. */
const MAX_COUNT = 10_000
/** Wait before the read loop tries again after a failed command, in ms. */
const RETRY_MS = 1000

/** A running Redis stream consumer: stop it, read its counters. */
export type RedisStreamConsumer = SourceHandle<RedisStreamMetrics>

/** An entry as a read or claim returns it; `fields` is undefined when it was deleted from the stream. */
interface ReadEntry {
  readonly id: string
  readonly fields: Record<string, string> | undefined
}

/**
 * Consumes a Redis stream through a consumer group into a port (a batcher or a supervisor),
 * at least once: an entry is acknowledged (`XACK`, many ids per command) only after its
 * item's batch was flushed, so a consumer that dies loses nothing: its pending entries are
 * re-read when it restarts under the same name, or taken over by another consumer
 * (`XAUTOCLAIM`) once idle for `claimIdleMs`. Reads ask for no more entries (`COUNT`) than the
 * port has room for. An entry delivered more than `maxDeliveries` times, or whose `decode`
 * throws, is moved to `deadLetterStream`. Every `feedbackIntervalMs` the group's pending count
 * goes to the port as load feedback.
 *
 * A flush that fails for good (the port dead-letters the item) leaves the entry pending, so it
 * is delivered again after `claimIdleMs`; at its `maxDeliveries`-th failure it is dead-lettered.
 *
 * @throws ConfigError when an option is missing or out of range, naming it and the rule.
 * @example
 * const redis = await createClient().connect()
 * const batcher = createBatcher<StreamEntry>({ flush: insertRows, size: 500, maxWaitMs: 200, flushTimeoutMs: 10_000 })
 * const consumer = consumeRedisStream({ redis, stream: 'orders', group: 'writers', consumer: `writer-${process.pid}`, into: batcher,
 *   claimIdleMs: 30_000, maxDeliveries: 5, intoLimits: { maxWaitMs: 200, flushTimeoutMs: 10_000 } })
 * process.on('SIGTERM', async () => { await consumer.stop(); await batcher.stop(); await redis.close() })
 */
export function consumeRedisStream<T = StreamEntry>(options: RedisStreamOptions<T>): RedisStreamConsumer {
  const consumer = new StreamConsumer(resolveRedisStreamOptions(options))
  return { stop: (stopOptions) => consumer.stop(stopOptions?.timeoutMs ?? Infinity), metrics: () => consumer.metrics() }
}

class StreamConsumer<T> {
  private readonly held = new Map<string, { readonly entry: StreamEntry; readonly deliveries: number }>()
  private readonly outstanding = new Outstanding()
  private readonly wakeup: Wakeup
  private readonly acks: StreamAcks
  private readonly loop: Promise<void>
  private reader: RedisReaderClient | undefined
  private readerId: string | undefined
  private blocked = false
  private stopping: Promise<void> | undefined
  private state: RedisStreamMetrics['state'] = 'starting'
  private nextClaimAt = 0
  private nextFeedbackAt = 0
  private claimCursor = '0-0'
  private readonly counts = { read: 0, reread: 0, claimed: 0, failed: 0, notAccepted: 0, deadLettered: 0, pending: 0, lag: 0, errors: 0 }

  constructor(private readonly o: ResolvedRedisStreamOptions<T>) {
    this.wakeup = new Wakeup(o.scheduler)
    this.acks = new StreamAcks(o.redis, o.stream, o.group, o.scheduler, o.logger, (ids) => {
      for (const id of ids) this.held.delete(id)
      this.wakeup.wake()
    })
    if (o.claimIdleMs === Infinity) this.nextClaimAt = Infinity
    if (o.feedbackIntervalMs === Infinity) this.nextFeedbackAt = Infinity
    this.loop = this.run().catch((error) => o.logger.error('loadbatch/redis: the read loop ended on an error', error))
  }

  metrics(): RedisStreamMetrics {
    return { state: this.state, ...this.counts, acked: this.acks.acked, ackCalls: this.acks.calls, held: this.held.size }
  }

  stop(timeoutMs: number): Promise<void> {
    this.stopping ??= this.drain(timeoutMs)
    return this.stopping
  }

  // ── The read loop: claim what idle consumers left, re-read our own pending, read new ──

  private async run(): Promise<void> {
    while (!this.stopping && !(await this.attempt(() => this.connect())));
    if (this.stopping) return
    this.state = 'reading'
    let history: string | undefined = '0' // our own pending entries first, from the start of our PEL
    while (!this.stopping) {
      await this.attempt(async () => {
        if (this.o.scheduler.now() >= this.nextFeedbackAt) await this.reportLoad()
        // Entries flushed and waiting for their XACK reply take no room in the port: read on meanwhile.
        const room = Math.min(portRoom(this.o.into, this.o.capacity, this.held.size - this.acks.unconfirmed), MAX_COUNT)
        if (room === 0) return this.wakeup.sleep(this.untilDue())
        if (this.o.scheduler.now() >= this.nextClaimAt) return this.claimIdle(room)
        if (history !== undefined) history = await this.rereadOwn(history, room)
        else await this.readNew(room)
      })
    }
  }

  /** Runs one step; a failure is counted, reported, and followed by a pause. Returns whether it succeeded. */
  private async attempt(step: () => Promise<void>): Promise<boolean> {
    try {
      await step()
      return true
    } catch (error) {
      if (this.stopping) return false
      this.counts.errors++
      this.o.logger.warn(`loadbatch/redis: ${describeError(error)}; trying again in ${RETRY_MS} ms`, error)
      await this.wakeup.sleep(RETRY_MS)
      return false
    }
  }

  private async connect(): Promise<void> {
    const { redis, stream, group } = this.o
    try {
      await redis.sendCommand(['XGROUP', 'CREATE', stream, group, '0', 'MKSTREAM'])
    } catch (error) {
      if (!/BUSYGROUP/.test(describeError(error))) throw error
    }
    this.reader ??= await connectReader(redis, (error) => this.o.logger.warn('loadbatch/redis: reader connection error', error))
    this.readerId = String(await this.reader.sendCommand(['CLIENT', 'ID']))
  }

  /** Time until the next claim round or feedback report, capped by `blockMs` (room may also free up through other producers). */
  private untilDue(): number {
    const due = Math.min(this.nextClaimAt, this.nextFeedbackAt) - this.o.scheduler.now()
    return Math.max(1, Math.min(this.o.blockMs, Math.ceil(due)))
  }

  private async readNew(room: number): Promise<void> {
    const { group, consumer, stream } = this.o
    this.blocked = true
    let reply: unknown
    try {
      if (this.stopping) return
      reply = await this.reader!.sendCommand(['XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(room), 'BLOCK', String(this.untilDue()), 'STREAMS', stream, '>'])
    } finally {
      this.blocked = false
    }
    const entries = parseReadGroup(reply)
    this.counts.read += entries.length
    await this.deliver(entries, undefined)
  }

  /** Reads our own pending entries after `after`; returns the id to go on from, or undefined when none is left. */
  private async rereadOwn(after: string, room: number): Promise<string | undefined> {
    const { group, consumer, stream } = this.o
    const entries = parseReadGroup(await this.reader!.sendCommand(['XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(room), 'STREAMS', stream, after]))
    if (entries.length === 0) return undefined
    this.counts.reread += entries.length
    await this.deliver(entries, await this.deliveriesOf(entries))
    return entries[entries.length - 1]!.id
  }

  private async claimIdle(room: number): Promise<void> {
    const { redis, stream, group, consumer, claimIdleMs, claimIntervalMs } = this.o
    const reply = await redis.sendCommand(['XAUTOCLAIM', stream, group, consumer, String(claimIdleMs), this.claimCursor, 'COUNT', String(room)])
    const { cursor, entries } = parseAutoClaim(reply)
    this.claimCursor = cursor
    if (cursor === '0-0') this.nextClaimAt = this.o.scheduler.now() + claimIntervalMs // a whole pass done; else go on at once
    // Our own entries idle that long are still in the port (a slow flush): never hand them over twice.
    const fresh = entries.filter((entry) => !this.held.has(entry.id))
    if (fresh.length === 0) return
    this.counts.claimed += fresh.length
    this.o.logger.info(`loadbatch/redis: took over ${fresh.length} entries idle for ${claimIdleMs} ms`)
    await this.deliver(fresh, await this.deliveriesOf(fresh))
  }

  /** Each entry's delivery count, read with one `XPENDING` over the entries' id range (ascending, as Redis returns them). */
  private async deliveriesOf(entries: readonly ReadEntry[]): Promise<Map<string, number>> {
    const { redis, stream, group, consumer } = this.o
    const rows = parsePending(
      await redis.sendCommand(['XPENDING', stream, group, entries[0]!.id, entries[entries.length - 1]!.id, String(entries.length + this.held.size), consumer]),
    )
    return new Map(rows.map((row) => [row.id, row.deliveries]))
  }

  // ── Handing entries to the port, and what happens when their item settles ──

  /** Hands `entries` to the port; `counts` holds their delivery counts (absent: first delivery). */
  private async deliver(entries: readonly ReadEntry[], counts: ReadonlyMap<string, number> | undefined): Promise<void> {
    const poison: Array<{ entry: StreamEntry; reason: DeadLetterReason }> = []
    for (const { id, fields } of entries) {
      const deliveries = counts?.get(id) ?? 1
      if (fields === undefined) {
        this.acks.ack(id) // deleted from the stream while pending: nothing left to write
        continue
      }
      const entry = { id, fields }
      if (deliveries > this.o.maxDeliveries) {
        poison.push({ entry, reason: { deliveries, error: `delivered more than maxDeliveries (${this.o.maxDeliveries}) times` } })
        continue
      }
      let item: T
      try {
        item = this.o.decode(entry)
      } catch (error) {
        poison.push({ entry, reason: { deliveries, error: `decode failed: ${describeError(error)}` } })
        continue
      }
      this.handOver(entry, item, deliveries)
    }
    await this.deadLetter(poison)
  }

  private handOver(entry: StreamEntry, item: T, deliveries: number): void {
    this.held.set(entry.id, { entry, deliveries })
    this.outstanding.add()
    submitTo(this.o.into, item).then(
      () => {
        this.acks.ack(entry.id)
        this.outstanding.settle()
        this.wakeup.wake()
      },
      (error: unknown) => this.release(entry, deliveries, error).finally(() => this.outstanding.settle()),
    )
  }

  /** The port gave the item up: leave the entry pending for redelivery, or dead-letter it at its last delivery. */
  private async release(entry: StreamEntry, deliveries: number, error: unknown): Promise<void> {
    this.held.delete(entry.id)
    this.wakeup.wake()
    if (isNotAccepted(error)) {
      this.counts.notAccepted++
      this.o.logger.error(`loadbatch/redis: the port did not accept entry ${entry.id} (${describeError(error)}): it stopped before its source; stopping (unacknowledged entries stay pending)`)
      void this.stop(Infinity) // reading on would only move the whole stream into this consumer's pending list
      return
    }
    this.counts.failed++
    if (deliveries >= this.o.maxDeliveries) return this.deadLetter([{ entry, reason: { deliveries, error: describeError(error) } }])
    this.o.logger.warn(`loadbatch/redis: entry ${entry.id} failed (delivery ${deliveries} of ${this.o.maxDeliveries}); it is delivered again after claimIdleMs`, error)
  }

  private async deadLetter(entries: Array<{ entry: StreamEntry; reason: DeadLetterReason }>): Promise<void> {
    if (entries.length === 0) return
    try {
      const moved = await deadLetterEntries(this.o.redis, this.o, entries)
      this.counts.deadLettered += moved
      this.o.logger.warn(`loadbatch/redis: moved ${moved} entries to ${this.o.deadLetterStream}: ${entries[0]!.reason.error}`)
    } catch (error) {
      this.counts.errors++
      this.o.logger.error(`loadbatch/redis: could not move ${entries.length} entries to ${this.o.deadLetterStream}; they stay pending`, error)
    }
  }

  /** Reads the group's load and sends it to the port as feedback. */
  private async reportLoad(): Promise<void> {
    this.nextFeedbackAt = this.o.scheduler.now() + this.o.feedbackIntervalMs
    const load = await readGroupLoad(this.o.redis, this.o.stream, this.o.group)
    if (!load) return
    this.counts.pending = load.pending
    this.counts.lag = load.lag
    const actor = this.o.into.actor
    if (!actor) return
    try {
      const feedback = this.o.feedback(load)
      if (feedback) actor.send({ type: 'FEEDBACK', feedback })
    } catch (error) {
      this.o.logger.warn('loadbatch/redis: the feedback function threw; no feedback sent', error)
    }
  }

  // ── Stop: no new reads, cut the port's buffer, wait for what was handed over, acknowledge ──

  private async drain(timeoutMs: number): Promise<void> {
    const { scheduler, logger } = this.o
    const deadline = scheduler.now() + timeoutMs
    const remaining = () => deadline - scheduler.now()
    if (this.state !== 'stopped') this.state = 'stopping'
    this.wakeup.wake()
    if (this.blocked && this.readerId) {
      // End the blocking read now rather than after blockMs; what it already read is still handed over.
      await this.o.redis.sendCommand(['CLIENT', 'UNBLOCK', this.readerId]).catch(() => undefined)
    }
    const settled = this.loop.then(async () => {
      await this.o.into.flush().catch(() => undefined)
      await this.outstanding.whenIdle()
    })
    if ((await settleWithin(settled, remaining(), scheduler)) === 'timedOut') {
      logger.warn(`loadbatch/redis: ${this.outstanding.size} items did not settle within timeoutMs (${timeoutMs} ms); their entries stay pending`)
    }
    await settleWithin(this.acks.close(), Math.max(0, remaining()), scheduler)
    if (this.reader) await closeReader(this.reader)
    this.state = 'stopped'
  }
}
