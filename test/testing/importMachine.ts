import { assign, sendTo, setup, spawnChild, type DoneActorEvent } from 'xstate'
import { createBatcherLogic } from '../../src/index.ts'

/** A row of the upload. */
export interface Row {
  readonly id: number
}

/**
 * The README's example of a user's own machine that embeds a batcher: it imports an upload,
 * handing each row to a `writer` batcher child, and is done once the writer has drained.
 * The app provides the real writer with `importMachine.provide({ actors: { writer } })`.
 */
export const importMachine = setup({
  types: {
    context: {} as { rows: number },
    events: {} as { type: 'BEGIN' } | { type: 'ROW'; row: Row } | { type: 'END' } | DoneActorEvent<unknown, 'writer'>,
  },
  actors: { writer: createBatcherLogic<Row>({ flush: () => {} }).logic },
}).createMachine({
  id: 'import',
  initial: 'idle',
  context: { rows: 0 },
  states: {
    idle: { on: { BEGIN: 'importing' } },
    importing: {
      entry: spawnChild('writer', { id: 'writer', systemId: 'writer', input: {} }),
      on: {
        ROW: {
          actions: [
            sendTo('writer', ({ event }) => ({ type: 'ADD' as const, item: event.row })),
            assign({ rows: ({ context }) => context.rows + 1 }),
          ],
        },
        END: { target: 'finishing', actions: sendTo('writer', { type: 'STOP' }) },
      },
    },
    finishing: { on: { 'xstate.done.actor.writer': 'done' } },
    done: { type: 'final' },
  },
})
