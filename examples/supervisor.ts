/**
 * A pool of batchers: orders are written in batches by up to 6 workers, each customer's orders
 * in order (byKey), the pool growing under load and a crashed worker restarted without losing
 * its items. Run: node --import tsx examples/supervisor.ts
 */
import { byKey, createSupervisor } from '../src/index.ts'

interface Order {
  readonly customer: string
  readonly amount: number
}

const pool = createSupervisor<Order>({
  worker: {
    flush: async (orders) => {
      await new Promise((resolve) => setTimeout(resolve, 5)) // a bulk INSERT
    },
    size: { initial: 100, min: 10, max: 500 },
    maxWaitMs: 200,
    onDeadLetter: (orders, error) => console.error(`${orders.length} order(s) failed`, error),
  },
  workers: { min: 2, max: 6 },
  route: byKey((order) => order.customer),
  restart: { maxRestarts: 3, withinMs: 60_000, backoffMs: 100 },
  scale: { intervalMs: 500, cooldownMs: 2000 },
  logger: console,
})

for (let i = 0; i < 50_000; i++) await pool.add({ customer: `c${i % 100}`, amount: i })
await pool.stop()
const { itemsAdded, itemsFlushed, workerCount, restarts } = pool.metrics()
console.log({ itemsAdded, itemsFlushed, workerCount, restarts })
