import { ConfigError } from '../errors.ts'
import { fanOut, type FanOutOptions } from './fanOut.ts'
import type { FailedItem } from './partialResults.ts'
import type { BatchSource } from './source.ts'

/** Options of {@link mapReduce}. */
export interface MapReduceOptions<T, M, A> extends FanOutOptions<T> {
  /** Gets the items to process (an array, an iterable or an async iterable, read lazily). */
  readonly extract: () => BatchSource<T> | Promise<BatchSource<T>>
  /** Transforms one item; at most `concurrency` run at once (default 8). */
  readonly map: (item: T, signal: AbortSignal) => M | Promise<M>
  /** Aggregates the mapped values of the items that succeeded, in input order. */
  readonly reduce: (mapped: M[]) => A | Promise<A>
}

/** What a map-reduce became: the aggregate of the successes, and every item whose map failed. */
export interface MapReduceResult<T, A> {
  /** `reduce` over the mapped values that succeeded. */
  readonly result: A
  /** Items whose `map` failed, with their input position and cause, in input order. */
  readonly failures: FailedItem<T>[]
  /** Items extracted. */
  readonly count: number
  /** True when the run's signal aborted it. */
  readonly aborted: boolean
}

/**
 * Extract, map (bounded, in parallel), reduce: the batch guide's map-reduce, where one failed
 * map no longer fails the whole run — it is reported in `failures` and the others are reduced.
 * `extract` and `reduce` errors reject (there is nothing partial to keep); a bad option throws a
 * ConfigError at once.
 *
 * @example
 * const { result } = await mapReduce({
 *   extract: () => readLines('sales.csv'),
 *   map: (line) => parseSale(line),
 *   reduce: (sales) => sumByRegion(sales),
 *   concurrency: 10,
 * })
 */
export function mapReduce<T, M, A>(options: MapReduceOptions<T, M, A>): Promise<MapReduceResult<T, A>> {
  const { extract, map, reduce, ...fanOutOptions } = options ?? ({} as MapReduceOptions<T, M, A>)
  for (const [field, value] of [['extract', extract], ['map', map], ['reduce', reduce]] as const) {
    if (typeof value !== 'function') throw new ConfigError(field, 'a function', value)
  }
  return (async () => {
    const mapped = await fanOut(await extract(), map, fanOutOptions)
    const failed = new Set(mapped.failures.map((failure) => failure.index))
    const values = mapped.results.filter((_, index) => !failed.has(index)) as M[]
    return { result: await reduce(values), failures: mapped.failures, count: mapped.count, aborted: mapped.aborted }
  })()
}
