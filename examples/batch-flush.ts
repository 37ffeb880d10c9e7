/**
 * RxJS: rows$ through a load-aware batcher inside a pipe, each batch's outcome emitted, and the
 * batcher's settled batches watched with fromBatcherEvents. Run: node --import tsx examples/batch-flush.ts
 */
import { filter, interval, map, take } from 'rxjs'
import { batchFlush, fromBatcherEvents, type Batcher } from '../src/index.ts'

interface Row {
  readonly id: number
}

await new Promise<void>((resolve) => {
  interval(2)
    .pipe(
      take(500),
      map((id): Row => ({ id })),
      batchFlush({
        size: { initial: 20, min: 5, max: 200 },
        maxWaitMs: 100,
        flush: async (rows: Row[]) => {
          await new Promise((r) => setTimeout(r, 10))
          if (rows.some((row) => row.id === 250)) throw new Error('row 250 violates a constraint')
          return rows.map((row) => row.id * 10)
        },
        retry: { attempts: 2, backoffMs: 10 },
        onBatcher: (batcher: Batcher<Row>) => {
          fromBatcherEvents(batcher).pipe(filter((b) => b.type === 'deadLettered')).subscribe((b) => console.log(`dead-lettered batch ${b.batchId}: ${b.items.length} rows`))
        },
      }),
    )
    .subscribe({
      next: (outcome) => console.log(outcome.type === 'flushed' ? `batch ${outcome.batchId}: ${outcome.items.length} rows → ids ${outcome.result?.[0]}…` : `batch ${outcome.batchId} failed: ${(outcome.error as Error).message}`),
      complete: resolve,
    })
})
