/**
 * A worker pool: 4 workers embed texts 32 at a time; single callers and a whole dataset share
 * the pool, and results come back in input order. Run: node --import tsx examples/worker-pool.ts
 */
import { workerPool } from '../src/index.ts'

const pool = workerPool<string, number[]>({
  workers: 4,
  batchSize: 32,
  maxWaitMs: 20,
  process: async (texts) => {
    await new Promise((resolve) => setTimeout(resolve, 15)) // one model call per batch
    return texts.map((text) => [text.length, text.split(' ').length])
  },
})

const single = await pool.run('a single request')
console.log('one call:', single)
const documents = Array.from({ length: 1000 }, (_, i) => `document number ${i} ${'word '.repeat(i % 5)}`)
const { results, failures } = await pool.runAll(documents)
console.log(`${results.length} embeddings in order (first ${JSON.stringify(results[0])}, last ${JSON.stringify(results.at(-1))}), ${failures.length} failed`)
console.log('batches:', pool.metrics().flushCount, 'avg size:', pool.metrics().avgBatchSize.toFixed(1))
await pool.stop()
