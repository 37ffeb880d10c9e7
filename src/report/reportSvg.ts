/**
 * The simulation report as one standalone SVG: a headline (the adaptive run against the best
 * fixed size), then batch size (with the oracle's best size, dashed, and the controller's
 * decisions as dots whose tooltip says why), load score, throughput and flush latency (p50
 * solid, p99 dashed, log scale) over the offered period, one line per run, with a legend.
 */

import type { SimulationRun } from '../sim/runResult.ts'
import { decisionsOf, describeDecision } from './decisions.ts'
import { escapeXml } from './escapeXml.ts'
import { drainNote, headlineOf } from './headline.ts'
import { renderLineChart, type ChartSeries } from './lineChart.ts'
import { colorOf } from './palette.ts'

/** Size of the report SVG, in px. */
export const reportSize = { width: 960, panelHeight: 210, headerHeight: 112 } as const

/** Options of {@link renderReportSvg}. */
export interface ReportSvgOptions {
  /** Heading of the report (default: the pattern and the runs). */
  readonly title?: string
  /** A second line under the title, e.g. the settings of the run. */
  readonly subtitle?: string
  /**
   * How long items were offered, in ms: the charts end there (a slow run's drain is noted
   * under the headline, not drawn). Default: the longest run, drain included.
   */
  readonly offeredMs?: number
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
  const lastAtMs = Math.max(1, ...runs.map((run) => run.samples.at(-1)?.atMs ?? 0))
  const offeredMs = options.offeredMs ?? Infinity
  const xMax = Math.min(lastAtMs, offeredMs)
  const ordered = [...runs].reverse() // the first run is painted last, so it lies on top
  const colorFor = (run: SimulationRun) => colorOf(runs.indexOf(run))
  const seriesOf = (pick: (run: SimulationRun) => ChartSeries[]) => ordered.flatMap(pick)
  const line = (run: SimulationRun, label: string, value: (s: SimulationRun['samples'][number]) => number, dashed = false): ChartSeries => ({
    label,
    color: colorFor(run),
    dashed,
    points: run.samples.filter((s) => s.atMs <= xMax).map((s) => [s.atMs, value(s)] as const),
  })
  const panels = [
    {
      title: `Batch size (dashed grey: the oracle's best size for the load then; dots: ${first.label}'s decisions, hover for why)`,
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
      return `<g class="legend-item" data-series="${escapeXml(run.label)}"><rect x="${x}" y="97" width="14" height="4" fill="${colorFor(run)}"/><text x="${x + 20}" y="102" font-size="12" fill="#222">${escapeXml(run.label)}</text></g>`
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
        ...(i === 0 ? { markers: decisionsOf(first, xMax).map((d) => ({ x: d.atMs, y: d.to, color: colorFor(first), title: describeDecision(d) })) } : {}),
      }),
    )
    .join('\n')
  const note = drainNote(runs, xMax < lastAtMs ? xMax : Infinity)
  const headline = headlineOf(runs, xMax)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="loadbatch-report" data-x-max="${xMax}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fafafa"/>`,
    `<text x="16" y="20" font-size="15" font-weight="700" fill="#111">${escapeXml(title)}</text>`,
    options.subtitle ? `<text x="16" y="34" font-size="11" fill="#555">${escapeXml(options.subtitle)}</text>` : '',
    `<text class="headline" x="16" y="56" font-size="14" font-weight="600" fill="${colorFor(first)}">${escapeXml(headline.verdict)}</text>`,
    `<text class="headline-detail" x="16" y="71" font-size="11" fill="#555">${escapeXml(headline.detail)}</text>`,
    note ? `<text class="drain-note" x="16" y="85" font-size="11" fill="#555">${escapeXml(note)}</text>` : '',
    legend,
    body,
    '</svg>',
  ].join('\n')
}
