import { describe, expect, it } from 'vitest'
import { ConfigError, createBatcher } from '../../src/index.ts'
import { consumeRabbitQueue } from '../../src/rabbitmq/index.ts'
import { consumeRedisStream } from '../../src/redis/index.ts'

// Options are checked before any I/O: these clients are never called.
const redis = { sendCommand: async () => null, duplicate: () => { throw new Error('not reached') } }
const channel = { prefetch: async () => ({}), consume: async () => ({ consumerTag: 't' }), cancel: async () => ({}), ack() {}, nack() {} } as never
const batcher = createBatcher<unknown>({ flush: () => {}, size: 100, capacity: 500 })
const redisBase = { redis, stream: 's', group: 'g', consumer: 'c', into: batcher }

function configError(make: () => unknown): ConfigError {
  try {
    make()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('consumeRedisStream options', () => {
  it('refuses a claimIdleMs not above the port’s maxWaitMs + flushTimeoutMs, and says why', () => {
    const error = configError(() => consumeRedisStream({ ...redisBase, claimIdleMs: 31_000 }))
    expect(error.field).toBe('claimIdleMs')
    expect(error.message).toContain('> intoLimits.maxWaitMs + intoLimits.flushTimeoutMs (31000 ms)')
    expect(configError(() => consumeRedisStream({ ...redisBase, claimIdleMs: 3000, intoLimits: { maxWaitMs: 1000, flushTimeoutMs: 2000 } })).field).toBe('claimIdleMs')
  })

  it.each([
    ['redis', { redis: {} }],
    ['stream', { stream: '' }],
    ['group', { group: 42 }],
    ['consumer', { consumer: undefined }],
    ['into', { into: { submit() {} } }],
    ['capacity', { capacity: 0 }],
    ['capacity', { capacity: 2.5 }],
    ['maxDeliveries', { maxDeliveries: 0 }],
    ['maxDeliveries', { maxDeliveries: '3' }],
    ['deadLetterStream', { deadLetterStream: 's' }],
    ['blockMs', { blockMs: 2 ** 31 }],
    ['claimIntervalMs', { claimIntervalMs: -1 }],
    ['feedbackIntervalMs', { feedbackIntervalMs: Number.NaN }],
    ['decode', { decode: 'json' }],
    ['feedback', { feedback: {} }],
    ['intoLimits.maxWaitMs', { intoLimits: { maxWaitMs: 0 } }],
    ['maxWait', { intoLimits: { maxWait: 10 } }],
    ['logger.warn', { logger: { debug() {}, info() {}, error() {} } }],
    ['claimIdle', { claimIdle: 5000 }],
  ])('names `%s` when it is wrong', (field, patch) => {
    const error = configError(() => consumeRedisStream({ ...redisBase, ...(patch as object) } as never))
    expect(error.field).toBe(field)
  })

  it('accepts Infinity for claimIdleMs (never take over) and maxDeliveries (never dead-letter)', async () => {
    const consumer = consumeRedisStream({ ...redisBase, redis: { ...redis, duplicate: () => ({ on() {}, connect: () => new Promise(() => {}), sendCommand: async () => null }) }, claimIdleMs: Infinity, maxDeliveries: Infinity })
    expect(consumer.metrics().state).toBe('starting')
    await consumer.stop({ timeoutMs: 0 })
    expect(consumer.metrics().state).toBe('stopped')
  })
})

describe('consumeRabbitQueue options', () => {
  it('refuses a prefetch above the port’s capacity: every unacknowledged delivery waits in the port', () => {
    const error = configError(() => consumeRabbitQueue({ channel, queue: 'q', into: batcher, capacity: 500, prefetch: 501 }))
    expect(error.field).toBe('prefetch')
    expect(error.message).toContain('1..500')
  })

  it.each([
    ['channel', { channel: {} }],
    ['queue', { queue: '' }],
    ['into', { into: null }],
    ['prefetch', { prefetch: 0 }],
    ['decode', { decode: 1 }],
    ['noAck', { noAck: true }],
  ])('names `%s` when it is wrong', (field, patch) => {
    expect(configError(() => consumeRabbitQueue({ channel, queue: 'q', into: batcher, capacity: 500, ...(patch as object) } as never)).field).toBe(field)
  })
})
