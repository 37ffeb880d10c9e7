import { describe, expect, it } from 'vitest'
import type { AnyActorRef } from 'xstate'
import type { WorkerPort } from '../../src/port.ts'
import { newSlot, spawnWorker, type Spawn } from '../../src/supervisor/slot.ts'

/**
 * Spawning a slot's worker (src/supervisor/slot.ts `spawnWorker`) with a scripted spawn: the
 * systemId under the owner's, the error observer, and the port attached once, on the worker's
 * first snapshot, only if the slot still belongs to it and the logic knows it.
 */
function scripted(portFor: (ref: AnyActorRef) => WorkerPort<number> | undefined = () => ({}) as WorkerPort<number>) {
  const observers: { next?: () => void; error?: (error: unknown) => void }[] = []
  const spawned: { id: string; systemId: string }[] = []
  const ref = { subscribe: (observer: (typeof observers)[number]) => (observers.push(observer), { unsubscribe: () => observers.splice(observers.indexOf(observer), 1) }) } as unknown as AnyActorRef
  const spawn: Spawn = (_logic, options) => (spawned.push(options), ref)
  const slot = newSlot<number>('worker-3')
  const logic = { logic: {} as never, portOf: portFor }
  const started: WorkerPort<number>[] = []
  const errors: unknown[] = []
  const emit = () => [...observers].forEach((observer) => observer.next?.())
  const fail = (error: unknown) => [...observers].forEach((observer) => observer.error?.(error))
  return { slot, logic, spawn, ref, spawned, started, errors, emit, fail, onError: (_ref: AnyActorRef, error: unknown) => void errors.push(error), onStarted: (port: WorkerPort<number>) => void started.push(port) }
}

describe('spawning a worker', () => {
  it('names it by its slot, under the owner\'s systemId in a tree', () => {
    const root = scripted()
    spawnWorker(root.slot, root.logic, root.spawn, undefined, root.onError, root.onStarted)
    const leaf = scripted()
    spawnWorker(leaf.slot, leaf.logic, leaf.spawn, 'pool/worker-1', leaf.onError, leaf.onStarted)
    expect([root.spawned, leaf.spawned]).toEqual([[{ id: 'worker-3', systemId: 'worker-3' }], [{ id: 'worker-3', systemId: 'pool/worker-1/worker-3' }]])
    expect(root.slot.ref).toBe(root.ref)
  })

  it('attaches its port once, on its first snapshot, and reports its errors', () => {
    const { slot, logic, spawn, emit, fail, started, errors, onError, onStarted } = scripted()
    spawnWorker(slot, logic, spawn, undefined, onError, onStarted)
    expect(started).toEqual([])
    emit()
    emit()
    expect(started).toHaveLength(1)
    expect(slot.port).toBe(started[0])
    fail('boom')
    expect(errors).toEqual(['boom'])
  })

  it('attaches nothing when another worker took the slot, or the slot has a port, or the logic knows no port', () => {
    const replaced = scripted()
    spawnWorker(replaced.slot, replaced.logic, replaced.spawn, undefined, replaced.onError, replaced.onStarted)
    replaced.slot.ref = {} as AnyActorRef
    replaced.emit()
    const attached = scripted()
    spawnWorker(attached.slot, attached.logic, attached.spawn, undefined, attached.onError, attached.onStarted)
    const earlier = {} as WorkerPort<number>
    attached.slot.port = earlier
    attached.emit()
    const unknown = scripted(() => undefined)
    spawnWorker(unknown.slot, unknown.logic, unknown.spawn, undefined, unknown.onError, unknown.onStarted)
    unknown.emit()
    expect([replaced.started, replaced.slot.port, attached.started, attached.slot.port, unknown.started, unknown.slot.port]).toEqual([[], undefined, [], earlier, [], undefined])
  })
})
