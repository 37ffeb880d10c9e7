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
import { contenders, push, WARMUP } from './supervisorWorkload.ts'

const [contender = 'batcher', repsText = '1', only] = process.argv.slice(2)
const make = contenders.find((c) => c.key === contender)?.make
if (!make) throw new Error(`Expected the contender to be one of ${contenders.map((c) => c.key).join(', ')}, got \`${contender}\``)
for (let round = 0; round < WARMUP; round++) for (const other of contenders) await push(other.make())
// `create`: only make the contender (what the bench does before its clock starts), to subtract from a full run.
for (let rep = 0; rep < Number(repsText); rep++) if (only === 'create') make()
else await push(make())
