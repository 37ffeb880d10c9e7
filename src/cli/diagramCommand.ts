/**
 * `loadbatch diagram`: Mermaid source and an SVG for every machine exported from
 * `machines/index.ts`, generated from the machine definitions, into `visualizations/`.
 */

import { resolve } from 'node:path'
import { machinesToDraw } from '../diagram/machinesToDraw.ts'
import { writeDiagrams } from '../diagram/writeDiagrams.ts'
import { diagramFlags } from './diagramFlags.ts'
import { parseFlags } from './flags.ts'
import type { CliIo } from './io.ts'
import { writeSampleReports } from './sampleReports.ts'

/** Runs `loadbatch diagram` with `args`; returns the paths it wrote. */
export async function diagramCommand(args: readonly string[], io: CliIo): Promise<string[]> {
  const flags = parseFlags(args, diagramFlags, io.cwd)
  const out = resolve(io.cwd, flags['out'] as string)
  const machines = machinesToDraw()
  const written = await writeDiagrams(machines, out)
  if (flags['reports']) written.push(...(await writeSampleReports(out)))
  io.stdout.write(`Diagrams of ${machines.map((m) => m.id).join(', ')}:\n${written.map((p) => `  ${p}`).join('\n')}\n`)
  return written
}
