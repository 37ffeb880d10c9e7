/**
 * One SVG line chart (a `<g>` to place in a larger SVG): time on x, one polyline per series,
 * linear or log y axis with round ticks, a title. Pure string building, no DOM, so reports
 * render the same in Node, in a file and in a browser.
 */

import { escapeXml } from './escapeXml.ts'

/** One line of a chart. */
export interface ChartSeries {
  /** Legend text. */
  readonly label: string
  /** Stroke colour. */
  readonly color: string
  /** Points as [x, y]; non-finite y values are skipped. */
  readonly points: readonly (readonly [number, number])[]
  /** Dashed line (e.g. a reference such as the best batch size, or a p99 beside a p50). */
  readonly dashed?: boolean
}

/** Options of {@link renderLineChart}. */
export interface LineChartOptions {
  /** Title above the plot. */
  readonly title: string
  /** The lines. */
  readonly series: readonly ChartSeries[]
  /** Top-left corner within the parent SVG, in px. */
  readonly x: number
  readonly y: number
  /** Size of the whole chart (title and axes included), in px. */
  readonly width: number
  readonly height: number
  /** `log` for values spanning decades, like latency (default `linear`). */
  readonly scale?: 'linear' | 'log'
  /** Largest x (default: the largest x of any point). */
  readonly xMax?: number
  /** Formats x tick labels (default: seconds from ms, e.g. `30s`). */
  readonly formatX?: (x: number) => string
  /** Fixed y range, e.g. [0, 1] for a load score (default: from the data). */
  readonly yRange?: readonly [number, number]
  /** Points to mark with a dot whose tooltip (`title`) shows on hover, e.g. a controller's decisions. */
  readonly markers?: readonly ChartMarker[]
}

/** A dot on a chart with a tooltip. */
export interface ChartMarker {
  readonly x: number
  readonly y: number
  readonly color: string
  /** Shown on hover (an SVG `<title>`). */
  readonly title: string
}

const MARGIN = { left: 56, right: 12, top: 24, bottom: 22 }

/**
 * Renders the chart as an SVG `<g class="chart">`. Each line is a `<polyline class="series"
 * data-series="label">` so a page script can find, highlight or hide it. An empty chart
 * (no points at all) still draws its frame and title.
 */
export function renderLineChart(options: LineChartOptions): string {
  const plotW = options.width - MARGIN.left - MARGIN.right
  const plotH = options.height - MARGIN.top - MARGIN.bottom
  const all = options.series.flatMap((s) => s.points.filter(([, y]) => Number.isFinite(y)))
  const xMax = options.xMax ?? Math.max(1, ...all.map(([x]) => x))
  const log = options.scale === 'log'
  const [yMin, yMax] = options.yRange ?? yExtent(all.map(([, y]) => y), log)
  const toY = (value: number): number => {
    const v = log ? Math.log10(Math.max(value, yMin)) : value
    const lo = log ? Math.log10(yMin) : yMin
    const hi = log ? Math.log10(yMax) : yMax
    const t = hi > lo ? (v - lo) / (hi - lo) : 0
    return MARGIN.top + plotH * (1 - Math.min(1, Math.max(0, t)))
  }
  const toX = (value: number): number => MARGIN.left + (plotW * value) / xMax
  const formatX = options.formatX ?? ((ms: number) => `${Math.round(ms / 1000)}s`)
  const parts: string[] = [
    `<g class="chart" transform="translate(${options.x},${options.y})" data-title="${escapeXml(options.title)}">`,
    `<text class="chart-title" x="${MARGIN.left}" y="15" font-size="13" font-weight="600" fill="#222">${escapeXml(options.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="#fff" stroke="#ccc"/>`,
  ]
  for (const tick of yTicks(yMin, yMax, log)) {
    const y = toY(tick).toFixed(1)
    parts.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${y}" y2="${y}" stroke="#eee"/>`)
    parts.push(`<text x="${MARGIN.left - 6}" y="${y}" font-size="10" fill="#555" text-anchor="end" dominant-baseline="middle">${formatNumber(tick)}</text>`)
  }
  for (const tick of linearTicks(0, xMax, 8)) {
    const x = toX(tick).toFixed(1)
    parts.push(`<line x1="${x}" x2="${x}" y1="${MARGIN.top + plotH}" y2="${MARGIN.top + plotH + 4}" stroke="#999"/>`)
    parts.push(`<text x="${x}" y="${MARGIN.top + plotH + 15}" font-size="10" fill="#555" text-anchor="middle">${escapeXml(formatX(tick))}</text>`)
  }
  for (const series of options.series) {
    const points = series.points
      .filter(([, y]) => Number.isFinite(y))
      .map(([x, y]) => `${toX(x).toFixed(1)},${toY(y).toFixed(1)}`)
      .join(' ')
    parts.push(
      `<polyline class="series" data-series="${escapeXml(series.label)}" points="${points}" fill="none" stroke="${series.color}" stroke-width="1.6"${series.dashed ? ' stroke-dasharray="5 3"' : ''} stroke-linejoin="round"/>`,
    )
  }
  for (const marker of options.markers ?? []) {
    if (!(marker.x <= xMax) || !Number.isFinite(marker.y)) continue
    parts.push(
      `<circle class="marker" cx="${toX(marker.x).toFixed(1)}" cy="${toY(marker.y).toFixed(1)}" r="3.5" fill="${marker.color}" stroke="#fff" stroke-width="1"><title>${escapeXml(marker.title)}</title></circle>`,
    )
  }
  parts.push('</g>')
  return parts.join('\n')
}

function yExtent(values: readonly number[], log: boolean): [number, number] {
  if (log) {
    const positive = values.filter((v) => v > 0)
    if (positive.length === 0) return [1, 10]
    const lo = 10 ** Math.floor(Math.log10(Math.min(...positive)))
    const hi = 10 ** Math.ceil(Math.log10(Math.max(...positive)))
    return [lo, hi > lo ? hi : lo * 10]
  }
  const max = Math.max(0, ...values)
  return [0, max > 0 ? niceCeil(max) : 1]
}

function niceCeil(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude
  return 10 * magnitude
}

function yTicks(min: number, max: number, log: boolean): number[] {
  if (!log) return linearTicks(min, max, 5)
  const ticks: number[] = []
  for (let v = min; v <= max * 1.0001; v *= 10) ticks.push(v)
  return ticks
}

/** Round ticks from `min` to `max`, about `count` of them. */
function linearTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min]
  const raw = (max - min) / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 2.5, 5, 10].map((s) => s * magnitude).find((s) => s >= raw) ?? raw
  const ticks: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(+v.toPrecision(12))
  return ticks
}

function formatNumber(value: number): string {
  if (value >= 1000) return `${+(value / 1000).toPrecision(3)}k`
  return `${+value.toPrecision(3)}`
}
