/**
 * Mermaid `stateDiagram-v2` source of a {@link MachineGraph}: nested states as `state x { }`
 * blocks, `[*]` for initial and final states, transitions labelled `EVENT [guard] / actions`,
 * and the events a state handles in place as its description lines.
 */

import type { GraphState, MachineGraph } from './machineGraph.ts'

/** The label of a transition or in-place event: `EVENT [guard] / action, action`. */
export function transitionLabel(t: { readonly event: string; readonly guard?: string; readonly actions: readonly string[] }): string {
  return `${t.event}${t.guard ? ` [${t.guard}]` : ''}${t.actions.length > 0 ? ` / ${t.actions.join(', ')}` : ''}`
}

/**
 * Renders `graph` as Mermaid source (ends with a newline; the same graph always gives the
 * same text, so a committed file can be compared with a fresh rendering).
 */
export function renderMermaid(graph: MachineGraph): string {
  const lines = ['---', `title: ${graph.id}`, '---', 'stateDiagram-v2']
  const mermaidId = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_')
  const childrenOf = (parentId: string | undefined) => graph.states.filter((s) => s.parentId === parentId)
  const emit = (parentId: string | undefined, indent: string): void => {
    const children = childrenOf(parentId)
    const initial = children.find((s) => s.initial)
    if (initial) lines.push(`${indent}[*] --> ${mermaidId(initial.id)}`)
    for (const state of children) {
      if (childrenOf(state.id).length > 0) {
        lines.push(`${indent}state ${mermaidId(state.id)} {`)
        emit(state.id, `${indent}  `)
        lines.push(`${indent}}`)
      }
      for (const line of describe(state)) lines.push(`${indent}${mermaidId(state.id)} : ${line}`)
      if (state.type === 'final') lines.push(`${indent}${mermaidId(state.id)} --> [*]`)
    }
  }
  emit(undefined, '  ')
  for (const t of graph.transitions) lines.push(`  ${mermaidId(t.from)} --> ${mermaidId(t.to)} : ${escape(transitionLabel(t))}`)
  return `${lines.join('\n')}\n`
}

/** The description lines of a state: its entry actions and its in-place events. */
export function describe(state: GraphState): string[] {
  const lines: string[] = []
  if (state.entry.length > 0) lines.push(`entry / ${state.entry.join(', ')}`)
  for (const event of state.internal) lines.push(transitionLabel(event))
  return lines.map(escape)
}

/** Mermaid reads `:` and `;` and `#` as syntax inside labels; keep them out. */
function escape(text: string): string {
  return text.replace(/[;:#]/g, ' ')
}
