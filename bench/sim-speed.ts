/**
 * Simulator speed: one hour of virtual load (the CLI's default settings, producers offering
 * 1000 items/s, so 3.6 million items) through a real batcher and the simulated backend, timed on
 * the wall clock; prints the ratio of virtual to wall time. DESIGN.md: hours of load in well
 * under a second.
 *
 * Run: node --import tsx bench/sim-speed.ts
 */
import { aimd } from '../src/controllers/index.ts'
import { runSimulation } from '../src/sim/runSimulation.ts'

const HOUR_MS = 3_600_000

for (const [label, ratePerSecond] of [['1000 items/s offered', 1000], ['as fast as accepted', Infinity]] as const) {
  for (const pattern of ['constant', 'spikes'] as const) {
    const started = performance.now()
    const run = await runSimulation({ pattern, count: Infinity, durationMs: HOUR_MS, ratePerSecond, controller: aimd({ intervalMs: 3000 }) })
    const wallMs = performance.now() - started
    const s = run.summary
    console.log(
      `${pattern.padEnd(8)} ${label.padEnd(21)} virtual ${(s.durationMs / 1000).toFixed(0)} s, wall ${wallMs.toFixed(0)} ms, ` +
        `ratio ${(s.durationMs / wallMs).toFixed(0)}x; ${s.itemsFlushed} items in ${s.flushes} flushes (${((wallMs * 1000) / Math.max(1, s.flushes)).toFixed(1)} µs per flush)`,
    )
  }
}
