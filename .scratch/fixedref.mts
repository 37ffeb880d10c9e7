import { writeFileSync, existsSync, readFileSync } from 'node:fs'
import { runClosedLoopCell, bestFixed } from '../src/sim/evaluation/closedLoop.ts'
import { evaluationRanges, fixedContenders, naturalContender } from '../src/sim/evaluation/contenders.ts'
import { loadPatternNames } from '../src/sim/loadPatterns.ts'
const file = new URL('./fixed-ref.json', import.meta.url)
const ref: Record<string, any> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {}
for (const dur of [60_000, 300_000]) for (const range of evaluationRanges) for (const pattern of loadPatternNames) for (const seed of [2, 3]) {
  const key = `${range.name}|${pattern}|${seed}|${dur}`
  if (ref[key]) continue
  const cell = await runClosedLoopCell(range, pattern, seed, dur, [...fixedContenders(range), naturalContender(range)])
  const best = bestFixed(cell)
  const nat = cell.runs.find((r) => r.kind === 'natural')!
  ref[key] = { best, natural: nat, oracle: cell.oracleItemsPerSecond }
  writeFileSync(file, JSON.stringify(ref, null, 1))
  console.log(key, best.label, best.itemsPerSecond.toFixed(0), 'nat', nat.itemsPerSecond.toFixed(0))
}
