import { readFileSync } from 'node:fs'
import { runClosedLoopCell } from '../src/sim/evaluation/closedLoop.ts'
import { evaluationRanges, adaptiveContenders } from '../src/sim/evaluation/contenders.ts'
import { loadPatternNames } from '../src/sim/loadPatterns.ts'
const ref = JSON.parse(readFileSync(new URL('./fixed-ref.json', import.meta.url), 'utf8'))
const filter = process.argv[2] ?? ''
const durs = (process.env.DURS ?? '60000,300000').split(',').map(Number)
let worst: Record<string, number> = {}; let n = 0, ok = 0, sum = 0, dlBad = 0; const p99w: Record<string, number> = {}; const quiet = process.env.Q === '1'
for (const dur of durs) for (const range of evaluationRanges) for (const pattern of loadPatternNames) for (const seed of [2, 3]) {
  const key = `${range.name}|${pattern}|${seed}|${dur}`
  if (!key.includes(filter)) continue
  const cell = await runClosedLoopCell(range, pattern, seed, dur, adaptiveContenders(range, ['default']))
  const d = cell.runs[0]!; const r = ref[key]
  const ratio = d.itemsPerSecond / r.best.itemsPerSecond
  const p99 = d.flushP99Ms / r.best.flushP99Ms
  n++; sum += ratio; if (ratio >= 0.95) ok++; if (d.deadLettered > 0 && r.best.deadLettered === 0) dlBad++; p99w[range.name] = Math.max(p99w[range.name] ?? 0, p99)
  worst[range.name] = Math.min(worst[range.name] ?? 9, ratio)
  if (!quiet) console.log(`${key.padEnd(28)} ${ratio.toFixed(3)} ${ratio < 0.95 ? '<<' : '  '} p99x ${p99.toFixed(2)} dl ${d.deadLettered} avgB ${d.avgBatchSize.toFixed(0)} c ${d.finalConcurrency} nat ${(d.itemsPerSecond / Math.max(1, r.natural.itemsPerSecond)).toFixed(2)}`)
}
console.log(`mean ${(sum / n).toFixed(3)} ok ${ok}/${n} worst ${Object.values(worst).map((v) => v.toFixed(3)).join(' ')} p99 ${Object.values(p99w).map((v) => v.toFixed(2)).join(' ')} dlBad ${dlBad}`)
