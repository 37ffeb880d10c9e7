import { describe, expect, it } from 'vitest'
import type { Ticket } from '../../src/batcher/flight.ts'
import { AbortError } from '../../src/errors.ts'
import type { WorkerPort } from '../../src/port.ts'
import { onWorkerCrash, takeLeftovers, type CrashHost } from '../../src/supervisor/crashHandoff.ts'
import { newSlot, openSlot, type Held } from '../../src/supervisor/slot.ts'
import type { PortRecord } from '../../src/supervisor/supervisorMetrics.ts'

/**
 * Where a stopped worker's leftovers go (src/supervisor/crashHandoff.ts), whichever of the
 * actor's error observers runs first: the crash's go to the replacement, ahead of what arrived
 * after the crash; a stop that was no crash dead-letters them at the end of the job; after an
 * escalation they are dead-lettered with its error.
 */
function host(options: { failed?: boolean; unrecorded?: boolean } = {}) {
  const calls: string[] = []
  const deadHeld: { held: readonly Held<number>[]; error: unknown }[] = []
  const deadLeftovers: { items: number[]; error: unknown }[] = []
  const escalation = new Error('escalated')
  let held = 0
  let record: PortRecord<number> | undefined
  const crashHost: CrashHost<number> = {
    isFailed: () => options.failed ?? false,
    recordOf: () => record,
    addHeld: (count) => void (held += count),
    deadLetterHeld: (items, error) => void deadHeld.push({ held: items, error }),
    deadLetterLeftovers: (items, error) => void deadLeftovers.push({ items, error }),
    escalationError: () => escalation,
    reportCrash: (slot) => void calls.push(`crash ${slot.id}`),
  }
  const slot = newSlot<number>('worker-0')
  const port = { pending: 0 } as unknown as WorkerPort<number>
  slot.port = port
  record = options.unrecorded ? undefined : { port, slot, handedOver: 0, live: true }
  openSlot(slot)
  const tickets = (n: number): Ticket[] => Array.from({ length: n }, () => ({ resolve: () => {}, reject: (error: unknown) => void calls.push(`rejected ${String(error)}`) }))
  return { crashHost, slot, record: record!, calls, deadHeld, deadLeftovers, escalation, tickets, held: () => held }
}

const items = (slot: { held: Held<number>[] }) => slot.held.map((entry) => entry.item)
const job = () => new Promise<void>((resolve) => setImmediate(resolve))

describe('a crashed worker\'s leftovers', () => {
  it('given up after the crash was seen go to the replacement in order, ahead of what arrived after the crash', async () => {
    const { crashHost, slot, record, calls, held, deadLeftovers } = host()
    onWorkerCrash(slot, new Error('boom'), crashHost)
    expect([slot.port, slot.holding, record.live, calls]).toEqual([undefined, true, false, ['crash worker-0']])
    slot.held.push({ item: 99, ticket: undefined }) // arrived after the crash
    expect(takeLeftovers(slot, [1, 2], [undefined, undefined], crashHost)).toBe(true) // the flights first
    expect(takeLeftovers(slot, [3], [undefined], crashHost)).toBe(true) // then the buffer
    expect(items(slot)).toEqual([1, 2, 3, 99])
    expect([record.handedOver, held(), slot.leftoverAt]).toEqual([3, 3, 3])
    await job()
    expect(deadLeftovers).toEqual([])
  })

  it('go ahead of everything still held when the replacement crashes while taking a previous crash\'s leftovers', () => {
    const { crashHost, slot } = host()
    slot.held.push({ item: 3, ticket: undefined }, { item: 4, ticket: undefined }, { item: 99, ticket: undefined })
    slot.leftoverAt = 2 // 3 and 4 were the previous crash's leftovers; 1 and 2 went to the replacement already
    onWorkerCrash(slot, new Error('boom'), crashHost)
    takeLeftovers(slot, [1, 2], [undefined, undefined], crashHost)
    expect(items(slot)).toEqual([1, 2, 3, 4, 99])
  })

  it('given up before the crash was seen wait for it, then go to the replacement with their promises', async () => {
    const { crashHost, slot, record, held, deadLeftovers, tickets } = host()
    const given = tickets(2)
    expect(takeLeftovers(slot, [1, 2], given, crashHost)).toBe(true)
    expect(takeLeftovers(slot, [3], [undefined], crashHost)).toBe(true)
    expect(slot.held).toEqual([])
    onWorkerCrash(slot, new Error('boom'), crashHost)
    expect(items(slot)).toEqual([1, 2, 3])
    expect(slot.held.map((entry) => entry.ticket)).toEqual([...given, undefined])
    expect([record.handedOver, held(), slot.leftoverAt, slot.stash]).toEqual([3, 3, 3, []])
    await job()
    expect(deadLeftovers).toEqual([])
  })

  it('of a stop that was no crash are dead-lettered at the end of the job, their submits rejected', async () => {
    const { crashHost, slot, calls, deadLeftovers, tickets } = host()
    expect(takeLeftovers(slot, [1, 2], tickets(2), crashHost)).toBe(true)
    expect(deadLeftovers).toEqual([])
    await job()
    expect(deadLeftovers).toEqual([{ items: [1, 2], error: new AbortError('The worker was stopped before it drained') }])
    expect(calls).toEqual(['rejected AbortError: Aborted: The worker was stopped before it drained', 'rejected AbortError: Aborted: The worker was stopped before it drained'])
    expect(slot.held).toEqual([])
  })

  it('given up a job after the crash are no longer the crash\'s', async () => {
    const { crashHost, slot, deadLeftovers } = host()
    onWorkerCrash(slot, new Error('boom'), crashHost)
    await job()
    takeLeftovers(slot, [7], [undefined], crashHost)
    await job()
    expect([items(slot), deadLeftovers.map((letter) => letter.items)]).toEqual([[], [[7]]])
  })

  it('of the crash that made the supervisor escalate are dead-lettered with the escalation error', () => {
    const { crashHost, slot, record, deadHeld, escalation, held } = host()
    onWorkerCrash(slot, new Error('boom'), crashHost)
    const failed = { ...crashHost, isFailed: () => true }
    expect(takeLeftovers(slot, [1, 2], [undefined, undefined], failed)).toBe(true)
    expect(deadHeld).toEqual([{ held: [{ item: 1, ticket: undefined }, { item: 2, ticket: undefined }], error: escalation }])
    expect([record.handedOver, held(), slot.held]).toEqual([2, 0, []])
  })

  it('are left to a worker that stops after the escalation without a crash', async () => {
    const { crashHost, slot, deadHeld, deadLeftovers } = host({ failed: true })
    expect(takeLeftovers(slot, [1], [undefined], crashHost)).toBe(false)
    await job()
    expect([deadHeld, deadLeftovers, slot.stash]).toEqual([[], [], []])
  })

  it('are handed over the same from a worker whose port has no record', () => {
    const { crashHost, slot, held } = host({ unrecorded: true })
    onWorkerCrash(slot, new Error('boom'), crashHost)
    takeLeftovers(slot, [1], [undefined], crashHost)
    expect([items(slot), held()]).toEqual([[1], 1])
    const failed = { ...crashHost, isFailed: () => true }
    expect(takeLeftovers(slot, [2], [undefined], failed)).toBe(true)
  })
})
