/**
 * An SVG drawing of a {@link MachineGraph}, laid out by {@link layeredLayout}: each state a
 * rounded box with its name and the events it handles in place, the initial state marked by
 * a dot, final states by a double border, transitions as labelled arrows (edges that go back
 * up run along the right-hand side). No browser and no network needed.
 */

import { escapeXml } from '../report/escapeXml.ts'
import { layeredLayout, type PlacedNode } from './layeredLayout.ts'
import type { GraphTransition, MachineGraph } from './machineGraph.ts'
import { describe, transitionLabel } from './mermaid.ts'

const CHAR_PX = 6.4
const LINE_PX = 14
const FONT = 'system-ui, -apple-system, Segoe UI, sans-serif'

/** Renders `graph` as a standalone SVG document string (deterministic for a graph). */
export function renderDiagramSvg(graph: MachineGraph): string {
  const lines = new Map(graph.states.map((s) => [s.id, describe(s)]))
  const nodes = graph.states.map((state) => {
    const body = lines.get(state.id) ?? []
    const width = Math.ceil(Math.max(state.key.length * 8 + 24, ...body.map((l) => l.length * CHAR_PX + 20)))
    return { id: state.id, width, height: 30 + body.length * LINE_PX + (body.length > 0 ? 8 : 0) }
  })
  const edges = graph.transitions.filter((t) => t.from !== t.to).map((t) => [t.from, t.to] as const)
  const layout = layeredLayout(nodes, edges, graph.initial)
  const at = (id: string) => layout.nodes.get(id)!
  const contentRight = Math.max(0, ...[...layout.nodes.values()].map((n) => n.x + n.width))
  const parts: string[] = []
  const top = 30
  const width = Math.ceil(layout.width)
  const height = Math.ceil(layout.height + top)

  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="700" fill="#111">${escapeXml(graph.id)}</text>`,
    `<g transform="translate(0,${top})">`,
  )

  // Edges first, so boxes sit on top of their ends.
  let lane = 0
  const pairCount = new Map<string, number>()
  const usedLabelYs: number[] = []
  // Back-edge labels share the right-hand column: nudge each down until it clears the others.
  const freeY = (y: number): number => {
    let free = y
    while (usedLabelYs.some((used) => Math.abs(used - free) < 12)) free += 12
    usedLabelYs.push(free)
    return free
  }
  for (const t of graph.transitions) {
    const from = at(t.from)
    const to = at(t.to)
    const pairKey = `${t.from}->${t.to}`
    const nth = pairCount.get(pairKey) ?? 0
    pairCount.set(pairKey, nth + 1)
    const label = escapeXml(transitionLabel(t))
    if (t.from === t.to) parts.push(selfLoop(from, label, nth))
    else if (to.layer > from.layer) parts.push(forwardEdge(from, to, label, nth, t))
    else if (to.layer === from.layer) parts.push(sideEdge(from, to, label, nth))
    else parts.push(backEdge(from, to, label, contentRight + 24 + 16 * lane++, freeY))
  }

  for (const state of graph.states) {
    const node = at(state.id)
    const body = lines.get(state.id) ?? []
    const final = state.type === 'final'
    parts.push(`<g class="state" data-state="${escapeXml(state.id)}">`)
    parts.push(`<rect x="${node.x}" y="${node.y}" width="${node.width}" height="${node.height}" rx="10" fill="#eef4fb" stroke="#2b6cb0" stroke-width="1.5"/>`)
    if (final) parts.push(`<rect x="${node.x + 3}" y="${node.y + 3}" width="${node.width - 6}" height="${node.height - 6}" rx="8" fill="none" stroke="#2b6cb0"/>`)
    parts.push(`<text x="${node.x + node.width / 2}" y="${node.y + 20}" font-size="13" font-weight="700" text-anchor="middle" fill="#1a365d">${escapeXml(state.key)}</text>`)
    body.forEach((line, i) => {
      parts.push(`<text x="${node.x + 10}" y="${node.y + 40 + i * LINE_PX}" font-size="10.5" fill="#333">${escapeXml(line)}</text>`)
    })
    if (state.initial && state.parentId === undefined) {
      const cx = node.x + node.width / 2
      parts.push(`<circle cx="${cx}" cy="${node.y - 28}" r="6" fill="#111"/>`)
      parts.push(`<line x1="${cx}" y1="${node.y - 22}" x2="${cx}" y2="${node.y}" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>`)
    }
    parts.push('</g>')
  }
  parts.push('</g>', '</svg>')
  return `${parts.join('\n')}\n`
}

function forwardEdge(from: PlacedNode, to: PlacedNode, label: string, nth: number, t: GraphTransition): string {
  const spread = (nth - 0.5) * 14 * (nth > 0 ? 1 : 0)
  const x1 = from.x + from.width / 2 + spread
  const y1 = from.y + from.height
  const x2 = to.x + to.width / 2 + spread
  const y2 = to.y
  const midY = (y1 + y2) / 2
  const labelX = (x1 + x2) / 2 + 6
  return [
    `<path class="transition" data-event="${escapeXml(t.event)}" d="M${x1},${y1} C${x1},${midY} ${x2},${midY} ${x2},${y2}" fill="none" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>`,
    `<text x="${labelX}" y="${midY + nth * 12}" font-size="10.5" fill="#7b341e">${label}</text>`,
  ].join('\n')
}

function backEdge(from: PlacedNode, to: PlacedNode, label: string, laneX: number, freeY: (y: number) => number): string {
  const y1 = from.y + from.height / 2
  const y2 = to.y + to.height / 2 + 6
  const x1 = from.x + from.width
  const x2 = to.x + to.width
  const apexX = 0.75 * laneX + 0.125 * (x1 + x2)
  return [
    `<path class="transition" d="M${x1},${y1} C${laneX},${y1} ${laneX},${y2} ${x2},${y2}" fill="none" stroke="#777" stroke-width="1.2" stroke-dasharray="4 2" marker-end="url(#arrow)"/>`,
    `<text x="${apexX + 4}" y="${freeY((y1 + y2) / 2)}" font-size="10.5" fill="#7b341e">${label}</text>`,
  ].join('\n')
}

/** Between two states of one layer: a straight arrow between their facing sides, label above it. */
function sideEdge(from: PlacedNode, to: PlacedNode, label: string, nth: number): string {
  const rightward = to.x > from.x
  const y = Math.min(from.y + from.height, to.y + to.height) - 10 - nth * 12 - (rightward ? 0 : 18)
  const x1 = rightward ? from.x + from.width : from.x
  const x2 = rightward ? to.x : to.x + to.width
  return [
    `<path class="transition" d="M${x1},${y} L${x2},${y}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    `<text x="${(x1 + x2) / 2}" y="${y - 3}" font-size="10.5" text-anchor="middle" fill="#7b341e">${label}</text>`,
  ].join('\n')
}

function selfLoop(node: PlacedNode, label: string, nth: number): string {
  const x = node.x + node.width
  const y = node.y + 10 + nth * 12
  return [
    `<path class="transition" d="M${x},${y} C${x + 40},${y - 14} ${x + 40},${y + 22} ${x},${y + 10}" fill="none" stroke="#555" stroke-width="1.2" marker-end="url(#arrow)"/>`,
    `<text x="${x + 44}" y="${y + 8}" font-size="10.5" fill="#7b341e">${label}</text>`,
  ].join('\n')
}
