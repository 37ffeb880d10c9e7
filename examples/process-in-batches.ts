/**
 * A dataset in batches: 10 000 rows "inserted" 250 at a time, 4 batches at once, the batch size
 * steered by latency (target 40 ms), one bad row reported by index instead of failing the run,
 * and a progress line per batch. Run: node --import tsx examples/process-in-batches.ts
 */
import { PartialResultsError, processInBatches } from '../src/index.ts'

interface Row {
  readonly id: number
  readonly email: string
}

const rows: Row[] = Array.from({ length: 10_000 }, (_, id) => ({ id, email: id === 4242 ? 'not-an-email' : `user${id}@example.com` }))

/** A bulk INSERT … RETURNING id: about 5 ms per call plus 0.1 ms per row; a bad row fails alone. */
async function insertReturningIds(batch: Row[]): Promise<number[]> {
  await new Promise((resolve) => setTimeout(resolve, 5 + batch.length * 0.1))
  const failures = batch.flatMap((row, index) => (row.email.includes('@') ? [] : [{ index, cause: new Error(`invalid email for row ${row.id}`) }]))
  const ids = batch.map((row) => 1_000_000 + row.id)
  if (failures.length > 0) throw new PartialResultsError(ids, failures)
  return ids
}

let shownTenth = 0
const { results, failures, count } = await processInBatches(rows, insertReturningIds, {
  size: { initial: 250, min: 10, max: 2000 },
  targetLatencyMs: 40,
  concurrency: 4,
  onProgress: (p) => {
    const tenth = Math.floor((p.fraction ?? 0) * 10)
    if (tenth <= shownTenth) return
    shownTenth = tenth
    console.log(`${tenth * 10}% ${p.done}/${p.total} ${p.ratePerSecond.toFixed(0)} rows/s eta ${p.etaMs === undefined ? '?' : (p.etaMs / 1000).toFixed(1)} s`)
  },
})
console.log(`${count} rows, ${results.filter((id) => id !== undefined).length} inserted, ${failures.length} failed:`)
for (const failure of failures) console.log(`  row #${failure.index}: ${(failure.cause as Error).message}`)
