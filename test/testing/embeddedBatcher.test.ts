import { createTestModel } from '@xstate/graph'
import { describe, expect, it } from 'vitest'
import { createActor, type SnapshotFrom } from 'xstate'
import { createBatcherLogic } from '../../src/index.ts'
import { createVirtualTime, manualSink } from '../../src/testing/index.ts'
import { importMachine, type Row } from './importMachine.ts'

// The README's "Model-based tests for your own machine" section, line for line.
type ImportSnapshot = SnapshotFrom<typeof importMachine>

const model = createTestModel(importMachine, {
  events: [{ type: 'ROW', row: { id: 0 } }],
  // Two rows fill a batch; more rows only repeat what two showed, so the state key caps them.
  serializeState: (snapshot) => {
    const { value, context } = snapshot as ImportSnapshot
    return JSON.stringify([value, Math.min(context.rows, 2)])
  },
})

function createSut() {
  const time = createVirtualTime()
  const sink = manualSink<Row>() // batches wait for the test: `finishing` lasts until they settle
  const writer = createBatcherLogic<Row>({ flush: sink.flush, size: 2, maxWaitMs: 1000, scheduler: time.scheduler }).logic
  const actor = createActor(importMachine.provide({ actors: { writer } })).start()
  let next = 0
  return {
    params: {
      states: {
        '*': (expected: ImportSnapshot) => {
          const snapshot = actor.getSnapshot()
          // A writer given no rows has nothing to drain: it is done before the test can look.
          const drainedAtOnce = expected.value === 'finishing' && next === 0
          expect(snapshot.value).toEqual(drainedAtOnce ? 'done' : expected.value)
          expect(snapshot.context.rows).toBe(next)
          // No row is written twice; once done, every row was written.
          const written = sink.calls.flatMap((call) => call.batch.map((row) => row.id))
          expect(new Set(written).size).toBe(written.length)
          if (snapshot.value === 'done') expect(written.sort((a, b) => a - b)).toEqual(Array.from({ length: next }, (_, i) => i))
        },
      },
      events: {
        BEGIN: () => void actor.send({ type: 'BEGIN' }),
        ROW: async () => {
          actor.send({ type: 'ROW', row: { id: next++ } })
          await time.settle()
        },
        END: async () => {
          actor.send({ type: 'END' })
          await time.settle()
        },
        'xstate.done.actor.writer': async () => {
          while (sink.resolveAll() > 0) await time.settle()
        },
      },
    },
  }
}

describe('model-based tests of a machine that embeds a batcher', () => {
  const paths = model.getSimplePaths()

  it('walks every state of the import machine', () => {
    const reached = new Set(paths.flatMap((path) => path.steps.map((step) => String(step.state.value))))
    expect([...reached].sort()).toEqual(['done', 'finishing', 'idle', 'importing'])
  })

  for (const path of paths) {
    it(path.description, async () => {
      await path.test(createSut().params)
    })
  }
})
