/**
 * One sample simulation report per load pattern, in virtual time with the CLI's defaults and
 * `--compare` (adaptive against fixed 5, 20, 100): the pictures kept in `visualizations/`.
 */

import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { renderReportHtml } from '../report/reportHtml.ts'
import { renderReportSvg } from '../report/reportSvg.ts'
import { loadPatternNames } from '../sim/loadPatterns.ts'
import { runComparison } from '../sim/runComparison.ts'
import { parseFlags } from './flags.ts'
import { simulateFlags } from './simulateFlags.ts'
import { simulationOptionsFrom } from './simulateCommand.ts'

/** Writes `simulate-<pattern>.svg` and `.html` for every pattern into `dir`; returns the paths. */
export async function writeSampleReports(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true })
  const written: string[] = []
  for (const pattern of loadPatternNames) {
    const options = simulationOptionsFrom(parseFlags(['--pattern', pattern, '--virtual'], simulateFlags))
    const runs = await runComparison({ adaptive: options })
    const subtitle = `Sample: loadbatch simulate --pattern ${pattern} --compare --virtual (all other flags at their defaults)`
    const svg = join(dir, `simulate-${pattern}.svg`)
    const html = join(dir, `simulate-${pattern}.html`)
    const offeredMs = options.durationMs
    await writeFile(svg, renderReportSvg(runs, { subtitle, ...(offeredMs === undefined ? {} : { offeredMs }) }))
    await writeFile(html, renderReportHtml(runs, { subtitle, ...(offeredMs === undefined ? {} : { offeredMs }) }))
    written.push(svg, html)
  }
  return written
}
