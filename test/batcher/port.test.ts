import { describe, expect, it, vi } from 'vitest'
import { createActor } from 'xstate'
import { createBatcherLogic } from '../../src/batcher/createBatcher.ts'
import { createVirtualTime } from '../../src/virtualTime.ts'
import { recordingSink } from '../supervisor/harness.ts'

/**
 * The worker side of a batcher's port (src/batcher/batcherPort.ts), what a supervisor reads:
 * `pending` and `capacity`, `whenRoom()` (resolves once one more item fits), and `flush()` and
 * `stop()` on an actor stopped from outside.
 */
function workerPort(options: { size: number; capacity: number }) {
  const time = createVirtualTime()
  const sink = recordingSink<number>({ gated: true })
  const { logic, portOf, input } = createBatcherLogic<number>({ flush: sink.flush, maxWaitMs: 1e9, concurrency: 1, scheduler: time.scheduler, ...options })
  const actor = createActor(logic, { input }).start()
  return { time, sink, actor, port: portOf(actor)! }
}

describe('a batcher port', () => {
  it('whenRoom() resolves at once while an item fits, else once the oldest batch settled', async () => {
    const { time, sink, port } = workerPort({ size: 2, capacity: 4 })
    port.addMany([0, 1, 2])
    await expect(port.whenRoom()).resolves.toBeUndefined()
    port.tryAdd(3) // [0, 1] in flight, [2, 3] buffered: full
    expect([port.pending, port.capacity, port.tryAdd(4)]).toEqual([4, 4, false])
    let room = false
    void port.whenRoom().then(() => (room = true))
    await time.advanceBy(1)
    expect(room).toBe(false)
    sink.open() // [0, 1] settles; [2, 3] goes in flight
    await time.advanceBy(1)
    expect(room).toBe(true)
    expect(port.pending).toBe(2)
  })

  it('whenRoom() waits for one item\'s room only, however many are pending', async () => {
    const { time, sink, port } = workerPort({ size: 1, capacity: 3 })
    port.addMany([0, 1, 2]) // [0] in flight, [1], [2] buffered
    let room = false
    void port.whenRoom().then(() => (room = true))
    sink.open()
    await time.advanceBy(1)
    expect([room, port.pending]).toEqual([true, 2])
  })

  it('flush() and stop() settle on an actor stopped from outside, without sending it anything', async () => {
    const { port, actor } = workerPort({ size: 10, capacity: 10 })
    actor.stop()
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}) // XState warns of an event sent to a stopped actor
    try {
      await expect(port.flush()).resolves.toBeUndefined()
      await expect(port.stop({ timeoutMs: 5 })).resolves.toBeUndefined()
      expect(warn).not.toHaveBeenCalled()
    } finally {
      warn.mockRestore()
    }
    expect(port.state).toBe('stopped')
  })
})
