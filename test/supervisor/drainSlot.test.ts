import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import type { WorkerPort } from '../../src/port.ts'
import { drainSlot, flushSlot, newSlot, openSlot } from '../../src/supervisor/slot.ts'

/**
 * Flushing and draining a slot (src/supervisor/slot.ts `flushSlot`, `drainSlot`) with a
 * scripted worker: STOP goes to a live worker only, with `timeoutMs` when one is given; both
 * follow the slot to a replacement that took over meanwhile, and give up once the supervisor did.
 */
function scripted() {
  const sent: unknown[] = []
  let status = 'active'
  let stop!: () => void
  let flushed!: () => void
  const port = {
    stopped: new Promise<void>((resolve) => (stop = resolve)),
    flush: () => new Promise<void>((resolve) => (flushed = resolve)),
  } as unknown as WorkerPort<number>
  const ref = { send: (event: unknown) => void sent.push(event), getSnapshot: () => ({ status }) } as unknown as AnyActorRef
  const slot = newSlot<number>('worker-0')
  slot.port = port
  slot.ref = ref
  openSlot(slot)
  return { slot, port, ref, sent, stop: () => stop(), flushed: () => flushed(), setStatus: (next: string) => (status = next) }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('draining a slot', () => {
  it('sends STOP, with timeoutMs only when given, and resolves with the port once it stopped', async () => {
    const plain = scripted()
    const timed = scripted()
    const drained = [drainSlot(plain.slot, undefined, () => false), drainSlot(timed.slot, 250, () => false)]
    await settle()
    expect([plain.sent, timed.sent]).toEqual([[{ type: 'STOP' }], [{ type: 'STOP', timeoutMs: 250 }]])
    plain.stop()
    timed.stop()
    expect(await Promise.all(drained)).toEqual([plain.port, timed.port])
  })

  it('sends nothing to a worker that is no longer active', async () => {
    const { slot, sent, stop, setStatus, port } = scripted()
    setStatus('done')
    const drained = drainSlot(slot, undefined, () => false)
    stop()
    expect([await drained, sent]).toEqual([port, []])
  })

  it('resolves with nothing once the supervisor gave up, or when the slot has no worker', async () => {
    const { slot } = scripted()
    expect(await drainSlot(slot, undefined, () => true)).toBeUndefined()
    slot.ref = undefined
    expect(await drainSlot(slot, undefined, () => false)).toBeUndefined()
    slot.port = undefined
    expect(await drainSlot(slot, undefined, () => false)).toBeUndefined()
  })

  it('does not wait for a replacement when the supervisor gave up while the first worker stopped', async () => {
    const first = scripted()
    const next = scripted()
    let gaveUp = false
    const drained = drainSlot(first.slot, undefined, () => gaveUp)
    await settle()
    first.slot.port = next.port
    gaveUp = true
    first.stop()
    expect(await drained).toBe(first.port)
    expect(next.sent).toEqual([])
  })

  it('drains the replacement that took the slot while the first worker stopped', async () => {
    const first = scripted()
    const next = scripted()
    const drained = drainSlot(first.slot, undefined, () => false)
    await settle()
    first.slot.port = next.port
    first.slot.ref = next.ref
    first.stop()
    await settle()
    expect(next.sent).toEqual([{ type: 'STOP' }])
    next.stop()
    expect(await drained).toBe(next.port)
  })
})

describe('flushing a slot', () => {
  it('resolves once its worker flushed, following a replacement, and at once when the supervisor gave up', async () => {
    const first = scripted()
    const next = scripted()
    let done = false
    const flushing = flushSlot(first.slot, () => false).then(() => (done = true))
    await settle()
    first.slot.port = next.port
    first.flushed()
    await settle()
    expect(done).toBe(false)
    next.flushed()
    await flushing
    expect(done).toBe(true)
    await expect(flushSlot(first.slot, () => true)).resolves.toBeUndefined()
  })

  it('does not wait for a replacement when the supervisor gave up while the first worker flushed', async () => {
    const first = scripted()
    const next = scripted()
    let gaveUp = false
    const flushing = flushSlot(first.slot, () => gaveUp)
    await settle()
    first.slot.port = next.port
    gaveUp = true
    first.flushed()
    await expect(flushing).resolves.toBeUndefined()
  })
})
