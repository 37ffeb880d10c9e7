/**
 * The yardstick's result as plain-text tables and target checks (issue 12's targets), for the
 * CLI and the bench. Ratios are worst cases over seeds and run lengths where a cell has several.
 */

import { formatTable } from '../../cli/textTable.ts'
import { bestFixed, type ClosedLoopCell, type RunFigures } from './closedLoop.ts'
import type { EvaluationResult } from './runEvaluation.ts'

/** One target of the issue, met or not, with the figure that decides it. */
export interface TargetCheck {
  readonly target: string
  readonly met: boolean
  readonly detail: string
}

/** The printed yardstick: sections of lines, and the target checks. */
export interface EvaluationReport {
  readonly lines: readonly string[]
  readonly targets: readonly TargetCheck[]
}

const ratio = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)}` : '∞')
const perSecond = (value: number) => Math.round(value).toString()
const byLabel = (runs: readonly RunFigures[], label: string) => runs.find((run) => run.label === label)

/** Renders `result` into tables and checks the issue's targets for the default. */
export function renderEvaluation(result: EvaluationResult): EvaluationReport {
  const lines: string[] = []
  const targets: TargetCheck[] = []
  const adaptive = [...new Set(result.closedLoop.flatMap((c) => c.runs.filter((r) => r.kind === 'default' || r.kind === 'controller').map((r) => r.label)))]

  for (const range of [...new Set(result.closedLoop.map((c) => c.range))]) {
    const cells = result.closedLoop.filter((c) => c.range === range)
    lines.push(`Closed loop, sizes ${range}: goodput ÷ best fixed (size×concurrency) in hindsight, worst over seeds and lengths`)
    const patterns = [...new Set(cells.map((c) => c.pattern))]
    const rows = patterns.map((pattern) => {
      const own = cells.filter((c) => c.pattern === pattern)
      const bests = own.map(bestFixed)
      const worst = (label: string) => Math.min(...own.map((cell, i) => (byLabel(cell.runs, label)?.itemsPerSecond ?? 0) / bests[i]!.itemsPerSecond))
      return [pattern, [...new Set(bests.map((b) => b.label))].join(' '), ...adaptive.map((label) => ratio(worst(label))), ratio(worst('natural'))]
    })
    lines.push(...formatTable(['pattern', 'best fixed', ...adaptive, 'natural'], rows), '')

    lines.push(`Closed loop, sizes ${range}: the default in each cell`)
    const detail = cells.map((cell) => defaultRow(cell))
    lines.push(...formatTable(['pattern', 'seed', 'run', 'default/s', 'mean batch', 'conc', 'best fixed/s', '÷best', '÷oracle', '÷natural', 'p99 ÷best', 'dead letters (default/best)'], detail.map((d) => d.cells)), '')

    const worstBest = Math.min(...detail.map((d) => d.vsBest))
    const worstNatural = Math.min(...detail.map((d) => d.vsNatural))
    const worstP99 = Math.max(...detail.map((d) => d.p99VsBest))
    const badDeadLetters = detail.filter((d) => d.deadLetterMiss).length
    targets.push(
      { target: `closed loop ${range}: default ≥ 0.95 × best fixed in hindsight in every cell`, met: worstBest >= 0.95, detail: `worst ${ratio(worstBest)}` },
      { target: `closed loop ${range}: default ≥ 1.0 × natural batching in every cell`, met: worstNatural >= 1, detail: `worst ${ratio(worstNatural)}` },
      { target: `closed loop ${range}: no dead letters where the best fixed has none`, met: badDeadLetters === 0, detail: `${badDeadLetters} cell(s) with dead letters the best fixed did not have` },
      { target: `closed loop ${range}: p99 flush latency ≤ 2 × the best fixed's`, met: worstP99 <= 2, detail: `worst ${ratio(worstP99)}` },
    )
  }

  for (const open of result.openLoop) {
    lines.push(`Open loop, sizes ${open.range}, capacity ${perSecond(open.capacityPerSecond)} items/s: p99 item latency (ms, offer → flushed), and ÷ natural batching's`)
    const labels = open.rows[0]?.runs.map((r) => r.label).filter((l) => l !== 'natural') ?? []
    const rows = open.rows.map((row) => {
      const natural = byLabel(row.runs, 'natural')!
      return [`${Math.round(row.share * 100)} %`, perSecond(row.ratePerSecond), natural.itemP99Ms.toFixed(0), ...labels.flatMap((label) => {
        const run = byLabel(row.runs, label)!
        return [`${run.itemP99Ms.toFixed(0)} (${ratio(run.itemP99Ms / natural.itemP99Ms)})`]
      })]
    })
    lines.push(...formatTable(['offered', 'items/s', 'natural', ...labels], rows), '')
    const upToCapacity = open.rows.filter((row) => row.share <= 1)
    const worst = Math.max(...upToCapacity.map((row) => byLabel(row.runs, 'default')!.itemP99Ms / byLabel(row.runs, 'natural')!.itemP99Ms))
    targets.push({ target: `open loop ${open.range}: default p99 item latency ≤ natural batching's at every rate up to capacity`, met: worst <= 1, detail: `worst ${ratio(worst)}× natural's` })
  }

  if (result.requests.length > 0) {
    lines.push('Request-style scenarios (batch size 1, concurrency 1..max adapted): successful requests/s and share of the ideal rate')
    const labels = result.requests[0]!.runs.map((r) => r.label)
    const rows = result.requests.map((row) => [row.scenario, perSecond(row.idealPerSecond), ...row.runs.map((run) => `${perSecond(run.ratePerSecond)} (${Math.round((100 * run.ratePerSecond) / row.idealPerSecond)} %)`)])
    lines.push(...formatTable(['scenario', 'ideal/s', ...labels], rows), '')
    const worst = Math.min(...result.requests.map((row) => (row.runs.find((r) => r.label === 'default')?.ratePerSecond ?? 0) / row.idealPerSecond))
    targets.push({ target: 'request-style: default ≥ 90 % of the ideal rate in every scenario', met: worst >= 0.9, detail: `worst ${Math.round(worst * 100)} %` })
  }

  for (const response of result.stepResponses) {
    const within = Number.isFinite(response.intervals)
    lines.push(`Step response, sizes ${response.range} (load 0.2 → 0.9 at 30 s; oracle ${response.oracle.batchSize}×${response.oracle.concurrency}): ${within ? `within 10 % of the oracle's goodput after ${response.intervals} adjustment interval(s), ${response.seconds.toFixed(1)} s, at ${response.reached!.batchSize}×${response.reached!.concurrency}` : 'never within 10 % of the oracle\'s goodput in the run'}`)
    targets.push({ target: `step change ${response.range}: within 5 adjustment intervals of the new best`, met: response.intervals <= 5, detail: within ? `${response.intervals} intervals` : 'never within the run' })
  }
  if (result.stepResponses.length > 0) lines.push('')
  lines.push('Targets (the default controller):')
  for (const t of targets) lines.push(`  ${t.met ? 'MET    ' : 'NOT MET'} ${t.target}: ${t.detail}`)
  return { lines, targets }
}

/** The default's figures in one cell against the best fixed pair, the oracle and natural batching. */
function defaultRow(cell: ClosedLoopCell) {
  const best = bestFixed(cell)
  const own = byLabel(cell.runs, 'default')!
  const natural = byLabel(cell.runs, 'natural')!
  const vsBest = own.itemsPerSecond / best.itemsPerSecond
  const vsNatural = own.itemsPerSecond / natural.itemsPerSecond
  const p99VsBest = own.flushP99Ms / best.flushP99Ms
  return {
    vsBest,
    vsNatural,
    p99VsBest,
    deadLetterMiss: own.deadLettered > 0 && best.deadLettered === 0,
    cells: [
      cell.pattern, String(cell.seed), `${cell.durationMs / 1000} s`, perSecond(own.itemsPerSecond), own.avgBatchSize.toFixed(0), String(own.finalConcurrency),
      `${perSecond(best.itemsPerSecond)} (${best.label})`, ratio(vsBest), ratio(own.itemsPerSecond / cell.oracleItemsPerSecond), ratio(vsNatural), ratio(p99VsBest),
      `${own.deadLettered}/${best.deadLettered}`,
    ],
  }
}
