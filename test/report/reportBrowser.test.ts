import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { aimd } from '../../src/controllers/index.ts'
import { renderReportHtml } from '../../src/report/reportHtml.ts'
import { runComparison } from '../../src/sim/runComparison.ts'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
const inCi = process.env['CI'] === 'true'

describe('the HTML report in headless Chromium', () => {
  if (!hasChromium) {
    if (inCi) {
      it('needs Chromium under CI=true', () => {
        throw new Error(`${CHROMIUM} is missing: install it (apt-get install -y chromium)`)
      })
    } else {
      it.skip(`skipped: ${CHROMIUM} is missing (apt-get install -y chromium); under CI=true this fails`, () => {})
    }
    return
  }

  it('renders its four charts, one line per run, without console errors; writes a screenshot', async () => {
    const { chromium } = await import('playwright-core')
    const dir = mkdtempSync(join(tmpdir(), 'loadbatch-report-'))
    const runs = await runComparison({ adaptive: { pattern: 'sinewave', count: 5000, controller: aimd({ intervalMs: 1000 }) } })
    const page = join(dir, 'report.html')
    writeFileSync(page, renderReportHtml(runs))
    // A new, empty profile each run: playwright takes it as launchPersistentContext's first argument.
    const profile = mkdtempSync(join(tmpdir(), 'loadbatch-chromium-'))
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 1200 },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    try {
      const tab = await browser.newPage()
      const problems: string[] = []
      tab.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text())
      })
      tab.on('pageerror', (error) => problems.push(error.message))
      tab.on('request', (request) => {
        if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`)
      })
      await tab.goto(pathToFileURL(page).href)
      await tab.waitForSelector('html[data-rendered="4"]')
      expect(await tab.locator('g.chart').count()).toBe(4)
      // Batch size, load score and throughput: a line per run; latency: p50 and p99 per run; plus the best-size line.
      expect(await tab.locator('polyline.series').count()).toBe(runs.length * 5 + 1)
      const box = await tab.locator('g.chart').first().boundingBox()
      expect(box?.width).toBeGreaterThan(500)
      await tab.mouse.move(400, 420)
      await tab.locator('.legend-item').first().click()
      expect(await tab.locator('polyline.series[data-series="aimd"]').first().evaluate((el) => (el as unknown as { style: { display: string } }).style.display)).toBe('none')
      const screenshot = join(dir, 'report.png')
      await tab.screenshot({ path: screenshot, fullPage: true })
      expect(statSync(screenshot).size).toBeGreaterThan(10_000)
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
