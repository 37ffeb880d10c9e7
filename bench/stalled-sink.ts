/**
 * Memory under a stalled sink: producers push 10 × `capacity` items into a pipeline whose
 * flush never resolves; we record heap growth (after a forced GC) at 1×, 2×, 5× and 10×
 * capacity pushed. loadbatch holds at most `capacity` items (the rest are refused and counted
 * as dropped), so its heap flattens; RxJS `bufferTime(1000, null, N)` + `mergeMap(flush, 4)`
 * has no backpressure, so every batch queues inside `mergeMap` and its heap grows with what
 * was pushed. DESIGN.md's target: memory stays bounded by `capacity` when the sink stalls.
 *
 * Each item is a fresh object with a 64-byte string, so what is held shows in the heap. The
 * median of 3 runs is reported. GC is forced through `v8.setFlagsFromString('--expose-gc')`,
 * so no node flag is needed.
 *
 * Run alone: node --import tsx bench/stalled-sink.ts
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createBatcher } from '../src/batcher/createBatcher.ts'
import { medianOf } from './measure.ts'
import { rxBufferTimeMergeMap } from './peers/rxjsBatcher.ts'
import { formatBytes, isMain, publish, type Row, type ScenarioReport, type TargetCheck } from './report.ts'

const CAPACITY = 10_000
const SIZE = 100
const CONCURRENCY = 4
const CHECKPOINTS = [1, 2, 5, 10] as const
const RUNS = 3

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

interface Item {
  readonly id: number
  readonly payload: string
}

function makeItem(id: number): Item {
  return { id, payload: `item-${id}-`.padEnd(64, 'x') }
}

/** Heap used after a full GC, in bytes. */
function heapAfterGc(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed
}

/** A flush that never settles: the sink has stalled. */
const stalled = () => new Promise<never>(() => {})

/** Pushes 10 × CAPACITY items into `push`, returning heap growth over `base` at each checkpoint. */
function pushWithCheckpoints(push: (item: Item) => void, base: number): number[] {
  const growth: number[] = []
  let pushed = 0
  for (const multiple of CHECKPOINTS) {
    for (; pushed < multiple * CAPACITY; pushed++) push(makeItem(pushed))
    growth.push(heapAfterGc() - base)
  }
  return growth
}

async function loadbatchRun(): Promise<{ growth: number[]; dropped: number }> {
  const base = heapAfterGc()
  const batcher = createBatcher<Item>({
    flush: stalled,
    size: SIZE,
    concurrency: CONCURRENCY,
    capacity: CAPACITY,
    flushTimeoutMs: 3_600_000, // the stall outlasts the run: no timeout, no retry
    onDeadLetter: () => {},
  })
  const growth = pushWithCheckpoints((item) => void batcher.tryAdd(item), base)
  const dropped = batcher.metrics().itemsDropped
  // Abandon the stalled flushes (their items go to onDeadLetter). The batcher's timers are
  // unref'd and a never-settling flush holds nothing open, so without a ref'd handle node
  // would exit (code 13, unsettled top-level await) before stop's timeout could fire.
  const keepAlive = setInterval(() => {}, 1000)
  await batcher.stop({ timeoutMs: 1 })
  clearInterval(keepAlive)
  return { growth, dropped }
}

async function rxjsRun(): Promise<{ growth: number[] }> {
  const base = heapAfterGc()
  const { subject, done } = rxBufferTimeMergeMap<Item>({ size: SIZE, maxWaitMs: 1000, concurrency: CONCURRENCY, flush: stalled })
  const subscription = done.catch(() => {})
  const growth = pushWithCheckpoints((item) => subject.next(item), base)
  subject.error(new Error('end of run')) // tears the pipeline (and bufferTime's timer) down
  await subscription
  return { growth }
}

/** Median growth per checkpoint over RUNS runs. */
async function medianGrowth(runOnce: () => Promise<{ growth: number[] }>): Promise<number[]> {
  const runs: number[][] = []
  for (let i = 0; i < RUNS; i++) runs.push((await runOnce()).growth)
  return CHECKPOINTS.map((_, index) => {
    const values = runs.map((growth) => growth[index]!).sort((a, b) => a - b)
    return values[Math.floor(values.length / 2)]!
  })
}

/** Measures heap growth of loadbatch and RxJS under a stalled sink. */
export async function run(): Promise<ScenarioReport> {
  const dropped = await medianOf(1, async () => (await loadbatchRun()).dropped)
  const loadbatch = await medianGrowth(loadbatchRun)
  const rxjs = await medianGrowth(rxjsRun)
  const rows: Row[] = CHECKPOINTS.map((multiple, index) => ({
    'pushed': `${multiple} × capacity (${multiple * CAPACITY})`,
    'loadbatch heap growth': formatBytes(loadbatch[index]!),
    'rxjs bufferTime+mergeMap heap growth': formatBytes(rxjs[index]!),
    'rxjs ÷ loadbatch': `${(rxjs[index]! / Math.max(1, loadbatch[index]!)).toFixed(1)}×`,
    loadbatchBytes: loadbatch[index]!,
    rxjsBytes: rxjs[index]!,
  }))
  const first = loadbatch[0]!
  const last = loadbatch[loadbatch.length - 1]!
  // Bounded: pushing 10× capacity holds no more than pushing 1× did (give or take 25 % and 256 KiB of noise).
  const bounded = last <= first * 1.25 + 256 * 1024
  const targets: TargetCheck[] = [
    {
      target: 'memory stays bounded by capacity when the sink stalls',
      met: bounded,
      detail: `loadbatch grew ${formatBytes(first)} at 1× capacity and ${formatBytes(last)} at 10× (${dropped} of ${10 * CAPACITY} items refused and counted); rxjs grew ${formatBytes(rxjs[0]!)} → ${formatBytes(rxjs[rxjs.length - 1]!)}`,
    },
  ]
  return {
    scenario: 'stalled-sink',
    title: `Memory under a stalled sink: capacity ${CAPACITY}, batch ${SIZE}, concurrency ${CONCURRENCY}, flush never resolves`,
    method: `Heap used after forced GC, minus the heap before the pipeline was built; median of ${RUNS} runs. loadbatch is fed with tryAdd (add would wait forever), RxJS with next.`,
    rows,
    targets,
    notes: [`about ${formatBytes(last / CAPACITY)} per item held by loadbatch at 10× (items are objects with a 64-char string)`],
  }
}

if (isMain(import.meta.url)) publish(await run())
