/**
 * Enqueue hot path: nanoseconds per `batcher.tryAdd(item)` at batch size 100 and 1000,
 * amortised over the batches it cuts, against peers measured in the same process:
 * - a bare array batcher (push, cut at N): the floor;
 * - RxJS `subject.next` through `bufferCount(N)`;
 * - RxJS `subject.next` through `bufferTime(1000, null, N)` (size or time, like loadbatch).
 *
 * Every contender hands each batch to the same synchronous no-op sink, so a loadbatch flush
 * settles at once and the figure includes its whole per-batch cycle (cut, attempt, settle,
 * feedback sample; such a batch sends the actor no event) spread over the batch. DESIGN.md's targets:
 * under 57.7 ns/op and within 4× the bare batcher at batch 100, within 2× at batch 1000.
 *
 * Run alone: node --import tsx bench/enqueue.ts
 */
import type { Subject, Subscription } from 'rxjs'
import { createBatcher, type Batcher } from '../src/batcher/createBatcher.ts'
import { measure, timeRatio, type Figure, type TaskSpec } from './measure.ts'
import { BareBatcher } from './peers/bareBatcher.ts'
import { rxBufferCount, rxBufferTime } from './peers/rxjsBatcher.ts'
import { formatNs, formatRatio, formatSpread, isMain, publish, type Row, type ScenarioReport, type TargetCheck } from './report.ts'

/** Items pushed per timed call: enough batches per sample at both sizes. */
const OPS = 10_000
const SIZES = [100, 1000] as const
const MAX_WAIT_MS = 1000

interface Item {
  readonly id: number
}

const items: Item[] = Array.from({ length: OPS }, (_, id) => ({ id }))
/** Batches the sinks saw: read at the end so no contender's work can be optimised away. */
let sunk = 0
const sink = (batch: Item[]) => {
  sunk += batch.length
}

/** The four contenders at one batch size. */
function tasksAt(size: number): TaskSpec[] {
  let batcher: Batcher<Item> | undefined
  let bare: BareBatcher<Item> | undefined
  let counted: { subject: Subject<Item>; subscription: Subscription } | undefined
  let timed: { subject: Subject<Item>; subscription: Subscription } | undefined
  return [
    {
      name: `loadbatch tryAdd @${size}`,
      opsPerRun: OPS,
      beforeAll: () => {
        batcher = createBatcher<Item>({ flush: sink, size, maxWaitMs: MAX_WAIT_MS })
      },
      fn: () => {
        const b = batcher!
        let refused = 0
        for (let i = 0; i < OPS; i++) if (!b.tryAdd(items[i]!)) refused++
        if (refused > 0) throw new Error(`tryAdd refused ${refused} items: the bench must measure acceptance`)
      },
      afterAll: () => batcher!.stop(),
    },
    {
      name: `bare array @${size}`,
      opsPerRun: OPS,
      beforeAll: () => {
        bare = new BareBatcher<Item>(size, sink)
      },
      fn: () => {
        const b = bare!
        for (let i = 0; i < OPS; i++) b.push(items[i]!)
      },
    },
    {
      name: `rxjs bufferCount @${size}`,
      opsPerRun: OPS,
      beforeAll: () => {
        counted = rxBufferCount<Item>(size, sink)
      },
      fn: () => {
        const subject = counted!.subject
        for (let i = 0; i < OPS; i++) subject.next(items[i]!)
      },
      afterAll: () => counted!.subscription.unsubscribe(),
    },
    {
      name: `rxjs bufferTime @${size}`,
      opsPerRun: OPS,
      beforeAll: () => {
        timed = rxBufferTime<Item>(size, MAX_WAIT_MS, sink)
      },
      fn: () => {
        const subject = timed!.subject
        for (let i = 0; i < OPS; i++) subject.next(items[i]!)
      },
      afterAll: () => timed!.subscription.unsubscribe(),
    },
  ]
}

/** Measures every contender at both sizes and reports ns/op and ratios. */
export async function run(): Promise<ScenarioReport> {
  const rows: Row[] = []
  const targets: TargetCheck[] = []
  const bySize = new Map<number, Figure[]>()
  for (const size of SIZES) {
    const figures = await measure(tasksAt(size))
    bySize.set(size, figures)
    const [loadbatch, bare] = figures as [Figure, Figure, Figure, Figure]
    for (const figure of figures) {
      rows.push({
        batch: size,
        contender: figure.name.replace(/ @\d+$/, ''),
        'ns/op (median)': formatNs(figure.medianNs),
        spread: formatSpread(figure),
        '× bare': formatRatio(timeRatio(figure, bare)),
        'loadbatch ÷ this': formatRatio(timeRatio(loadbatch, figure)),
        medianNs: Math.round(figure.medianNs * 10) / 10,
      })
    }
  }
  if (sunk === 0) throw new Error('no batch reached a sink')
  const at1000 = bySize.get(1000)!
  const ratio1000 = timeRatio(at1000[0]!, at1000[1]!)
  targets.push({
    target: 'tryAdd within 2× the bare array batcher at batch 1000',
    met: ratio1000 <= 2,
    detail: `${formatNs(at1000[0]!.medianNs)} vs ${formatNs(at1000[1]!.medianNs)} = ${formatRatio(ratio1000)}`,
  })
  const [at100, bare100] = bySize.get(100)! as [Figure, Figure]
  const ratio100 = timeRatio(at100, bare100)
  targets.push({
    target: 'tryAdd within 4× the bare array batcher at batch 100',
    met: ratio100 <= 4,
    detail: `${formatNs(at100.medianNs)} vs ${formatNs(bare100.medianNs)} = ${formatRatio(ratio100)}`,
  })
  targets.push({
    target: 'tryAdd under 57.7 ns/op at batch 100',
    met: at100.medianNs < 57.7,
    detail: `${formatNs(at100.medianNs)} (${formatSpread(at100)})`,
  })
  return {
    scenario: 'enqueue',
    title: 'Enqueue hot path: ns per item, amortised over the batches cut (synchronous no-op sink)',
    method: `${OPS} items per timed call, tinybench with warm-up; "× bare" is time per item over the bare array batcher's in the same run; "loadbatch ÷ this" below 1× means loadbatch is faster.`,
    rows,
    targets,
    notes: [],
  }
}

if (isMain(import.meta.url)) publish(await run())
