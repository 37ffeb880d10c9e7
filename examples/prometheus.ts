/**
 * A supervisor's metrics in your own prom-client registry, printed as Prometheus would scrape
 * them. Serve `registry.metrics()` on /metrics in an app. Run: node --import tsx examples/prometheus.ts
 */
import { Registry } from 'prom-client'
import { createSupervisor } from '../src/index.ts'
import { prometheusMetrics } from '../src/prometheus/index.ts'

const pool = createSupervisor<number>({
  worker: {
    flush: async (batch) => {
      await new Promise((resolve) => setTimeout(resolve, batch.length / 10)) // a bulk write, 0.1 ms per row
      return { cpu: 0.4 }
    },
    size: { initial: 50, min: 10, max: 500 },
    maxWaitMs: 50,
  },
  workers: { min: 2, max: 2 },
})
const registry = new Registry()
prometheusMetrics(pool, { registry, name: 'orders' })

for (let i = 0; i < 2000; i++) await pool.add(i)
await pool.flush()
console.log(await registry.metrics())
await pool.stop()
