/**
 * How every bench file reports: a table on the terminal (median, spread, ratio against the
 * peers of the same run, a `wide` flag when the spread is too wide to trust) and a JSON file
 * `bench/results/<scenario>.json` with the machine it ran on, so a later run can be compared.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Figure } from './measure.ts'

/** One printed and saved row: column name → value. */
export type Row = Record<string, string | number | boolean | null>

/** A design target and whether this run met it. */
export interface TargetCheck {
  /** The target as DESIGN.md words it. */
  readonly target: string
  readonly met: boolean
  /** The figures it was judged on. */
  readonly detail: string
}

/** What one scenario hands back to `bench/index.ts` and writes to its JSON file. */
export interface ScenarioReport {
  /** File-safe name: `bench/results/<scenario>.json`. */
  readonly scenario: string
  readonly title: string
  /** What was measured against what, and how (one or two sentences). */
  readonly method: string
  readonly rows: readonly Row[]
  readonly targets: readonly TargetCheck[]
  readonly notes: readonly string[]
}

/** The machine and runtime the figures come from. */
export function machineInfo(): Row {
  const cpus = os.cpus()
  return {
    cpuCount: os.availableParallelism?.() ?? cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()}`,
    arch: os.arch(),
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  }
}

/** `1234.5` → `1.23 µs`, `56.7` → `56.7 ns`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return String(ns)
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`
  return `${ns.toFixed(1)} ns`
}

/** `0.043` → `±4.3%`, with ` (wide)` appended when the figure is flagged. */
export function formatSpread(figure: Figure): string {
  return `±${(figure.spread * 100).toFixed(1)}%${figure.wide ? ' WIDE' : ''}`
}

/** `2.345` → `2.35×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`
}

/** `1234567` → `1.23 M/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M/s`
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k/s`
  return `${perSecond.toFixed(0)} /s`
}

/** `3_500_000` → `3.34 MiB`. */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : ''
  const abs = Math.abs(bytes)
  if (abs >= 2 ** 20) return `${sign}${(abs / 2 ** 20).toFixed(2)} MiB`
  if (abs >= 2 ** 10) return `${sign}${(abs / 2 ** 10).toFixed(1)} KiB`
  return `${sign}${abs.toFixed(0)} B`
}

/** Renders rows as an aligned text table (the columns of the first row, in order). */
export function renderTable(rows: readonly Row[]): string {
  if (rows.length === 0) return '(no rows)'
  const columns = Object.keys(rows[0]!)
  const cells = rows.map((row) => columns.map((column) => cell(row[column])))
  const widths = columns.map((column, i) => Math.max(column.length, ...cells.map((line) => line[i]!.length)))
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i]!)).join('  ').trimEnd()
  return [line(columns), line(widths.map((w) => '─'.repeat(w))), ...cells.map(line)].join('\n')
}

function cell(value: Row[string] | undefined): string {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2)
  return String(value)
}

/** Prints a scenario's table, targets and notes to the terminal. */
export function printReport(report: ScenarioReport): void {
  const out: string[] = ['', `## ${report.title}`, report.method, '', renderTable(report.rows)]
  if (report.targets.length > 0) {
    out.push('')
    for (const check of report.targets) out.push(`${check.met ? 'MET    ' : 'NOT MET'}  ${check.target}: ${check.detail}`)
  }
  for (const note of report.notes) out.push(`note: ${note}`)
  console.log(out.join('\n'))
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results')

/** Writes `bench/results/<scenario>.json` with the machine info and the date; returns its path. */
export function writeResults(report: ScenarioReport): string {
  mkdirSync(resultsDir, { recursive: true })
  const path = join(resultsDir, `${report.scenario}.json`)
  const body = { ...report, date: new Date().toISOString(), machine: machineInfo(), quick: Boolean(process.env.BENCH_QUICK) }
  writeFileSync(path, `${JSON.stringify(body, null, 2)}\n`)
  return path
}

/** Prints and saves a scenario: what each bench file does when run alone. */
export function publish(report: ScenarioReport): void {
  printReport(report)
  console.log(`(saved ${writeResults(report)})`)
}

/** True when the module at `url` is the script node was started with (so a bench file runs itself when run alone). */
export function isMain(url: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(url) === resolve(process.argv[1])
}
