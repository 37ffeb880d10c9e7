/**
 * Bounded fan-out: 200 "HTTP calls", never more than 16 at once, each result at its input
 * position, the failures listed. Run: node --import tsx examples/fan-out.ts
 */
import { fanOut } from '../src/index.ts'

const urls = Array.from({ length: 200 }, (_, i) => `https://api.example.com/items/${i}`)
let running = 0
let peak = 0

const { results, failures } = await fanOut(urls, async (url, signal) => {
  running++
  peak = Math.max(peak, running)
  try {
    await new Promise((resolve) => setTimeout(resolve, 10 + (url.length % 7)))
    if (signal.aborted) throw signal.reason
    if (url.endsWith('/13')) throw new Error('404 Not Found')
    return { url, status: 200 }
  } finally {
    running--
  }
}, { concurrency: 16 })

console.log(`${results.filter(Boolean).length} ok, ${failures.length} failed (${failures.map((f) => f.item).join(', ')}), at most ${peak} calls at once`)
