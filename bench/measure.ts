/**
 * The measuring harness every bench file shares: runs tasks through tinybench (with warm-up),
 * and turns its latency samples into a median per operation and a spread, flagging a figure
 * whose spread is too wide to trust.
 *
 * A task's function does `opsPerRun` operations per call (e.g. 10 000 `tryAdd`s, or one
 * whole end-to-end run of N items), so one timer read is spread over many operations and the
 * figures are per operation.
 */
import { Bench } from 'tinybench'

/** Relative spread (median absolute deviation / median) above which a figure is flagged. */
export const WIDE_SPREAD = 0.1

/** How long each task is measured and warmed up; `BENCH_QUICK=1` shortens both (for smoke runs). */
export const timing = process.env.BENCH_QUICK
  ? { time: 150, warmupTime: 40, iterations: 5 }
  : { time: 700, warmupTime: 150, iterations: 10 }

/** One measured task. */
export interface TaskSpec {
  /** Row label, e.g. `loadbatch tryAdd`. */
  readonly name: string
  /** Operations done by one call of `fn` (items pushed, batches cut, …). */
  readonly opsPerRun: number
  /** Does `opsPerRun` operations; may be async. */
  readonly fn: () => unknown
  /** Builds the state `fn` needs (before warm-up and before the measured phase). */
  readonly beforeAll?: () => unknown
  /** Tears it down: stop batchers, complete subjects, so no timer outlives the task. */
  readonly afterAll?: () => unknown
  /** Runs before every call of `fn`, outside the timed window (e.g. to build a fresh pipeline). */
  readonly beforeEach?: () => unknown
}

/** The figures of one task, per operation. */
export interface Figure {
  readonly name: string
  /** Median nanoseconds per operation. */
  readonly medianNs: number
  /** Median absolute deviation / median (0.05 = ±5 %). */
  readonly spread: number
  /** True when `spread` > {@link WIDE_SPREAD}: read the figure as a rough indication only. */
  readonly wide: boolean
  /** Samples (calls of `fn`) the figure rests on. */
  readonly samples: number
  /** Operations per second at the median. */
  readonly opsPerSecond: number
}

/**
 * Measures `tasks` one after the other in this process (warm-up first), and returns a figure
 * for each, in the same order.
 */
export async function measure(tasks: readonly TaskSpec[]): Promise<Figure[]> {
  const bench = new Bench({ ...timing, warmup: true, throws: true })
  for (const task of tasks) {
    let ready = false
    bench.add(task.name, task.fn, {
      ...(task.beforeEach ? { beforeEach: async () => void (await task.beforeEach!()) } : {}),
      // tinybench calls beforeAll for the warm-up and again for the run: build once, tear down once.
      beforeAll: async () => {
        if (ready) return
        ready = true
        await task.beforeAll?.()
      },
      afterAll: async (mode) => {
        if (mode === 'warmup') return
        ready = false
        await task.afterAll?.()
      },
    })
  }
  await bench.run()
  return tasks.map((task) => {
    const result = bench.getTask(task.name)!.result
    if (result.state !== 'completed') throw new Error(`bench task ${task.name} ended ${result.state}`)
    const medianMs = result.latency.p50
    const spread = medianMs > 0 ? result.latency.mad / medianMs : Infinity
    const medianNs = (medianMs * 1e6) / task.opsPerRun
    return {
      name: task.name,
      medianNs,
      spread,
      wide: spread > WIDE_SPREAD,
      samples: result.latency.samplesCount,
      opsPerSecond: 1e9 / medianNs,
    }
  })
}

/** `figure`'s time per operation over `peer`'s: below 1 is faster than the peer. */
export function timeRatio(figure: Figure, peer: Figure): number {
  return figure.medianNs / peer.medianNs
}

/** Runs `fn` `times` times and returns the median of what it returns (for one-shot figures such as heap growth). */
export async function medianOf(times: number, fn: () => Promise<number> | number): Promise<number> {
  const values: number[] = []
  for (let i = 0; i < times; i++) values.push(await fn())
  values.sort((a, b) => a - b)
  return values[Math.floor(values.length / 2)]!
}
