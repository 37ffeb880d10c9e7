import type { Subscription } from 'rxjs'
import { createBatcher, type Batcher } from '../batcher/createBatcher.ts'
import type { StopOptions, WaitOptions } from '../port.ts'
import { checkNumber } from '../checkOption.ts'
import { BatcherStoppedError, ConfigError } from '../errors.ts'
import type { LoadFeedback } from '../feedback.ts'
import { resolveOptions, type BatcherOptions } from '../batcher/batcherOptions.ts'
import { type FlushInfo } from '../batcher/flushFunction.ts'
import { scheduleAfter, unrefScheduler } from '../scheduler.ts'

/** What a keyed flush is told: the batcher's FlushInfo plus the key every item of the batch shares. */
export interface KeyedFlushInfo<K> extends FlushInfo {
  /** The key of every item in this batch. */
  readonly key: K
}

/** Options of {@link createKeyedBatcher}: a batcher's options (applied to each key's batcher) plus the key. */
export interface KeyedBatcherOptions<T, K> extends Omit<BatcherOptions<T>, 'flush'> {
  /** The key of an item (a table, a tenant, a partition); a batch only ever holds items of one key. Required. */
  readonly batchKey: (item: T) => K
  /** Writes one batch of one key; see FlushFunction. Required. */
  readonly flush: (batch: T[], info: KeyedFlushInfo<K>) => Promise<LoadFeedback | void> | LoadFeedback | void
  /** Most keys with a batcher at once (default 100). At the limit, the least recently used idle key is closed to make room. */
  readonly maxOpenKeys?: number
  /** A key with nothing buffered or in flight for this long is closed, in ms (default 60 000; Infinity: only when room is needed). */
  readonly idleMs?: number
}

/** Counters of a keyed batcher: the per-key batchers' counters summed (closed keys included), plus the keys. */
export interface KeyedBatcherMetrics {
  /** Items accepted. */
  readonly itemsAdded: number
  /** Items whose flush succeeded. */
  readonly itemsFlushed: number
  /** Items refused: a full key, too many busy keys for a new one (`tryAdd`), a `batchKey` that threw (`tryAdd`), or offered after stop. */
  readonly itemsDropped: number
  /** Items dead-lettered. */
  readonly itemsFailed: number
  /** Items waiting in the keys' buffers. */
  readonly itemsBuffered: number
  /** Items in batches being flushed or waiting to retry. */
  readonly itemsInFlight: number
  /** Keys with a batcher now. */
  readonly openKeys: number
  /** Keys closed so far (idle for `idleMs`, or to make room). */
  readonly keysClosed: number
}

/**
 * A batcher whose every batch holds one key; see {@link createKeyedBatcher}. The same entry
 * points as a batcher; at the key limit with every key busy, `tryAdd` of a new key refuses
 * (counted) and `add`/`submit` wait for a key to close.
 */
export interface KeyedBatcher<T, K> extends Omit<Batcher<T>, 'metrics' | 'state' | 'actor' | 'batchLogic'> {
  /** The counters summed over the keys. */
  metrics(): KeyedBatcherMetrics
  /** The batcher of `key`, while the key is open (to read its metrics, or its adapted size). */
  batcherFor(key: K): Batcher<T> | undefined
  /** The open keys, least recently used first. */
  keys(): K[]
}

/** The item counters summed over keys. */
type Counts = Pick<KeyedBatcherMetrics, 'itemsAdded' | 'itemsFlushed' | 'itemsDropped' | 'itemsFailed' | 'itemsBuffered' | 'itemsInFlight'>
const COUNTED = ['itemsAdded', 'itemsFlushed', 'itemsDropped', 'itemsFailed', 'itemsBuffered', 'itemsInFlight'] as const

function addCounts(into: { -readonly [key in keyof Counts]: number }, batcher: Batcher<unknown>): void {
  const m = batcher.metrics()
  for (const key of COUNTED) into[key] += m[key]
}

/**
 * Per-key batches (Broadway's `batch_key`; what Vector users ask for in vector#21725): one
 * batcher per key, so every batch holds one key and — when `size` or `concurrency` is a range —
 * every key has its own controller state: one slow tenant shrinks its own batches, not
 * everyone's. Items of one key keep their order.
 *
 * Open keys are bounded by `maxOpenKeys`: a key idle for `idleMs` is closed, and at the limit
 * a new key takes the place of the least recently used idle key. When every open key is busy,
 * `tryAdd` of a new key refuses (counted) and asks the oldest key to flush, while `add` waits
 * for that key to go idle. Closing a key drains it first: nothing accepted is lost.
 *
 * @example
 * const rows = createKeyedBatcher<Row, string>({
 *   batchKey: (row) => row.table,
 *   flush: (batch, { key }) => db.insert(key, batch),
 *   size: { initial: 100, min: 10, max: 2000 },
 *   maxOpenKeys: 50,
 * })
 */
export function createKeyedBatcher<T, K>(options: KeyedBatcherOptions<T, K>): KeyedBatcher<T, K> {
  const { batchKey, flush, maxOpenKeys: maxKeysOption, idleMs: idleOption, ...batcherOptions } = options ?? ({} as KeyedBatcherOptions<T, K>)
  if (typeof batchKey !== 'function') throw new ConfigError('batchKey', 'a function (item) => key', batchKey)
  if (typeof flush !== 'function') throw new ConfigError('flush', 'a function (batch, info) => Promise<LoadFeedback | void>', flush)
  const maxOpenKeys = checkNumber('maxOpenKeys', maxKeysOption, 100, { min: 1, integer: true })
  const idleMs = checkNumber('idleMs', idleOption, 60_000, { min: 1, max: Infinity })
  resolveOptions<T>({ ...batcherOptions, flush: () => {} }) // every key's batcher gets these: check them once, now
  const scheduler = batcherOptions.scheduler ?? unrefScheduler

  /** Open keys in least-recently-used order (a Map keeps insertion order; a use re-inserts). */
  const open = new Map<K, { batcher: Batcher<T>; usedAt: number }>()
  /** Closed keys' batchers while they drain, with the promise of their stop. */
  const closing = new Map<Batcher<T>, Promise<void>>()
  /** Counters of closed keys (a stopped batcher holds nothing buffered or in flight). */
  const closed = { itemsAdded: 0, itemsFlushed: 0, itemsDropped: 0, itemsFailed: 0, itemsBuffered: 0, itemsInFlight: 0 }
  let keysClosed = 0
  let refusedKeys = 0
  let stopping: Promise<void> | undefined
  let sweep: Subscription | undefined

  const isIdle = (batcher: Batcher<T>) => {
    const m = batcher.metrics()
    return m.itemsBuffered + m.itemsInFlight === 0
  }
  const close = (key: K, stopOptions?: StopOptions) => {
    const { batcher } = open.get(key)!
    open.delete(key)
    keysClosed++
    closing.set(batcher, batcher.stop(stopOptions).then(() => {
      addCounts(closed, batcher)
      closing.delete(batcher)
    }))
  }
  const armSweep = () => {
    if (sweep || idleMs === Infinity || open.size === 0 || stopping) return
    sweep = scheduleAfter(scheduler, idleMs, () => {
      sweep = undefined
      const now = scheduler.now()
      for (const [key, entry] of [...open]) if (now - entry.usedAt >= idleMs && isIdle(entry.batcher)) close(key)
      armSweep()
    })
  }
  /** The batcher of `key`, opening it (in place of an idle key when at the limit); undefined when every key is busy. */
  const batcherOf = (key: K): Batcher<T> | undefined => {
    const now = scheduler.now()
    const entry = open.get(key)
    if (entry) {
      open.delete(key)
      open.set(key, { batcher: entry.batcher, usedAt: now })
      return entry.batcher
    }
    if (open.size >= maxOpenKeys) {
      const idle = [...open].find(([, e]) => isIdle(e.batcher))
      if (!idle) return undefined
      close(idle[0])
    }
    const batcher = createBatcher<T>({ ...batcherOptions, flush: (batch, info) => flush(batch, Object.assign(Object.create(info) as FlushInfo, { key })) })
    open.set(key, { batcher, usedAt: now })
    armSweep()
    return batcher
  }
  /** Waits until `key` can be opened: flushes the least recently used key and waits for it to settle, then tries again. */
  const waitForKey = async (key: K, signal: AbortSignal | undefined): Promise<Batcher<T>> => {
    for (;;) {
      if (stopping) throw new BatcherStoppedError()
      signal?.throwIfAborted()
      const batcher = batcherOf(key)
      if (batcher) return batcher
      const [, oldest] = open.entries().next().value!
      await oldest.batcher.flush()
    }
  }
  const enter = async (item: T, waitOptions: WaitOptions | undefined, submit: boolean) => {
    if (stopping) throw new BatcherStoppedError()
    const key = batchKey(item)
    const batcher = batcherOf(key) ?? (await waitForKey(key, waitOptions?.signal))
    return submit ? batcher.submit(item, waitOptions) : batcher.add(item, waitOptions)
  }

  return {
    tryAdd(item) {
      let key: K
      try {
        if (stopping) throw new BatcherStoppedError()
        key = batchKey(item)
      } catch {
        refusedKeys++ // stopped, or batchKey threw: refused like any item that cannot be taken
        return false
      }
      const batcher = batcherOf(key)
      if (batcher) return batcher.tryAdd(item)
      refusedKeys++
      void open.values().next().value?.batcher.flush() // make room soon
      return false
    },
    add: (item, waitOptions) => enter(item, waitOptions, false),
    submit: (item, waitOptions) => enter(item, waitOptions, true),
    addMany(items) {
      let accepted = 0
      for (const item of items) if (this.tryAdd(item)) accepted++
      return accepted
    },
    async flush() {
      await Promise.all([...open.values()].map((entry) => entry.batcher.flush()))
    },
    stop(stopOptions) {
      if (!stopping) {
        sweep?.unsubscribe()
        sweep = undefined
        for (const key of [...open.keys()]) close(key, stopOptions)
        stopping = Promise.all(closing.values()).then(() => {})
      }
      return stopping
    },
    metrics() {
      const totals = { ...closed }
      for (const { batcher } of open.values()) addCounts(totals, batcher)
      for (const batcher of closing.keys()) addCounts(totals, batcher)
      return { ...totals, itemsDropped: totals.itemsDropped + refusedKeys, openKeys: open.size, keysClosed }
    },
    batcherFor: (key) => open.get(key)?.batcher,
    keys: () => [...open.keys()],
  }
}
