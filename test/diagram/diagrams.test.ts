import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { batcherMachine } from '../../machines/batcher.machine.ts'
import { machineGraph } from '../../src/diagram/machineGraph.ts'
import { machinesToDraw } from '../../src/diagram/machinesToDraw.ts'
import { renderMermaid } from '../../src/diagram/mermaid.ts'
import { diagramFiles } from '../../src/diagram/writeDiagrams.ts'

const visualizations = fileURLToPath(new URL('../../visualizations/', import.meta.url))

describe('statechart diagrams', () => {
  it('draws every machine exported from machines/index.ts', () => {
    expect(machinesToDraw().map((m) => m.id)).toEqual(expect.arrayContaining(['batcher', 'supervisor']))
  })

  it('reads the states and transitions from the machine definition', () => {
    const graph = machineGraph(batcherMachine)
    expect(graph.initial).toBe('collecting')
    expect(graph.states.map((s) => s.id)).toEqual(['collecting', 'flushing', 'adjusting', 'draining', 'stopped'])
    expect(graph.transitions).toContainEqual({ from: 'flushing', to: 'collecting', event: 'BATCH_SETTLED', guard: 'isLastInFlight', actions: ['countSettled', 'emitReport'] })
    expect(graph.transitions).toContainEqual({ from: 'adjusting', to: 'flushing', event: 'always', guard: 'hasFlushInFlight', actions: [] })
    expect(graph.states.find((s) => s.id === 'stopped')?.type).toBe('final')
  })

  it('writes Mermaid stateDiagram-v2 source', () => {
    const source = renderMermaid(machineGraph(batcherMachine))
    expect(source).toContain('stateDiagram-v2')
    expect(source).toContain('[*] --> collecting')
    expect(source).toContain('stopped --> [*]')
    expect(source).toContain('draining --> stopped : DRAINED')
  })

  it.each(machinesToDraw().map((m) => [m.id, m] as const))('the committed diagram of %s matches its machine (run `npm run diagrams` after changing it)', (_id, machine) => {
    for (const [name, text] of Object.entries(diagramFiles(machine))) {
      let committed: string
      try {
        committed = readFileSync(`${visualizations}${name}`, 'utf8')
      } catch {
        throw new Error(`visualizations/${name} is missing: run \`npm run diagrams\``)
      }
      expect(committed, `visualizations/${name} is stale: run \`npm run diagrams\``).toBe(text)
    }
  })
})
