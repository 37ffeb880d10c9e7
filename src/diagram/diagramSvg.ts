/**
 * An SVG drawing of a {@link MachineGraph}, laid out by {@link layeredLayout}: each state a
 * rounded box with its name and the events it handles in place, the initial state marked by
 * a dot, final states by a double border, transitions as labelled arrows. Edges back up are
 * dashed, from the top of a state into the bottom of the earlier one; between states of one
 * layer, neighbours get a straight arrow (the gap widened to fit its label) and others an arc
 * under the row. Every label sits on its own line where it can (else beside it), placed by
 * {@link LabelPlacer} clear of the boxes and of each other, on a white halo, and the drawing
 * grows to hold them all. No browser and no network needed.
 */

import { escapeXml } from '../report/escapeXml.ts'
import { LabelPlacer, labelSize, LABEL_LINE_PX, wrapLabel, type Box } from './labelPlacer.ts'
import { layeredLayout, layoutSpacing, type LayoutNode, type PlacedNode } from './layeredLayout.ts'
import type { MachineGraph } from './machineGraph.ts'
import { describe, transitionLabel } from './mermaid.ts'

const CHAR_PX = 6.4
const LINE_PX = 14
const TOP = 30
const FONT = 'system-ui, -apple-system, Segoe UI, sans-serif'

/** One transition as drawn: its path and where its label may go, best first. */
interface DrawnEdge {
  readonly path: string
  readonly dashed: boolean
  readonly lines: string[]
  readonly candidates: { x: number; y: number }[]
}

/** Renders `graph` as a standalone SVG document string (deterministic for a graph). */
export function renderDiagramSvg(graph: MachineGraph): string {
  const lines = new Map(graph.states.map((s) => [s.id, describe(s)]))
  const nodes: LayoutNode[] = graph.states.map((state) => {
    const body = lines.get(state.id) ?? []
    const width = Math.ceil(Math.max(state.key.length * 8 + 24, ...body.map((l) => l.length * CHAR_PX + 20)))
    return { id: state.id, width, height: 30 + body.length * LINE_PX + (body.length > 0 ? 8 : 0) }
  })
  const edges = graph.transitions.filter((t) => t.from !== t.to).map((t) => [t.from, t.to] as const)
  const layout = layoutWithRoomForLabels(graph, nodes, edges)
  const at = (id: string) => layout.nodes.get(id)!
  const placer = new LabelPlacer([...layout.nodes.values()].map(({ x, y, width, height }) => ({ x: x - 4, y: y - 4, width: width + 8, height: height + 8 })))

  const drawn: DrawnEdge[] = []
  let lane = 0
  const pairCount = new Map<string, number>()
  const arcsUnder = new Map<number, number>()
  for (const t of graph.transitions) {
    const from = at(t.from)
    const to = at(t.to)
    const pairKey = `${t.from}->${t.to}`
    const nth = pairCount.get(pairKey) ?? 0
    pairCount.set(pairKey, nth + 1)
    const label = wrapLabel(transitionLabel(t))
    if (t.from === t.to) drawn.push(selfLoop(from, label, nth))
    else if (to.layer > from.layer) drawn.push(forwardEdge(from, to, label, nth))
    else if (to.layer < from.layer) drawn.push(backEdge(from, to, label, lane++))
    else if (areNeighbours(layout.nodes, from, to)) drawn.push(sideEdge(from, to, label, nth))
    else {
      const k = arcsUnder.get(from.layer) ?? 0
      arcsUnder.set(from.layer, k + 1)
      drawn.push(arcUnder(from, to, label, k))
    }
  }
  const labels = drawn.map((edge) => placer.place(labelSize(edge.lines), edge.candidates))
  const extent = placer.extent()
  const width = Math.ceil(Math.max(layout.width, extent.x + extent.width + layoutSpacing.margin))
  const height = Math.ceil(Math.max(layout.height, extent.y + extent.height + layoutSpacing.margin) + TOP)

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="20" font-size="14" font-weight="700" fill="#111">${escapeXml(graph.id)}</text>`,
    `<g transform="translate(0,${TOP})">`,
  ]
  // Edges first, so boxes sit on top of their ends; labels last, on top of everything.
  for (const edge of drawn) {
    parts.push(`<path class="transition" d="${edge.path}" fill="none" stroke="${edge.dashed ? '#777' : '#555'}" stroke-width="1.2"${edge.dashed ? ' stroke-dasharray="4 2"' : ''} marker-end="url(#arrow)"/>`)
  }
  for (const state of graph.states) parts.push(stateBox(state, at(state.id), lines.get(state.id) ?? []))
  drawn.forEach((edge, i) => parts.push(labelText(edge.lines, labels[i]!)))
  parts.push('</g>', '</svg>')
  return `${parts.join('\n')}\n`
}

/** Lays out once, then again with the gap within a layer wide enough for the labels between neighbours. */
function layoutWithRoomForLabels(graph: MachineGraph, nodes: readonly LayoutNode[], edges: readonly (readonly [string, string])[]) {
  const first = layeredLayout(nodes, edges, graph.initial, { backEdgeRoom: 0 })
  let gap: number = layoutSpacing.nodeGap
  for (const t of graph.transitions) {
    const from = first.nodes.get(t.from)!
    const to = first.nodes.get(t.to)!
    if (t.from !== t.to && from.layer === to.layer && areNeighbours(first.nodes, from, to)) gap = Math.max(gap, labelSize(wrapLabel(transitionLabel(t))).width + 28)
  }
  // Arcs under a row (between states of one layer that are not neighbours) need room above the next row.
  const arcs = new Map<number, number>()
  for (const t of graph.transitions) {
    const from = first.nodes.get(t.from)!
    const to = first.nodes.get(t.to)!
    if (t.from !== t.to && from.layer === to.layer && !areNeighbours(first.nodes, from, to)) arcs.set(from.layer, (arcs.get(from.layer) ?? 0) + 1)
  }
  const layerGap = layoutSpacing.layerGap + 22 * Math.max(0, ...arcs.values())
  if (gap === layoutSpacing.nodeGap && layerGap === layoutSpacing.layerGap) return first
  return layeredLayout(nodes, edges, graph.initial, { nodeGap: Math.ceil(gap), layerGap, backEdgeRoom: 0 })
}

/** Two states of one layer with no state between them. */
function areNeighbours(nodes: ReadonlyMap<string, PlacedNode>, a: PlacedNode, b: PlacedNode): boolean {
  const [left, right] = a.x < b.x ? [a, b] : [b, a]
  return ![...nodes.values()].some((n) => n.layer === a.layer && n.x > left.x && n.x < right.x)
}

function stateBox(state: MachineGraph['states'][number], node: PlacedNode, body: readonly string[]): string {
  const parts = [`<g class="state" data-state="${escapeXml(state.id)}">`]
  parts.push(`<rect x="${node.x}" y="${node.y}" width="${node.width}" height="${node.height}" rx="10" fill="#eef4fb" stroke="#2b6cb0" stroke-width="1.5"/>`)
  if (state.type === 'final') parts.push(`<rect x="${node.x + 3}" y="${node.y + 3}" width="${node.width - 6}" height="${node.height - 6}" rx="8" fill="none" stroke="#2b6cb0"/>`)
  parts.push(`<text x="${node.x + node.width / 2}" y="${node.y + 20}" font-size="13" font-weight="700" text-anchor="middle" fill="#1a365d">${escapeXml(state.key)}</text>`)
  body.forEach((line, i) => parts.push(`<text x="${node.x + 10}" y="${node.y + 40 + i * LINE_PX}" font-size="10.5" fill="#333">${escapeXml(line)}</text>`))
  if (state.initial && state.parentId === undefined) {
    const cx = node.x + node.width / 2
    parts.push(`<circle cx="${cx}" cy="${node.y - 28}" r="6" fill="#111"/>`)
    parts.push(`<line x1="${cx}" y1="${node.y - 22}" x2="${cx}" y2="${node.y}" stroke="#555" stroke-width="1.3" marker-end="url(#arrow)"/>`)
  }
  parts.push('</g>')
  return parts.join('\n')
}

/** A label centred in its box, one `<tspan>` per line, on a white halo so crossing lines do not hide it. */
function labelText(lines: readonly string[], box: Box): string {
  const cx = (box.x + box.width / 2).toFixed(1)
  const spans = lines.map((line, i) => `<tspan x="${cx}" dy="${i === 0 ? 0 : LABEL_LINE_PX}">${escapeXml(line)}</tspan>`).join('')
  return `<text class="transition-label" x="${cx}" y="${(box.y + 10).toFixed(1)}" font-size="10.5" text-anchor="middle" fill="#7b341e" stroke="#fff" stroke-width="3" paint-order="stroke">${spans}</text>`
}

/** A point on the cubic Bézier `p0 c1 c2 p3` at `t`. */
function bezier(t: number, p0: number, c1: number, c2: number, p3: number): number {
  const u = 1 - t
  return u * u * u * p0 + 3 * u * u * t * c1 + 3 * u * t * t * c2 + t * t * t * p3
}

function forwardEdge(from: PlacedNode, to: PlacedNode, lines: string[], nth: number): DrawnEdge {
  const spread = nth * 14
  const x1 = from.x + from.width / 2 + spread
  const y1 = from.y + from.height
  const x2 = to.x + to.width / 2 + spread
  const y2 = to.y
  const midY = (y1 + y2) / 2
  const { width } = labelSize(lines)
  const candidates = [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8].flatMap((t) => {
    const x = bezier(t, x1, x1, x2, x2)
    const y = bezier(t, y1, midY, midY, y2)
    return [{ x, y }, { x: x + width / 2 + 6, y }, { x: x - width / 2 - 6, y }]
  })
  return { path: `M${x1},${y1} C${x1},${midY} ${x2},${midY} ${x2},${y2}`, dashed: false, lines, candidates }
}

/**
 * Back up to an earlier layer: out of the top of the state and into the bottom of the target,
 * right of centre (where forward edges leave), dashed, the `lane`-th one further right.
 */
function backEdge(from: PlacedNode, to: PlacedNode, lines: string[], lane: number): DrawnEdge {
  const x1 = from.x + from.width * 0.85
  const y1 = from.y
  const x2 = to.x + to.width * Math.min(0.95, 0.75 + 0.1 * lane)
  const y2 = to.y + to.height
  const midY = (y1 + y2) / 2
  const { width } = labelSize(lines)
  const candidates = [0.5, 0.4, 0.6, 0.3, 0.7].flatMap((t) => {
    const x = bezier(t, x1, x1, x2, x2)
    const y = bezier(t, y1, midY, midY, y2)
    return [{ x, y }, { x: x + width / 2 + 6, y }, { x: x - width / 2 - 6, y }]
  })
  return { path: `M${x1},${y1} C${x1},${midY} ${x2},${midY} ${x2},${y2}`, dashed: true, lines, candidates }
}

/** Between neighbours of one layer: a straight arrow between their facing sides, the label above or below it. */
function sideEdge(from: PlacedNode, to: PlacedNode, lines: string[], nth: number): DrawnEdge {
  const rightward = to.x > from.x
  const bottom = Math.min(from.y + from.height, to.y + to.height)
  const y = bottom - 10 - nth * 16 - (rightward ? 0 : 8)
  const x1 = rightward ? from.x + from.width : from.x
  const x2 = rightward ? to.x : to.x + to.width
  const { height } = labelSize(lines)
  const mid = (x1 + x2) / 2
  const candidates = [{ x: mid, y: y - height / 2 - 2 }, { x: mid, y: y + height / 2 + 2 }, { x: mid, y: y - height - 14 }]
  return { path: `M${x1},${y} L${x2},${y}`, dashed: false, lines, candidates }
}

/** Between states of one layer with others in between: an arc under the row, the k-th one deeper. */
function arcUnder(from: PlacedNode, to: PlacedNode, lines: string[], k: number): DrawnEdge {
  const x1 = from.x + from.width * (to.x > from.x ? 0.75 : 0.25)
  const x2 = to.x + to.width * (to.x > from.x ? 0.25 : 0.75)
  const y1 = from.y + from.height
  const y2 = to.y + to.height
  const dip = Math.max(y1, y2) + 28 + 18 * k
  const mid = (x1 + x2) / 2
  const { height } = labelSize(lines)
  const bottom = bezier(0.5, y1, dip, dip, y2)
  const candidates = [{ x: mid, y: bottom + height / 2 + 2 }, { x: mid, y: bottom - height / 2 - 2 }, { x: mid + 80, y: bottom + height / 2 + 2 }]
  return { path: `M${x1},${y1} C${x1},${dip} ${x2},${dip} ${x2},${y2}`, dashed: false, lines, candidates }
}

function selfLoop(node: PlacedNode, lines: string[], nth: number): DrawnEdge {
  const x = node.x + node.width
  const y = node.y + 10 + nth * 12
  const { width } = labelSize(lines)
  const { height } = labelSize(lines)
  // Beside the loop when there is room; else above or below the box's right-hand corner.
  const candidates = [
    ...[0, 14, -14].map((dy) => ({ x: x + 44 + width / 2, y: y + 5 + dy })),
    { x: x + 30 - width / 2, y: node.y - height / 2 - 4 },
    { x: x + 30 - width / 2, y: node.y + node.height + height / 2 + 4 },
  ]
  return { path: `M${x},${y} C${x + 40},${y - 14} ${x + 40},${y + 22} ${x},${y + 10}`, dashed: false, lines, candidates }
}
