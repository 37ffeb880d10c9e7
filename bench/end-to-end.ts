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
 * Each timed call pushes N items into a pipeline built just before it (untimed), and waits
 * until the last batch was flushed (`stop()` for loadbatch, `complete` for RxJS, `onIdle`
 * for p-queue).
 * DESIGN.md's targets: at batch 100 ≥ 1.5× RxJS and ≥ 1× the p-queue batcher, at batch 1000 ≥ 2.5× RxJS.
 *
 * Run alone: node --import tsx bench/end-to-end.ts
 */
import { createBatcher, type Batcher } from '../src/batcher/createBatcher.ts'
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

/** The contenders at one batch size. Each pipeline is built before its timed call (untimed: see control-plane for construction cost). */
function tasksAt(size: number): TaskSpec[] {
  let batcher: Batcher<Item> | undefined
  let rxjs: ReturnType<typeof rxBufferTimeMergeMap<Item>> | undefined
  let pQueue: PQueueBatcher<Item> | undefined
  let before = 0
  const mark = () => {
    before = flushed
  }
  return [
    {
      name: `loadbatch await add @${size}`,
      opsPerRun: ITEMS,
      beforeEach: () => {
        mark()
        batcher = createBatcher<Item>({ flush, size, concurrency: CONCURRENCY, maxWaitMs: MAX_WAIT_MS })
      },
      fn: async () => {
        const b = batcher!
        for (let i = 0; i < ITEMS; i++) await b.add(items[i]!)
        await b.stop()
        expectAll(before, 'loadbatch')
      },
    },
    {
      name: `loadbatch tryAdd (capacity N) @${size}`,
      opsPerRun: ITEMS,
      beforeEach: () => {
        mark()
        batcher = createBatcher<Item>({ flush, size, concurrency: CONCURRENCY, maxWaitMs: MAX_WAIT_MS, capacity: ITEMS })
      },
      fn: async () => {
        const b = batcher!
        for (let i = 0; i < ITEMS; i++) b.tryAdd(items[i]!)
        await b.stop()
        expectAll(before, 'loadbatch tryAdd')
      },
    },
    {
      name: `rxjs bufferTime+mergeMap @${size}`,
      opsPerRun: ITEMS,
      beforeEach: () => {
        mark()
        rxjs = rxBufferTimeMergeMap<Item>({ size, maxWaitMs: MAX_WAIT_MS, concurrency: CONCURRENCY, flush })
      },
      fn: async () => {
        const { subject, done } = rxjs!
        for (let i = 0; i < ITEMS; i++) subject.next(items[i]!)
        subject.complete()
        await done
        expectAll(before, 'rxjs')
      },
    },
    {
      name: `p-queue batcher @${size}`,
      opsPerRun: ITEMS,
      beforeEach: () => {
        mark()
        // The same bound as loadbatch's default capacity (10 × size): 10 batches queued or running.
        pQueue = new PQueueBatcher<Item>({ size, concurrency: CONCURRENCY, maxWaitMs: MAX_WAIT_MS, maxQueuedBatches: 10 - CONCURRENCY, flush })
      },
      fn: async () => {
        const b = pQueue!
        for (let i = 0; i < ITEMS; i++) await b.add(items[i]!)
        await b.close()
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
  const producers = [
    { index: 0, label: 'await add' },
    { index: 1, label: 'tryAdd' },
  ]
  const check = (size: number, index: number, peerIndex: number, peer: string) => {
    const figures = bySize.get(size)!
    const loadbatch = figures[index]!
    const other = figures[peerIndex]!
    return { ratio: timeRatio(other, loadbatch), text: `${formatRate(loadbatch.opsPerSecond)} vs ${peer} ${formatRate(other.opsPerSecond)} = ${formatRatio(timeRatio(other, loadbatch))}` }
  }
  for (const { index, label } of producers) {
    const rx100 = check(100, index, 2, 'rxjs')
    targets.push({ target: `end to end at least 1.5× RxJS bufferTime+mergeMap at batch 100 (loadbatch ${label})`, met: rx100.ratio >= 1.5, detail: rx100.text })
    const pq100 = check(100, index, 3, 'p-queue')
    targets.push({ target: `end to end at least 1× the p-queue batcher at batch 100 (loadbatch ${label})`, met: pq100.ratio >= 1, detail: pq100.text })
    const rx1000 = check(1000, index, 2, 'rxjs')
    targets.push({ target: `end to end at least 2.5× RxJS bufferTime+mergeMap at batch 1000 (loadbatch ${label})`, met: rx1000.ratio >= 2.5, detail: rx1000.text })
  }
  return {
    scenario: 'end-to-end',
    title: `End to end: ${ITEMS} items, add → batch → async no-op flush, concurrency ${CONCURRENCY}`,
    method: 'Each timed call pushes every item into a freshly built pipeline (built untimed, just before) and waits for the last flush; tinybench with warm-up. Speed ratios: above 1× means the row (or loadbatch) is faster. RxJS has no backpressure, so "loadbatch tryAdd" (capacity N, no waiting) is its like-for-like; "await add" also pays one await per item, as the p-queue batcher does.',
    rows,
    targets,
    notes: [],
  }
}

if (isMain(import.meta.url)) publish(await run())
