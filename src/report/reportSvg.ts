/**
 * The simulation report as one standalone SVG: batch size (with the best size in hindsight,
 * dashed), load score, throughput and flush latency (p50 solid, p99 dashed, log scale) over
 * time, one line per run (controller or fixed size), with a legend.
 */

import type { SimulationRun } from '../sim/runResult.ts'
import { escapeXml } from './escapeXml.ts'
import { renderLineChart, type ChartSeries } from './lineChart.ts'
import { colorOf } from './palette.ts'

/** Size of the report SVG, in px. */
export const reportSize = { width: 960, panelHeight: 210, headerHeight: 66 } as const

/** Options of {@link renderReportSvg}. */
export interface ReportSvgOptions {
  /** Heading of the report (default: the pattern and the runs). */
  readonly title?: string
  /** A second line under the title, e.g. the settings of the run. */
  readonly subtitle?: string
}

/**
 * Renders `runs` (the first is drawn on top, usually the adaptive one) into a standalone SVG
 * document string (with the XML namespace, so it opens on its own). Needs at least one run.
 */
export function renderReportSvg(runs: readonly SimulationRun[], options: ReportSvgOptions = {}): string {
  const first = runs[0]
  if (!first) throw new RangeError('Expected at least one simulation run to draw')
  const { width, panelHeight, headerHeight } = reportSize
  const height = headerHeight + panelHeight * 4
  const xMax = Math.max(1, ...runs.map((run) => run.samples.at(-1)?.atMs ?? 0))
  const ordered = [...runs].reverse() // the first run is painted last, so it lies on top
  const colorFor = (run: SimulationRun) => colorOf(runs.indexOf(run))
  const seriesOf = (pick: (run: SimulationRun) => ChartSeries[]) => ordered.flatMap(pick)
  const line = (run: SimulationRun, label: string, value: (s: SimulationRun['samples'][number]) => number, dashed = false): ChartSeries => ({
    label,
    color: colorFor(run),
    dashed,
    points: run.samples.map((s) => [s.atMs, value(s)] as const),
  })
  const panels = [
    {
      title: 'Batch size (dashed grey: best size for the load at that moment)',
      series: [
        { ...line(first, 'best size', (s) => s.bestBatchSize, true), color: '#999' },
        ...seriesOf((run) => [line(run, run.label, (s) => s.batchSize)]),
      ],
    },
    { title: 'Load score (0 idle .. 1 overloaded)', series: seriesOf((run) => [line(run, run.label, (s) => s.loadScore)]), yRange: [0, 1] as const },
    { title: 'Throughput (items flushed per second)', series: seriesOf((run) => [line(run, run.label, (s) => s.itemsPerSecond)]) },
    {
      title: 'Flush latency, ms (log scale; solid p50, dashed p99)',
      series: seriesOf((run) => [
        line(run, `${run.label} p99`, (s) => (s.latencyP99Ms > 0 ? s.latencyP99Ms : NaN), true),
        line(run, `${run.label} p50`, (s) => (s.latencyP50Ms > 0 ? s.latencyP50Ms : NaN)),
      ]),
      scale: 'log' as const,
    },
  ]
  const title = options.title ?? `loadbatch simulation: ${first.pattern} load, ${runs.map((r) => r.label).join(' vs ')}`
  const legend = runs
    .map((run, i) => {
      const x = 16 + i * 150
      return `<g class="legend-item" data-series="${escapeXml(run.label)}"><rect x="${x}" y="50" width="14" height="4" fill="${colorFor(run)}"/><text x="${x + 20}" y="55" font-size="12" fill="#222">${escapeXml(run.label)}</text></g>`
    })
    .join('\n')
  const body = panels
    .map((panel, i) =>
      renderLineChart({
        ...panel,
        x: 0,
        y: headerHeight + i * panelHeight,
        width,
        height: panelHeight,
        xMax,
      }),
    )
    .join('\n')
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="loadbatch-report" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="16" y="20" font-size="15" font-weight="700" fill="#111">${escapeXml(title)}</text>`,
    options.subtitle ? `<text x="16" y="34" font-size="11" fill="#555">${escapeXml(options.subtitle)}</text>` : '',
    legend,
    body,
    '</svg>',
  ].join('\n')
}
