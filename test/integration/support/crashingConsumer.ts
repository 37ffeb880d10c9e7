/**
 * The example's consumer process with a fault plan for the crash tests: it reports each
 * flush as a JSON event, and may kill itself with SIGKILL right after a batch's INSERT
 * committed, before its entries were acknowledged.
 */
import { runConsumerProcess, type ConsumerConfig } from '../../../examples/queue-to-postgres/consumer.ts'

/** The consumer's config plus the fault plan. */
export interface CrashingConfig extends ConsumerConfig {
  /** Print `{"event":"flushing"}` before and `{"event":"written"}` after each INSERT. */
  readonly announce?: boolean
  /** SIGKILL this process right after the INSERT of this batch committed. */
  readonly killAfterWriteOf?: number
}

const config = JSON.parse(process.argv[2] ?? '{}') as CrashingConfig
await runConsumerProcess(config, {
  beforeWrite(batch, ids) {
    if (config.announce) console.log(JSON.stringify({ event: 'flushing', batch, size: ids.length }))
  },
  afterWrite(batch, ids) {
    if (config.announce) console.log(JSON.stringify({ event: 'written', batch, size: ids.length }))
    if (batch === config.killAfterWriteOf) process.kill(process.pid, 'SIGKILL')
  },
})
