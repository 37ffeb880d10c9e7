/**
 * Items per second through a 4-worker supervisor against one batcher, in the same run:
 * N items, each `tryAdd`ed (falling back to `await add` when the chosen worker is full), then
 * `stop()` (drain) — async no-op flush, batch size 100, concurrency 1 per batcher. Both hold
 * the same number of items: the batcher `CAPACITY`, each worker a quarter of it (until
 * 2026-11-24 each worker held `CAPACITY`, 4× the batcher, so the supervisor's `stop()` drained
 * 4× as many items).
 * Every figure is the median of ROUNDS timed runs after WARMUP untimed ones, the contenders
 * taking turns within each round; the ratio is supervisor ÷ batcher (1.0 = as fast; the
 * supervisor adds its routing: with roundRobin a router pick per run of one batch, and one more
 * call per item).
 *
 * Run: node --import tsx bench/supervisor.ts
 */
import { contenders, ITEMS, push, SIZE, WARMUP, type Sink } from './supervisorWorkload.ts'

// A run is ~10 ms, and whether a scavenge (about one per run) falls inside it swings it by 10 % or
// more on a busy machine: 31 runs per contender, not 11, so the median settles (11 gave 0.74–1.04
// for the same code).
const ROUNDS = 31

/** Items per second of one run of a fresh `make()`. */
async function runOnce(make: () => Sink): Promise<number> {
  const target = make()
  const started = performance.now()
  await push(target)
  return ITEMS / ((performance.now() - started) / 1000)
}

// Rounds interleave the contenders (one run each, in turn), so a machine that gets busier or
// quieter meanwhile slows them alike and the ratios stay fair; every other round takes them in
// reverse, so no contender always runs in the heap (and the garbage) the same other one left.
const samples: number[][] = contenders.map(() => [])
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  const order = [...contenders.entries()]
  for (const [index, { make }] of round % 2 === 0 ? order : order.reverse()) {
    const itemsPerSecond = await runOnce(make)
    if (round >= WARMUP) samples[index]!.push(itemsPerSecond)
  }
}
const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const rows: [string, number][] = contenders.map(({ label }, index) => [label, median(samples[index]!)])
const one = rows[0]![1]
console.log(`${ITEMS} items, batch ${SIZE}, async no-op flush, median of ${ROUNDS} runs (Node ${process.version})`)
for (const [name, itemsPerSecond] of rows) {
  console.log(`${name.padEnd(40)} ${(itemsPerSecond / 1e6).toFixed(2).padStart(6)} M items/s   ratio ${(itemsPerSecond / one).toFixed(2)}×`)
}
const roundRobinRatio = rows[1]![1] / one
console.log(`${roundRobinRatio >= 0.9 ? 'MET    ' : 'NOT MET'}  a 4-worker roundRobin supervisor at least 0.9× one batcher: ${roundRobinRatio.toFixed(2)}×`)
