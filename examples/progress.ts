/**
 * Progress: done, rate and ETA for a CLI progress bar, sane from the very first moment (no NaN
 * before the first item). Run: node --import tsx examples/progress.ts
 */
import { progress } from '../src/index.ts'

const tracker = progress({ total: 300 })
const bar = () => {
  const p = tracker.snapshot()
  const width = 30
  const filled = Math.round((p.fraction ?? 0) * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.ratePerSecond.toFixed(0)}/s eta ${p.etaMs === undefined ? '--' : `${(p.etaMs / 1000).toFixed(1)} s`}`
}
console.log('before any item:', bar())
for (let i = 0; i < 10; i++) {
  await new Promise((resolve) => setTimeout(resolve, 50))
  tracker.add(30)
  console.log(bar())
}
