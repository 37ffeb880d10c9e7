/**
 * A memory budget: uploads of very different sizes, 8 at once at most, but never more than
 * 64 MiB in flight; a 100 MiB file goes alone. Run: node --import tsx examples/memory-budget.ts
 */
import { processInBatches } from '../src/index.ts'

const MiB = 2 ** 20
const files = [5, 20, 30, 100, 2, 2, 40, 25, 8, 8, 8, 8].map((size, i) => ({ name: `file-${i}`, bytes: size * MiB }))
let inFlight = 0
let peak = 0

await processInBatches(files, async ([file]) => {
  inFlight += file!.bytes
  peak = Math.max(peak, inFlight)
  await new Promise((resolve) => setTimeout(resolve, file!.bytes / MiB))
  inFlight -= file!.bytes
}, { batchSize: 1, concurrency: 8, maxInFlightBytes: 64 * MiB, weigh: (file) => file.bytes })

console.log(`peak in flight: ${peak / MiB} MiB (budget 64 MiB; the 100 MiB file went alone)`)
