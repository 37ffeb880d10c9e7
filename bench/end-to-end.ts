/**
 * End to end: N items through add → batch → async no-op flush with concurrency 4, until every
 * item was flushed, at batch size 100 and 1000, in items per second, against peers measured
 * in the same process:
 * - RxJS: `subject.next` through `bufferTime(1000, null, N)` + `mergeMap(flush, 4)`, the
 *   producer never waiting (RxJS has no backpressure; this is its most favourable form);
 * - a p-queue batcher (bench/peers/pQueueBatcher.ts): `await add(item)`, waiting while
 *   its queue is full, like loadbatch's capacity.
 * loadbatch runs twice: `await batcher.add(item)` per item (the producer waits when full), and
 * synchronous `tryAdd` with a capacity that holds all N (no backpressure, like RxJS).
 * Each timed call builds the pipeline, pushes N items, and waits until the last batch was
 * flushed (`stop()` for loadbatch, `complete` for RxJS, `onIdle` for p-queue).
 * DESIGN.md's target: ahead of RxJS at batch 100, at least 2× at batch 1000.
 *
 * Run alone: node --import tsx bench/end-to-end.ts
 */
import { createBatcher } from '../src/batcher.ts'
import { measure, timeRatio, type Figure, type TaskSpec } from './measure.ts'
import { PQueueBatcher } from './peers/pQueueBatcher.ts'
import { rxBufferTimeMergeMap } from './peers/rxjsBatcher.ts'
import { formatRate, formatRatio, formatSpread, isMain, publish, type Row, type ScenarioReport, type TargetCheck } from './report.ts'

/** Items per timed run. */
const ITEMS = 20_000
const SIZES = [100, 1000] as const
const CONCURRENCY = 4
const MAX_WAIT_MS = 1000

interface Item {
  readonly id: number
}

const items: Item[] = Array.from({ length: ITEMS }, (_, id) => ({ id }))
let flushed = 0
/** The async no-op sink every contender flushes to. */
const flush = async (batch: Item[]): Promise<void> => {
  flushed += batch.length
}

function expectAll(before: number, who: string): void {
  if (flushed - before !== ITEMS) throw new Error(`${who} flushed ${flushed - before} of ${ITEMS} items`)
}

/** The contenders at one batch size; the first is the headline loadbatch row. */
function tasksAt(size: number): TaskSpec[] {
  return [
    {
      name: `loadbatch await add @${size}`,
      opsPerRun: ITEMS,
      fn: async () => {
        const before = flushed
        const batcher = createBatcher<Item>({ flush, size, concurrency: CONCURRENCY, maxWaitMs: MAX_WAIT_MS })
        for (let i = 0; i < ITEMS; i++) await batcher.add(items[i]!)
        await batcher.stop()
        expectAll(before, 'loadbatch')
      },
    },
    {
      name: `loadbatch tryAdd (capacity N) @${size}`,
      opsPerRun: ITEMS,
      fn: async () => {
        const before = flushed
        const batcher = createBatcher<Item>({ flush, size, concurrency: CONCURRENCY, maxWaitMs: MAX_WAIT_MS, capacity: ITEMS })
        for (let i = 0; i < ITEMS; i++) batcher.tryAdd(items[i]!)
        await batcher.stop()
        expectAll(before, 'loadbatch tryAdd')
      },
    },
    {
      name: `rxjs bufferTime+mergeMap @${size}`,
      opsPerRun: ITEMS,
      fn: async () => {
        const before = flushed
        const { subject, done } = rxBufferTimeMergeMap<Item>({ size, maxWaitMs: MAX_WAIT_MS, concurrency: CONCURRENCY, flush })
        for (let i = 0; i < ITEMS; i++) subject.next(items[i]!)
        subject.complete()
        await done
        expectAll(before, 'rxjs')
      },
    },
    {
      name: `p-queue batcher @${size}`,
      opsPerRun: ITEMS,
      fn: async () => {
        const before = flushed
        // The same bound as loadbatch's default capacity (10 × size): 10 batches queued or running.
        const batcher = new PQueueBatcher<Item>({ size, concurrency: CONCURRENCY, maxWaitMs: MAX_WAIT_MS, maxQueuedBatches: 10 - CONCURRENCY, flush })
        for (let i = 0; i < ITEMS; i++) await batcher.add(items[i]!)
        await batcher.close()
        expectAll(before, 'p-queue')
      },
    },
  ]
}

/** Measures every contender at both sizes and reports items/s and ratios. */
export async function run(): Promise<ScenarioReport> {
  const rows: Row[] = []
  const targets: TargetCheck[] = []
  const bySize = new Map<number, Figure[]>()
  for (const size of SIZES) {
    const figures = await measure(tasksAt(size))
    bySize.set(size, figures)
    const [loadbatch, , rxjs] = figures as [Figure, Figure, Figure, Figure]
    for (const figure of figures) {
      rows.push({
        batch: size,
        contender: figure.name.replace(/ @\d+$/, ''),
        'items/s (median)': formatRate(figure.opsPerSecond),
        spread: formatSpread(figure),
        'loadbatch add ÷ this (speed)': formatRatio(timeRatio(figure, loadbatch)),
        '÷ rxjs (speed)': formatRatio(timeRatio(rxjs, figure)),
        itemsPerSecond: Math.round(figure.opsPerSecond),
      })
    }
  }
  const speedup = (size: number) => {
    const [loadbatch, , rxjs] = bySize.get(size)! as [Figure, Figure, Figure]
    return { ratio: timeRatio(rxjs, loadbatch), loadbatch, rxjs }
  }
  const at100 = speedup(100)
  targets.push({
    target: 'end to end ahead of RxJS bufferTime+mergeMap at batch 100',
    met: at100.ratio > 1,
    detail: `loadbatch ${formatRate(at100.loadbatch.opsPerSecond)} vs rxjs ${formatRate(at100.rxjs.opsPerSecond)} = ${formatRatio(at100.ratio)}`,
  })
  const at1000 = speedup(1000)
  targets.push({
    target: 'end to end at least 2× RxJS bufferTime+mergeMap at batch 1000',
    met: at1000.ratio >= 2,
    detail: `loadbatch ${formatRate(at1000.loadbatch.opsPerSecond)} vs rxjs ${formatRate(at1000.rxjs.opsPerSecond)} = ${formatRatio(at1000.ratio)}`,
  })
  return {
    scenario: 'end-to-end',
    title: `End to end: ${ITEMS} items, add → batch → async no-op flush, concurrency ${CONCURRENCY}`,
    method: 'Each timed call builds the pipeline, pushes every item and waits for the last flush; tinybench with warm-up. Speed ratios: above 1× means the row (or loadbatch) is faster. Targets use the "loadbatch await add" row.',
    rows,
    targets,
    notes: [],
  }
}

if (isMain(import.meta.url)) publish(await run())
