/**
 * Stream batches: events from an async source grouped 100 at a time or after 200 ms, the
 * partial last batch delivered at the end; then a cancelled stream hands its pending items to
 * onCancel. Run: node --import tsx examples/batch-stream.ts
 */
import { batchStream } from '../src/index.ts'

async function* clicks(n: number) {
  for (let i = 0; i < n; i++) {
    if (i % 150 === 149) await new Promise((resolve) => setTimeout(resolve, 300)) // a lull: the partial batch goes after 200 ms
    yield { id: i, at: Date.now() }
  }
}

for await (const batch of batchStream(clicks(520), { size: 100, maxWaitMs: 200 })) {
  console.log(`batch of ${batch.length}: ${batch[0]!.id}..${batch.at(-1)!.id}`)
}

for await (const batch of batchStream(clicks(1000), { size: 100, onCancel: (pending) => console.log(`cancelled: ${pending.length} items handed back, from ${pending[0]!.id}`) })) {
  console.log(`took ${batch.length}, then stopped reading`)
  break
}
