/**
 * Writes `<id>.mmd` (Mermaid source) and `<id>.svg` for each machine into a directory: what
 * `loadbatch diagram` and `npm run diagrams` do, and what the drift test compares with.
 */

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AnyStateMachine } from 'xstate'
import { renderDiagramSvg } from './diagramSvg.ts'
import { machineGraph } from './machineGraph.ts'
import { renderMermaid } from './mermaid.ts'

/** The files of one machine's diagram, by file name. */
export function diagramFiles(machine: AnyStateMachine): Record<string, string> {
  const graph = machineGraph(machine)
  return { [`${graph.id}.mmd`]: renderMermaid(graph), [`${graph.id}.svg`]: renderDiagramSvg(graph) }
}

/** Writes every machine's diagram files into `dir` (created if missing); returns the paths written. */
export async function writeDiagrams(machines: readonly AnyStateMachine[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const written: string[] = []
  for (const machine of machines) {
    for (const [name, text] of Object.entries(diagramFiles(machine))) {
      const path = join(dir, name)
      await writeFile(path, text)
      written.push(path)
    }
  }
  return written
}
