import { describe, expect, it } from 'vitest'
import { SupervisorEscalatedError } from '../../src/errors.ts'
import type { Logger } from '../../src/logger.ts'
import { roundRobin } from '../../src/routing/roundRobin.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { crash, recordingSink } from './harness.ts'

/** What a supervisor tells its logger: each scaling step, each crash with its error, the escalation with its cause. */
function recordingLogger() {
  const lines: [keyof Logger, string, unknown?][] = []
  const at = (level: keyof Logger) => (message: string, detail?: unknown) => void lines.push(detail === undefined ? [level, message] : [level, message, detail])
  return { lines, logger: { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') } satisfies Logger }
}

describe('supervisor logging', () => {
  it('reports each scaling step with the worker count it reached', { timeout: 5000 }, async () => {
    const time = createVirtualTime()
    const sink = recordingSink<number>({ gated: true })
    const { lines, logger } = recordingLogger()
    const pool = createSupervisor<number>({
      worker: { flush: sink.flush, size: 5, maxWaitMs: 100, scheduler: time.scheduler },
      workers: { min: 1, max: 2 }, route: roundRobin(), logger,
      scale: { intervalMs: 100, cooldownMs: 0, highWater: 0.3 },
    })
    for (let i = 0; i < 40; i++) pool.tryAdd(i)
    await time.advanceBy(100)
    expect(pool.metrics().workerCount).toBe(2)
    for (let i = 0; i < 30 && pool.metrics().workerCount > 1; i++) {
      sink.open()
      await time.advanceBy(100)
    }
    expect(pool.metrics().workerCount).toBe(1)
    sink.open()
    const stopped = pool.stop()
    for (let i = 0; i < 10 && pool.state !== 'stopped'; i++) {
      sink.open()
      await time.advanceBy(100)
    }
    await stopped
    expect(lines.filter(([level]) => level === 'info')).toEqual([
      ['info', 'loadbatch: supervisor scaled up to 2 workers'],
      ['info', 'loadbatch: supervisor scaled down to 1 workers'],
    ])
  })

  it('warns of each crash with its error, and reports the escalation and the held items it dead-letters', async () => {
    const time = createVirtualTime()
    const { lines, logger } = recordingLogger()
    const pool = createSupervisor<number>({
      worker: { flush: () => {}, size: 10, maxWaitMs: 1e9, scheduler: time.scheduler },
      restart: { maxRestarts: 1, withinMs: 10_000, backoffMs: 50 }, logger,
    })
    const first = new Error('first')
    const second = new Error('second')
    pool.addMany([1, 2])
    crash(pool.actor.system.get('worker-0'), first)
    pool.tryAdd(3) // held for the replacement
    await time.advanceBy(50)
    pool.tryAdd(4)
    crash(pool.actor.system.get('worker-0'), second)
    pool.tryAdd(5)
    await expect(pool.stop()).rejects.toBeInstanceOf(SupervisorEscalatedError)
    await time.settle()
    const warnings = lines.filter(([level]) => level === 'warn')
    expect(warnings).toEqual([['warn', 'loadbatch: supervisor worker worker-0 crashed', first], ['warn', 'loadbatch: supervisor worker worker-0 crashed', second]])
    const errors = lines.filter(([level]) => level === 'error')
    expect(errors[0]).toEqual(['error', 'loadbatch: supervisor escalated', expect.any(SupervisorEscalatedError)])
    expect((errors[0]![2] as SupervisorEscalatedError).cause).toBe(second)
    expect(errors.slice(1).map(([, message]) => message)).toContain('loadbatch: 4 held item(s) dead-lettered and no onDeadLetter is set')
  })
})
