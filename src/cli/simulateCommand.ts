/**
 * `loadbatch simulate`: runs the batcher against the simulated backend (live, or in virtual
 * time with `--virtual`), shows a progress bar on a terminal, prints a summary, and writes an
 * SVG and an HTML report. With `--compare`, fixed sizes 5, 20 and 100 run beside the adaptive
 * one; without it, they are replayed in virtual time afterwards for the last lines of the summary.
 */

import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { renderReportHtml } from '../report/reportHtml.ts'
import { renderReportSvg } from '../report/reportSvg.ts'
import { summaryColumns, summaryRows } from '../report/summaryRows.ts'
import { comparedFixedSizes, runComparison } from '../sim/runComparison.ts'
import type { SimulationRun } from '../sim/runResult.ts'
import { runSimulation } from '../sim/runSimulation.ts'
import type { SimulationOptions, SimulationProgress } from '../sim/simulationOptions.ts'
import { controllerByName, type ControllerName } from './controllerByName.ts'
import { formatDuration } from './duration.ts'
import { parseFlags, type FlagValues } from './flags.ts'
import type { CliIo } from './io.ts'
import { runInspected } from './inspectRun.ts'
import { createProgressBar } from './progressBar.ts'
import { simulateFlags } from './simulateFlags.ts'
import { formatTable } from './textTable.ts'
import { UsageError } from './usageError.ts'

/** What one `simulate` invocation produced: its runs and the files it wrote. */
export interface SimulateOutcome {
  readonly runs: readonly SimulationRun[]
  readonly files: readonly string[]
}

/** Turns parsed flags into the adaptive run's options; throws {@link UsageError} when they contradict each other. */
export function simulationOptionsFrom(flags: FlagValues): SimulationOptions {
  const min = flags['min-batch'] as number
  const max = flags['max-batch'] as number
  const initial = flags['initial-batch'] as number
  if (min > max) throw new UsageError('--min-batch', `--min-batch must be an integer <= --max-batch (${max}), got ${min}`)
  if (initial < min || initial > max) throw new UsageError('--initial-batch', `--initial-batch must be an integer in --min-batch..--max-batch (${min}..${max}), got ${initial}`)
  const controller = controllerByName(flags['controller'] as ControllerName, {
    intervalMs: flags['adjust-interval'] as number,
    factor: flags['adjust-factor'] as number,
    targetMs: flags['target-latency'] as number,
  })
  return {
    count: flags['count'] as number,
    durationMs: flags['duration'] as number,
    workers: flags['workers'] as number,
    ...(flags['rate'] === undefined ? {} : { ratePerSecond: flags['rate'] as number }),
    size: min === max ? min : { initial, min, max },
    maxWaitMs: flags['timeout'] as number,
    controller,
    pattern: flags['pattern'] as string,
    seed: flags['seed'] as number,
    clock: flags['virtual'] ? 'virtual' : 'real',
  }
}

/** Runs `loadbatch simulate` with `args` (the flags after the command); resolves to its runs and the files it wrote. */
export async function simulateCommand(args: readonly string[], io: CliIo): Promise<SimulateOutcome> {
  const flags = parseFlags(args, simulateFlags, io.cwd)
  const options = simulationOptionsFrom(flags)
  if (flags['inspect'] === true) return inspectCommand(flags, options, io)
  const compare = flags['compare'] === true
  const bar = createProgressBar(io.stderr)
  const progress = new Map<string, number>()
  const onProgress = (label: string, p: SimulationProgress) => {
    progress.set(label, Math.max(p.itemsSettled / p.itemsTotal, p.atMs / p.durationMs))
    const fractions = [...progress.values()]
    const mean = fractions.reduce((a, b) => a + b, 0) / Math.max(1, compare ? comparedFixedSizes.length + 1 : 1)
    bar.update(mean, `${(p.atMs / 1000).toFixed(0)} s ${label}: ${p.itemsSettled} items`)
  }
  io.stdout.write(`${headline(flags, compare)}\n`)
  const runs = compare
    ? await runComparison({ adaptive: options, onProgress })
    : [await runSimulation({ ...options, onProgress: (p) => onProgress(String(flags['controller']), p) })]
  bar.done()

  const out = resolve(io.cwd, flags['out'] as string)
  await mkdir(out, { recursive: true })
  const name = `simulate-${flags['pattern']}${compare ? '-compare' : ''}`
  const subtitle = settingsLine(flags)
  const files = [join(out, `${name}.svg`), join(out, `${name}.html`)]
  const offeredMs = flags['duration'] as number
  await writeFile(files[0]!, renderReportSvg(runs, { subtitle, offeredMs }))
  await writeFile(files[1]!, renderReportHtml(runs, { subtitle, offeredMs }))

  const lines = compare ? formatTable(summaryColumns, summaryRows(runs)) : describeRun(runs[0]!)
  if (!compare) {
    // Why adapt: the same load with fixed sizes, replayed in virtual time (a second or so).
    const replay = await runComparison({ adaptive: { ...options, clock: 'virtual' } })
    lines.push('', 'The same load in virtual time, adaptive against fixed sizes (loadbatch simulate --compare shows them live):')
    lines.push(...formatTable(summaryColumns, summaryRows(replay)).map((l) => `  ${l}`))
  }
  lines.push('', `Report: ${files.join(', ')}`)
  io.stdout.write(`${lines.join('\n')}\n`)
  return { runs, files }
}

/** `simulate --inspect`: the inspected run instead of the report (see inspectRun.ts). */
async function inspectCommand(flags: FlagValues, options: SimulationOptions, io: CliIo): Promise<SimulateOutcome> {
  const url = flags['inspect-url'] as string
  io.stdout.write(`loadbatch simulate --inspect: a batcher and a supervisor with 3 workers on ${flags['pattern']} load, inspector at ${url}\n`)
  const summary = await runInspected({
    url,
    durationMs: Math.min(options.durationMs ?? Infinity, 3_600_000),
    ratePerSecond: (flags['rate'] as number | undefined) ?? 200,
    pattern: flags['pattern'] as string,
    seed: flags['seed'] as number,
    size: options.size!,
    maxWaitMs: options.maxWaitMs!,
    controller: () => simulationOptionsFrom(flags).controller!,
    clock: options.clock ?? 'real',
    warn: (message) => io.stderr.write(`loadbatch: ${message}\n`),
  })
  io.stdout.write(
    `${summary.itemsOffered} items offered to each; batcher: ${summary.batcherItemsFlushed} flushed, ${summary.batcherItemsDeadLettered} dead-lettered; ` +
      `supervisor (${summary.workers} workers): ${summary.supervisorItemsFlushed} flushed, ${summary.supervisorItemsDeadLettered} dead-lettered; ` +
      `${summary.connected ? `${summary.eventsSent} inspection events sent` : 'no inspector connected'}\n`,
  )
  return { runs: [], files: [] }
}

function headline(flags: FlagValues, compare: boolean): string {
  const clock = flags['virtual'] ? 'virtual time' : 'real time'
  return `loadbatch simulate: ${flags['pattern']} load, controller ${flags['controller']}${compare ? ' vs fixed 5, 20, 100' : ''}, ${clock}`
}

function settingsLine(flags: FlagValues): string {
  const rate = flags['rate'] === undefined ? 'as fast as accepted' : `${flags['rate']}/s`
  return [
    `count ${flags['count']}`,
    `workers ${flags['workers']}`,
    `batch ${flags['initial-batch']} (${flags['min-batch']}..${flags['max-batch']})`,
    `timeout ${formatDuration(flags['timeout'] as number)}`,
    `adjust every ${formatDuration(flags['adjust-interval'] as number)}`,
    `rate ${rate}`,
    `duration ${formatDuration(flags['duration'] as number)}`,
    `seed ${flags['seed']}`,
    flags['virtual'] ? 'virtual time' : 'real time',
  ].join(', ')
}

function describeRun(run: SimulationRun): string[] {
  const s = run.summary
  return [
    `${run.label} on ${run.pattern} load:`,
    `  items       ${s.itemsFlushed} of ${s.itemsOffered} flushed, ${s.itemsFailed} dead-lettered`,
    `  throughput  ${s.itemsPerSecond.toFixed(0)} items/s over ${(s.durationMs / 1000).toFixed(1)} s`,
    `  latency     p50 ${s.latencyP50Ms.toFixed(0)} ms, p99 ${s.latencyP99Ms.toFixed(0)} ms per flush call`,
    `  errors      ${s.errors} failed items in ${s.failedFlushes} of ${s.flushes} flushes (retried)`,
    `  batch size  final ${s.finalBatchSize}, average ${s.avgBatchSize.toFixed(1)}`,
  ]
}
