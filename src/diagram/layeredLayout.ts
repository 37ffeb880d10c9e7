/**
 * A small layered (Sugiyama-style) layout for statecharts, top to bottom: each state's layer
 * is its distance from the initial state along transitions, states within a layer are ordered
 * by the mean position of their predecessors (a few sweeps), and edges that go back up are
 * routed around the right-hand side. Deterministic: the same graph always gets the same layout.
 */

/** A box to place: its id and size in px. */
export interface LayoutNode {
  readonly id: string
  readonly width: number
  readonly height: number
}

/** A placed box: its top-left corner and its layer. */
export interface PlacedNode extends LayoutNode {
  readonly x: number
  readonly y: number
  readonly layer: number
}

/** The result: placed nodes and the size of the drawing. */
export interface Layout {
  readonly nodes: ReadonlyMap<string, PlacedNode>
  readonly width: number
  readonly height: number
}

/** Spacing of the layout, in px. */
export const layoutSpacing = { layerGap: 90, nodeGap: 150, margin: 24, backEdgeRoom: 180 } as const

/**
 * Places `nodes` in layers from `start` (nodes it cannot reach go below, in their given
 * order), following `edges` as [from, to] pairs. Self-edges are ignored for placement.
 * `spacing` overrides {@link layoutSpacing} (e.g. a wider `nodeGap` for long labels between
 * states of one layer).
 */
export function layeredLayout(
  nodes: readonly LayoutNode[],
  edges: readonly (readonly [string, string])[],
  start: string | undefined,
  spacing: { readonly [K in keyof typeof layoutSpacing]?: number } = {},
): Layout {
  const layerOf = new Map<string, number>()
  const queue: string[] = []
  if (start !== undefined && nodes.some((n) => n.id === start)) {
    layerOf.set(start, 0)
    queue.push(start)
  }
  while (queue.length > 0) {
    const id = queue.shift()!
    for (const [from, to] of edges) {
      if (from === id && !layerOf.has(to)) {
        layerOf.set(to, layerOf.get(id)! + 1)
        queue.push(to)
      }
    }
  }
  let next = Math.max(-1, ...layerOf.values()) + 1
  for (const node of nodes) if (!layerOf.has(node.id)) layerOf.set(node.id, next++)

  const layers: LayoutNode[][] = []
  for (const node of nodes) (layers[layerOf.get(node.id)!] ??= []).push(node)
  // Order within layers by the mean index of predecessors in the layer above (barycentre).
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let l = 1; l < layers.length; l++) {
      const above = layers[l - 1] ?? []
      const indexAbove = new Map(above.map((n, i) => [n.id, i]))
      const weight = (node: LayoutNode, fallback: number): number => {
        const preds = edges.filter(([from, to]) => to === node.id && indexAbove.has(from)).map(([from]) => indexAbove.get(from)!)
        return preds.length === 0 ? fallback : preds.reduce((a, b) => a + b, 0) / preds.length
      }
      const layer = layers[l] ?? []
      const keyed = layer.map((node, i) => ({ node, key: weight(node, i), i }))
      keyed.sort((a, b) => a.key - b.key || a.i - b.i)
      layers[l] = keyed.map((k) => k.node)
    }
  }

  const { layerGap, nodeGap, margin, backEdgeRoom } = { ...layoutSpacing, ...spacing }
  const rowWidths = layers.map((layer) => (layer ?? []).reduce((sum, n) => sum + n.width, 0) + nodeGap * Math.max(0, (layer ?? []).length - 1))
  const contentWidth = Math.max(0, ...rowWidths)
  const placed = new Map<string, PlacedNode>()
  let y = margin
  layers.forEach((layer, l) => {
    const row = layer ?? []
    let x = margin + (contentWidth - rowWidths[l]!) / 2
    const rowHeight = Math.max(0, ...row.map((n) => n.height))
    for (const node of row) {
      placed.set(node.id, { ...node, x, y: y + (rowHeight - node.height) / 2, layer: l })
      x += node.width + nodeGap
    }
    y += rowHeight + layerGap
  })
  return { nodes: placed, width: contentWidth + 2 * margin + backEdgeRoom, height: y - layerGap + margin }
}
