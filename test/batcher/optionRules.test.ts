import { describe, expect, it } from 'vitest'
import { resolveOptions, type BatcherOptions } from '../../src/batcher/batcherOptions.ts'
import { ConfigError } from '../../src/errors.ts'
import { silentLogger } from '../../src/logger.ts'
import { unrefScheduler } from '../../src/scheduler.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'

/**
 * What createBatcher makes of its options (src/batcher/batcherOptions.ts): every default, the
 * capacity that keeps every flush slot fed, a sink's hard ceiling over the size range, and the
 * exact rule each refusal states (test/hostile covers that every bad option is refused).
 */
const flush = async () => {}
const controller = { name: 'c', intervalMs: 100, initialState: () => null, decide: ({ target }: { target: object }) => ({ ...target, state: null }) }

function refusal(patch: Record<string, unknown>): ConfigError {
  try {
    resolveOptions({ flush, ...patch } as BatcherOptions<number>)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('no ConfigError')
}

describe('batcher options', () => {
  it('fills every documented default', () => {
    const resolved = resolveOptions<number>({ flush })
    expect(resolved).toMatchObject({
      size: { initial: 100, min: 100, max: 100 }, concurrency: { initial: 1, min: 1, max: 1 }, maxWaitMs: 1000, capacity: 1000, flushTimeoutMs: 30_000,
      retry: { attempts: 3, backoffMs: 100, maxBackoffMs: 10_000, jitter: true }, maxBatchWeight: Infinity, keepAlive: true, inspect: false,
    })
    expect([resolved.scheduler, resolved.logger, resolved.random, resolved.controller.name]).toEqual([unrefScheduler, silentLogger, Math.random, 'fixed'])
  })

  it('adapts with autoTune when a size or concurrency range is given, and keeps the process alive only on real time', () => {
    expect(resolveOptions<number>({ flush, size: { min: 1, max: 5 } }).controller.name).toBe('autoTune')
    expect(resolveOptions<number>({ flush, concurrency: { min: 1, max: 2 } }).controller.name).toBe('autoTune')
    expect(resolveOptions<number>({ flush, scheduler: createVirtualTime().scheduler }).keepAlive).toBe(false)
    expect(resolveOptions<number>({ flush, inspect: () => {} }).inspect).toBe(true)
  })

  it('defaults capacity to room for every flush slot to hold a full batch twice', () => {
    expect(resolveOptions<number>({ flush, size: 10, concurrency: 8 }).capacity).toBe(160)
    expect(resolveOptions<number>({ flush, size: 10, concurrency: 4 }).capacity).toBe(100)
    expect(resolveOptions<number>({ flush, size: 10, capacity: 10 }).capacity).toBe(10)
  })

  it('clamps the size range under maxBatchSize', () => {
    expect(resolveOptions<number>({ flush, size: { min: 10, max: 500, initial: 300 }, maxBatchSize: 200 }).size).toEqual({ min: 10, max: 200, initial: 200 })
    expect(resolveOptions<number>({ flush, size: { min: 300, max: 500 }, maxBatchSize: 200 }).size).toEqual({ min: 200, max: 200, initial: 200 })
    expect(resolveOptions<number>({ flush, size: { min: 10, max: 50, initial: 20 }, maxBatchSize: 50 }).size).toEqual({ min: 10, max: 50, initial: 20 })
  })

  it('takes a range initial from min', () => {
    expect(resolveOptions<number>({ flush, size: { min: 3, max: 9 } }).size).toEqual({ min: 3, max: 9, initial: 3 })
    expect(resolveOptions<number>({ flush, size: { min: 3, max: 3 } }).size).toEqual({ min: 3, max: 3, initial: 3 })
  })

  it.each([
    [{ size: 0 }, 'size', 'an integer >= 1, or a range { min, max, initial? }'],
    [{ size: 'x' }, 'size', 'an integer >= 1, or a range { min, max, initial? }'],
    [{ size: { max: 5 } }, 'size.min', 'an integer >= 1 (a range needs both min and max)'],
    [{ size: { min: 5 } }, 'size.max', 'an integer >= 1 (a range needs both min and max)'],
    [{ size: { min: 5, max: 4 } }, 'size.min', '<= size.max (4)'],
    [{ size: { min: 2, max: 4, initial: 5 } }, 'size.initial', 'within [2, 4] (default: min)'],
    [{ size: { min: 2, max: 4, initial: 1 } }, 'size.initial', 'within [2, 4] (default: min)'],
    [{ size: 10, capacity: 9 }, 'capacity', 'an integer >= the largest batch size (10), or no batch could ever fill'],
    [{ feedback$: {} }, 'feedback$', 'an RxJS Observable<LoadFeedback>'],
    [{ feedback$: null }, 'feedback$', 'an RxJS Observable<LoadFeedback>'],
    [{ name: '' }, 'name', 'a non-empty string'],
    [{ name: 5 }, 'name', 'a non-empty string'],
    [{ maxBatchWeight: 5 }, 'weigh', 'a function (item) => number when maxBatchWeight is set'],
    [{ controller: { ...controller, decide: undefined } }, 'controller', 'a Controller ({ name, intervalMs, initialState(), decide(), score?() }), e.g. autoTune()'],
    [{ controller: { ...controller, initialState: undefined } }, 'controller', 'a Controller ({ name, intervalMs, initialState(), decide(), score?() }), e.g. autoTune()'],
    [{ controller: 5 }, 'controller', 'a Controller ({ name, intervalMs, initialState(), decide(), score?() }), e.g. autoTune()'],
    [{ controller: { ...controller, score: 1 } }, 'controller.score', 'a function (feedback) => number in 0..1, or absent'],
    [{ controller: { ...controller, intervalMs: undefined } }, 'controller.intervalMs', 'a number >= 1 (ms), or Infinity'],
    [{ inspect: {} }, 'inspect', 'an XState inspection observer: (event) => void or { next(event) }'],
    [{ inspect: null }, 'inspect', 'an XState inspection observer: (event) => void or { next(event) }'],
    [{ logger: null }, 'logger', 'a logger { debug, info, warn, error } (console and pino fit)'],
    [{ logger: { debug() {}, info() {}, warn() {} } }, 'logger.error', 'a function (console and pino fit)'],
  ] as const)('refuses %j: `%s` must be %s', (patch, field, rule) => {
    const error = refusal(patch)
    expect([error.field, error.rule]).toEqual([field, rule])
  })

  it('accepts an inspection observer object and a named batcher', () => {
    expect(resolveOptions<number>({ flush, inspect: { next: () => {} }, name: 'orders' }).inspect).toBe(true)
  })
})
