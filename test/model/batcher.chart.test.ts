import { describe, expect, it } from 'vitest'
import { createActor } from 'xstate'
import { batcherMachine, type BatcherEvent, type BatcherInput } from '../../machines/batcher.machine.ts'
import { recordingEffects } from '../support/recordedActions.ts'

/**
 * The batcher statechart as data (machines/batcher.machine.ts, its effects only recorded): which
 * effect each event runs in each state, where it leads, and what the context counts. The
 * model-based test replays paths on a live batcher; this pins the events it does not offer in
 * every state (FEEDBACK, TICK, BATCH_STARTED while draining, REPORT anywhere).
 */
const EFFECTS = ['startRuntime', 'bufferItem', 'bufferItems', 'cutBatch', 'recordFeedback', 'adjustTarget', 'beginDrain', 'refuseItem', 'release', 'emitReport']

const started: BatcherEvent = { type: 'BATCH_STARTED', batchId: 1, size: 2, trigger: 'size' }
const settled: BatcherEvent = { type: 'BATCH_SETTLED', batchId: 1, ok: true }
const reason = { rule: 'grow', from: { batchSize: 100, concurrency: 1 }, to: { batchSize: 7, concurrency: 3 }, inputs: {}, text: 'grew' }

/** The chart started and brought to `state` by `prelude`, with its log emptied. */
function chart(prelude: BatcherEvent[] = [], input?: BatcherInput) {
  const { machine, log } = recordingEffects(batcherMachine, EFFECTS)
  const actor = createActor(machine, { input }).start()
  const emitted: unknown[] = []
  actor.on('*', (event) => void emitted.push(event))
  for (const event of prelude) actor.send(event)
  log.length = 0
  const send = (event: BatcherEvent) => {
    actor.send(event)
    const snapshot = actor.getSnapshot()
    return { state: snapshot.value, inFlight: snapshot.context.inFlight, effects: log.splice(0) }
  }
  return { actor, send, emitted }
}

/** The events the running states accept, and the effect each runs there. */
const ACCEPTED: [BatcherEvent, string[]][] = [
  [{ type: 'ADD', item: 1 }, ['bufferItem']],
  [{ type: 'ADD_MANY', items: [1, 2] }, ['bufferItems']],
  [{ type: 'FLUSH' }, ['cutBatch:manual']],
  [{ type: 'TIMEOUT' }, ['cutBatch:time']],
  [{ type: 'FEEDBACK', feedback: { cpu: 0.5 } }, ['recordFeedback']],
  [{ type: 'TICK' }, ['adjustTarget']],
  [{ type: 'REPORT', emitted: [] }, ['emitReport']],
]

describe('batcher chart: input', () => {
  it('starts collecting with the runtime started and the default target', () => {
    const { machine, log } = recordingEffects(batcherMachine, EFFECTS)
    const actor = createActor(machine, { input: undefined }).start()
    expect(log).toEqual(['startRuntime'])
    expect(actor.getSnapshot().value).toBe('collecting')
    expect(actor.getSnapshot().context).toEqual({ inFlight: 0, batchSize: 100, concurrency: 1 })
  })

  it('takes the target from its input', () => {
    const actor = createActor(batcherMachine, { input: { batchSize: 7, concurrency: 3 } }).start()
    expect(actor.getSnapshot().context).toEqual({ inFlight: 0, batchSize: 7, concurrency: 3 })
  })
})

describe('batcher chart: running', () => {
  for (const [name, prelude, inFlight] of [['collecting', [], 0], ['flushing', [started], 1]] as const) {
    for (const [event, effects] of ACCEPTED) {
      it(`${name}: ${event.type} runs ${effects.join(', ')} and stays ${name}`, () => {
        expect(chart([...prelude]).send(event)).toEqual({ state: name, inFlight, effects })
      })
    }

    it(`${name}: STOP begins the drain`, () => {
      expect(chart([...prelude]).send({ type: 'STOP' })).toEqual({ state: 'draining', inFlight, effects: ['beginDrain'] })
    })

    it(`${name}: TARGET_CHANGED puts the target in context and announces it, with its reason when given`, () => {
      const { actor, send, emitted } = chart([...prelude])
      expect(send({ type: 'TARGET_CHANGED', batchSize: 5, concurrency: 2 })).toEqual({ state: name, inFlight, effects: [] })
      expect(actor.getSnapshot().context).toMatchObject({ batchSize: 5, concurrency: 2 })
      send({ type: 'TARGET_CHANGED', batchSize: 7, concurrency: 3, reason })
      expect(actor.getSnapshot().context).toMatchObject({ batchSize: 7, concurrency: 3 })
      expect(emitted).toStrictEqual([
        { type: 'target.changed', batchSize: 5, concurrency: 2 },
        { type: 'target.changed', batchSize: 7, concurrency: 3, reason },
      ])
    })

    it(`${name}: BATCH_STARTED counts one more flight and goes to flushing`, () => {
      expect(chart([...prelude]).send(started)).toEqual({ state: 'flushing', inFlight: inFlight + 1, effects: [] })
    })
  }

  it('flushing: a settle leaves flushing only when it was the last flight', () => {
    const { send } = chart([started, started, started])
    expect(send(settled)).toEqual({ state: 'flushing', inFlight: 2, effects: ['emitReport'] })
    expect(send(settled)).toEqual({ state: 'flushing', inFlight: 1, effects: ['emitReport'] })
    expect(send(settled)).toEqual({ state: 'collecting', inFlight: 0, effects: ['emitReport'] })
  })

  it('collecting: a settle or DRAINED changes nothing', () => {
    const { send } = chart()
    expect(send(settled)).toEqual({ state: 'collecting', inFlight: 0, effects: [] })
    expect(send({ type: 'DRAINED' })).toEqual({ state: 'collecting', inFlight: 0, effects: [] })
  })
})

describe('batcher chart: draining', () => {
  it('refuses items, records feedback and adjusts the target without leaving draining', () => {
    const { send } = chart([started, { type: 'STOP' }])
    expect(send({ type: 'ADD', item: 1 })).toEqual({ state: 'draining', inFlight: 1, effects: ['refuseItem'] })
    expect(send({ type: 'ADD_MANY', items: [1] })).toEqual({ state: 'draining', inFlight: 1, effects: ['refuseItem'] })
    expect(send({ type: 'FEEDBACK', feedback: { cpu: 0.5 } })).toEqual({ state: 'draining', inFlight: 1, effects: ['recordFeedback'] })
    expect(send({ type: 'TICK' })).toEqual({ state: 'draining', inFlight: 1, effects: ['adjustTarget'] })
    expect(send({ type: 'REPORT', emitted: [] })).toEqual({ state: 'draining', inFlight: 1, effects: ['emitReport'] })
    expect(send({ type: 'FLUSH' })).toEqual({ state: 'draining', inFlight: 1, effects: [] })
    expect(send({ type: 'TIMEOUT' })).toEqual({ state: 'draining', inFlight: 1, effects: [] })
    expect(send({ type: 'STOP' })).toEqual({ state: 'draining', inFlight: 1, effects: [] })
  })

  it('puts a target change in force and announces it', () => {
    const { actor, send, emitted } = chart([{ type: 'STOP' }])
    send({ type: 'TARGET_CHANGED', batchSize: 9, concurrency: 4, reason })
    expect(actor.getSnapshot().context).toMatchObject({ batchSize: 9, concurrency: 4 })
    expect(emitted).toStrictEqual([{ type: 'target.changed', batchSize: 9, concurrency: 4, reason }])
  })

  it('counts the flights that start and settle while draining, never below zero', () => {
    const { send } = chart([{ type: 'STOP' }])
    expect(send(started)).toEqual({ state: 'draining', inFlight: 1, effects: [] })
    expect(send(started)).toEqual({ state: 'draining', inFlight: 2, effects: [] })
    expect(send(settled)).toEqual({ state: 'draining', inFlight: 1, effects: ['emitReport'] })
    expect(send(settled)).toEqual({ state: 'draining', inFlight: 0, effects: ['emitReport'] })
    expect(send(settled)).toEqual({ state: 'draining', inFlight: 0, effects: ['emitReport'] })
  })

  it('stops on DRAINED and releases', () => {
    const { actor, send } = chart([{ type: 'STOP' }])
    expect(send({ type: 'DRAINED' })).toEqual({ state: 'stopped', inFlight: 0, effects: ['release'] })
    expect(actor.getSnapshot().status).toBe('done')
  })
})
