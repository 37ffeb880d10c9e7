/**
 * The supervisor attacked as a hostile user would: the batcher's hostile world (see
 * batcher.hostile.test.ts) behind a pool of 1–3 workers with every router (roundRobin in runs and item by item), autoscaling on, and
 * workers crashing at any step — during a scale-up handoff, during a restart backoff (with
 * producers' abort signals racing it), during draining, and past the restart budget
 * (escalation). The same oracle: nothing accepted lost, nothing written twice without an
 * aborted attempt, every promise settled with its item's outcome. Virtual time and the real
 * default scheduler.
 */
import fc from 'fast-check'
import { byKey, createSupervisor, leastLoaded, roundRobin } from '../../src/index.ts'
import { crash } from '../supervisor/harness.ts'
import { describeOnBothClocks, runHostileScenario } from './hostileOracle.ts'
import { command, hostileBatcherOptions, hostileCommands, hostileOptions, sinkPlan, type Command, type HostileOptions, type Target, type World } from './hostileWorld.ts'

interface PoolOptions {
  min: number
  extra: number
  route: 'roundRobin' | 'roundRobinPerItem' | 'leastLoaded' | 'byKey'
  maxRestarts: number
  restartBackoffMs: number
}

const poolOptions: fc.Arbitrary<PoolOptions> = fc.record({
  min: fc.integer({ min: 1, max: 2 }),
  extra: fc.integer({ min: 0, max: 1 }),
  route: fc.constantFrom('roundRobin' as const, 'roundRobinPerItem' as const, 'leastLoaded' as const, 'byKey' as const),
  maxRestarts: fc.integer({ min: 0, max: 3 }),
  restartBackoffMs: fc.constantFrom(0, 30, 5000),
})

const crashes = fc.integer({ min: 0, max: 3 }).map((slot) =>
  command(`crash(worker-${slot})`, async (world) => {
    crash(world.batcher.actor.system.get(`worker-${slot}`))
    await world.clock.settle()
  }),
)

/** Time steps stay at most a minute: the scale timer ticks every 20 ms while the pool is busy. */
const supervisorCommands: fc.Arbitrary<Command>[] = [...hostileCommands([1, 10, 40, 150, 400, 60_000]), crashes, crashes]

function createPool(world: World, pool: PoolOptions, options: HostileOptions): Target {
  const route = pool.route === 'byKey' ? byKey((item: number) => item % 3) : pool.route === 'leastLoaded' ? leastLoaded<number>() : roundRobin<number>(pool.route === 'roundRobinPerItem' ? { run: 1 } : {})
  return createSupervisor<number>({
    worker: hostileBatcherOptions(world, options),
    workers: { min: pool.min, max: pool.min + pool.extra },
    route,
    restart: { maxRestarts: pool.maxRestarts, withinMs: 1000, backoffMs: pool.restartBackoffMs },
    scale: { intervalMs: 20, cooldownMs: 0, highWater: 0.2, lowWater: 0.05 },
  }) as never
}

describeOnBothClocks('the supervisor attacked by hostile users', 3030, (makeClock) =>
  fc.asyncProperty(poolOptions, hostileOptions, fc.array(sinkPlan, { minLength: 1, maxLength: 12 }), fc.commands(supervisorCommands, { maxCommands: 50, size: 'large' }), (pool, options, plans, cmds) =>
    runHostileScenario(makeClock, plans, cmds, (world) => createPool(world, pool, options), ['stopped', 'failed']),
  ) as never,
)
