// Issue 10 item 11: queue N waiting add()s, abort every other one, admit the rest; prints ms for 20k and 100k and their ratio (linear: about 5). Run: node --import tsx bench/waiters.ts
import { createBatcher, createVirtualTime } from '../src/index.ts'

async function run(n: number): Promise<number> {
  const time = createVirtualTime()
  const batcher = createBatcher<number>({ flush: async () => {}, size: 1000, capacity: 1000, maxWaitMs: 1, scheduler: time.scheduler })
  const started = performance.now()
  const controllers: AbortController[] = []
  let admitted = 0
  for (let i = 0; i < n; i++) {
    const controller = new AbortController()
    controllers.push(controller)
    batcher.add(i, { signal: controller.signal }).then(() => admitted++, () => {})
  }
  for (let i = 1000; i < n; i += 2) controllers[i]!.abort()
  while (admitted < 1000 + (n - 1000) / 2) await time.advanceBy(1)
  await batcher.stop()
  return performance.now() - started
}
const small = await run(20_000)
const large = await run(100_000)
console.log(JSON.stringify({ ms20k: Math.round(small), ms100k: Math.round(large), ratio: +(large / small).toFixed(1) }))
