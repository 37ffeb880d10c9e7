/**
 * Retry only the failed items: a flaky bulk API fails a few items per call; withRetry resends
 * just those, with backoff, and keeps the results of the rest. Run: node --import tsx examples/with-retry.ts
 */
import { PartialResultsError, withRetry } from '../src/index.ts'

const calls: number[] = []
const flakyBulkApi = async (ids: number[]): Promise<string[]> => {
  calls.push(ids.length)
  const failures = ids.flatMap((id, index) => (Math.random() < 0.3 ? [{ index, cause: new Error(`503 for ${id}`) }] : []))
  const results = ids.map((id) => `ok-${id}`)
  if (failures.length > 0) throw new PartialResultsError(results, failures)
  return results
}

const send = withRetry(flakyBulkApi, { attempts: 6, backoffMs: 20, onRetry: (retry, items, delay) => console.log(`retry ${retry}: ${items} item(s) after ${delay.toFixed(0)} ms`) })
try {
  const results = await send(Array.from({ length: 20 }, (_, i) => i))
  console.log(`all ${results.length} sent; items per call: ${calls.join(' → ')}`)
} catch (error) {
  if (!(error instanceof PartialResultsError)) throw error
  console.log(`${error.failures.length} item(s) still failing after 6 attempts; the other results were kept`)
}
