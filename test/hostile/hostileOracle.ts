/**
 * The oracle of the hostile models: stops the target as a user would and checks every promise
 * of the run (nothing accepted lost, nothing written twice without an aborted attempt, nothing
 * phantom, every promise settled with its item's outcome, the metrics agreeing); and the runner
 * that puts one property on each clock.
 */
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { AbortError, BatcherStoppedError, InvalidWeightError } from '../../src/index.ts'
import { fakeRealClock, virtualClock, type TestClock } from './clocks.ts'
import { newWorld, settled, type Command, type SinkPlan, type Target, type World } from './hostileWorld.ts'

/**
 * Stops the target the way a user would (a sink that hangs for ever with no flush timeout is
 * ended by stopping the actor from outside), then checks every promise of the run.
 * `finalStates` are the states the target may end in.
 */
async function drainAndCheck(world: World, finalStates: readonly string[]): Promise<void> {
  const { clock } = world
  const stopped = settled(world.batcher.stop())
  for (let round = 0; round < 20 && !finalStates.includes(world.batcher.state); round++) await clock.advanceBy(round < 10 ? 500 : 2 ** 32)
  if (!finalStates.includes(world.batcher.state)) {
    world.batcher.actor.stop()
    await clock.settle()
  }
  await stopped
  for (let round = 0; round < 5; round++) await clock.advanceBy(100) // late answers and aborts scheduled after the stop
  const outcome = await Promise.race([Promise.all(world.promises).then(() => 'all settled'), new Promise((resolve) => setImmediate(() => resolve('unsettled')))])
  expect(outcome, 'every promise settles').toBe('all settled')
  expect(world.failures).toEqual([])
  for (const { batch, info } of world.signals) if (info.signal.aborted) for (const item of batch) world.exposed.add(item)

  expect([...world.deadLettered].filter(([, n]) => n > 1), 'dead-lettered at most once').toEqual([])
  const settledAccepted = new Set([...world.written.keys(), ...world.deadLettered.keys()])
  for (const item of world.accepted) expect(settledAccepted.has(item), `accepted item ${item} is lost`).toBe(true)
  for (const item of settledAccepted) expect(item).toBeLessThan(world.next) // nothing phantom
  for (const [item, n] of world.written) if (n > 1) expect(world.exposed.has(item), `item ${item} written ${n} times without a timeout`).toBe(true)
  for (const [item, outcome] of world.submits) {
    const result = await outcome
    if (result === 'flushed') {
      expect(world.written.has(item), `submit ${item} resolved but it was not written`).toBe(true)
      expect(world.deadLettered.has(item), `submit ${item} resolved but it was dead-lettered`).toBe(false)
    } else if (world.deadLettered.has(item)) {
      expect(result, `submit ${item}: accepted, it carries its dead-letter error`).not.toBeInstanceOf(BatcherStoppedError)
    } else {
      // Never accepted: refused for a reason a producer can act on, and never written.
      expect(result instanceof BatcherStoppedError || result instanceof AbortError || result instanceof InvalidWeightError, `submit ${item}: ${String(result)}`).toBe(true)
      expect(world.written.has(item), `submit ${item} refused (${String(result)}) but written`).toBe(false)
    }
  }
  for (const [item, outcome] of world.adds) {
    const result = await outcome
    if (result !== 'accepted') expect(settledAccepted.has(item), `add ${item} rejected (${String(result)}) but its item was taken`).toBe(false)
  }
  const m = world.batcher.metrics()
  expect(m).toMatchObject({ itemsAdded: settledAccepted.size, itemsFailed: world.deadLettered.size, itemsFlushed: settledAccepted.size - world.deadLettered.size, itemsBuffered: 0, itemsInFlight: 0 })
  expect(finalStates).toContain(m.state)
}

/** Runs `cmds` against the target `build` makes in a fresh world on a fresh clock, then drains it and checks every promise. */
export async function runHostileScenario(makeClock: () => TestClock, plans: SinkPlan[], cmds: Iterable<Command>, build: (world: World) => Target, finalStates: readonly string[]): Promise<void> {
  const clock = makeClock()
  try {
    const world = newWorld(clock, plans)
    world.batcher = build(world)
    await fc.asyncModelRun(() => ({ model: {}, real: world }), cmds)
    await drainAndCheck(world, finalStates)
  } finally {
    clock.dispose()
  }
}

/**
 * One property per clock, as `title`: on virtual time (PROPERTY_RUNS runs, default 200) and on
 * the real default scheduler (half as many), seeded from `seed` (PROPERTY_SEED overrides).
 */
export function describeOnBothClocks(title: string, seed: number, property: (makeClock: () => TestClock) => fc.IAsyncProperty<never>): void {
  describe(title, () => {
    afterEach(() => fakeRealClock().dispose()) // a failed run must not leave fake timers behind
    const numRuns = Number(process.env.PROPERTY_RUNS ?? 200)
    const clocks = [['virtual time', virtualClock, numRuns, seed], ['the real default scheduler', fakeRealClock, Math.ceil(numRuns / 2), seed + 1]] as const
    for (const [name, makeClock, runs, clockSeed] of clocks) {
      it(`keeps every promise on ${name}`, async () => {
        await fc.assert(property(makeClock), { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? clockSeed) })
      })
    }
  })
}
