/**
 * Runs every benchmark scenario in one process, one after the other, prints each table and
 * a summary of DESIGN.md's performance targets, and writes `bench/results/<scenario>.json`
 * for each (with the machine's cpu count and node version) plus `bench/results/summary.json`.
 *
 * Run: npm run bench                      (all scenarios, about a minute on 2 cores)
 *      npm run bench -- enqueue stalled-sink   (only the named ones)
 *      BENCH_QUICK=1 npm run bench         (shorter measuring windows: a smoke run)
 * Each scenario also runs alone: node --import tsx bench/<scenario>.ts
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { machineInfo, printReport, renderTable, writeResults, type Row, type ScenarioReport } from './report.ts'

const here = dirname(fileURLToPath(import.meta.url))

/** Scenario name → module; each exports `run(): Promise<ScenarioReport>`. */
const scenarios: Record<string, () => Promise<{ run(): Promise<ScenarioReport> }>> = {
  enqueue: () => import('./enqueue.ts'),
  'end-to-end': () => import('./end-to-end.ts'),
  'control-plane': () => import('./control-plane.ts'),
  'stalled-sink': () => import('./stalled-sink.ts'),
  'adaptive-quality': () => import('./adaptive-quality.ts'),
}

/** The adaptive scenario needs the simulator; it is skipped (and said so) where src/sim is absent. */
const hasSimulator = existsSync(join(here, '..', 'src', 'sim', 'index.ts'))

const asked = process.argv.slice(2)
for (const name of asked) {
  if (!(name in scenarios)) {
    console.error(`unknown scenario ${name}; known: ${Object.keys(scenarios).join(', ')}`)
    process.exit(2)
  }
}
const names = asked.length > 0 ? asked : Object.keys(scenarios)
const machine = machineInfo()
console.log(`loadbatch benchmarks: node ${machine.node}, ${machine.cpuCount} cpus (${machine.cpuModel})${process.env.BENCH_QUICK ? ', quick' : ''}`)

const summary: Row[] = []
const started = performance.now()
for (const name of names) {
  if (name === 'adaptive-quality' && !hasSimulator) {
    console.log('\n## adaptive-quality: skipped, src/sim does not exist here')
    continue
  }
  const report = await (await scenarios[name]!()).run()
  printReport(report)
  writeResults(report)
  for (const check of report.targets) summary.push({ scenario: name, target: check.target, met: check.met ? 'MET' : 'NOT MET', detail: check.detail })
}
const seconds = (performance.now() - started) / 1000
console.log(`\n## Targets (DESIGN.md "Performance")\n${renderTable(summary.map(({ detail: _, ...row }) => row))}`)
writeResults({
  scenario: 'summary',
  title: 'DESIGN.md performance targets',
  method: `npm run bench${asked.length > 0 ? ` -- ${asked.join(' ')}` : ''}, ${seconds.toFixed(0)} s`,
  rows: summary,
  targets: [],
  notes: [],
})
console.log(`\n${seconds.toFixed(0)} s; JSON in bench/results/`)
