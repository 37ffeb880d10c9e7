import { mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { aimd } from '../../src/controllers/index.ts'
import { renderReportHtml } from '../../src/report/reportHtml.ts'
import { runComparison } from '../../src/sim/runComparison.ts'
import type { SimulationRun } from '../../src/sim/runResult.ts'
import { chromiumOrSkip, withPage } from './chromium.ts'

const OFFERED_MS = 20_000

/** The runs, with a reason on every sample where the adaptive run's size changed (as a controller that explains itself would give). */
function withReasons(runs: SimulationRun[]): SimulationRun[] {
  const [adaptive, ...rest] = runs
  const samples = adaptive!.samples.map((sample, i) => {
    const before = adaptive!.samples[i - 1]
    if (!before || before.batchSize === sample.batchSize) return sample
    const rule = before.batchSize < sample.batchSize ? 'additive increase' : 'multiplicative decrease'
    const from = { batchSize: before.batchSize, concurrency: 1 }
    const to = { batchSize: sample.batchSize, concurrency: 1 }
    return { ...sample, reason: { rule, from, to, inputs: { latencyMs: 41.5 }, text: `${rule}: latencyMs 41.5` } }
  })
  return [{ ...adaptive!, samples }, ...rest]
}

describe('the HTML report in headless Chromium', () => {
  if (!chromiumOrSkip()) return

  it('tells the story: headline, charts bounded to the offered period, decisions with reasons on hover', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadbatch-report-'))
    const runs = withReasons(await runComparison({ adaptive: { pattern: 'sinewave', count: Infinity, durationMs: OFFERED_MS, controller: aimd({ intervalMs: 1000 }) } }))
    const page = join(dir, 'report.html')
    writeFileSync(page, renderReportHtml(runs, { offeredMs: OFFERED_MS }))
    await withPage({ width: 1100, height: 1200 }, async (tab, problems) => {
      await tab.goto(pathToFileURL(page).href)
      await tab.waitForSelector('html[data-rendered="4"]')
      expect(await tab.locator('g.chart').count()).toBe(4)
      // Batch size, load score and throughput: a line per run; latency: p50 and p99 per run; plus the oracle's line.
      expect(await tab.locator('polyline.series').count()).toBe(runs.length * 5 + 1)

      expect(await tab.locator('p.headline').textContent()).toMatch(/^aimd: [+−]\d+% items\/s vs the best fixed size \(fixed \d+, \d+\/s\), p99 \d+ ms vs \d+ ms/)
      expect(await tab.locator('svg text.headline-detail').textContent()).toMatch(/^aimd's batch \d+ on average, the oracle's best size \d+ on average$/)

      // The x axis ends where offering ended; the drain is a note, not a stretch of every chart.
      expect(Number(await tab.locator('svg.loadbatch-report').getAttribute('data-x-max'))).toBe(OFFERED_MS)
      expect(await tab.locator('g.chart').first().locator('text').last().textContent()).toBe('20s')
      if (runs.some((run) => run.summary.durationMs > OFFERED_MS + 50)) expect(await tab.locator('text.drain-note').textContent()).toMatch(/^Offering stopped at 20 s; drained after it \(not drawn\): /)
      const plotRight = await tab.locator('g.chart').first().locator('rect').first().evaluate((el) => {
        const r = (el as unknown as { getBBox(): { x: number; width: number } }).getBBox()
        return r.x + r.width
      })
      const rightmost = await tab.locator('polyline.series').evaluateAll((lines) =>
        Math.max(...lines.flatMap((line) => (line.getAttribute('points') ?? '').split(' ').filter(Boolean).map((p: string) => Number(p.split(',')[0])))),
      )
      expect(rightmost).toBeLessThanOrEqual(plotRight + 0.5)

      // Each decision of the controller is a dot whose tooltip says why; the pointer read-out says it too.
      const markers = tab.locator('circle.marker')
      expect(await markers.count()).toBeGreaterThan(0)
      expect(await markers.first().locator('title').textContent()).toMatch(/^\d+\.\d s: batch \d+ → \d+ \((additive increase|multiplicative decrease): latencyMs 41\.5\)$/)
      const dot = await markers.first().boundingBox()
      await tab.mouse.move(dot!.x + dot!.width / 2, dot!.y + dot!.height / 2)
      expect(await tab.locator('#readout').textContent()).toMatch(/decision: batch \d+ → \d+, because (additive increase|multiplicative decrease): latencyMs 41\.5/)

      await tab.locator('.legend-item').first().click()
      expect(await tab.locator('polyline.series[data-series="aimd"]').first().evaluate((el) => (el as unknown as { style: { display: string } }).style.display)).toBe('none')
      const screenshot = join(dir, 'report.png')
      await tab.screenshot({ path: screenshot, fullPage: true })
      expect(statSync(screenshot).size).toBeGreaterThan(10_000)
      expect(problems).toEqual([])
    })
  })
})
