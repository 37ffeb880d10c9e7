import { describe, expect, it } from 'vitest'
import { createBatcher, ConfigError } from '../../src/index.ts'
import type { BatcherOptions } from '../../src/batcher/batcherOptions.ts'

const flush = async () => {}

function configErrorOf(options: unknown): ConfigError {
  try {
    createBatcher(options as BatcherOptions<number>)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('options', () => {
  it.each([
    [{}, 'flush'],
    [{ flush: 'no' }, 'flush'],
    [{ flush, size: 0 }, 'size'],
    [{ flush, size: 2.5 }, 'size'],
    [{ flush, size: { initial: 5, min: 10, max: 100 } }, 'size.initial'],
    [{ flush, size: { initial: 50, min: 100, max: 10 } }, 'size.min'],
    [{ flush, size: { initial: 50, min: 0, max: 100 } }, 'size.min'],
    [{ flush, maxWaitMs: 0 }, 'maxWaitMs'],
    [{ flush, maxWaitMs: Number.NaN }, 'maxWaitMs'],
    [{ flush, capacity: 0 }, 'capacity'],
    [{ flush, size: 100, capacity: 50 }, 'capacity'],
    [{ flush, concurrency: 0 }, 'concurrency'],
    [{ flush, flushTimeoutMs: 0 }, 'flushTimeoutMs'],
    [{ flush, retry: { attempts: 0 } }, 'retry.attempts'],
    [{ flush, retry: { backoffMs: -1 } }, 'retry.backoffMs'],
    [{ flush, retry: { backoffMs: 100, maxBackoffMs: 10 } }, 'retry.maxBackoffMs'],
    [{ flush, retry: { jitter: 'yes' } }, 'retry.jitter'],
    [{ flush, controller: {} }, 'controller'],
    [{ flush, feedback$: 5 }, 'feedback$'],
    [{ flush, onDeadLetter: 5 }, 'onDeadLetter'],
    [{ flush, scheduler: {} }, 'scheduler'],
    [{ flush, logger: { info() {} } }, 'logger.debug'],
    [{ flush, maxBatchWeight: 0, weigh: () => 1 }, 'maxBatchWeight'],
    [{ flush, maxBatchWeight: 10 }, 'weigh'],
    [{ flush, maxwait: 10 }, 'maxwait'],
  ])('rejects %j naming `%s`', (options, field) => {
    const error = configErrorOf(options)
    expect(error.field).toBe(field)
    expect(error.message).toMatch(new RegExp(`^Expected \`${field.replace('$', '\\$')}\` to be .+, got \``))
  })

  it('says what was given and the rule in one sentence', () => {
    expect(configErrorOf({ flush, capacity: 0 }).message).toBe('Expected `capacity` to be an integer >= 1, got `0`')
  })

  it('defaults capacity to 10 × the largest batch size', () => {
    const batcher = createBatcher({ flush, size: { initial: 10, min: 5, max: 40 } })
    for (let i = 0; i < 400; i++) expect(batcher.tryAdd(i)).toBe(true)
    expect(batcher.tryAdd(400)).toBe(false)
    void batcher.stop()
  })

  it('starts with the documented defaults', () => {
    const batcher = createBatcher({ flush })
    const m = batcher.metrics()
    expect([m.batchSize, m.concurrency, m.state]).toEqual([100, 1, 'collecting'])
    void batcher.stop()
  })
})
