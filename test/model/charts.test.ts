import { describe, expect, it } from 'vitest'

/**
 * Both statecharts as the inspector and the diagrams show them: they load (a target such as
 * `#supervisor.failed` names the machine's id, so a wrong id or initial state fails at
 * creation), and every state says in its description what happens there. Imported inside the
 * test so that a chart that fails to load fails a test, not only the file's collection.
 */
describe('the statecharts as the inspector shows them', () => {
  it('load with their ids and initial states', async () => {
    const { batcherMachine, supervisorMachine } = await import('../../machines/index.ts')
    expect([batcherMachine.id, batcherMachine.config.initial]).toEqual(['batcher', 'collecting'])
    expect([supervisorMachine.id, supervisorMachine.config.initial]).toEqual(['supervisor', 'starting'])
  })

  it('describe every state', async () => {
    const { batcherMachine, supervisorMachine } = await import('../../machines/index.ts')
    for (const machine of [batcherMachine, supervisorMachine]) {
      for (const [name, node] of Object.entries(machine.states)) expect(node.description, `${machine.id}.${name}`).toMatch(/^[A-Z].{20,}\.$/)
    }
  })
})
