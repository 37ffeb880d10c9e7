import { describe, expect, it } from 'vitest'
import type { WorkerPort } from '../../src/port.ts'
import { deliverHeld, newSlot, type Held } from '../../src/supervisor/slot.ts'

/**
 * How a slot's held items reach its worker (src/supervisor/slot.ts `deliverHeld`): in order;
 * waiting for room when the worker is full; a submitted item with its promise; an item the
 * worker refuses after all (it stopped meanwhile) handed back; the slot opens only when all
 * went and the worker is still there. A scripted port stands in for the worker.
 */
function scriptedPort(capacity: number) {
  const log: string[] = []
  let pending = 0
  let refuseTryAdd = false
  let rejectAdd = false
  const rooms: (() => void)[] = []
  const port = {
    capacity,
    get pending() {
      return pending
    },
    tryAdd(item: number) {
      if (refuseTryAdd) return log.push(`refused ${item}`), false
      pending++
      return log.push(`tryAdd ${item}`), true
    },
    add(item: number) {
      log.push(`add ${item}`)
      return rejectAdd ? Promise.reject(new Error('stopped')) : (pending++, Promise.resolve())
    },
    submit(item: number) {
      pending++
      log.push(`submit ${item}`)
      return Promise.resolve()
    },
    whenRoom() {
      log.push('whenRoom')
      return new Promise<void>((resolve) => rooms.push(resolve))
    },
  } as unknown as WorkerPort<number>
  return {
    port, log,
    /** Frees `n` items' room and wakes whoever waits for it. */
    free(n: number) {
      pending -= n
      for (const wake of rooms.splice(0)) wake()
    },
    refuse(tryAdd: boolean, add: boolean) {
      refuseTryAdd = tryAdd
      rejectAdd = add
    },
  }
}

function slotWith(port: WorkerPort<number>, items: Held<number>[]) {
  const slot = newSlot<number>('worker-0')
  slot.port = port
  slot.held.push(...items)
  return slot
}

const plain = (...items: number[]): Held<number>[] => items.map((item) => ({ item, ticket: undefined }))
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('delivering held items', () => {
  it('feeds them in order, waits for room when the worker is full, then opens the slot', async () => {
    const { port, log, free } = scriptedPort(2)
    const slot = slotWith(port, plain(1, 2, 3))
    let released = 0
    const delivering = deliverHeld(slot, () => void released++, () => {})
    await settle()
    expect([log, released, slot.holding, slot.delivering]).toEqual([['tryAdd 1', 'tryAdd 2', 'whenRoom'], 2, true, true])
    free(1)
    await delivering
    expect([log, released, slot.holding, slot.held, slot.delivering]).toEqual([['tryAdd 1', 'tryAdd 2', 'whenRoom', 'tryAdd 3'], 3, false, [], false])
  })

  it('submits an item with a promise, which settles with the worker\'s submit', async () => {
    const { port, log } = scriptedPort(5)
    let resolved = false
    const slot = slotWith(port, [{ item: 1, ticket: { resolve: () => (resolved = true), reject: () => {} } }])
    await deliverHeld(slot, () => {}, () => {})
    await settle()
    expect([log, resolved]).toEqual([['submit 1'], true])
  })

  it('waits in the worker\'s add for an item its tryAdd refuses, and hands back one its add rejects', async () => {
    const { port, log, refuse } = scriptedPort(5)
    const slot = slotWith(port, plain(1, 2))
    const back: number[] = []
    refuse(true, true)
    await deliverHeld(slot, () => {}, (held) => void back.push(held.item))
    expect([log, back]).toEqual([['refused 1', 'add 1', 'refused 2', 'add 2'], [1, 2]])
  })

  it('stops where it is, the slot still holding, when the worker crashed while it waited for room', async () => {
    const { port, log, free } = scriptedPort(1)
    const slot = slotWith(port, plain(1, 2, 3))
    const delivering = deliverHeld(slot, () => {}, () => {})
    await settle()
    slot.port = undefined // crashed
    free(1)
    await delivering
    expect([log, slot.held.map((held) => held.item), slot.holding, slot.delivering]).toEqual([['tryAdd 1', 'whenRoom'], [2, 3], true, false])
  })

  it('leaves the slot holding when the worker crashed while its add took the last item', async () => {
    const slot = newSlot<number>('worker-0')
    const port = { capacity: 5, pending: 0, tryAdd: () => false, add: () => ((slot.port = undefined), Promise.resolve()) } as unknown as WorkerPort<number>
    slot.port = port
    slot.held.push(...plain(1))
    await deliverHeld(slot, () => {}, () => {})
    expect([slot.held, slot.holding]).toEqual([[], true])
  })

  it('runs once at a time: a second call while it delivers returns at once', async () => {
    const { port, log, free } = scriptedPort(1)
    const slot = slotWith(port, plain(1, 2))
    const first = deliverHeld(slot, () => {}, () => {})
    await settle()
    await deliverHeld(slot, () => {}, () => {})
    expect(log).toEqual(['tryAdd 1', 'whenRoom'])
    free(1)
    await first
    expect(log).toEqual(['tryAdd 1', 'whenRoom', 'tryAdd 2'])
  })
})
