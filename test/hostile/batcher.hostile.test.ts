/**
 * The batcher attacked as a hostile user would (issue 10, "tests that would have caught
 * these"): fast-check command sequences against a batcher with hostile options (huge and
 * infinite timeouts, NaN weights, throwing logger, onDeadLetter and controller score), a sink
 * whose every call draws its outcome (sync throw, reject, hang honouring or ignoring the
 * signal, a late answer after the timeout, partial failures with duplicate, out-of-range,
 * fractional or no indexes, garbage feedback, re-entrant calls from inside the flush), producers
 * whose abort signals race admission, and stop({ timeoutMs }) at any moment.
 *
 * Checked: the metrics invariant after every step and inside flush, onDeadLetter and the
 * logger; at the end, nothing accepted is lost (written, or dead-lettered exactly once), an
 * item is written twice only if an attempt carrying it was aborted (at-least-once after a
 * timeout), nothing never accepted is written, every promise settles, and each with the outcome
 * its item had. Run on virtual time and on the real default scheduler.
 */
import fc from 'fast-check'
import { createBatcher } from '../../src/index.ts'
import { describeOnBothClocks, runHostileScenario } from './hostileOracle.ts'
import { hostileBatcherOptions, hostileCommands, hostileOptions, sinkPlan } from './hostileWorld.ts'

describeOnBothClocks('the batcher attacked by hostile users', 1010, (makeClock) =>
  fc.asyncProperty(hostileOptions, fc.array(sinkPlan, { minLength: 1, maxLength: 12 }), fc.commands(hostileCommands([1, 10, 40, 150, 400, 2 ** 31]), { maxCommands: 50, size: 'large' }), (options, plans, cmds) =>
    runHostileScenario(makeClock, plans, cmds, (world) => createBatcher<number>(hostileBatcherOptions(world, options)), ['stopped']),
  ) as never,
)
