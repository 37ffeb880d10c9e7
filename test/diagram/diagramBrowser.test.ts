import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { machineGraph } from '../../src/diagram/machineGraph.ts'
import { machinesToDraw } from '../../src/diagram/machinesToDraw.ts'
import { diagramFiles } from '../../src/diagram/writeDiagrams.ts'
import { chromiumOrSkip, withPage } from '../report/chromium.ts'

interface Rect {
  name: string
  x: number
  y: number
  width: number
  height: number
}

const overlap = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height

describe('statechart diagrams in headless Chromium', () => {
  if (!chromiumOrSkip()) return

  it.each(machinesToDraw().map((m) => [m.id, m] as const))('%s: no transition label overlaps another or a state, none is clipped', async (id, machine) => {
    const svg = diagramFiles(machine)[`${id}.svg`]!
    await withPage({ width: 1400, height: 900 }, async (page, problems) => {
      await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`)
      // Boxes as the browser measured the rendered text, in the SVG's own coordinates.
      const { labels, states, size } = await page.evaluate(() => {
        type Measured = { getBBox(): { x: number; y: number; width: number; height: number }; getCTM(): { e: number; f: number } | null; textContent: string | null; getAttribute(name: string): string | null }
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<Measured>; querySelector(s: string): Measured } }).document
        const measure = (el: Measured, name: string) => {
          const box = el.getBBox()
          const ctm = el.getCTM()
          return { name, x: box.x + (ctm?.e ?? 0), y: box.y + (ctm?.f ?? 0), width: box.width, height: box.height }
        }
        const root = doc.querySelector('svg')
        return {
          labels: [...doc.querySelectorAll('text.transition-label')].map((el) => measure(el, el.textContent ?? '')),
          states: [...doc.querySelectorAll('g.state > rect:first-child')].map((el) => measure(el, 'state')),
          size: { width: Number(root.getAttribute('width')), height: Number(root.getAttribute('height')) },
        }
      })
      expect(labels.length).toBe(machineGraph(machine).transitions.length)
      for (const [i, label] of labels.entries()) {
        expect(label.x, `${label.name} starts inside the drawing`).toBeGreaterThanOrEqual(0)
        expect(label.x + label.width, `${label.name} ends inside the drawing`).toBeLessThanOrEqual(size.width)
        expect(label.y + label.height, `${label.name} is above the bottom`).toBeLessThanOrEqual(size.height)
        for (const state of states) expect(overlap(label, state), `${label.name} overlaps a state`).toBe(false)
        for (const other of labels.slice(i + 1)) expect(overlap(label, other), `${label.name} overlaps ${other.name}`).toBe(false)
      }
      const shot = join(mkdtempSync(join(tmpdir(), 'loadbatch-diagram-')), `${id}.png`)
      await page.screenshot({ path: shot, fullPage: true })
      expect(statSync(shot).size).toBeGreaterThan(10_000)
      expect(problems).toEqual([])
    })
  })
})
