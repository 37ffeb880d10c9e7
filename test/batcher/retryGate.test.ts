import { describe, expect, it } from 'vitest'
import { newFlight, type Flight } from '../../src/batcher/flight.ts'
import { RetryGate } from '../../src/batcher/retryGate.ts'
import type { ControlTarget } from '../../src/controllers/controller.ts'

/**
 * The gate retries pass after a cut (src/batcher/retryGate.ts), on its own: which retry runs
 * now, which waits, and in what order waiting ones start once an attempt ends.
 */
let nextId = 0
const flight = (items: number, running = false): Flight<number> => {
  const made = newFlight(nextId++, Array.from({ length: items }, (_, i) => i), undefined, 0, 'size', items)
  if (running) made.attemptStart = 0
  return made
}

function gate(target: ControlTarget, ...running: Flight<number>[]) {
  const flights = new Set(running)
  const ran: Flight<number>[] = []
  const retryGate = new RetryGate(flights, () => target, (started) => {
    started.attemptStart = 0
    flights.add(started)
    ran.push(started)
  })
  return { flights, ran, retryGate }
}

describe('the retry gate', () => {
  it('runs a retry alone at once, whatever its size', () => {
    const { ran, retryGate } = gate({ batchSize: 1, concurrency: 1 })
    const big = flight(50)
    retryGate.offer(big)
    expect(ran).toEqual([big])
  })

  it('holds a retry while the attempts running reach the concurrency, though its items fit', () => {
    const running = flight(1, true)
    const { flights, ran, retryGate } = gate({ batchSize: 10, concurrency: 1 }, running)
    const retry = flight(1)
    retryGate.offer(retry)
    expect(ran).toEqual([])
    flights.delete(running)
    retryGate.release()
    expect(ran).toEqual([retry])
  })

  it('runs a retry beside others while attempts and items fit, and holds one whose items would not', () => {
    const { ran, retryGate } = gate({ batchSize: 2, concurrency: 2 }, flight(2, true))
    const fits = flight(2)
    retryGate.offer(fits)
    expect(ran).toEqual([fits])
    const { ran: ranToo, retryGate: fuller } = gate({ batchSize: 2, concurrency: 2 }, flight(2, true))
    fuller.offer(flight(3))
    expect(ranToo).toEqual([])
  })

  it('keeps a retry that fits behind an older one that waits, then starts both in order', () => {
    const running = flight(1, true)
    const { flights, ran, retryGate } = gate({ batchSize: 2, concurrency: 2 }, running)
    const older = flight(4)
    const younger = flight(1)
    retryGate.offer(older)
    retryGate.offer(younger)
    expect(ran).toEqual([])
    flights.delete(running)
    retryGate.release()
    expect(ran).toEqual([older])
    flights.delete(older)
    retryGate.release()
    expect(ran).toEqual([older, younger])
  })

  it('drops a waiting retry whose batch settled meanwhile, and starts the one behind it', () => {
    const running = flight(1, true)
    const { flights, ran, retryGate } = gate({ batchSize: 1, concurrency: 1 }, running)
    const settled = flight(1)
    const next = flight(1)
    retryGate.offer(settled)
    retryGate.offer(next)
    settled.done = true
    flights.delete(running)
    retryGate.release()
    expect(ran).toEqual([next])
  })
})
