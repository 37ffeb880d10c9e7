/**
 * The supervisor bench's workload (bench/supervisor.ts), for instruction counts under callgrind,
 * which a busy machine does not disturb. Like the bench, it first runs all four contenders in
 * turn (`WARMUP` rounds, so shared code is compiled for all of them, as in the bench), then runs
 * only `contender` (`batcher`, or `supervisor`: the roundRobin one) `reps` times:
 *   valgrind --tool=callgrind node --single-threaded --no-memory-reducer --import tsx bench/supervisor-instructions.ts batcher 21
 * One run's cost is (count at 21 reps − count at 1 rep) ÷ 20: startup, loading, the warm-up and
 * most compiling cancel out. `--single-threaded` keeps compiling and collecting on the counted
 * thread in a fixed order, and `--no-memory-reducer` keeps V8 from collecting on a wall-clock
 * timer (under valgrind a run takes seconds): without them two counts of the same code differ
 * by more than a run costs. What a count cannot see: cache misses, and GC pauses stretched by a
 * busy machine. A third argument `create` only makes the contender each time (left running,
 * empty): the bench makes each before its clock starts, so subtract that from a run.
 */
import { createBatcher } from '../src/batcher/createBatcher.ts'
import { byKey } from '../src/routing/byKey.ts'
import { leastLoaded } from '../src/routing/leastLoaded.ts'
import { roundRobin } from '../src/routing/roundRobin.ts'
import type { Router } from '../src/routing/router.ts'
import { createSupervisor } from '../src/supervisor/createSupervisor.ts'

const ITEMS = 200_000
const SIZE = 100
const CAPACITY = 10_000
const WORKERS = 4
const WARMUP = 3
const flush = async (_batch: number[]) => {}
const [contender = 'batcher', repsText = '1', only] = process.argv.slice(2)

interface Sink {
  tryAdd(item: number): boolean
  add(item: number): Promise<void>
  stop(): Promise<void>
}

async function push(target: Sink): Promise<void> {
  for (let i = 0; i < ITEMS; i++) if (!target.tryAdd(i)) await target.add(i)
  await target.stop()
}

const pool = (route: () => Router<number>) => () =>
  createSupervisor<number>({ worker: { flush, size: SIZE, capacity: CAPACITY / WORKERS }, workers: { min: WORKERS }, route: route() })
const makers: Record<string, () => Sink> = {
  batcher: () => createBatcher<number>({ flush, size: SIZE, capacity: CAPACITY }),
  supervisor: pool(() => roundRobin<number>()),
  leastLoaded: pool(() => leastLoaded<number>()),
  byKey: pool(() => byKey<number>((i) => i % 64)),
}
const make = makers[contender]
if (!make) throw new Error(`Expected the contender to be one of ${Object.keys(makers).join(', ')}, got \`${contender}\``)
for (let round = 0; round < WARMUP; round++) for (const other of Object.values(makers)) await push(other())
// `create`: only make the contender (what the bench does before its clock starts), to subtract from a full run.
for (let rep = 0; rep < Number(repsText); rep++) if (only === 'create') make()
else await push(make())
