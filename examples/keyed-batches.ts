/**
 * Per-key batches: rows of three tenants, every batch one tenant's, each tenant's batch size
 * adapting on its own — the slow tenant shrinks its batches, the fast ones keep theirs.
 * Run: node --import tsx examples/keyed-batches.ts
 */
import { createKeyedBatcher, latencyTarget } from '../src/index.ts'

interface Row {
  readonly tenant: string
  readonly id: number
}

const rows = createKeyedBatcher<Row, string>({
  batchKey: (row) => row.tenant,
  flush: async (batch, { key }) => {
    const msPerRow = key === 'slow-tenant' ? 2 : 0.05
    await new Promise((resolve) => setTimeout(resolve, batch.length * msPerRow))
  },
  size: { initial: 200, min: 10, max: 400 },
  controller: latencyTarget({ targetMs: 50, intervalMs: 100 }),
  maxWaitMs: 50,
  maxOpenKeys: 10,
})

for (let i = 0; i < 30_000; i++) await rows.add({ tenant: ['tenant-a', 'tenant-b', 'slow-tenant'][i % 3]!, id: i })
for (const key of rows.keys()) console.log(`${key.padEnd(12)} batch size now ${rows.batcherFor(key)!.metrics().batchSize}`)
await rows.stop()
console.log(rows.metrics())
