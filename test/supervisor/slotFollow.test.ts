import { describe, expect, it } from 'vitest'
import { BatcherStoppedError } from '../../src/errors.ts'
import { createSupervisor } from '../../src/supervisor/createSupervisor.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { balance, crash, recordingSink } from './harness.ts'

/**
 * A slot outlives its worker (src/supervisor/slot.ts): `flush()` and `stop()` follow it to the
 * replacement when the worker crashes under them, the held items reach the replacement in
 * order without a drop, and an `add`/`submit` waiting for room in the crashed worker (never
 * accepted) is routed again.
 */
function pool(options: { size?: number; capacity?: number } = {}) {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const letters: number[] = []
  const supervisor = createSupervisor<number>({
    worker: {
      flush: sink.flush, size: options.size ?? 10, capacity: options.capacity ?? 100, maxWaitMs: 1e9, scheduler: time.scheduler,
      onDeadLetter: (items) => void letters.push(...items),
    },
    restart: { maxRestarts: 3, withinMs: 10_000, backoffMs: 50 },
  })
  /** Opens the gated sink `times` times, a virtual millisecond apart. */
  const drive = async (times: number) => {
    for (let i = 0; i < times; i++) {
      sink.open()
      await time.advanceBy(1)
    }
  }
  return { time, sink, letters, supervisor, drive, crash: () => crash(supervisor.actor.system.get('worker-0')) }
}

describe('a slot across its worker crash', () => {
  it('flush() resolves once the replacement flushed what the crashed worker held', async () => {
    const { supervisor, time, sink, drive, crash } = pool()
    supervisor.addMany([1, 2, 3])
    let flushed = false
    const flushing = supervisor.flush().then(() => (flushed = true))
    await time.advanceBy(1)
    crash() // the batch in flight is aborted and handed over
    await time.advanceBy(10)
    expect(flushed).toBe(false)
    await time.advanceBy(50) // the replacement starts with the leftovers
    expect(flushed).toBe(false)
    await drive(3)
    await flushing
    expect(flushed).toBe(true)
    expect(sink.flushed).toEqual([1, 2, 3])
  })

  it('stop() drains the replacement when the worker crashes while draining', async () => {
    const { supervisor, time, sink, letters, drive, crash } = pool()
    supervisor.addMany([1, 2, 3])
    let stopped = false
    const stopping = supervisor.stop().then(() => (stopped = true))
    await time.advanceBy(1)
    crash()
    await time.advanceBy(60)
    expect(stopped).toBe(false)
    await drive(3)
    await stopping
    expect(stopped).toBe(true)
    expect([sink.flushed, letters]).toEqual([[1, 2, 3], []])
    expect(supervisor.metrics()).toMatchObject({ itemsFlushed: 3, restarts: 1, state: 'stopped' })
  })

  it('feeds the replacement the leftovers before what arrived during the restart, then opens the slot', async () => {
    const { supervisor, time, sink, drive, crash } = pool({ size: 5, capacity: 10 })
    expect(supervisor.addMany([0, 1, 2, 3, 4])).toBe(5) // one batch in flight
    crash()
    expect(supervisor.metrics().itemsHeld).toBe(5)
    for (const item of [5, 6, 7, 8, 9]) expect(supervisor.tryAdd(item)).toBe(true) // held behind the leftovers
    expect(supervisor.tryAdd(10)).toBe(false) // the slot holds one worker's capacity
    await time.advanceBy(50)
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 0, itemsInFlight: 5, itemsBuffered: 5 })
    expect(supervisor.tryAdd(11)).toBe(false) // the replacement is full
    await drive(4)
    await supervisor.flush()
    expect(sink.batches).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]])
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 0, itemsFlushed: 10, itemsDropped: 2 })
    expect(balance(supervisor.metrics())).toBe(0)
    expect(supervisor.tryAdd(12)).toBe(true) // the slot is open again: straight to the worker
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 0, itemsBuffered: 1 })
  })

  it('hands over a crashed worker\'s batches in flight before its buffer', async () => {
    const { supervisor, time, sink, drive, crash } = pool({ size: 3, capacity: 9 })
    supervisor.addMany([0, 1, 2, 3, 4, 5, 6, 7]) // 0..2 in flight; 3..7 buffered
    crash()
    expect(supervisor.metrics().itemsHeld).toBe(8)
    await time.advanceBy(50)
    const flushing = supervisor.flush()
    await drive(4)
    await flushing
    expect(sink.batches).toEqual([[0, 1, 2], [3, 4, 5], [6, 7]])
    expect(supervisor.metrics()).toMatchObject({ itemsFlushed: 8, itemsDropped: 0, restarts: 1 })
  })

  it('routes an add and a submit again that waited for room in the worker that crashed', async () => {
    const { supervisor, time, sink, drive, crash } = pool({ size: 5, capacity: 5 })
    supervisor.addMany([0, 1, 2, 3, 4]) // in flight: the worker is full
    const settled: string[] = []
    const adding = supervisor.add(5).then(() => settled.push('add'))
    const submitting = supervisor.submit(6).then(() => settled.push('submit'))
    await time.advanceBy(1)
    expect(settled).toEqual([])
    crash() // the worker refuses its waiting producers: never accepted, so the supervisor places them again
    await time.advanceBy(1)
    expect(settled).toEqual([]) // the leftovers fill the slot: they wait for the replacement
    expect(supervisor.metrics()).toMatchObject({ itemsHeld: 5, itemsAdded: 5 })
    await time.advanceBy(50)
    await drive(1) // the replacement flushed the leftovers: room for 5 and 6
    await adding
    const flushing = supervisor.flush()
    await drive(2)
    await Promise.all([flushing, submitting])
    expect(settled).toEqual(['add', 'submit'])
    expect(sink.batches).toEqual([[0, 1, 2, 3, 4], [5, 6]])
  })

  it('rejects an add waiting for room in a worker when the supervisor stops meanwhile', async () => {
    const { supervisor, time, drive } = pool({ size: 5, capacity: 5 })
    supervisor.addMany([0, 1, 2, 3, 4])
    const adding = supervisor.add(5).then(() => 'accepted', (error: unknown) => error)
    await time.advanceBy(1)
    const stopping = supervisor.stop()
    await time.advanceBy(1)
    expect(await adding).toBeInstanceOf(BatcherStoppedError)
    await drive(2)
    await stopping
    expect(supervisor.metrics()).toMatchObject({ itemsAdded: 5, itemsFlushed: 5 })
  })
})
