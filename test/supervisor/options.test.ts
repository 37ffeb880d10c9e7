import { describe, expect, it, vi } from 'vitest'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { processHolds } from '../support/processHolds.ts'
import { ConfigError } from '../../src/errors.ts'
import { silentLogger } from '../../src/logger.ts'
import { unrefScheduler } from '../../src/scheduler.ts'
import { createSupervisorLogic } from '../../src/supervisor/createSupervisor.ts'
import { resolveSupervisorOptions } from '../../src/supervisor/supervisorOptions.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/**
 * What createSupervisor makes of its options (src/supervisor/supervisorOptions.ts): the
 * documented defaults, what it takes from the worker's options when it has none of its own,
 * and the low marks following high ones set below them. Refusals are in test/hostile.
 */
const flush = async () => {}

describe('supervisor options', () => {
  it('fills every documented default', () => {
    const resolved = resolveSupervisorOptions<number>({ worker: { flush } })
    expect(resolved.input).toEqual({ min: 1, max: 1, initial: 1, maxRestarts: 3, withinMs: 60_000, cooldownMs: 10_000 })
    expect(resolved.scale).toEqual({ intervalMs: 1000, cooldownMs: 10_000, highWater: 0.5, lowWater: 0.1, highScore: 0.7, lowScore: 0.3 })
    expect(resolved.restart).toEqual({ backoffMs: 100, maxBackoffMs: 10_000, jitter: false })
    expect(resolved.scheduler).toBe(unrefScheduler)
    expect(resolved.logger).toBe(silentLogger)
    expect([resolved.keepAlive, resolved.onDeadLetter, resolved.weigh, resolved.workerCapacity]).toEqual([true, undefined, undefined, 1000])
    expect(typeof resolved.router.pick).toBe('function')
  })

  it('takes max and initial from min, and keeps bounds it is given', () => {
    expect(resolveSupervisorOptions<number>({ worker: { flush }, workers: { min: 3 } }).input).toMatchObject({ min: 3, max: 3, initial: 3 })
    const resolved = resolveSupervisorOptions<number>({ worker: { flush }, workers: { min: 1, max: 4, initial: 4 }, restart: { maxRestarts: 0, withinMs: 5, backoffMs: 7 }, scale: { cooldownMs: 0 } })
    expect(resolved.input).toEqual({ min: 1, max: 4, initial: 4, maxRestarts: 0, withinMs: 5, cooldownMs: 0 })
    expect(resolved.restart).toEqual({ backoffMs: 7, maxBackoffMs: 10_000, jitter: false })
  })

  it('takes the scheduler, logger, onDeadLetter, keepAlive, weigh and capacity of the worker options when it has none', () => {
    const time = createVirtualTime()
    const logged: string[] = []
    const logger = { debug() {}, info: (message: string) => void logged.push(message), warn() {}, error() {} }
    const onDeadLetter = () => {}
    const weigh = (item: number) => item
    const resolved = resolveSupervisorOptions<number>({ worker: { flush, scheduler: time.scheduler, logger, onDeadLetter, keepAlive: true, weigh, size: 10, capacity: 50 } })
    expect(resolved.scheduler).toBe(time.scheduler)
    resolved.logger.info('hello')
    expect(logged).toEqual(['hello'])
    expect([resolved.onDeadLetter, resolved.keepAlive, resolved.weigh, resolved.workerCapacity]).toEqual([onDeadLetter, true, weigh, 50])
  })

  it('does not keep the process alive on an injected scheduler unless told to', () => {
    const time = createVirtualTime()
    expect(resolveSupervisorOptions<number>({ worker: { flush, scheduler: time.scheduler } }).keepAlive).toBe(false)
    expect(resolveSupervisorOptions<number>({ worker: { flush }, scheduler: time.scheduler }).keepAlive).toBe(false)
    expect(resolveSupervisorOptions<number>({ worker: { flush }, scheduler: time.scheduler, keepAlive: true }).keepAlive).toBe(true)
  })

  it('its own scheduler, logger, onDeadLetter and keepAlive win over the worker options', () => {
    const mine = createVirtualTime().scheduler
    const logged: string[] = []
    const logger = { debug() {}, info: (message: string) => void logged.push(`mine ${message}`), warn() {}, error() {} }
    const workerLogger = { debug() {}, info: (message: string) => void logged.push(`worker ${message}`), warn() {}, error() {} }
    const onDeadLetter = () => {}
    const resolved = resolveSupervisorOptions<number>({
      worker: { flush, scheduler: createVirtualTime().scheduler, logger: workerLogger, onDeadLetter: () => {}, keepAlive: true },
      scheduler: mine, logger, onDeadLetter, keepAlive: false,
    })
    resolved.logger.info('hi')
    expect([resolved.scheduler, resolved.onDeadLetter, resolved.keepAlive, logged]).toEqual([mine, onDeadLetter, false, ['mine hi']])
  })

  it('gives its scheduler and keepAlive to workers whose options have none, never over theirs', async () => {
    const time = createVirtualTime()
    const flushed: number[] = []
    const pool = createSupervisor<number>({ worker: { flush: (batch: number[]) => void flushed.push(...batch), size: 10, maxWaitMs: 100 }, scheduler: time.scheduler })
    pool.tryAdd(1)
    await time.advanceBy(100)
    expect(flushed).toEqual([1])
    const holds = processHolds()
    const kept = createSupervisor<number>({ worker: { flush: () => {}, size: 10, maxWaitMs: 1e9 }, scheduler: time.scheduler, keepAlive: true })
    kept.tryAdd(1)
    expect(holds()).toBe(1)
    const own = createSupervisor<number>({ worker: { flush: () => {}, size: 10, maxWaitMs: 1e9, keepAlive: false }, scheduler: time.scheduler, keepAlive: true })
    own.tryAdd(1)
    expect(holds()).toBe(1)
    vi.restoreAllMocks()
  })

  it('lets a low mark left at its default follow a high mark set below it', () => {
    expect(resolveSupervisorOptions<number>({ worker: { flush }, scale: { highWater: 0.05, highScore: 0.2 } }).scale).toMatchObject({ lowWater: 0.05, lowScore: 0.2 })
    expect(resolveSupervisorOptions<number>({ worker: { flush }, scale: { lowWater: 0.5, lowScore: 0.7 } }).scale).toMatchObject({ lowWater: 0.5, lowScore: 0.7 })
  })

  it('refuses a low mark above its high mark, and workers.initial outside [min, max], saying the bound', () => {
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, scale: { lowScore: 0.8 } })).toThrow(new ConfigError('scale.lowScore', '<= scale.highScore (0.7)', 0.8))
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, scale: { lowWater: 0.6 } })).toThrow(new ConfigError('scale.lowWater', '<= scale.highWater (0.5)', 0.6))
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, workers: { min: 2, max: 3, initial: 1 } })).toThrow(new ConfigError('workers.initial', 'an integer within [2, 3] (default: min)', 1))
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, workers: { min: 2, max: 3, initial: 4 } })).toThrow(new ConfigError('workers.initial', 'an integer within [2, 3] (default: min)', 4))
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, workers: { min: 2, max: 1 } })).toThrow(new ConfigError('workers.max', 'an integer >= workers.min (2)', 1))
    expect(() => resolveSupervisorOptions<number>({ worker: [] as never })).toThrow(/^Expected `worker` to be batcher options/)
    expect(() => resolveSupervisorOptions<number>({ worker: null as never })).toThrow(/^Expected `worker` to be batcher options/)
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, route: { pick: 5 } as never })).toThrow(ConfigError)
  })

  it.each([
    [{ workers: { min: 1.5 } }, 'workers.min', 'an integer >= 1'],
    [{ workers: { max: 0 } }, 'workers.max', 'an integer >= 1'],
    [{ workers: { min: 1, max: 2.5 } }, 'workers.max', 'an integer >= 1'],
    [{ workers: { min: 1, max: 3, initial: 1.5 } }, 'workers.initial', 'an integer >= 1'],
    [{ workers: { min: 1, max: 3, initial: 0 } }, 'workers.initial', 'an integer >= 1'],
    [{ restart: { maxRestarts: 1.5 } }, 'restart.maxRestarts', 'an integer >= 0'],
    [{ restart: { withinMs: 0 } }, 'restart.withinMs', 'a number >= 1'],
    [{ scale: { intervalMs: 0 } }, 'scale.intervalMs', 'a number >= 1'],
    [{ scale: { cooldownMs: -1 } }, 'scale.cooldownMs', 'a number >= 0'],
    [{ scale: { highScore: 1.5 } }, 'scale.highScore', 'a number in 0..1'],
    [{ scale: { lowWater: -0.1 } }, 'scale.lowWater', 'a number in 0..1'],
    [{ scale: { lowScore: -0.1 } }, 'scale.lowScore', 'a number in 0..1'],
    [{ worker: 5 }, 'worker', 'batcher options ({ flush, … }) or a worker logic (createSupervisorLogic(…))'],
    [{ route: {} }, 'route', 'a Router: roundRobin(), leastLoaded() or byKey(fn)'],
    [{ route: 5 }, 'route', 'a Router: roundRobin(), leastLoaded() or byKey(fn)'],
    [{ keepAlive: 'yes' }, 'keepAlive', 'a boolean'],
    // Half a worker logic is batcher options with an unknown key, not a logic.
    [{ worker: { flush, portOf: () => undefined } }, 'worker.portOf', 'a known option'],
    [{ worker: { flush, logic: {}, portOf: 5 } }, 'worker.logic', 'a known option'],
    [{ route: { name: 'custom', run: 0, pick: () => 0 } }, 'route.run', "a positive integer or 'batch'"],
  ] as const)('refuses %j: `%s` must be %s', (patch, field, rule) => {
    try {
      resolveSupervisorOptions<number>({ worker: { flush }, ...patch } as never)
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect([(error as ConfigError).field, (error as ConfigError).rule]).toEqual([field, expect.stringContaining(rule)])
      return
    }
    throw new Error('no ConfigError')
  })

  it('names its own options when one is unknown', () => {
    expect(() => resolveSupervisorOptions<number>({ worker: { flush }, wrokers: {} } as never)).toThrow(/a known option of createSupervisor \(worker, workers, route, restart, scale, onDeadLetter, scheduler, inspect, logger, keepAlive\)/)
  })

  it('takes another supervisor as its worker: no capacity of its own, no weigh', () => {
    const child = createSupervisorLogic<number>({ worker: { flush, weigh: (n: number) => n } })
    const resolved = resolveSupervisorOptions<number>({ worker: child })
    expect([resolved.workerCapacity, resolved.weigh]).toEqual([Infinity, undefined])
    expect(resolved.workerLogicFor(() => false)).toBe(child)
  })
})
