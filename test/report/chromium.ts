import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'

/** Debian's Chromium, driven by playwright-core. */
export const CHROMIUM = '/usr/bin/chromium'

/**
 * True when Chromium is here. Otherwise registers the skip (or, under CI=true, the failure)
 * that says how to install it, and the caller registers nothing else.
 */
export function chromiumOrSkip(): boolean {
  if (existsSync(CHROMIUM)) return true
  if (process.env['CI'] === 'true') {
    it('needs Chromium under CI=true', () => {
      throw new Error(`${CHROMIUM} is missing: install it (apt-get install -y chromium)`)
    })
  } else {
    it.skip(`skipped: ${CHROMIUM} is missing (apt-get install -y chromium); under CI=true this fails`, () => {})
  }
  return false
}

/** Runs `use` with a new page in a headless Chromium on a new, empty profile; collects console errors, page errors and network requests. */
export async function withPage<T>(viewport: { width: number; height: number }, use: (page: Page, problems: string[]) => Promise<T>): Promise<T> {
  const { chromium } = await import('playwright-core')
  // A new, empty profile each run: playwright takes it as launchPersistentContext's first argument.
  const profile = mkdtempSync(join(tmpdir(), 'loadbatch-chromium-'))
  const browser: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    page.on('pageerror', (error) => problems.push(error.message))
    page.on('request', (request) => {
      const url = request.url()
      if (!url.startsWith('file:') && !url.startsWith('about:') && !url.startsWith('data:')) problems.push(`network request: ${url}`)
    })
    return await use(page, problems)
  } finally {
    await browser.close()
  }
}
