import { readFileSync } from 'node:fs'
import { runOpenLoop } from '../src/sim/evaluation/openLoop.ts'
import { evaluationRanges, adaptiveContenders, naturalContender } from '../src/sim/evaluation/contenders.ts'
const ref = JSON.parse(readFileSync(new URL('./fixed-ref.json', import.meta.url), 'utf8'))
for (const range of evaluationRanges) {
  const cap = ref[`${range.name}|constant|2|60000`].best.itemsPerSecond
  const rows = await runOpenLoop('constant', 2, 60_000, cap, [naturalContender(range), ...adaptiveContenders(range, ['default'])])
  console.log(range.name, 'cap', cap.toFixed(0), rows.map((r) => `${r.share}: ${r.runs[0]!.itemP99Ms.toFixed(0)}/${r.runs[1]!.itemP99Ms.toFixed(0)}=${(r.runs[1]!.itemP99Ms / r.runs[0]!.itemP99Ms).toFixed(2)}`).join('  '))
}
